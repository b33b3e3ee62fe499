"""The run loop: present every stimulus of a study to the model and store the recordings.

Protocol of one run
-------------------
1. Check the run directory (``_rundir.py``): a new or empty folder, or a run of the same
   configuration. A complete run whose recorded plan is fully stored does not build the
   network at all: only analyses and plots not yet done run. Otherwise the run directory is
   created (or reused) *before* the build: the writer lock is taken and the manifest written
   (resolved configuration, provenance, this session; status ``building``), so a second run
   into it stops at once and a run killed while building is built again by ``mozaik run
   RUN_DIR``. The log file is written only by the process holding the lock.
2. Build the network (:func:`mozaik.model.build_model`), build every experiment and plan the
   presentations (``_plan.py``); record the plan and the neurons (status ``running``). A build
   that fails with a configuration or simulation error in a run directory this session created
   removes it again, so a study that does not validate leaves no run directory.
3. For each presentation: a blank of ``controller.null_stimulus_period`` ms (stored as a null
   segment) or, with ``controller.reset``, a network reset; the model's sensory input (if any)
   is shown the blank and then the stimulus (``sensory_input.present``, each at its start
   time, before it runs); then the experiment arms its direct
   stimulation, the model runs for the stimulus's ``duration_ms`` (in chunks of
   ``controller.progress_chunk_ms``, so progress moves; chunking does not change the results),
   the recordings are fetched and written to the datastore at once (atomically).
4. Run the study's analyses, then draw its plots (:mod:`mozaik.workflow`).

One network over several MPI ranks (``ranks``, NEST built with MPI): every rank builds the
network and presents every stimulus; rank 0 does all of the above, but each rank writes its own
neurons' recordings as its part of each presentation, and rank 0 merges the parts after the
last presentation (``_ranks.py``). Ranks meet at barriers where one needs the other's files.

Stopping
--------
SIGINT (Ctrl-C), SIGTERM (Slurm at a job's time limit) and SIGHUP stop a run the same way
(``_signals.py``): the chunk being simulated finishes, the presentation it belongs to is
abandoned (a presentation being written is finished first), what is stored stays stored, the
session is recorded as ``interrupted`` with the signal's name, and
:class:`~mozaik.controller.RunInterrupted` (a ``KeyboardInterrupt``) is raised; ``mozaik run``
then exits with 128 + the signal's number and says how to resume.

Resuming
--------
Running a study into a run directory that already holds some of its presentations completes
only what is missing. With ``controller.reset: false`` the stored presentations before the first
missing one are *replayed* (simulated again with the same seed and sequence of runs, not
stored), so the missing ones start from exactly the state an uninterrupted run had. With
``controller.reset: true`` stored presentations are skipped. ``replay=False`` (``mozaik run
--no-replay``) skips them in either case: faster, but not reproducing an uninterrupted run when
the protocol depends on what came before.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mozaik._errors import (
    ConfigError,
    DataStoreError,
    MozaikError,
    SimulationError,
    StoreLockedError,
)
from mozaik.controller._faults import check_writable, write_failed, write_fault
from mozaik.controller._plan import (
    Presentation,
    build_experiments,
    missing_from_record,
    null_identity,
    plan_presentations,
    plan_record,
)
from mozaik.controller._progress import (
    Progress,
    resolve_progress_mode,
    run_logging,
    start_run_log,
)
from mozaik.controller._provenance import check_simulator
from mozaik.controller._repair import refuse_damaged
from mozaik.controller._rundir import (
    ExistingRun,
    Session,
    create_store,
    discard_created,
    open_existing,
)
from mozaik.controller._signals import RunInterrupted, SignalGuard
from mozaik.controller._state import Ranks, RunState, RunSummary
from mozaik.plugin import PluginManager, get_plugin_manager
from mozaik.stimulus import NullStimulus, NullStimulusParams, Stimulus
from mozaik.study import Study
from mozaik.workflow import pending_steps, run_workflow

if TYPE_CHECKING:
    from mozaik.datastore import DataStore
    from mozaik.model import Model

__all__ = ["run_study"]

log = logging.getLogger("mozaik.controller")


def run_study(study: Study, run_dir: str | Path, *, model: Model | None = None,
              progress: str = "auto", replay: bool | None = None,
              plugin_manager: PluginManager | None = None,
              build_model: Callable[[Study], Model] | None = None,
              ranks: Ranks | None = None) -> RunSummary:
    """Run a study into ``run_dir``: present every stimulus, store recordings, run analyses
    and plots. A run directory that already holds part of the study is completed; one that
    holds all of it returns at once (without building the network).

    Parameters
    ----------
    study : Study
        The loaded study (:func:`mozaik.study.load_study`).
    run_dir : path
        The run directory; created (before the network is built) if missing.
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
    ranks : Ranks, optional
        The MPI ranks the network is distributed over (every rank calls ``run_study``); see
        :class:`Ranks`. Default: this one process.

    Notes
    -----
    ``mozaik_run_started`` is called once the network is built (so not for a complete run,
    which builds nothing); ``mozaik_run_finished`` at the end of every successful call.

    Raises
    ------
    SimulatorNotInstalledError
        Before anything is written, when the configured simulator cannot be imported.
    ConfigError
        If ``run_dir`` holds a run of another configuration, or the study records nothing.
    StoreLockedError
        Before anything is built, when another process is writing ``run_dir``.
    SimulationError, AnalysisError
        When building, a presentation or an analysis fails; what was stored stays stored.
    DataStoreError
        Before anything is built, when ``run_dir`` cannot be written (read-only, no permission,
        no space); or when a write fails mid-run: what was stored stays stored.
    DataStoreFormatError
        If a stored presentation of ``run_dir`` lost its payload files (repair it with
        :func:`mozaik.controller.repair_run`).
    RunInterrupted
        On SIGINT, SIGTERM or SIGHUP (in the main thread); what was stored stays stored.
    """
    if ranks is not None and ranks.rank > 0:
        from mozaik.controller._ranks import run_part

        return run_part(study, Path(run_dir), ranks, model=model, replay=replay,
                        plugin_manager=plugin_manager, build_model=build_model)
    total_start = time.perf_counter()
    if model is None:
        check_simulator(study.simulator.backend)
    check_writable(Path(run_dir))
    mode = resolve_progress_mode(progress)
    run_dir = Path(run_dir)
    existed = run_dir.exists()
    guard = SignalGuard()
    guard.install()
    state: RunState | None = None
    try:
        with run_logging(run_dir, mode, wait=True) as logger:
            state = RunState(study=study, run_dir=run_dir, pm=plugin_manager or
                             get_plugin_manager(), logger=logger, mode=mode, replay=replay,
                             ranks=ranks, signals=guard)
            _run_locked(state, model, build_model)
    finally:
        guard.restore()
        if state is not None and state.discard:  # closed, and the log file too
            discard_created(run_dir, existed=existed)
    return state.summary(time.perf_counter() - total_start)


def _locked_message(run_dir: Path, exc: StoreLockedError) -> str:
    who = ("another mozaik process" if exc.holder == "unknown" else
           f"another mozaik process (PID {exc.holder})")
    return (f"{who} is writing the run directory {run_dir}; wait for it to finish (then "
            f"`mozaik run {run_dir}` completes whatever it leaves undone), or choose another "
            "run directory (--out)")


def _run_locked(state: RunState, model: Model | None,
                build_model: Callable[[Study], Model] | None) -> None:
    """Take the run directory and run one session in it, recording how it ended."""
    logger, run_dir = state.logger, state.run_dir
    existing: ExistingRun | None = None
    session = Session(resumed=False)
    try:
        try:
            existing = open_existing(run_dir, state.study)
        except StoreLockedError as exc:
            raise StoreLockedError(_locked_message(run_dir, exc), root=run_dir,
                                   holder=exc.holder) from None
        if existing is not None:
            start_run_log(logger)  # the lock is held
        state.barrier()  # the other ranks look at the run directory now that it is recovered
        state.barrier()  # and have looked: it may now be emptied and created
        session.resumed = existing is not None and not existing.stale
        _run_session(state, existing, session, model, build_model)
    except StoreLockedError:
        raise  # the run directory is another process's: nothing of it is touched
    except KeyboardInterrupt as exc:
        state.signals.stopping()
        name = exc.signal_name if isinstance(exc, RunInterrupted) else "SIGINT"
        _save_failure(state, session, "interrupted", signal=name)
        logger.warning("interrupted by %s: %d presentation(s) of this session are stored; run "
                       "`mozaik run %s` to complete the run", name, state.presented, run_dir)
        raise
    except BaseException as exc:
        state.signals.stopping()
        fault = write_fault(exc, state.run_dir)
        if fault is not None:  # the disk filled up, the folder became read-only...
            error = write_failed(state, session, fault)
            logger.error("run failed: %s", error, extra={"file_only": True})
            raise error from exc
        if not state.discard:
            _save_failure(state, session, "failed", error=f"{type(exc).__name__}: {exc}")
        logger.error("run failed: %s: %s", type(exc).__name__, exc)
        raise
    finally:
        _close(state, existing, owns_model=model is None)


def _save_failure(state: RunState, session: Session, status: str, **extra: Any) -> None:
    if state.store is not None and state.store.writable:
        with contextlib.suppress(Exception):
            session.save(state.store, status, **state.counts(), **extra)


def _close(state: RunState, existing: ExistingRun | None, owns_model: bool) -> None:
    store = state.store if state.store is not None else (
        existing.store if existing is not None else None)
    if store is not None:
        if sys.exc_info()[1] is not None:
            store.abandon()  # closing must not replace the error the run ends with
        else:
            try:
                store.close()
            except OSError as exc:
                store.abandon()
                fault = write_fault(exc)
                if fault is None:
                    raise
                msg = (f"the run is stored, but closing its run directory {state.run_dir} "
                       f"failed ({fault}); the index is folded again the next time the run "
                       "is opened (mozaik run, mozaik analyse)")
                raise DataStoreError(msg) from exc
    if owns_model and state.model is not None and hasattr(state.model, "end"):
        try:
            state.model.end()
        except Exception:  # ending the simulator must not hide the run's outcome
            log.debug("model.end() failed", exc_info=True)


def _already_complete(state: RunState, existing: ExistingRun | None) -> bool:
    """Whether the existing run's recorded plan is wholly stored (so nothing is built)."""
    if existing is None or existing.stale:
        return False
    store = existing.store
    missing = missing_from_record(store)
    recorded = store.manifest.get("provenance", {}).get("plugins")
    if missing != 0 or recorded != state.pm.provenance():
        return False  # no plan recorded, something missing, or other plugin versions
    state.store = store
    state.planned = state.stored_before = len(store.manifest["plan"])
    return True


