"""An optimising search: points asked of Optuna batch by batch, run through a backend, told back.

Each batch of ``batch_size`` trials is asked of an Optuna study kept in the master directory
(``MASTER/optuna.journal``: Optuna's file-based journal storage, no database server); trial
``i`` is point ``i``, a normal run directory ``points/pNNNNN`` run by the search's backend
(local pool, Slurm job array, MPI ranks) with :func:`mozaik.search.run_point`, so collation,
DuckDB queries and the explorer read an optimising search like any other. When the batch has
run, each point's objectives are computed from its SingleValues and told to the study; a
failed point (a crash, a runaway, a refused parameter) is told as failed, or with the
penalty the search file declares, and recorded with its error.

Resuming (``--resume``) after the driver was killed (even ``kill -9``) continues from the
journal: trials asked but never told are finished (their points rerun only when they did not
finish) and the next batches are asked. The sampler is made anew for each trial with a seed
derived from the search's ``seed`` and the trial's number, so an interrupted and resumed
search asks the same points, and ends with the same trial table, as an uninterrupted one.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from mozaik._errors import ConfigError
from mozaik.search._master import (
    point_state,
    record_notes,
    refresh_index,
    save_definition,
    save_points,
)
from mozaik.search._optimise_spec import SAMPLERS, Objective, Optimisation
from mozaik.search._options import SearchBackend, SearchOptions, SearchSummary
from mozaik.search._spec import Search
from mozaik.search._values import point_values

__all__ = ["JOURNAL_FILE", "TRIALS_FILE", "best_trials", "history_lines", "optuna_module",
           "run_optimisation", "trial_table", "write_trial_table"]

JOURNAL_FILE = "optuna.journal"
TRIALS_FILE = "trials.parquet"
_STUDY_NAME = "mozaik"
_SEED_STRIDE = 1_000_003


def optuna_module() -> Any:
    """Optuna, imported (it is an optional dependency: the ``optimise`` extra).

    Raises
    ------
    ConfigError
        When Optuna is not installed, naming the extra that installs it.
    """
    try:
        import optuna
    except ImportError:
        msg = ("an optimising search (kind: optimise) needs Optuna, which is not installed: "
               "pip install 'mozaik-core[optimise]'")
        raise ConfigError(msg) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _distributions(opt: Optimisation, optuna: Any) -> dict[str, Any]:
    dist = optuna.distributions
    out: dict[str, Any] = {}
    for r in opt.ranges:
        if r.kind == "categorical":
            out[r.path] = dist.CategoricalDistribution(list(r.choices))
        elif r.kind == "int":
            out[r.path] = dist.IntDistribution(int(r.low), int(r.high), log=r.log)
        else:
            out[r.path] = dist.FloatDistribution(r.low, r.high, log=r.log)
    return out


def _sampler(opt: Optimisation, number: int, optuna: Any, where: str) -> Any:
    """A fresh sampler for trial ``number``, seeded from the search's seed and the number (so
    the points asked do not depend on the driver's history: a resumed search asks what an
    uninterrupted one would)."""
    seed = None if opt.seed is None else (opt.seed * _SEED_STRIDE + number) % 2**32
    name = SAMPLERS.get(opt.sampler, opt.sampler)
    cls = getattr(optuna.samplers, name, None)
    if not isinstance(cls, type) or not issubclass(cls, optuna.samplers.BaseSampler):
        known = sorted(n for n in dir(optuna.samplers) if n.endswith("Sampler")
                       and n != "BaseSampler")
        msg = (f"{where}: sampler: {opt.sampler!r} is not an Optuna sampler; use one of "
               f"{', '.join(SAMPLERS)} or a class of optuna.samplers: {', '.join(known)}")
        raise ConfigError(msg)
    kwargs: dict[str, Any] = {"seed": seed}
    if name == "CmaEsSampler":
        kwargs["warn_independent_sampling"] = False
    try:
        return cls(**kwargs)
    except TypeError:
        return cls(seed=seed) if "seed" in _init_names(cls) else cls()


def _init_names(cls: type) -> set[str]:
    return set(inspect.signature(cls).parameters)


def _matching(values: Sequence[dict[str, Any]], name: str, sheet: str | None) -> list[float]:
    return [float(v["value"]) for v in values if v["value_name"] == name
            and (sheet is None or v["sheet_name"] == sheet)]


def _available(values: Sequence[dict[str, Any]]) -> str:
    pairs = sorted({f"{v['value_name']} (sheet {v['sheet_name']})" for v in values})
    return ", ".join(pairs) or "none (the point's workflow stores no SingleValue)"


def _value(values: Sequence[dict[str, Any]], name: str, sheet: str | None, where: str,
           point_id: int) -> float:
    found = _matching(values, name, sheet)
    if not found:
        shown = f"{name!r} of sheet {sheet!r}" if sheet else repr(name)
        msg = (f"{where}: no analysis of point {point_id} produces the SingleValue {shown}; "
               f"the available ones are: {_available(values)}. Name one of them, or add the "
               "analysis that produces it to the study's (or the search's) workflow")
        raise ConfigError(msg)
    return sum(found) / len(found)


def _objective(o: Objective, value: float) -> float:
    return (value - o.target) ** 2 if o.target is not None else value


def _evaluate(search: Search, opt: Optimisation, master: Path, point_id: int, where: str
              ) -> tuple[list[float], list[float], list[float]]:
    """A done point's objective values, its constraint values (<= 0: met) and the raw values
    the objectives were computed from."""
    values = point_values(master, point_id)
    raw = [_value(values, o.value, o.sheet, f"{where}: objectives.{i}", point_id)
           for i, o in enumerate(opt.objectives)]
    cons = []
    for i, c in enumerate(opt.constraints):
        v = _value(values, c.value, c.sheet, f"{where}: constraints.{i}", point_id)
        parts = [c.min - v if c.min is not None else -math.inf,
                 v - c.max if c.max is not None else -math.inf]
        cons.append(max(parts) if math.isfinite(v) else 1.0)
    return [_objective(o, v) for o, v in zip(opt.objectives, raw, strict=True)], cons, raw


def _tell(study: Any, trial: Any, search: Search, master: Path, where: str,
          optuna: Any) -> str:
    """Tell trial ``trial`` (a FrozenTrial) from its point's outcome; return its status."""
    opt = search.optimisation
    assert opt is not None
    state = point_state(master, trial.number, check=True)
    status, error = str(state["status"]), str(state["error"] or "")
    handle = optuna.trial.Trial(study, trial._trial_id)
    values: list[float] | None = None
    if status == "done":
        try:
            objectives, cons, raw = _evaluate(search, opt, master, trial.number, where)
        except ConfigError as exc:  # told as failed, recorded, then the search stops
            handle.set_user_attr("status", "failed")
            handle.set_user_attr("error", str(exc).splitlines()[0])
            study.sampler = _sampler(opt, trial.number, optuna, where)
            study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
            write_trial_table(master, study, search)
            raise
        handle.set_user_attr("raw_values", raw)
        if opt.constraints:
            handle.set_user_attr("constraints", cons)
            for i, c in enumerate(cons):  # read by Optuna's constrained samplers
                handle.set_constraint(f"constraints.{i}", c)
        if all(math.isfinite(v) for v in objectives):
            values = objectives
        else:
            status = "failed"
            error = (f"an objective is not a finite number ({', '.join(map(str, raw))}): "
                     "e.g. no spikes, so no rate or CV")
    handle.set_user_attr("status", status)
    handle.set_user_attr("error", error.splitlines()[0] if error else "")
    if opt.constraints and values is None:
        handle.set_user_attr("constraints", [1.0] * len(opt.constraints))
    study.sampler = _sampler(opt, trial.number, optuna, where)
    if values is not None:
        study.tell(trial.number, values)
    elif opt.penalty is not None:
        study.tell(trial.number, list(opt.penalty))
    else:
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
    return status


