"""Figures of an optimising search (``kind: optimise``), as search plots of its search file.

Trial ``i`` of an optimising search is point ``i``, so the collated table (one row per point and
SingleValue) holds every trial's values. Each plot names the objective(s) as the search file
does (``{value, sheet, target}`` or ``{value, sheet, direction}``) and draws:

- ``OptimisationHistoryPlot``: the objective of every finished trial and the best so far;
- ``ParameterImportancePlot``: how much each varied parameter explains of the objective
  (Optuna's PED-ANOVA evaluator over the finished trials; needs the ``optimise`` extra of
  mozaik-core);
- ``ParetoFrontPlot``: two objectives of every trial, the non-dominated ones joined.
"""

from __future__ import annotations

import importlib.metadata as md
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
import matplotlib.pyplot as plt
from mozaik import ConfigError
from mozaik.plot import SearchPlot

from mozaik_plot._figure import save_figure
from mozaik_plot._style import COLORS

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["OptimisationHistoryPlot", "OptimisationObjective", "OptimisationPlotParams",
           "ParameterImportancePlot", "ParetoFrontPlot", "objective_columns"]

log = logging.getLogger(__name__)


@attrs.frozen(kw_only=True)
class OptimisationObjective:
    """An objective as the search file writes it: the SingleValue ``value`` (of ``sheet``);
    with ``target`` the squared distance to it, else the value itself, going ``direction``."""

    value: str
    sheet: str | None = None
    target: float | None = None
    direction: Literal["minimize", "maximize"] = "minimize"

    @property
    def label(self) -> str:
        name = f"{self.sheet}: {self.value}" if self.sheet else self.value
        return f"({name} - {self.target:g})$^2$" if self.target is not None else name


@attrs.frozen(kw_only=True)
class OptimisationPlotParams:
    """Parameters of the optimisation plots.

    Parameters
    ----------
    objectives : tuple of OptimisationObjective
        The objective(s) drawn: one for the history and the importances (the first is used),
        two for the Pareto front.
    size_in : (float, float), inches
        Figure width and height.
    vector_format : "svg" or "pdf"
        The vector copy saved beside the PNG.
    title : str or None
        Figure title (None: the plot's own).
    """

    objectives: tuple[OptimisationObjective, ...]
    size_in: tuple[float, float] = (6.0, 4.0)
    vector_format: Literal["svg", "pdf"] = "svg"
    title: str | None = None


def objective_columns(table: pa.Table, objectives: Sequence[OptimisationObjective]
                      ) -> dict[int, list[float]]:
    """Each finished trial's objective values (mean over matching SingleValues, as the search
    computes them), by trial (point) number; trials lacking a value are left out.

    Raises
    ------
    ConfigError
        An objective naming a SingleValue the table does not hold (the available ones listed).
    """
    rows = table.to_pylist()
    found: dict[tuple[int, int], list[float]] = {}
    for k, o in enumerate(objectives):
        matched = [r for r in rows if r["value_name"] == o.value
                   and (o.sheet is None or r["sheet_name"] == o.sheet)]
        if rows and not matched:
            there = sorted({f"{r['value_name']} (sheet {r['sheet_name']})" for r in rows})
            msg = (f"objectives.{k}: no SingleValue {o.value!r}"
                   f"{f' of sheet {o.sheet!r}' if o.sheet else ''} in the search; available: "
                   f"{', '.join(there)}")
            raise ConfigError(msg)
        for r in matched:
            found.setdefault((int(r["point_id"]), k), []).append(float(r["value"]))
    out: dict[int, list[float]] = {}
    for trial in sorted({t for t, _ in found}):
        values = []
        for k, o in enumerate(objectives):
            got = found.get((trial, k))
            if not got:
                break
            v = sum(got) / len(got)
            values.append((v - o.target) ** 2 if o.target is not None else v)
        if len(values) == len(objectives) and all(math.isfinite(v) for v in values):
            out[trial] = values
    return out


class _OptimisationPlot(SearchPlot[OptimisationPlotParams]):
    needs: int = 1
    name: str = ""

    def _values(self, table: pa.Table) -> dict[int, list[float]] | None:
        objectives = self.params.objectives
        if len(objectives) < self.needs:
            msg = f"objectives: {self.name} needs {self.needs}, got {len(objectives)}"
            raise ConfigError(msg)
        values = objective_columns(table, objectives[:self.needs])
        if not values:
            log.warning("%s: nothing to draw: no finished trial yet", self.name)
            return None
        return values

    def _save(self, figure: Any, path: Path, extra: Mapping[str, Any]) -> list[Path]:
        p = self.params
        record = {"params": attrs.asdict(p), "mozaik_plot": md.version("mozaik-plot"), **extra}
        try:
            return save_figure(figure, path, record, p.vector_format)
        finally:
            plt.close(figure)


