"""Workflow components of mozaik-barrels: stimulus, experiment, result, analysis, plot, backend."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import numpy as np
import pyarrow.compute as pc
import quantities as pq
from mozaik import AnalysisError
from mozaik.ads import AnalysisDataStructure, data, parameter, units_parameter
from mozaik.analysis import Analysis
from mozaik.backends import Backend, RunOptions
from mozaik.controller import RunSummary, run_study
from mozaik.datastore import DataStoreView, param_filter_query
from mozaik.experiments import Experiment
from mozaik.export import Exporter
from mozaik.model import Model
from mozaik.plot import Plot, SearchPlot
from mozaik.stimulus import Stimulus, StimulusIdentity
from mozaik.study import Study

from mozaik_barrels._model import WhiskerPad


@attrs.frozen(kw_only=True)
class WhiskerDeflectionParams:
    """whisker : int, index of the deflected whisker; duration_ms : float, ms."""

    whisker: int
    duration_ms: float = 50.0


class WhiskerDeflection(Stimulus[WhiskerDeflectionParams]):
    """One whisker deflected for ``duration_ms``."""

    name: ClassVar[str] = "WhiskerDeflection"
    __slots__ = ()


@attrs.frozen(kw_only=True)
class DeflectWhiskersParams:
    """Each of ``whiskers`` deflected in turn, ``num_trials`` times, ``duration_ms`` (ms) each."""

    whiskers: tuple[int, ...] = (0, 1)
    duration_ms: float = 50.0
    num_trials: int = 1


class DeflectWhiskers(Experiment[DeflectWhiskersParams]):
    """Deflects whiskers one at a time; the controller shows each to the model's WhiskerPad."""

    def __init__(self, params: DeflectWhiskersParams, model: Model) -> None:
        super().__init__(params, model)

    def stimuli(self) -> list[Stimulus]:
        return [WhiskerDeflection(WhiskerDeflectionParams(whisker=w,
                                                          duration_ms=self.params.duration_ms),
                                  trial=trial)
                for trial in range(self.params.num_trials) for w in self.params.whiskers]

    def _pad(self) -> WhiskerPad | None:
        pad = getattr(self.model, "sensory_input", None)
        return pad if isinstance(pad, WhiskerPad) else None

    def finish(self, stimulus: Stimulus) -> None:
        pad = self._pad()
        if pad is not None:
            pad.rest()


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class BarrelMap(AnalysisDataStructure):
    """One value per barrel (or per value of another annotation), e.g. mean rates."""

    groups: np.ndarray = data("array")
    values: np.ndarray = data("array")
    annotation: str = parameter()
    value_name: str = parameter()
    value_units: pq.Quantity = units_parameter()


@attrs.frozen(kw_only=True)
class BarrelRateParams:
    """sheet : str; annotation : str, the per-neuron annotation that groups neurons."""

    sheet: str = "barrels"
    annotation: str = "barrel"


class BarrelRate(Analysis[BarrelRateParams]):
    """Mean firing rate (Hz) of each group of neurons, for every stimulus."""

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        sheet, annotation = self.params.sheet, self.params.annotation
        view = param_filter_query(view, sheet_name=sheet, is_null=False)
        if sheet not in view.sheets() or not view.n_segments:
            msg = f"BarrelRate: no recordings of sheet {sheet!r} in the view"
            raise AnalysisError(msg)
        groups = view.neuron_annotations(sheet).get(annotation)
        if groups is None:
            msg = f"BarrelRate: sheet {sheet!r} has no annotation {annotation!r}"
            raise AnalysisError(msg)
        spikes = view.spike_arrays(sheet)
        index = view.segment_index
        results: list[AnalysisDataStructure] = []
        for text in sorted(set(index["stimulus_id"].to_pylist())):
            rows = index.filter(pc.equal(index["stimulus_id"], text))
            seconds = float(pc.sum(pc.subtract(rows["t_stop"], rows["t_start"])).as_py()) / 1e3
            chosen = np.isin(spikes.segment_id, rows["segment_id"].to_numpy())
            counts = np.bincount(spikes.neuron[chosen], minlength=len(groups))
            labels = np.unique(groups)
            rates = np.array([counts[groups == g].mean() / seconds for g in labels])
            results.append(BarrelMap(analysis_algorithm="BarrelRate", sheet_name=sheet,
                                     stimulus_id=StimulusIdentity.from_string(text),
                                     groups=labels, values=rates, annotation=annotation,
                                     value_name="Firing rate", value_units=pq.Hz))
        return results


