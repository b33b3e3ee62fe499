"""Running a search: which points to run, through which backend, and the summary."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from mozaik._errors import ConfigError
from mozaik.search._children import run_children
from mozaik.search._master import (
    INDEX_FILE,
    point_dir,
    refresh_index,
    save_definition,
    todo_points,
)
from mozaik.search._optimise import run_optimisation
from mozaik.search._options import (
    LARGE_SEARCH_POINTS,
    SearchBackend,
    SearchOptions,
    SearchSummary,
)
from mozaik.search._spec import Search

__all__ = ["INDEX_BYTES_PER_POINT", "check_search_size", "estimate_disk", "run_points_in_pool",
           "run_search"]

#: What the master directory's own files take per point, bytes: the status file and the
#: SingleValue cache (a file system block each, 4 KiB) and the point's row of the index.
INDEX_BYTES_PER_POINT = 2 * 4096 + 256


def _dir_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def estimate_disk(master: Path, index: pa.Table, n_points: int) -> tuple[int, int | None]:
    """Bytes that running ``n_points`` more points of the search in ``master`` will write.

    Returns
    -------
    (int, int or None)
        The master directory's own files (:data:`INDEX_BYTES_PER_POINT` a point), and the
        points' run directories estimated from up to three finished points (None when no
        point has finished yet: unknown until one has).
    """
    done = pc.filter(index["point_id"], pc.equal(index["status"], "done")).to_pylist()[:3]
    sizes = [_dir_bytes(point_dir(master, i)) for i in done]
    runs = int(sum(sizes) / len(sizes) * n_points) if sizes else None
    return n_points * INDEX_BYTES_PER_POINT, runs


def _free_bytes(master: Path) -> int:
    folder = master
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**27 else f"{n / 2**20:.1f} MiB"


def check_search_size(search: Search, master: Path, backend: SearchBackend, index: pa.Table,
                      todo: Sequence[int], options: SearchOptions) -> None:
    """Refuse, before anything runs or is submitted, a call that would fill the master's disk
    or run more than :data:`LARGE_SEARCH_POINTS` points without ``options.yes``.

    Raises
    ------
    ConfigError
        Naming the points, the backend's tasks (its ``search_tasks(n_points)``, when it has
        one), the disk estimate against the free space, and the fix.
    """
    n = len(todo)
    own, runs = estimate_disk(master, index, n)
    free = _free_bytes(master)
    tasks_of = getattr(backend, "search_tasks", None)
    tasks = int(tasks_of(n)) if callable(tasks_of) else n
    runs_text = (f" + about {_gib(runs)} of run directories (from finished points)"
                 if runs is not None else
                 " (run directories not counted: no point has finished yet)")
    summary = (f"{n} point(s) to run in {tasks} task(s); disk: {_gib(own)} of status and "
               f"index files{runs_text}; {_gib(free)} free under {master}")
    if own > free:
        msg = (f"{search.name}: {summary}: the master directory's disk has no room for the "
               "search's own files; nothing was run or submitted. Free space there, or choose "
               "a master directory on a larger disk (--out)")
        raise ConfigError(msg)
    if runs is not None and own + runs > free and not options.yes:
        msg = (f"{search.name}: {summary}: the points' run directories will not fit; nothing "
               "was run or submitted. Free space, choose a larger disk (--out), or pass --yes "
               "(SearchOptions(yes=True)) to run anyway")
        raise ConfigError(msg)
    if n > LARGE_SEARCH_POINTS and not options.yes:
        msg = (f"{search.name}: {summary}. This is more than the safety limit of "
               f"{LARGE_SEARCH_POINTS} points a run; nothing was run or submitted. Check the "
               "numbers, then pass --yes (SearchOptions(yes=True)) to go on")
        raise ConfigError(msg)


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
    if not (master / INDEX_FILE).exists():  # a new master: not even search.yaml before checks
        fresh = pa.table({"point_id": pa.array(range(len(search.points)), pa.int64()),
                          "status": pa.array(["missing"] * len(search.points), pa.string())})
        check_search_size(search, master, backend, fresh, range(len(search.points)),
                          options or SearchOptions())
    save_definition(search, master)
    index = refresh_index(master, search, incremental=True)
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
    if options is None or not options.dry_run:
        check_search_size(search, master, backend, index, todo, options or SearchOptions())
    try:
        notes = backend.run_search(search, master, todo, options)
    except BaseException:  # interrupted, or refused after some points ran (a pilot point)
        refresh_index(master, search, incremental=True, changed=todo, check=False)
        raise
    if options is not None and options.dry_run:
        return SearchSummary(master_dir=master, points=len(statuses), ran=(),
                             done=statuses.count("done"), failed=statuses.count("failed"),
                             exploded=statuses.count("exploded"))
    # the points just run wrote ``done`` after their store was complete: no store check
    # (30 ms a point, in this one process: hours for 10^6 points)
    statuses = refresh_index(master, search, notes, incremental=True, changed=todo,
                             check=False)["status"].to_pylist()
    return SearchSummary(master_dir=master, points=len(statuses), ran=tuple(todo),
                         done=statuses.count("done"), failed=statuses.count("failed"),
                             exploded=statuses.count("exploded"))


def run_points_in_pool(master: Path, point_ids: Sequence[int], workers: int,
                       on_end: Callable[[int, str], None] | None = None) -> dict[int, str]:
    """Run points, each in its own child process, at most ``workers`` at once (0: one per
    core); return when all have ended, with the status each point ended with.

    Children are started with ``spawn`` (never ``fork``: a process forked after NEST ran with
    threads hangs). A point that crashes its process (a segfault, ``abort()``, ``kill -9``,
    the out-of-memory killer) ends alone: it is recorded as ``failed`` with its signal or exit
    status, and the other points go on (``mozaik.search._children``). ``on_end(point_id,
    status)`` is called as each point ends (e.g. :meth:`SearchProgress.point_ended`).

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C, SIGTERM or SIGHUP, after passing it on to the running points and recording
        them as ``incomplete``.
    """
    n = workers or os.cpu_count() or 1
    return run_children(Path(master), point_ids, n, on_end)