def _run_session(state: RunState, existing: ExistingRun | None, session: Session,
                 model: Model | None, build_model: Callable[[Study], Model] | None) -> None:
    study, logger = state.study, state.logger
    if existing is not None and not existing.stale:
        refuse_damaged(existing.store)  # a stored presentation that lost its data is not stored
    if _already_complete(state, existing):
        session.start(state.writer)
        todo = pending_steps(state.writer, study.analyses, study.plots)
        logger.info("all %d presentation(s) of %s are stored; nothing to simulate%s",
                    state.planned, state.run_dir,
                    f"; running {todo} analyses/plots not done yet" if todo else "")
    else:
        if existing is None or existing.stale:
            state.store = create_store(state.run_dir, study, state.pm, session,
                                       stale=existing.store if existing else None)
            state.created = True
            start_run_log(logger)
        else:
            state.store = existing.store
            session.start(state.store, status="building")
        try:
            _build(state, existing, model, build_model)
        except MozaikError:
            state.discard = state.created and not _holds_anything(state.writer)
            raise
        session.mark(state.writer, "running")
        state.pm.run_started(run_dir=state.run_dir, config=study.resolved)
        _present_all(state)
        if state.ranks is not None and state.ranks.size > 1:
            state.barrier()  # every rank has written its parts
            merged = state.writer.merge_parts()
            logger.info("merged the parts of %d presentation(s) written by %d ranks",
                        len(merged), state.ranks.size)
    start = time.perf_counter()
    state.analyses, state.plots = run_workflow(state.writer, study.analyses, study.plots)
    state.analysis_s = time.perf_counter() - start
    state.signals.stopping()  # complete: a signal from now on cannot change that
    session.save(state.writer, "complete", **state.counts())
    logger.info("run complete: %d presentation(s) stored, %d replayed; %d analyses, %d plots; "
                "results in %s", state.presented, state.replayed, state.analyses, state.plots,
                state.run_dir)
    state.pm.run_finished(run_dir=state.run_dir, store=state.writer)