def _ask(study: Any, opt: Optimisation, distributions: dict[str, Any], optuna: Any,
         where: str) -> None:
    number = len(study.get_trials(deepcopy=False))
    study.sampler = _sampler(opt, number, optuna, where)
    study.ask(distributions)


def _open_study(search: Search, master: Path, optuna: Any, where: str) -> Any:
    opt = search.optimisation
    assert opt is not None
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    storage = JournalStorage(JournalFileBackend(str(master / JOURNAL_FILE)))
    return optuna.create_study(study_name=_STUDY_NAME, storage=storage,
                               directions=opt.directions, load_if_exists=True,
                               sampler=_sampler(opt, 0, optuna, where))


def run_optimisation(search: Search, master_dir: str | Path, backend: SearchBackend, *,
                     resume: bool = False, options: SearchOptions | None = None
                     ) -> SearchSummary:
    """Run an optimising search (``kind: optimise``) into ``master_dir`` through ``backend``
    (see the module's docstring); called by :func:`mozaik.search.run_search`.

    Raises
    ------
    ConfigError
        Optuna not installed (naming the extra); ``master_dir`` holding another search (the
        difference shown) or unfinished trials without ``resume``; an objective or constraint
        naming a SingleValue no analysis of a finished point produces (the available ones
        listed: that trial is told as failed first).
    """
    opt = search.optimisation
    if opt is None:
        msg = f"{search.name}: not an optimising search (kind: {search.kind})"
        raise ConfigError(msg)
    optuna = optuna_module()
    master = Path(master_dir)
    where = str(master / "search.yaml")
    if options is not None and options.dry_run:
        shown = ", ".join(r.path for r in opt.ranges)
        print(f"optimise {shown}: {opt.n_trials} trials in batches of {opt.batch_size}, "
              f"sampler {opt.sampler}, objectives: {', '.join(o.label for o in opt.objectives)}")
        return SearchSummary(master_dir=master, points=0, ran=(), done=0, failed=0)
    save_definition(search, master)
    study = _open_study(search, master, optuna, where)
    running = optuna.trial.TrialState.RUNNING
    if not resume and any(t.state == running for t in study.get_trials(deepcopy=False)):
        msg = (f"{master} holds this optimising search with trials asked but never told (a "
               "killed driver?); continue it with --resume (resume=True)")
        raise ConfigError(msg)
    distributions = _distributions(opt, optuna)
    ran: list[int] = []
    while True:
        trials = study.get_trials(deepcopy=False)
        # batches are aligned (trials [k*b, (k+1)*b)): finish asking one a kill interrupted
        while len(trials) < opt.n_trials and (
                len(trials) % opt.batch_size or not any(t.state == running for t in trials)):
            _ask(study, opt, distributions, optuna, where)
            trials = study.get_trials(deepcopy=False)
        pending = [t for t in trials if t.state == running]
        if not pending:
            break
        current = attrs.evolve(search, points=tuple(dict(t.params) for t in trials))
        save_points(master, current.points)
        todo = [t.number for t in pending
                if point_state(master, t.number, check=True)["status"] not in ("done",
                                                                                 "failed")]
        notes = backend.run_search(current, master, todo, options) if todo else {}
        ran.extend(todo)
        record_notes(master, notes)  # the index is rebuilt once, at the end
        for t in pending:
            _tell(study, t, current, master, where, optuna)
        write_trial_table(master, study, search)
    trials = study.get_trials(deepcopy=False)
    current = attrs.evolve(search, points=tuple(dict(t.params) for t in trials))
    save_points(master, current.points)
    statuses = refresh_index(master, current)["status"].to_pylist()
    write_trial_table(master, study, search)
    return SearchSummary(master_dir=master, points=len(statuses), ran=tuple(ran),
                         done=statuses.count("done"), failed=statuses.count("failed"))


