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
   presentations (``_plan.py``; the steps every rank takes are in ``_steps.py``); record the
   plan and the neurons (status ``running``). A build
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
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mozaik._errors import (
    DataStoreError,
    MozaikError,
    RunExploded,
    StoreLockedError,
)
from mozaik.controller._faults import check_writable, write_failed, write_fault
from mozaik.controller._plan import plan_record
from mozaik.controller._progress import (
    resolve_progress_mode,
    run_logging,
    start_run_log,
)
from mozaik.controller._provenance import check_simulator
from mozaik.controller._ranks import run_part
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
from mozaik.controller._steps import (
    already_complete,
    build_and_plan,
    connection_results,
    present_all,
)
from mozaik.plugin import PluginManager, get_plugin_manager
from mozaik.study import Study
from mozaik.workflow import pending_steps, run_workflow

if TYPE_CHECKING:
    from mozaik.datastore import DataStore
    from mozaik.model import Model

__all__ = ["EXPLODED_EXIT_STATUS", "run_study"]

#: Exit status of ``mozaik run`` when the run exploded (:class:`~mozaik.RunExploded`).
EXPLODED_EXIT_STATUS = 3

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
    pm = plugin_manager or get_plugin_manager()  # the entry point: the only default
    if ranks is not None and ranks.rank > 0:
        return run_part(study, Path(run_dir), ranks, model=model, replay=replay,
                        plugin_manager=pm, build_model=build_model)
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
            state = RunState(study=study, run_dir=run_dir, pm=pm, logger=logger, mode=mode,
                             replay=replay, ranks=ranks, signals=guard)
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
    except RunExploded as exc:
        state.signals.stopping()
        if state.store is not None and state.store.writable:
            state.store.update_manifest(exploded=exc.record())
        _save_failure(state, session, "exploded", exploded=exc.record())
        logger.error("run exploded: %s. %d presentation(s) of this session are stored; "
                     "analyses and plots were not run (run them on what is stored with "
                     "`mozaik analyse %s`)", exc, state.presented, run_dir)
        raise
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


def _run_session(state: RunState, existing: ExistingRun | None, session: Session,
                 model: Model | None, build_model: Callable[[Study], Model] | None) -> None:
    study, logger = state.study, state.logger
    if existing is not None and not existing.stale:
        refuse_damaged(existing.store)  # a stored presentation that lost its data is not stored
        _refuse_exploded(existing.store)
    if already_complete(state, existing):
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
        present_all(state)
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


def _refuse_exploded(store: DataStore) -> None:
    """An exploded run is not resumed: the same network would run away again."""
    record = store.manifest.get("exploded")
    if not isinstance(record, dict):
        return
    msg = (f"this run exploded (sheet {record.get('sheet')!r} at {record.get('rate_hz')} Hz, "
           f"t = {record.get('time_ms')} ms, threshold {record.get('threshold_hz')} Hz over "
           f"{record.get('window_ms')} ms); it is not resumed, since the same network would "
           "run away again: change the parameters and start a new run")
    raise RunExploded(msg, sheet=str(record.get("sheet")),
                      rate_hz=float(record.get("rate_hz") or 0.0),
                      time_ms=float(record.get("time_ms") or 0.0),
                      threshold_hz=float(record.get("threshold_hz") or 0.0),
                      window_ms=float(record.get("window_ms") or 0.0))


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