def _build(state: RunState, existing: ExistingRun | None, model: Model | None,
           build_model: Callable[[Study], Model] | None) -> None:
    """Build network, experiments and plan; record the plan and the neurons in the store."""
    study, logger = state.study, state.logger
    logger.info("%s study %r in %s: building the network", "resuming" if (
        existing and not existing.stale) else "running", study.name, state.run_dir)
    start = time.perf_counter()
    model = build_and_plan(state, model, build_model)
    state.signals.rearm()  # the simulator may have replaced the signal handlers
    state.writer.update_manifest(plan=plan_record(state.plan))
    for sheet_name in model.sheets:
        state.writer.write_neurons(sheet_name, *model.neuron_table(sheet_name))
    for ads in connection_results(state):
        state.writer.add_analysis_result(ads, replace=True)
    if state.ranks is not None and state.ranks.size > 1:
        state.writer.write_in_parts(state.ranks.size)
        state.writer.update_manifest(ranks=state.ranks.size)
    state.barrier()  # the store and its neurons exist: the other ranks open their parts
    state.build_s = time.perf_counter() - start
    logger.info("network %r built in %.2f s: %s; %d presentation(s) planned", study.name,
                state.build_s, ", ".join(f"{n} ({len(s.population)} neurons)"
                                         for n, s in model.sheets.items()), state.planned)


