"""The state of one run: :class:`RunState` (what a session holds and counts), the
:class:`RunSummary` it ends with, and the :class:`Ranks` of a network distributed over MPI."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from mozaik.config import whole_number
from mozaik.controller._plan import Presentation
from mozaik.controller._runaway import RunawayMonitor
from mozaik.controller._signals import SignalGuard
from mozaik.datastore import DataStore
from mozaik.plugin import PluginManager
from mozaik.study import Study

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["Ranks", "RunState", "RunSummary"]


@attrs.frozen(kw_only=True)
class Ranks:
    """The MPI ranks one network is distributed over (NEST built with MPI), for
    :func:`~mozaik.controller.run_study`; a backend makes it, e.g. from mpi4py's
    ``COMM_WORLD``.

    Every rank builds the same network and simulates its own neurons; rank 0 holds the run
    directory and writes everything but the other ranks' recordings, which each rank writes as
    its own part of every presentation (:meth:`mozaik.datastore.DataStore.open_part`); after
    the last presentation rank 0 merges the parts and runs the analyses and plots alone.

    Parameters
    ----------
    rank : int
        This process's rank, 0 .. ``size`` - 1.
    size : int
        Number of ranks.
    barrier : callable
        Returns once every rank has called it (``comm.Barrier``).
    """

    rank: int = attrs.field(validator=whole_number(0))
    size: int = attrs.field(validator=whole_number(1))
    barrier: Callable[[], None]

    def __attrs_post_init__(self) -> None:
        if self.rank >= self.size:
            msg = f"rank {self.rank} of {self.size}: a rank is 0 .. {self.size - 1}"
            raise ValueError(msg)


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


@attrs.define(kw_only=True)
class RunState:
    """Everything one run (one session of :func:`run_study`) holds and counts.

    The counters and timers (s) end up in the session's manifest record and the RunSummary;
    ``signals`` holds back a stopping signal while a presentation is written.
    """

    study: Study
    run_dir: Path
    pm: PluginManager
    logger: logging.Logger
    mode: str
    replay: bool | None
    ranks: Ranks | None = None
    signals: SignalGuard = attrs.field(factory=SignalGuard)
    store: DataStore | None = None
    #: This session created the store (the run directory held no run before).
    created: bool = False
    #: The build failed with a configuration or simulation error in a store this session
    #: created: what it created is removed once the store is closed.
    discard: bool = False
    model: Model | None = None
    plan: list[Presentation] = attrs.field(factory=list)
    #: Watches the sheets the study declares runaway thresholds for (None: none declared).
    runaway: RunawayMonitor | None = None
    planned: int = 0
    stored_before: int = 0
    presented: int = 0
    replayed: int = 0
    analyses: int = 0
    plots: int = 0
    build_s: float = 0.0
    simulate_s: float = 0.0
    collect_s: float = 0.0
    store_s: float = 0.0
    analysis_s: float = 0.0

    def counts(self) -> dict[str, Any]:
        """Counters and timers as the session record keeps them."""
        fields = ("planned", "stored_before", "presented", "replayed")
        timers = ("build_s", "simulate_s", "collect_s", "store_s", "analysis_s")
        counts = {**{f: getattr(self, f) for f in fields},
                  **{t: round(getattr(self, t), 3) for t in timers}}
        timers_of = getattr(self.model, "simulator_timers", None)
        if callable(timers_of):
            with contextlib.suppress(Exception):  # an ended simulator has none to give
                if timers := timers_of():
                    counts["simulator_timers"] = timers
        return counts

    def summary(self, total_s: float) -> RunSummary:
        return RunSummary(run_dir=self.run_dir, planned=self.planned,
                          stored_before=self.stored_before, presented=self.presented,
                          replayed=self.replayed, analyses=self.analyses, plots=self.plots,
                          build_s=self.build_s, simulate_s=self.simulate_s,
                          collect_s=self.collect_s, store_s=self.store_s,
                          analysis_s=self.analysis_s, total_s=total_s)

    @property
    def primary(self) -> bool:
        """Whether this process holds the run directory (rank 0, or the only process)."""
        return self.ranks is None or self.ranks.rank == 0

    def barrier(self) -> None:
        """Wait for every rank (nothing to wait for in one process)."""
        if self.ranks is not None and self.ranks.size > 1:
            self.ranks.barrier()

    @property
    def writer(self) -> DataStore:
        assert self.store is not None, "the store is opened before anything is written"
        return self.store

    @property
    def network(self) -> Model:
        assert self.model is not None, "the network is built before it is run"
        return self.model
