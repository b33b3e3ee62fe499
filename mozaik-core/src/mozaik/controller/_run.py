"""The controller: present every stimulus of a study to the model and store the recordings.

Protocol of one run
-------------------
1. Open the run directory's datastore, or create it (manifest: resolved configuration,
   provenance).
2. Build the network (:func:`mozaik.model.build_model`), record its neurons, build every
   experiment (experiments create their direct-stimulation devices here).
3. Expand experiments into presentations ``(stimulus, trial)`` in declaration order; a
   presentation equal to an earlier one is dropped.
4. For each presentation: a blank of ``controller.null_stimulus_period`` ms (stored as a null
   segment) or, with ``controller.reset``, a network reset; then the experiment arms its direct
   stimulation, the model runs for the stimulus's duration, the recordings are fetched and
   written to the datastore at once (atomically: a crash never leaves half a presentation).
5. Run the study's analyses, then draw its plots into ``<run_dir>/figures``.

Resuming
--------
Running a study into a run directory that already holds some of its presentations completes
only what is missing. How the network gets to the state it would have had depends on
``controller.reset``:

* ``reset: false`` (the network carries its state from one presentation to the next): the
  stored presentations before the first missing one are *replayed*: simulated again, with the
  same seed and the same sequence of runs, but not stored. The missing presentations then start
  from exactly the state an uninterrupted run had, and a resumed run stores the same spikes as
  an uninterrupted one. Replaying costs the simulated time of what was already stored.
* ``reset: true`` (presentations independent by construction): stored presentations are
  skipped, not simulated.

``replay=False`` (``mozaik run --no-replay``) skips stored presentations in either case: the
missing ones then start from a freshly built network, which is faster but does not reproduce an
uninterrupted run when the protocol depends on what came before (e.g. a kick, then spontaneous
activity).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from mozaik._errors import (
    AnalysisError,
    ConfigError,
    DataStoreFormatError,
    MozaikError,
    SimulationError,
)
from mozaik.config import ConfigTree
from mozaik.controller._progress import Progress, resolve_progress_mode, run_logging
from mozaik.controller._provenance import check_simulator, config_differences, run_provenance
from mozaik.datastore import DataStore, now_iso
from mozaik.experiments import Experiment
from mozaik.plugin import PluginManager, Registry, get_plugin_manager
from mozaik.stimulus import StimulusIdentity
from mozaik.stimulus._base import NullStimulus, NullStimulusParams, Stimulus
from mozaik.study import ComponentEntry, Study, load_workflow_sections, study_from_tree

__all__ = [
    "FIGURES_DIR",
    "Presentation",
    "RunSummary",
    "is_run_dir",
    "load_workflow",
    "plan_presentations",
    "run_study",
    "run_workflow",
    "study_from_run_dir",
]

log = logging.getLogger("mozaik.controller")

#: Folder of a run directory that plots are drawn into.
FIGURES_DIR = "figures"


@attrs.frozen(kw_only=True)
class Presentation:
    """One stimulus presentation of a run.

    Attributes
    ----------
    experiment_index : int
        Position of the experiment in the study's ``experiments`` list.
    experiment : Experiment
        The experiment presenting it (arms its direct stimulation).
    stimulus : Stimulus
        The stimulus, with its trial.
    identity : StimulusIdentity
        ``stimulus.identity()``, computed once.
    """

    experiment_index: int
    experiment: Experiment
    stimulus: Stimulus
    identity: StimulusIdentity

    @property
    def trial(self) -> int:
        return self.stimulus.trial

    @property
    def label(self) -> str:
        protocol = getattr(self.stimulus.params, "protocol", "")
        name = f"{self.identity.name}({protocol})" if protocol else self.identity.name
        return f"{name} trial {self.trial}"


@attrs.frozen(kw_only=True)
class RunSummary:
    """What a call of :func:`run_study` did, with its wall-clock times (s).

    Attributes
    ----------
    run_dir : pathlib.Path
        The run directory.
    planned : int
        Presentations the study declares (after dropping duplicates).
    stored_before : int
        Of those, how many were already in the store when the run started.
    presented : int
        Presentations simulated and stored by this run.
    replayed : int
        Stored presentations simulated again (not stored) to restore the network's state.
    analyses, plots : int
        Analyses run and plots drawn.
    build_s, simulate_s, collect_s, store_s, analysis_s, total_s : float, s
        Wall-clock time spent building the network, in ``model.run``, fetching recordings,
        writing the store, in analyses and plots, and in total.
    """

    run_dir: Path
    planned: int
    stored_before: int
    presented: int
    replayed: int
    analyses: int
    plots: int
    build_s: float
    simulate_s: float
    collect_s: float
    store_s: float
    analysis_s: float
    total_s: float

    def as_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        data["run_dir"] = str(self.run_dir)
        return data


# ------------------------------------------------------------------------------------------------
# Run directories
# ------------------------------------------------------------------------------------------------


def is_run_dir(path: str | Path) -> bool:
    """Whether ``path`` is a directory holding a Mozaik datastore."""
    return DataStore.is_store(path)


def study_from_run_dir(run_dir: str | Path, registry: Any = None) -> Study:
    """Rebuild the study a run directory was made with, from its stored resolved configuration.

    Raises
    ------
    DataStoreFormatError
        If ``run_dir`` is not a datastore or its manifest holds no configuration.
    """
    run_dir = Path(run_dir)
    with DataStore.open(run_dir, mode="r") as store:
        manifest = store.manifest
        manifest_path = store.manifest_path
    config = manifest.get("config")
    if not isinstance(config, dict):
        msg = (f"{run_dir} holds no study configuration in its manifest (it was not made by "
               "`mozaik run`); pass the study file: mozaik run STUDY --out " + str(run_dir))
        raise DataStoreFormatError(msg)
    root = Path(manifest.get("config_file") or manifest_path)
    tree = ConfigTree(data=config, sources={}, root=root)
    return study_from_tree(tree, registry)


def _open_or_create(run_dir: Path, study: Study, pm: PluginManager) -> tuple[DataStore, bool]:
    if is_run_dir(run_dir):
        store = DataStore.open(run_dir, mode="a")
        stored = store.manifest.get("config")
        if stored is not None:
            diffs = config_differences(stored, study.resolved)
            if diffs:
                store.close()
                msg = (f"run directory {run_dir} was made with a different configuration, so "
                       f"it cannot be resumed with this one; differences: {'; '.join(diffs)}. "
                       f"Resume it as it was with `mozaik run {run_dir}`, or choose a new "
                       "run directory (--out)")
                raise ConfigError(msg)
        return store, True
    if run_dir.exists() and any(run_dir.iterdir()):
        msg = (f"{run_dir} exists, is not empty and holds no Mozaik datastore; choose an empty "
               "or new run directory (--out)")
        raise ConfigError(msg)
    manifest = {
        "study": study.name,
        "config": study.resolved,
        "config_file": str(study.tree.root),
        "simulator": study.simulator.backend,
        "status": "created",
        "sessions": [],
        "workflow_done": [],
        "provenance": run_provenance(pm.provenance(), study.simulator.backend),
    }
    model_dir = study.tree.root.parent if study.tree.root.exists() else None
    return DataStore.create(run_dir, manifest=manifest, model_dir=model_dir), False


# ------------------------------------------------------------------------------------------------
# Planning
# ------------------------------------------------------------------------------------------------


def _build_experiments(study: Study, model: Any) -> list[Experiment]:
    out = []
    for entry in study.experiments:
        try:
            experiment = entry.registered.factory(entry.params, model)
        except MozaikError as exc:
            msg = f"{entry.path} ({entry.name}): {exc}"
            raise type(exc)(msg) from exc
        if not isinstance(experiment, Experiment):
            msg = (f"{entry.path}: the factory of experiment {entry.name!r} "
                   f"({entry.registered.distribution}) returned {type(experiment).__name__}, "
                   "not an Experiment; fix the plugin")
            raise SimulationError(msg)
        out.append(experiment)
    return out


def plan_presentations(experiments: Sequence[Experiment]) -> list[Presentation]:
    """Every presentation of ``experiments`` in order, duplicates (same stimulus and trial)
    dropped."""
    seen: set[tuple[StimulusIdentity, int]] = set()
    plan = []
    for index, experiment in enumerate(experiments):
        for stimulus in experiment.stimuli():
            if not isinstance(stimulus, Stimulus):
                msg = (f"experiments.{index} ({type(experiment).__name__}).stimuli() returned "
                       f"{stimulus!r}; it must return Stimulus instances")
                raise SimulationError(msg)
            identity = stimulus.identity()
            key = (identity, stimulus.trial)
            if key in seen:
                log.info("experiments.%d: %s trial %d is presented earlier; not repeated",
                         index, identity.name, stimulus.trial)
                continue
            seen.add(key)
            plan.append(Presentation(experiment_index=index, experiment=experiment,
                                     stimulus=stimulus, identity=identity))
    return plan


def _null_identity(presentation: Presentation, period: float) -> StimulusIdentity:
    params = NullStimulusParams(duration=period, before=presentation.identity.to_string())
    return NullStimulus(params, trial=presentation.trial).identity()


# ------------------------------------------------------------------------------------------------
# Analyses and plots
# ------------------------------------------------------------------------------------------------


def load_workflow(file: str | Path, overrides: Sequence[str] = (),
                  registry: Registry | None = None,
                  ) -> tuple[tuple[ComponentEntry, ...], tuple[ComponentEntry, ...]]:
    """Load the ``analyses`` and ``plots`` sections of a workflow file.

    A workflow file is a YAML file with only these two sections (the same syntax as in a study:
    includes, references, overrides); a whole study file is accepted too, its other sections
    are ignored.

    Returns
    -------
    (analyses, plots) : tuple of ComponentEntry each

    Raises
    ------
    ConfigError
        Naming the file, dotted path and problem (e.g. an analysis that is not installed).
    """
    return load_workflow_sections(file, overrides, registry)


def _entry_record(entry: ComponentEntry) -> dict[str, Any]:
    params = attrs.asdict(entry.params) if attrs.has(type(entry.params)) else entry.params
    record: dict[str, Any] = json.loads(json.dumps(
        {"path": entry.path, "component": entry.name, "params": params}, default=str))
    return record


def run_workflow(store: DataStore, analyses: Sequence[ComponentEntry],
                 plots: Sequence[ComponentEntry], *, skip_done: bool = False) -> tuple[int, int]:
    """Run analyses (``factory(params).run(view, store)``) then plots
    (``factory(params).draw(view, path)``) on a store, without simulating.

    Each analysis sees the results of the analyses before it. Plots are drawn into
    ``<run_dir>/figures/<NN>_<Plot>.png``. Every finished step is recorded in the manifest
    (``workflow_done``); with ``skip_done`` steps recorded there are not run again.

    Returns
    -------
    (int, int)
        Number of analyses run and of plots drawn.

    Raises
    ------
    AnalysisError
        Naming the failing entry; the recordings and earlier results stay in the store.
    """
    done: list[dict[str, Any]] = list(store.manifest.get("workflow_done") or [])
    counts = [0, 0]
    figures = store.root / FIGURES_DIR
    for kind, entries in (("analysis", analyses), ("plot", plots)):
        for i, entry in enumerate(entries):
            record = _entry_record(entry)
            if skip_done and record in done:
                log.info("%s %s: done in an earlier session; not repeated", entry.path,
                         entry.name)
                continue
            start = time.perf_counter()
            try:
                component = entry.registered.factory(entry.params)
                view = store.full_view()
                if kind == "analysis":
                    component.run(view, store)
                else:
                    figures.mkdir(exist_ok=True)
                    component.draw(view, figures / f"{i:02d}_{entry.name}.png")
            except MozaikError as exc:
                msg = (f"{entry.path} ({entry.name}) failed: {exc}. The recordings are safe in "
                       f"{store.root}; fix the problem and run `mozaik analyse {store.root}`")
                raise AnalysisError(msg) from exc
            except Exception as exc:
                msg = (f"{entry.path} ({entry.name}, from {entry.registered.distribution}) "
                       f"failed: {type(exc).__name__}: {exc}. The recordings are safe in "
                       f"{store.root}; fix the problem and run `mozaik analyse {store.root}`")
                raise AnalysisError(msg) from exc
            counts[0 if kind == "analysis" else 1] += 1
            log.info("%s %s done in %.2f s", entry.path, entry.name, time.perf_counter() - start)
            if record not in done:
                done.append(record)
                store.update_manifest(workflow_done=done)
    return counts[0], counts[1]


# ------------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------------


class _Timers:
    def __init__(self) -> None:
        self.build = self.simulate = self.collect = self.store = self.analysis = 0.0


def run_study(study: Study, run_dir: str | Path, *, model: Any = None,
              progress: str = "auto", replay: bool | None = None,
              plugin_manager: PluginManager | None = None,
              build_model: Callable[[Study], Any] | None = None) -> RunSummary:
    """Run a study into ``run_dir``: present every stimulus, store recordings, run analyses
    and plots. A run directory that already holds part of the study is completed.

    Parameters
    ----------
    study : Study
        The loaded study (:func:`mozaik.config.load_study`).
    run_dir : path
        The run directory; created if missing.
    model : Model, optional
        An already built network (the caller keeps ownership and ends it); by default the
        network is built from ``study`` and ended after the run.
    progress : {"auto", "bar", "log", "off"}
        Progress bar (``bar``), one log line per presentation (``log``) or nothing on the
        console (``off``); ``auto`` chooses ``bar`` on a terminal. The run directory's
        ``mozaik.log`` gets every line in all modes.
    replay : bool, optional
        On resume, simulate stored presentations again (without storing them) to restore the
        network state; default: when ``controller.reset`` is false. See the module docs.
    plugin_manager : PluginManager, optional
        Where lifecycle hooks are called and provenance is read; default: the process-wide one.
    build_model : callable, optional
        ``build_model(study) -> Model``; default :func:`mozaik.model.build_model`.

    Returns
    -------
    RunSummary

    Raises
    ------
    SimulatorNotInstalledError
        Before anything is written, when the configured simulator cannot be imported.
    ConfigError
        If ``run_dir`` holds a run of another configuration.
    SimulationError, AnalysisError
        When a presentation or an analysis fails; what was stored before stays stored.
    """
    total_start = time.perf_counter()
    pm = plugin_manager or get_plugin_manager()
    run_dir = Path(run_dir)
    if model is None:
        check_simulator(study.simulator.backend)
    mode = resolve_progress_mode(progress)
    store, resumed = _open_or_create(run_dir, study, pm)
    timers = _Timers()
    session: dict[str, Any] = {"started": now_iso(), "status": "running", "resumed": resumed}
    sessions = list(store.manifest.get("sessions") or [])
    owns_model = model is None
    counts = {"planned": 0, "stored_before": 0, "presented": 0, "replayed": 0}
    n_analyses = n_plots = 0

    def save_session(status: str, **extra: Any) -> None:
        session.update(status=status, finished=now_iso(), **counts,
                       build_s=round(timers.build, 3), simulate_s=round(timers.simulate, 3),
                       collect_s=round(timers.collect, 3), store_s=round(timers.store, 3),
                       analysis_s=round(timers.analysis, 3), **extra)
        fields: dict[str, Any] = {"sessions": [*sessions, session], "status": status}
        if status == "complete":
            fields["end_time"] = now_iso()
        store.update_manifest(**fields)

    with run_logging(run_dir, mode) as logger:
        try:
            store.update_manifest(sessions=[*sessions, session], status="running")
            logger.info("%s study %r in %s", "resuming" if resumed else "running", study.name,
                        run_dir)
            start = time.perf_counter()
            if model is None:
                if build_model is None:
                    from mozaik.model import build_model as _build
                    build_model = _build
                model = build_model(study)
            if not any(getattr(s, "recorded_variables", True) for s in model.sheets.values()):
                msg = (f"study {study.name!r} records nothing: no sheet has recorders, so "
                       "there would be nothing to store; add e.g. `recorders: [{variables: "
                       "[spikes]}]` to a sheet's params")
                raise ConfigError(msg)
            for sheet_name in model.sheets:
                ids, positions, annotations = model.neuron_table(sheet_name)
                store.write_neurons(sheet_name, ids, positions, annotations)
            experiments = _build_experiments(study, model)
            timers.build = time.perf_counter() - start
            logger.info("network %r built in %.2f s: %s", study.name, timers.build,
                        ", ".join(f"{n} ({len(s.population)} neurons)"
                                  for n, s in model.sheets.items()))
            pm.notify("run_started", run_dir=run_dir, config=study.resolved)
            plan = plan_presentations(experiments)
            counts["planned"] = len(plan)
            _present(study, model, store, plan, run_dir, pm, logger, mode, replay, counts,
                     timers)
            start = time.perf_counter()
            n_analyses, n_plots = run_workflow(store, study.analyses, study.plots,
                                               skip_done=True)
            timers.analysis = time.perf_counter() - start
            save_session("complete")
            logger.info("run complete: %d presentation(s) stored, %d replayed; %d analyses, "
                        "%d plots; results in %s", counts["presented"], counts["replayed"],
                        n_analyses, n_plots, run_dir)
            pm.notify("run_finished", run_dir=run_dir, store=store)
        except KeyboardInterrupt:
            with contextlib.suppress(Exception):
                save_session("interrupted")
            logger.warning("interrupted: %d presentation(s) of this session are stored; run "
                           "`mozaik run %s` to complete the run", counts["presented"], run_dir)
            raise
        except BaseException as exc:
            with contextlib.suppress(Exception):
                save_session("failed", error=f"{type(exc).__name__}: {exc}")
            logger.error("run failed: %s: %s", type(exc).__name__, exc)
            raise
        finally:
            store.close()
            if owns_model and model is not None and hasattr(model, "end"):
                try:
                    model.end()
                except Exception:  # ending the simulator must not hide the run's outcome
                    log.debug("model.end() failed", exc_info=True)
    return RunSummary(run_dir=run_dir, planned=counts["planned"],
                      stored_before=counts["stored_before"], presented=counts["presented"],
                      replayed=counts["replayed"], analyses=n_analyses, plots=n_plots,
                      build_s=timers.build, simulate_s=timers.simulate,
                      collect_s=timers.collect, store_s=timers.store,
                      analysis_s=timers.analysis, total_s=time.perf_counter() - total_start)


def _present(study: Study, model: Any, store: DataStore, plan: list[Presentation],
             run_dir: Path, pm: PluginManager, logger: logging.Logger, mode: str,
             replay: bool | None, counts: dict[str, int], timers: _Timers) -> None:
    period = study.controller.null_stimulus_period
    reset = study.controller.reset
    stored = [store.has_presentation(p.identity, p.trial) for p in plan]
    counts["stored_before"] = sum(stored)
    missing = [i for i, s in enumerate(stored) if not s]
    if not missing:
        logger.info("all %d presentation(s) are already stored; nothing to simulate",
                    len(plan))
        return
    if replay is None:
        replay = not reset
    if replay and missing[0] > 0:
        todo = list(range(missing[-1] + 1))
        logger.info("%d presentation(s) stored; replaying the first %d without storing them "
                    "to restore the network state, then presenting %d", counts["stored_before"],
                    missing[0], len(missing))
    else:
        todo = missing
        if counts["stored_before"]:
            logger.info("%d presentation(s) stored; presenting the %d missing ones",
                        counts["stored_before"], len(missing))
    blank = period if (period > 0 and not reset) else 0.0
    total_sim = sum(plan[i].stimulus.duration + blank for i in todo)
    n_store = sum(1 for i in todo if not stored[i])
    bar = Progress(mode, len(todo), total_sim, logger, desc=study.name)
    k, p = 0, plan[todo[0]]
    try:
        for k, i in enumerate(todo):
            p = plan[i]
            writes = not stored[i]
            start = time.perf_counter()
            if writes:
                pm.notify("before_presentation", run_dir=run_dir, stimulus=p.identity.to_string(),
                          trial=p.trial, index=counts["presented"], total=n_store)
            if reset and k > 0:
                model.reset()
            elif blank:
                _run_blank(model, store, p, blank, writes, timers)
            t_start = model.time
            try:
                p.experiment.prepare(p.stimulus, t_start)
                t0 = time.perf_counter()
                model.run(p.stimulus.duration)
                timers.simulate += time.perf_counter() - t0
            finally:
                p.experiment.finish(p.stimulus)
            t0 = time.perf_counter()
            segments = model.collect(clear=True)
            timers.collect += time.perf_counter() - t0
            if writes:
                t0 = time.perf_counter()
                store.write_presentation(p.identity, p.trial, segments, t_start=t_start,
                                         t_stop=model.time)
                timers.store += time.perf_counter() - t0
                counts["presented"] += 1
            else:
                counts["replayed"] += 1
            wall = time.perf_counter() - start
            if writes:
                pm.notify("after_presentation", run_dir=run_dir, stimulus=p.identity.to_string(),
                          trial=p.trial, wall_time_s=wall)
            bar.advance(f"experiments.{p.experiment_index} {p.label}",
                        sim_ms=p.stimulus.duration + blank, wall_s=wall,
                        t_now_ms=model.time, replayed=not writes)
    except MozaikError:
        raise
    except Exception as exc:
        done = counts["presented"]
        msg = (f"presentation {k + 1}/{len(todo)} (experiments.{p.experiment_index}, "
               f"{p.label}) failed: {type(exc).__name__}: {exc}. {done} presentation(s) of "
               f"this session are stored; fix the problem and run `mozaik run {run_dir}` to "
               "complete the run")
        raise SimulationError(msg) from exc
    finally:
        bar.close()


def _run_blank(model: Any, store: DataStore, p: Presentation, period: float, writes: bool,
               timers: _Timers) -> None:
    identity = _null_identity(p, period)
    t_start = model.time
    t0 = time.perf_counter()
    model.run(period)
    timers.simulate += time.perf_counter() - t0
    t0 = time.perf_counter()
    segments = model.collect(clear=True)
    timers.collect += time.perf_counter() - t0
    if writes and not store.has_presentation(identity, p.trial, null=True):
        t0 = time.perf_counter()
        store.write_presentation(identity, p.trial, segments, is_null=True, t_start=t_start,
                                 t_stop=model.time)
        timers.store += time.perf_counter() - t0