def _holds_anything(store: DataStore) -> bool:
    return bool(store.segment_index.num_rows or store.analysis_index.num_rows)


def build_and_plan(state: RunState, model: Model | None,
                   build_model: Callable[[Study], Model] | None) -> Model:
    """Build the network (unless ``model`` is given), plan the presentations; the network."""
    if model is None:
        if build_model is None:
            from mozaik.model import build_model as default_build

            build_model = default_build
        model = build_model(state.study)
    state.model = model
    plan_run(state)
    return model


def plan_run(state: RunState) -> None:
    """Check the built network records something; plan the presentations."""
    study, model = state.study, state.network
    if not any(getattr(s, "recorded_variables", True) for s in model.sheets.values()):
        msg = (f"study {study.name!r} records nothing: no sheet has recorders, so there would "
               "be nothing to store; add e.g. `recorders: [{variables: [spikes]}]` to a "
               "sheet's params")
        raise ConfigError(msg)
    state.plan = plan_presentations(build_experiments(study, model), model.registry
                                    if hasattr(model, "registry") else None)
    state.planned = len(state.plan)


def connection_results(state: RunState) -> list[Any]:
    """The connection ADSs to store (``controller.store_connections``), made on every rank:
    reading a projection's connections is collective under MPI."""
    if not state.study.controller.store_connections:
        return []
    from mozaik.model import connections_ads

    return [connections_ads(c) for c in state.network.projections.values()]


def _todo(state: RunState, stored: list[bool]) -> list[int] | None:
    """Indices of the plan to simulate (replayed ones included), or None if nothing is."""
    missing = [i for i, s in enumerate(stored) if not s]
    if not missing:
        state.logger.info("all %d presentation(s) are already stored; nothing to simulate",
                          len(stored))
        return None
    replay = (not state.study.controller.reset) if state.replay is None else state.replay
    if replay and missing[0] > 0:
        state.logger.info("%d presentation(s) stored; replaying the first %d without storing "
                          "them to restore the network state, then presenting %d",
                          state.stored_before, missing[0], len(missing))
        return list(range(missing[-1] + 1))
    if state.stored_before:
        state.logger.info("%d presentation(s) stored; presenting the %d missing ones",
                          state.stored_before, len(missing))
    return missing


def _blank_ms(state: RunState) -> float:
    controller = state.study.controller
    period = controller.null_stimulus_period
    return period if (period > 0 and not controller.reset) else 0.0


def _present_all(state: RunState) -> None:
    plan = state.plan
    stored = [state.writer.has_presentation(p.identity, p.trial) for p in plan]
    state.stored_before = sum(stored)
    todo = _todo(state, stored)
    if todo is None:
        return
    blank = _blank_ms(state)
    bar = Progress(state.mode, len(todo), sum(plan[i].stimulus.duration_ms + blank for i in todo),
                   state.logger, desc=state.study.name)
    n_store = sum(1 for i in todo if not stored[i])
    k, p = 0, plan[todo[0]]
    try:
        for k, i in enumerate(todo):
            p = plan[i]
            _present(state, p, writes=not stored[i], first=k == 0, bar=bar, n_store=n_store)
    except MozaikError:
        raise
    except Exception as exc:
        msg = (f"presentation {k + 1}/{len(todo)} (experiments.{p.experiment_index}, "
               f"{p.label}) failed: {type(exc).__name__}: {exc}. {state.presented} "
               "presentation(s) of this session are stored; fix the problem and run "
               f"`mozaik run {state.run_dir}` to complete the run")
        raise SimulationError(msg) from exc
    finally:
        bar.close()


