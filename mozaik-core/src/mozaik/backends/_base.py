"""Backends: how a study is run. The built-in ``LocalBackend`` runs it in this process.

``mozaik run`` looks the backend up in the plugin registry (``backend:`` section of the study,
or ``--backend NAME``; ``LocalBackend`` by default; see :mod:`mozaik.backends._resolve`) and
calls ``factory(params).run(study, run_dir, RunOptions(...))``. Plugins (e.g. mozaik-hpc)
register backends that submit a study, or a sweep of it, to a cluster.

A backend runs both a study (:func:`mozaik.controller.run_study`) and the points of a search
(:func:`mozaik.search.run_point`), so this package sits above both :mod:`mozaik.controller` and
:mod:`mozaik.search`; neither of them imports it (the search runs its points through any object
with a ``run_search`` method, :class:`mozaik.search.SearchBackend`).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic

import attrs
from typing_extensions import TypeVar

from mozaik.config import whole_number
from mozaik.controller import RunSummary, run_study
from mozaik.search import (
    Search,
    SearchOptions,
    SearchProgress,
    run_point,
    run_points_in_pool,
)
from mozaik.study import Study

if TYPE_CHECKING:
    from mozaik.model import Model
    from mozaik.plugin import PluginManager

__all__ = ["Backend", "LocalBackend", "LocalBackendParams", "RunOptions"]

_P = TypeVar("_P", covariant=True, default=object)


def _progress_mode(_inst: object, _attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and value not in ("auto", "bar", "log", "off"):
        msg = f"progress must be one of auto, bar, log, off; got {value!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class RunOptions:
    """Options of one run that every backend accepts (``mozaik run``'s flags).

    A backend's own options are fields of its parameters class, not options here.

    Parameters
    ----------
    progress : {"auto", "bar", "log", "off"} or None
        Progress display (see :func:`mozaik.controller.run_study`); None: the backend's
        default.
    replay : bool or None
        On resume, simulate stored presentations again to restore the network state; None:
        when ``controller.reset`` is false.
    """

    progress: str | None = attrs.field(default=None, validator=_progress_mode)
    replay: bool | None = None


class Backend(abc.ABC, Generic[_P]):
    """Base class of execution backends.

    A backend is registered through the ``mozaik_backends`` hook with
    ``ComponentSpec(name=..., config_cls=<frozen attrs params class>, factory=<Backend
    subclass>)``; the factory is called as ``factory(params)``.

    Parameters
    ----------
    params : attrs instance
        The backend's structured parameters (its registered ``config_cls``), kept as
        :attr:`params`; the type argument, ``class SlurmBackend(Backend[SlurmBackendParams])``.
        Options a backend has beyond :class:`RunOptions` and :class:`SearchOptions` are fields
        of its parameters class.

    Notes
    -----
    :meth:`run` must leave ``run_dir`` holding the complete run (every planned presentation
    stored, analyses and plots done) when it returns, and must accept a ``run_dir`` that holds a
    part of the run (completing it). ``mozaik.testing.BackendContract`` checks both.
    """

    params: _P

    def __init__(self, params: _P) -> None:
        self.params = params

    @abc.abstractmethod
    def run(self, study: Study, run_dir: Path, options: RunOptions | None = None) -> RunSummary:
        """Run (or complete) ``study`` into ``run_dir``.

        Parameters
        ----------
        study : Study
            The loaded study.
        run_dir : pathlib.Path
            The run directory (created if missing).
        options : RunOptions, optional
            Options of ``mozaik run`` every backend accepts; default ``RunOptions()``.

        Returns
        -------
        RunSummary
        """

    def run_search(self, search: Search, master_dir: Path, point_ids: Sequence[int],
                   options: SearchOptions | None = None) -> dict[int, str]:
        """Run the points ``point_ids`` of a parameter search (:mod:`mozaik.search`).

        Each point is run by :func:`mozaik.search.run_point` ``(master_dir, point_id)`` in
        whatever process the backend chooses (it writes only the point's run directory and
        status file). :func:`mozaik.search.run_search` calls this with the points to run and
        rebuilds the index when it returns, so it returns when those points have ended (or,
        with ``SearchOptions(dry_run=True)``, at once after showing what it would do). This
        default runs them one after another in this process.

        Parameters
        ----------
        search : Search
            The search (also saved in ``master_dir``).
        master_dir : pathlib.Path
            The search's master directory.
        point_ids : sequence of int
            The points to run.
        options : SearchOptions, optional
            ``dry_run``: show what would run, run nothing. Default ``SearchOptions()``.

        Returns
        -------
        dict of int to str
            For points that ended without writing their status (a cancelled or timed-out job,
            a dead rank), the reason; they are recorded as failed with it.
        """
        if options is not None and options.dry_run:
            for i in point_ids:
                print(f"point {i}: {' '.join(search.overrides(i))}")
            return {}
        progress = (SearchProgress(len(point_ids)) if options is not None and options.progress
                    else None)
        for i in point_ids:
            status = run_point(master_dir, i, search)
            if progress is not None:
                progress.point_ended(i, status)
        return {}

    def search_tasks(self, n_points: int) -> int:
        """How many tasks (processes, cluster jobs or array tasks) running ``n_points`` points
        takes (shown before a large search runs); default one a point."""
        return n_points


@attrs.frozen(kw_only=True)
class LocalBackendParams:
    """Parameters of the local backend.

    Parameters
    ----------
    progress : {"auto", "bar", "log", "off"}
        Default progress display (see :func:`mozaik.controller.run_study`); the ``progress``
        option of :meth:`LocalBackend.run` (:class:`RunOptions`) overrides it.
    workers : int
        Points of a parameter search run at once, each in its own process
        (:meth:`LocalBackend.run_search`); 0: one per core.
    """

    progress: str = attrs.field(default="auto", validator=_progress_mode)
    workers: int = attrs.field(default=0, validator=whole_number(0))


class LocalBackend(Backend[LocalBackendParams]):
    """Runs one study in the calling process; a parameter search with each point in its own
    child process.

    Parameters
    ----------
    params : LocalBackendParams, optional
        Default ``LocalBackendParams()``.
    model, build_model, plugin_manager : optional
        For Python callers (tests, notebooks), handed to :func:`run_study` by :meth:`run`:
        an already built network, a ``build_model(study) -> Model`` replacement, and where
        lifecycle hooks are called. The registered factory is called with ``params`` only.
    """

    def __init__(self, params: LocalBackendParams | None = None, *, model: Model | None = None,
                 build_model: Callable[[Study], Model] | None = None,
                 plugin_manager: PluginManager | None = None) -> None:
        super().__init__(params or LocalBackendParams())
        self.model = model
        self.build_model = build_model
        self.plugin_manager = plugin_manager

    def run(self, study: Study, run_dir: Path, options: RunOptions | None = None) -> RunSummary:
        """Run (or complete) ``study`` into ``run_dir`` with :func:`run_study`;
        ``options.progress=None`` means the params' default."""
        options = options or RunOptions()
        return run_study(study, Path(run_dir), model=self.model,
                         progress=options.progress or self.params.progress,
                         replay=options.replay, plugin_manager=self.plugin_manager,
                         build_model=self.build_model)

    def run_search(self, search: Search, master_dir: Path, point_ids: Sequence[int],
                   options: SearchOptions | None = None) -> dict[int, str]:
        """Run each point in its own child process, ``params.workers`` at once, with
        :func:`mozaik.search.run_points_in_pool` (a fork server, never a fork of this process:
        a child forked after NEST ran with threads hangs); a point whose process crashes is
        recorded as failed with its signal, and the others go on."""
        if options is not None and options.dry_run:
            return super().run_search(search, master_dir, point_ids, options)
        progress = (SearchProgress(len(point_ids)) if options is not None and options.progress
                    else None)
        run_points_in_pool(Path(master_dir), point_ids, self.params.workers,
                           None if progress is None else progress.point_ended)
        return {}
