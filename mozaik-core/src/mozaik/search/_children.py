"""Every point of a search in its own child process, under a supervisor that records how it ended.

A point that crashes the process running it (a segfault in NEST or a C extension, ``abort()``,
the kernel's out-of-memory killer, ``kill -9``) takes down its own child and nothing else: the
supervisor (:func:`run_children`, in the process that runs the search) sees the child end
without recording an outcome, and records the point as ``failed`` with the signal or exit
status (``exit_code``, ``signal`` in its status file and the index), what that usually means,
the tail of the point's log and the Python stack the child's ``faulthandler`` dumped at the
crash. The other points go on; ``--resume`` reruns only the broken ones.

Children are started by a ``forkserver`` (``spawn`` where there is none): never forked from
the supervisor, since a process forked after NEST ran with threads hangs. The fork server has
imported Mozaik's core (:data:`PRELOAD`) but never NEST, and every point gets a fresh process,
so a point's result never depends on which points ran before it; a child takes the
supervisor's environment, ``sys.path`` and working directory as they are when it starts. Each
child runs in its own process group, so a terminal's Ctrl-C reaches the supervisor alone, which
passes the interruption on once to every running child; a child whose supervisor dies (``kill
-9``) terminates itself.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from mozaik.search._master import _log_tail, clear_status, read_status, run_point, write_status

__all__ = ["describe_exit", "run_children"]

#: Modules the fork server imports once, so that a point's process starts sooner (in a packed
#: Slurm task, once per task); none of them imports NEST (PyNN's simulator-independent
#: modules and its ``mock`` are pure Python). pandas is imported by pyarrow the first time a
#: point writes a table (``pyarrow.pandas_compat``): most of a small point's start-up.
PRELOAD: tuple[str, ...] = ("mozaik.search._children", "mozaik.search._master", "mozaik.study",
                            "mozaik.controller", "mozaik.datastore", "mozaik.workflow",
                            "mozaik.builtin", "mozaik.model", "mozaik.experiments",
                            "mozaik.stimulus", "mozaik.analysis", "pyNN.common",
                            "pyNN.standardmodels", "pyNN.mock", "pandas",
                            "pyarrow.pandas_compat", "pyarrow.dataset")

#: What a signal that ended a point's process usually means, and what to do.
_SIGNAL_MEANING: dict[int, str] = {
    signal.SIGSEGV: "a crash in native code (NEST, a C extension): often an impossible setting "
                    "such as absurd simulator.threads, or a bug; the stack at the crash is in "
                    "the log tail",
    signal.SIGBUS: "a crash in native code (a bad memory access, or a file mapped in memory "
                   "that shrank)",
    signal.SIGABRT: "native code aborted (a failed assertion or an uncaught C++ exception, "
                    "e.g. std::bad_alloc when memory ran out)",
    signal.SIGFPE: "a crash in native code (an arithmetic fault)",
    signal.SIGILL: "a crash in native code (an illegal instruction: a binary built for "
                   "another CPU?)",
    signal.SIGKILL: "killed from outside: kill -9, or the kernel's out-of-memory killer (see "
                    "`dmesg`; lower resources.workers or the network's size)",
    signal.SIGTERM: "terminated from outside (kill, or a scheduler's time limit)",
    signal.SIGINT: "interrupted (Ctrl-C)",
    signal.SIGHUP: "its terminal closed",
}


def describe_exit(exitcode: int) -> tuple[str, int | None, str | None]:
    """What a child's ``multiprocessing`` exit code means.

    Parameters
    ----------
    exitcode : int
        ``Process.exitcode``: the exit status, or minus the signal that ended the process.

    Returns
    -------
    (str, int or None, str or None)
        A sentence for the point's error, the exit status (None when a signal ended it) and
        the signal's name (None when it exited).
    """
    if exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        meaning = _SIGNAL_MEANING.get(number, "ended by a signal")
        text = (f"the point's process was killed by {name} (signal {number}): {meaning}; "
                "the other points went on; rerun this one with --resume")
        return text, None, name
    text = (f"the point's process exited with status {exitcode} before recording an outcome "
            "(a native library called exit(), or the process could not start); the other "
            "points went on; rerun this one with --resume")
    return text, exitcode, None


def crash_file(master: Path, point_id: int) -> Path:
    """Where a point's child dumps the Python stack when it crashes (``faulthandler``)."""
    return Path(master) / "status" / f"p{point_id:05d}.crash.txt"


def _watch_supervisor() -> None:
    """Terminate this process when its supervisor is gone (``multiprocessing`` gives a child
    a sentinel of the process that started it, which becomes ready when that one ends)."""
    supervisor = multiprocessing.parent_process()
    if supervisor is None:
        return
    multiprocessing.connection.wait([supervisor.sentinel])
    os.kill(os.getpid(), signal.SIGTERM)


