"""The steps of a run every MPI rank takes: build and plan, present, store.

Rank 0 (``_run.py``, :func:`~mozaik.controller.run_study`) and the other ranks (``_ranks.py``)
both run these, meeting at the same barriers; only rank 0 adds the run directory's lifecycle
(lock, manifest, sessions), the analyses and the plots. The functions without a leading
underscore are what those two modules use.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import neo

from mozaik._errors import ConfigError, MozaikError, RunExploded, SimulationError
from mozaik.controller._plan import (
    Presentation,
    build_experiments,
    missing_from_record,
    null_identity,
    plan_presentations,
)
from mozaik.controller._progress import Progress
from mozaik.controller._runaway import RunawayMonitor
from mozaik.controller._rundir import ExistingRun
from mozaik.controller._state import RunState
from mozaik.experiments import InjectedCurrent
from mozaik.stimulus import NullStimulus, NullStimulusParams, Stimulus
from mozaik.study import Study

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["already_complete", "build_and_plan", "connection_results", "plan_run",
           "present_all"]


def already_complete(state: RunState, existing: ExistingRun | None) -> bool:
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
    if study.controller.runaway:
        state.runaway = RunawayMonitor(model, study.controller.runaway)
    state.plan = plan_presentations(build_experiments(study, model), study.registry)
    state.planned = len(state.plan)
    # Tell the simulator what to record now, with the network and the experiments' devices
    # built: it belongs to building (PyNN checks every recorded cell one by one, 1.4 s at
    # 10,000 neurons), not to the first presentation's simulate time.
    prepare = getattr(model, "prepare", None)
    if callable(prepare):
        prepare()


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


def present_all(state: RunState) -> None:
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
    exploded: RunExploded | None = None
    try:
        _sense(state, p.stimulus, t_start)
        p.experiment.prepare(p.stimulus, t_start)
        try:
            _run_chunked(state, p.stimulus.duration_ms, bar, label)
        except RunExploded as exc:  # stored up to the explosion (the run ends after it)
            exploded = exc
    finally:
        p.experiment.finish(p.stimulus)
    segments = _collect(state)
    if state.primary:  # stored once, by the rank that holds the run directory
        _add_injected(segments, p.experiment.injected_currents())
    if writes:
        t0 = time.perf_counter()
        with state.signals.deferred():  # a stopping signal waits until it is stored
            state.writer.write_presentation(p.identity, p.trial, segments, t_start=t_start,
                                            t_stop=model.time)
            state.presented += 1
        state.store_s += time.perf_counter() - t0
    else:
        state.replayed += 1
    if exploded is not None:
        raise exploded
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
    watch = state.runaway.max_chunk_ms if state.runaway is not None else None
    if watch is not None:  # check runaway rates at least twice a window
        chunk = watch if chunk <= 0 else min(chunk, watch)
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
        if state.runaway is not None:
            state.runaway.check(model.time)


def _collect(state: RunState) -> dict[str, Any]:
    t0 = time.perf_counter()
    segments = state.network.collect(clear=True)
    if state.runaway is not None:
        state.runaway.cleared()
    state.collect_s += time.perf_counter() - t0
    return segments


def _add_injected(segments: dict[str, Any], currents: list[InjectedCurrent]) -> None:
    """Add what per-neuron current injection injected to its sheet's recording segment (a
    segment of its own if the sheet records nothing), so the store holds the stimulus."""
    for current in currents:
        segment = segments.get(current.sheet)
        if segment is None:
            segment = segments[current.sheet] = neo.Segment()
        segment.analogsignals.append(current.as_analogsignal())


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
    exploded: RunExploded | None = None
    try:
        _run_chunked(state, period_ms, bar, f"blank before {label}")
    except RunExploded as exc:  # stored up to the explosion (the run ends after it)
        exploded = exc
    segments = _collect(state)
    if writes and not state.writer.has_presentation(identity, p.trial, null=True):
        t0 = time.perf_counter()
        with state.signals.deferred():
            state.writer.write_presentation(identity, p.trial, segments, is_null=True,
                                            t_start=t_start, t_stop=state.network.time)
        state.store_s += time.perf_counter() - t0
    if exploded is not None:
        raise exploded