def _present(state: RunState, p: Presentation, *, writes: bool, first: bool, bar: Progress,
             n_store: int) -> None:
    """One presentation: blank (or reset), armed stimulation, chunked run, collect, store."""
    model, label = state.network, f"experiments.{p.experiment_index} {p.label}"
    start = time.perf_counter()
    stimulus = p.identity.to_string()
    if writes and state.primary:
        state.pm.before_presentation(run_dir=state.run_dir, stimulus=stimulus, trial=p.trial,
                                     index=state.presented, total=n_store)
    blank = _blank_ms(state)
    if state.study.controller.reset and not first:
        model.reset()
        sensory = getattr(model, "sensory_input", None)
        if sensory is not None:
            sensory.reset()
    elif blank:
        _blank(state, p, blank, writes, bar, label)
    t_start = model.time
    try:
        _sense(state, p.stimulus, t_start)
        p.experiment.prepare(p.stimulus, t_start)
        _run_chunked(state, p.stimulus.duration_ms, bar, label)
    finally:
        p.experiment.finish(p.stimulus)
    segments = _collect(state)
    if writes:
        t0 = time.perf_counter()
        with state.signals.deferred():  # a stopping signal waits until it is stored
            state.writer.write_presentation(p.identity, p.trial, segments, t_start=t_start,
                                            t_stop=model.time)
            state.presented += 1
        state.store_s += time.perf_counter() - t0
    else:
        state.replayed += 1
    wall = time.perf_counter() - start
    if writes and state.primary:
        state.pm.after_presentation(run_dir=state.run_dir, stimulus=stimulus, trial=p.trial,
                                    wall_time_s=wall)
    bar.advance(label, sim_ms=p.stimulus.duration_ms + blank, wall_s=wall, t_now_ms=model.time,
                replayed=not writes)


def _run_chunked(state: RunState, duration_ms: float, bar: Progress, label: str) -> None:
    """Run the model for ``duration_ms`` in chunks of ``controller.progress_chunk_ms``.

    The chunk is rounded to whole time steps; NEST (and PyNN) give the same result for one
    ``run(T)`` as for consecutive runs adding up to ``T`` (tested), so only the progress
    reporting sees the chunks.
    """
    model = state.network
    chunk = float(state.study.controller.progress_chunk_ms)
    step = float(getattr(model, "time_step", 0.0) or 0.0)
    if step > 0 and chunk > 0:
        chunk = max(step, math.floor(chunk / step + 1e-9) * step)
    n = 1 if chunk <= 0 else max(1, math.ceil(duration_ms / chunk - 1e-9))
    done = 0.0
    for j in range(n):
        length = duration_ms - done if j == n - 1 else chunk
        t0 = time.perf_counter()
        model.run(length)
        state.simulate_s += time.perf_counter() - t0
        done += length
        bar.simulated(length, model.time, label)


def _collect(state: RunState) -> dict[str, Any]:
    t0 = time.perf_counter()
    segments = state.network.collect(clear=True)
    state.collect_s += time.perf_counter() - t0
    return segments


def _sense(state: RunState, stimulus: Stimulus, t_start: float) -> None:
    """Show ``stimulus`` (a presentation's, or the blank) to the model's sensory input."""
    sensory = getattr(state.network, "sensory_input", None)
    if sensory is not None:
        sensory.present(stimulus, t_start)


def _blank(state: RunState, p: Presentation, period_ms: float, writes: bool, bar: Progress,
           label: str) -> None:
    identity = null_identity(p, period_ms)
    t_start = state.network.time
    _sense(state, NullStimulus(NullStimulusParams(duration_ms=period_ms,
                                                  before=p.identity.to_string()),
                               trial=p.trial), t_start)
    _run_chunked(state, period_ms, bar, f"blank before {label}")
    segments = _collect(state)
    if writes and not state.writer.has_presentation(identity, p.trial, null=True):
        t0 = time.perf_counter()
        with state.signals.deferred():
            state.writer.write_presentation(identity, p.trial, segments, is_null=True,
                                            t_start=t_start, t_stop=state.network.time)
        state.store_s += time.perf_counter() - t0