def _child(master: str, point_id: int, environ: dict[str, str], sys_path: list[str],
           cwd: str) -> None:
    """A child's whole life: run one point, exit 0 when it is done, 1 when it failed."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)  # a terminal's Ctrl-C goes to the supervisor, which passes it on
    threading.Thread(target=_watch_supervisor, daemon=True, name="mozaik-watch-supervisor").start()
    os.environ.clear()  # the supervisor's, not the fork server's (started earlier)
    os.environ.update(environ)
    sys.path[:] = sys_path
    os.chdir(cwd)
    path = crash_file(Path(master), point_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    dump = path.open("w", encoding="utf-8")
    faulthandler.enable(dump, all_threads=True)
    try:
        status = run_point(master, point_id)
    except KeyboardInterrupt:  # recorded as incomplete by run_point; no traceback here
        sys.exit(130)
    faulthandler.disable()
    dump.close()
    with contextlib.suppress(OSError):
        if path.stat().st_size == 0:
            path.unlink()
    sys.exit(0 if status == "done" else 1)


class _Stopped(Exception):
    """SIGTERM or SIGHUP reached the supervisor."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Within: SIGTERM and SIGHUP raise :class:`_Stopped` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise _Stopped(signum)

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def _signal(process: Any, signum: int) -> None:
    if process.exitcode is None and process.pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signum)


def _context() -> Any:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def run_children(master: Path, point_ids: Sequence[int], workers: int,
                 on_end: Callable[[int, str], None] | None = None) -> dict[int, str]:
    """Run each of ``point_ids`` in its own child process, at most ``workers`` at once.

    Returns when every point has ended, with each point's recorded status; a point whose
    child ended without recording an outcome is recorded as failed with its signal or exit
    status (:func:`record_exit`). ``on_end(point_id, status)`` is called as each point ends
    (progress display).

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C, SIGTERM or SIGHUP: the signal is passed on to the running children, no
        further point starts, the supervisor waits for the children (a second Ctrl-C kills
        them) and records each, then raises.
    """
    master = Path(master)
    context = _context()
    queue = list(point_ids)
    running: dict[int, tuple[Any, float]] = {}  # point -> (process, start)
    ended: dict[int, str] = {}

    def reap(block: bool) -> None:
        sentinels = [p.sentinel for p, _ in running.values()]
        ready = set(multiprocessing.connection.wait(sentinels, timeout=None if block else 0))
        for point, (process, start) in list(running.items()):
            if process.sentinel in ready:
                process.join()
                ended[point] = record_exit(master, point, process.exitcode,
                                           time.perf_counter() - start)
                process.close()
                del running[point]
                if on_end is not None:
                    on_end(point, ended[point])

    try:
        with _stop_on_signals():
            while queue or running:
                while queue and len(running) < workers:
                    point = queue.pop(0)
                    clear_status(master, point)  # an outcome of an earlier attempt is stale
                    crash_file(master, point).unlink(missing_ok=True)
                    process = context.Process(
                        target=_child, name=f"mozaik-point-{point}",
                        args=(str(master.resolve()), point, dict(os.environ), list(sys.path),
                              os.getcwd()))
                    start = time.perf_counter()
                    process.start()
                    running[point] = (process, start)
                reap(block=True)
        return ended
    except (KeyboardInterrupt, _Stopped) as exc:
        signum = exc.signum if isinstance(exc, _Stopped) else signal.SIGINT
        for process, _ in running.values():
            _signal(process, signum)
        try:
            while running:
                reap(block=True)
        except KeyboardInterrupt:
            for process, _ in running.values():
                _signal(process, signal.SIGKILL)
            while running:
                reap(block=True)
        raise KeyboardInterrupt from None
    except BaseException:  # the supervisor itself failed: leave no point running unwatched
        for process, _ in running.values():
            _signal(process, signal.SIGTERM)
        with contextlib.suppress(BaseException):
            while running:
                reap(block=True)
        raise


def record_exit(master: Path, point_id: int, exitcode: int | None, elapsed_s: float) -> str:
    """Record how a point's child ended: its exit status is added to the outcome the child
    wrote; a child that wrote none (it crashed, or was killed) makes the point ``failed`` (or
    ``incomplete`` when it was interrupted: SIGINT, SIGTERM, SIGHUP) with the signal or exit
    status, its meaning, the tail of its log and the stack ``faulthandler`` dumped. Returns
    the point's status."""
    code = -1 if exitcode is None else exitcode
    status = read_status(master, point_id)
    if status is not None and status.get("status") in ("done", "failed", "incomplete",
                                                       "exploded"):
        if code < 0:
            exit_status, name = None, describe_exit(code)[2]
        else:
            exit_status, name = code, None
        write_status(master, point_id, str(status["status"]), error=status.get("error", ""),
                     log_tail=status.get("log_tail", ""),
                     elapsed_s=float(status.get("elapsed_s") or elapsed_s),
                     exit_code=exit_status, signal=name)
        return str(status["status"])
    text, exit_status, name = describe_exit(code)
    interrupted = code in (-signal.SIGINT, -signal.SIGTERM, -signal.SIGHUP)
    parts = [_log_tail(master, point_id)]
    path = crash_file(master, point_id)
    with contextlib.suppress(OSError):
        dump = path.read_text(encoding="utf-8", errors="replace").strip()
        if dump:
            parts.append(f"{path.relative_to(master)}:\n{dump}")
    outcome = "incomplete" if interrupted else "failed"
    write_status(master, point_id, outcome, error=text, log_tail="\n".join(p for p in parts if p),
                 elapsed_s=elapsed_s, exit_code=exit_status, signal=name)
    return outcome