def _rows(study: Any, search: Search) -> list[dict[str, Any]]:
    opt = search.optimisation
    assert opt is not None
    rows = []
    for t in study.get_trials(deepcopy=False):
        row: dict[str, Any] = {"trial": t.number, "state": t.state.name,
                               "status": t.user_attrs.get("status", ""),
                               "error": t.user_attrs.get("error", "")}
        raw = t.user_attrs.get("raw_values") or [None] * len(opt.objectives)
        for i, _o in enumerate(opt.objectives):
            row[f"objective_{i}"] = None if t.values is None else float(t.values[i])
            row[f"value_{i}"] = raw[i]
        cons = t.user_attrs.get("constraints")
        row["feasible"] = None if not opt.constraints or cons is None else all(
            c <= 0 for c in cons)
        for r in opt.ranges:
            row[r.path] = t.params.get(r.path)
        rows.append(row)
    return rows


def write_trial_table(master: Path, study: Any, search: Search) -> pa.Table:
    """Write ``MASTER/trials.parquet``: one row per trial (see :func:`trial_table`)."""
    rows = _rows(study, search)
    table = pa.Table.from_pylist(rows) if rows else pa.table({"trial": pa.array([], pa.int64())})
    tmp = master / f".{TRIALS_FILE}.{time.monotonic_ns()}.tmp"
    pq.write_table(table, tmp)
    tmp.replace(master / TRIALS_FILE)
    return table