class OptimisationHistoryPlot(_OptimisationPlot):
    """The first objective of every finished trial against its number, and the best so far."""

    name = "OptimisationHistoryPlot"

    def draw(self, table: pa.Table, parameters: Sequence[str], path: Path) -> Sequence[Path]:
        values = self._values(table)
        if values is None:
            return []
        o = self.params.objectives[0]
        trials = sorted(values)
        ys = [values[t][0] for t in trials]
        better = max if o.direction == "maximize" and o.target is None else min
        best, running = [], None
        for y in ys:
            running = y if running is None else better(running, y)
            best.append(running)
        figure, ax = plt.subplots(figsize=self.params.size_in)
        ax.plot(trials, ys, "o", color=COLORS["other"], label="trial")
        ax.step(trials, best, where="post", color=COLORS["excitatory"], label="best so far")
        ax.set_xlabel("trial")
        ax.set_ylabel(o.label)
        if o.target is not None and min(ys) > 0:
            ax.set_yscale("log")
        ax.set_title(self.params.title or "Optimisation history")
        ax.legend()
        return self._save(figure, path, {"trials": trials, "objective": ys, "best": best})


class ParameterImportancePlot(_OptimisationPlot):
    """How much of the first objective's variance each varied parameter explains (Optuna's
    PED-ANOVA over the finished trials, each parameter's range taken from the trials)."""

    name = "ParameterImportancePlot"

    def draw(self, table: pa.Table, parameters: Sequence[str], path: Path) -> Sequence[Path]:
        values = self._values(table)
        if values is None:
            return []
        importances = _importances(table, parameters, values, self.params.objectives[0])
        if not importances:
            log.warning("%s: nothing to draw: fewer than 2 finished trials", self.name)
            return []
        names = list(importances)[::-1]
        figure, ax = plt.subplots(figsize=self.params.size_in)
        ax.barh(range(len(names)), [importances[n] for n in names], color=COLORS["other"])
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel(f"importance for {self.params.objectives[0].label}")
        ax.set_title(self.params.title or "Parameter importances (PED-ANOVA)")
        figure.tight_layout()
        return self._save(figure, path, {"importances": importances})


def _importances(table: pa.Table, parameters: Sequence[str], values: Mapping[int, list[float]],
                 objective: OptimisationObjective) -> dict[str, float]:
    try:
        import optuna
    except ImportError:
        msg = ("ParameterImportancePlot needs Optuna, which is not installed: "
               "pip install 'mozaik-core[optimise]'")
        raise ConfigError(msg) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rows = {int(r["point_id"]): r for r in table.to_pylist()}
    trials = [t for t in sorted(values) if t in rows]
    if len(trials) < 2:
        return {}
    distributions: dict[str, Any] = {}
    for p in parameters:
        seen = [rows[t][p] for t in trials]
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in seen)
        if numeric and min(seen) < max(seen):
            distributions[p] = optuna.distributions.FloatDistribution(float(min(seen)),
                                                                      float(max(seen)))
        elif not numeric:
            distributions[p] = optuna.distributions.CategoricalDistribution(sorted(set(seen)))
    if not distributions:
        return {}
    study = optuna.create_study(direction="maximize" if objective.direction == "maximize"
                                and objective.target is None else "minimize")
    study.add_trials([optuna.trial.create_trial(
        params={p: (float(rows[t][p]) if isinstance(d, optuna.distributions.FloatDistribution)
                    else rows[t][p]) for p, d in distributions.items()},
        distributions=distributions, value=values[t][0]) for t in trials])
    evaluator = optuna.importance.PedAnovaImportanceEvaluator()
    result = optuna.importance.get_param_importances(study, evaluator=evaluator)
    return {str(k): float(v) for k, v in result.items()}


class ParetoFrontPlot(_OptimisationPlot):
    """Two objectives of every finished trial; the non-dominated trials (the Pareto front,
    each objective going its direction) joined and marked."""

    needs = 2
    name = "ParetoFrontPlot"

    def draw(self, table: pa.Table, parameters: Sequence[str], path: Path) -> Sequence[Path]:
        values = self._values(table)
        if values is None:
            return []
        o1, o2 = self.params.objectives[:2]
        signs = [-1.0 if o.direction == "maximize" and o.target is None else 1.0
                 for o in (o1, o2)]
        keys = {t: [s * v for s, v in zip(signs, vs, strict=True)] for t, vs in values.items()}
        front = sorted((t for t, k in keys.items()
                        if not any(all(a <= b for a, b in zip(other, k, strict=True))
                                   and other != k for other in keys.values())),
                       key=lambda t: values[t][0])
        figure, ax = plt.subplots(figsize=self.params.size_in)
        ax.plot([v[0] for v in values.values()], [v[1] for v in values.values()], "o",
                color=COLORS["other"], alpha=0.5, label="trial")
        ax.plot([values[t][0] for t in front], [values[t][1] for t in front], "o-",
                color=COLORS["excitatory"], label="Pareto front")
        ax.set_xlabel(o1.label)
        ax.set_ylabel(o2.label)
        ax.set_title(self.params.title or "Pareto front")
        ax.legend()
        return self._save(figure, path, {"front": front})