class BarrelMapPlot(Plot[BarrelRateParams]):
    """A bar chart (SVG, no plotting library) of every BarrelMap of the sheet."""

    def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
        maps = [r for r in view.analysis_results()
                if isinstance(r, BarrelMap) and r.sheet_name == self.params.sheet]
        if not maps:
            return []
        top = max(float(np.max(m.values)) for m in maps) or 1.0
        bars = []
        for row, result in enumerate(maps):
            for col, value in enumerate(result.values):
                height = 80.0 * float(value) / top
                bars.append(f'<rect x="{10 + 12 * col}" y="{100 * row + 90 - height:.1f}" '
                            f'width="10" height="{height:.1f}"/>')
        svg = path.with_suffix(".svg")
        svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="200" '
                       f'height="{100 * len(maps)}">{"".join(bars)}</svg>\n')
        return [svg]


@attrs.frozen(kw_only=True)
class BarrelSearchParams:
    """Which SingleValue of each point to draw."""

    value_name: str = "Mean(Firing rate)"
    sheet: str = "exc"


class BarrelSearchPlot(SearchPlot[BarrelSearchParams]):
    """One bar per point of a parameter search (SVG, no plotting library)."""

    def draw(self, table: Any, parameters: Sequence[str], path: Path) -> Sequence[Path]:
        rows = [r for r in table.to_pylist() if r["value_name"] == self.params.value_name
                and r["sheet_name"] == self.params.sheet]
        if not rows:
            return []
        top = max(r["value"] for r in rows) or 1.0
        bars = "".join(f'<rect x="{10 + 12 * k}" y="{90 - 80.0 * r["value"] / top:.1f}" '
                       f'width="10" height="{80.0 * r["value"] / top:.1f}"/>'
                       for k, r in enumerate(rows))
        svg = path.with_suffix(".svg")
        svg.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{20 + 12 * len(rows)}" '
                       f'height="100">{bars}</svg>\n')
        return [svg]


@attrs.frozen(kw_only=True)
class QuietBackendParams:
    """No parameters: a run in this process without a progress display."""


class QuietBackend(Backend[QuietBackendParams]):
    """Runs a study in the calling process with progress off."""

    def run(self, study: Study, run_dir: Path, options: RunOptions | None = None) -> RunSummary:
        replay = options.replay if options is not None else None
        return run_study(study, run_dir, progress="off", replay=replay)


@attrs.frozen(kw_only=True)
class BarrelSpikesCsvParams:
    """null : bool, include the blank presentations' spikes."""

    null: bool = True


class BarrelSpikesCsv(Exporter[BarrelSpikesCsvParams]):
    """Every spike as a CSV row: sheet, neuron index, time (ms)."""

    suffix = ".csv"
    needs = ("spikes",)

    def write(self, view: DataStoreView, path: Path) -> None:
        with path.open("w") as out:
            out.write("sheet,neuron,time_ms\n")
            for sheet in view.sheets():
                for null in (False, True) if self.params.null else (False,):
                    spikes = view.spike_arrays(sheet, null=null)
                    for n, t in zip(spikes.neuron.tolist(), spikes.times.tolist(), strict=True):
                        out.write(f"{sheet},{n},{t!r}\n")