def trial_table(master_dir: str | Path) -> pa.Table:
    """The trials of an optimising search, as last written: ``trial`` (= point id),
    ``state`` (Optuna's: COMPLETE, FAIL, RUNNING), ``status`` (the point's), ``error``,
    ``objective_i`` (the value told), ``value_i`` (the SingleValue it came from),
    ``feasible`` (constraints met; null without constraints) and one column per varied path.
    """
    path = Path(master_dir) / TRIALS_FILE
    if not path.is_file():
        msg = f"{master_dir} has no {TRIALS_FILE}: it is not an optimising search, or never ran"
        raise ConfigError(msg)
    return pq.read_table(path)


def best_trials(master_dir: str | Path) -> list[dict[str, Any]]:
    """The best trials so far (feasible first): one for a single objective, the Pareto front
    (non-dominated trials, all objectives minimised as told) for several."""
    rows = trial_table(master_dir).to_pylist()
    done = [r for r in rows if r["state"] == "COMPLETE" and r.get("status") == "done"]
    feasible = [r for r in done if r.get("feasible") is not False] or done
    if not feasible:
        return []
    search_file = Path(master_dir) / "search.yaml"
    data = yaml.safe_load(search_file.read_text(encoding="utf-8"))
    signs = [-1.0 if str(o.get("direction", "minimize")).lower() == "maximize" else 1.0
             for o in data.get("objectives", [])]
    keys = [[s * r[f"objective_{i}"] for i, s in enumerate(signs)] for r in feasible]
    if len(signs) == 1:
        best = min(range(len(feasible)), key=lambda i: keys[i][0])
        return [feasible[best]]
    front = []
    for i, ki in enumerate(keys):
        dominated = any(all(a <= b for a, b in zip(kj, ki, strict=True)) and kj != ki
                        for kj in keys)
        if not dominated:
            front.append(feasible[i])
    return front


def history_lines(master_dir: str | Path) -> list[str]:
    """``mozaik search status``'s view of an optimising search: the best point(s) so far, then
    one line per trial."""
    rows = trial_table(master_dir).to_pylist()
    paths = [c for c in (rows[0] if rows else {}) if "." in c]
    n_obj = sum(1 for c in (rows[0] if rows else {}) if c.startswith("objective_"))

    def show(r: dict[str, Any]) -> str:
        objs = ", ".join("-" if r[f"objective_{i}"] is None else f"{r[f'objective_{i}']:.4g}"
                         for i in range(n_obj))
        params = ", ".join(f"{p}={r[p]:.4g}" if isinstance(r[p], float) else f"{p}={r[p]}"
                           for p in paths)
        extra = "" if r.get("feasible") is not False else " (infeasible)"
        return f"trial {r['trial']:>4} {r['state']:<8} objectives [{objs}]{extra}  {params}"

    best = best_trials(master_dir)
    lines = [f"{len(rows)} trials, {sum(r['state'] == 'COMPLETE' for r in rows)} complete, "
             f"{sum(r['state'] == 'FAIL' for r in rows)} failed"]
    lines += [f"best so far: {show(r)}" for r in best] or ["best so far: none yet"]
    lines.append("history:")
    for r in rows:
        error = f"  {r['error']}" if r.get("error") else ""
        lines.append(f"  {show(r)}{error}")
    return lines
