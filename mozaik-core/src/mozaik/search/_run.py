"""Running a search: which points to run, through which backend, and the summary."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from mozaik._errors import ConfigError
from mozaik.search._children import run_children
from mozaik.search._master import (
    refresh_index,
    save_definition,
    todo_points,
)
from mozaik.search._optimise import run_optimisation
from mozaik.search._options import SearchBackend, SearchOptions, SearchSummary
from mozaik.search._spec import Search

__all__ = ["run_points_in_pool", "run_search"]


def run_search(search: Search, master_dir: str | Path, backend: SearchBackend, *,
               resume: bool = False, options: SearchOptions | None = None,
               rerun_exploded: bool = False) -> SearchSummary:
    """Run a search into ``master_dir`` through ``backend`` (the search's own:
    :func:`mozaik.backends.search_backend`).

    An optimising search (``kind: optimise``) asks its points of Optuna batch by batch
    (:func:`mozaik.search.run_optimisation`). Points never run (all of a new master directory)
    are run. When every point is done nothing
    runs. Failed, incomplete (killed) and corrupt points are rerun only with ``resume=True``
    (with the missing ones, and only those). Exploded points (their network ran away) are
    finished: they are rerun only with ``rerun_exploded=True``. ``options`` go to the backend's
    :meth:`~mozaik.backends.Backend.run_search` (``SearchOptions(dry_run=True)``...).

    Raises
    ------
    ConfigError
        If ``master_dir`` holds another search, or unfinished points without ``resume``.
    """
    master = Path(master_dir)
    if search.optimisation is not None:
        return run_optimisation(search, master, backend, resume=resume, options=options)
    save_definition(search, master)
    index = refresh_index(master, search)
    statuses = index["status"].to_pylist()
    todo = todo_points(index, resume=True, rerun_exploded=rerun_exploded)
    unfinished = [s for s in statuses if s not in ("done", "missing", "exploded")]
    if unfinished and not resume:
        counts = {s: unfinished.count(s) for s in sorted(set(unfinished))}
        text = ", ".join(f"{n} {s}" for s, n in counts.items())
        msg = (f"{master} holds this search with unfinished points ({text}); rerun them "
               f"with --resume (resume=True)")
        raise ConfigError(msg)
    if not todo:
        return SearchSummary(master_dir=master, points=len(statuses), ran=(),
                             done=statuses.count("done"), failed=statuses.count("failed"),
                             exploded=statuses.count("exploded"))
    try:
        notes = backend.run_search(search, master, todo, options)
    except KeyboardInterrupt:
        refresh_index(master, search)
        raise
    if options is not None and options.dry_run:
        return SearchSummary(master_dir=master, points=len(statuses), ran=(),
                             done=statuses.count("done"), failed=statuses.count("failed"),
                             exploded=statuses.count("exploded"))
    statuses = refresh_index(master, search, notes)["status"].to_pylist()
    return SearchSummary(master_dir=master, points=len(statuses), ran=tuple(todo),
                         done=statuses.count("done"), failed=statuses.count("failed"),
                             exploded=statuses.count("exploded"))


def run_points_in_pool(master: Path, point_ids: Sequence[int],
                       workers: int) -> dict[int, str]:
    """Run points, each in its own child process, at most ``workers`` at once (0: one per
    core); return when all have ended, with the status each point ended with.

    Children are started with ``spawn`` (never ``fork``: a process forked after NEST ran with
    threads hangs). A point that crashes its process (a segfault, ``abort()``, ``kill -9``,
    the out-of-memory killer) ends alone: it is recorded as ``failed`` with its signal or exit
    status, and the other points go on (``mozaik.search._children``).

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C, SIGTERM or SIGHUP, after passing it on to the running points and recording
        them as ``incomplete``.
    """
    n = workers or os.cpu_count() or 1
    return run_children(Path(master), point_ids, n)
