"""Progress of a running search: points ended so far, their rate and an estimate of the rest.

A backend reports each point that ended (:meth:`SearchProgress.point_ended`), or, when its
points run elsewhere (a Slurm array), lets :meth:`SearchProgress.poll` read the status files
the points wrote; :meth:`SearchProgress.waiting` prints a heartbeat while nothing ends (the
first points of a cluster job are still queued or running).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

__all__ = ["SearchProgress", "format_duration"]


def format_duration(seconds: float) -> str:
    """``seconds`` as ``42 s``, ``3 min 05 s`` or ``2 h 07 min``."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest:02d} s"
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min"


class SearchProgress:
    """Prints one line per ended point (at most one every ``interval_s``, and always the last):
    how many of the points to run have ended, how many failed, the elapsed time and the
    estimated time to the end (elapsed / ended x remaining: it accounts for points running
    side by side).

    Parameters
    ----------
    total : int
        Points this run of the search runs.
    stream : text stream, optional
        Where lines go (default ``sys.stderr``).
    interval_s : float, s
        Least time between two lines (0: a line per point).
    clock : callable, optional
        Seconds since some start (default ``time.monotonic``; tests pass their own).
    """

    def __init__(self, total: int, *, stream: TextIO | None = None, interval_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.stream = stream
        self.interval_s = interval_s
        self.clock = clock
        self.start = clock()
        self.ended: dict[int, str] = {}
        self._last_line = -float("inf")
        self._last_wait = self.start

    def _print(self, text: str) -> None:
        print(text, file=self.stream or sys.stderr, flush=True)

    def line(self) -> str:
        """The current progress line."""
        n = len(self.ended)
        elapsed = self.clock() - self.start
        failed = sum(1 for s in self.ended.values() if s != "done")
        text = (f"search: {n}/{self.total} points ended ({n - failed} done, {failed} not), "
                f"{format_duration(elapsed)} elapsed")
        if 0 < n < self.total:
            text += f", ETA {format_duration(elapsed / n * (self.total - n))}"
        return text

    def point_ended(self, point_id: int, status: str) -> None:
        """Record that ``point_id`` ended with ``status``; print a line if one is due."""
        first = point_id not in self.ended
        self.ended[point_id] = status
        now = self.clock()
        last = len(self.ended) == self.total
        if first and (last or now - self._last_line >= self.interval_s):
            self._last_line = now
            self._last_wait = now
            self._print(f"{self.line()} (p{point_id:05d} {status})")

    def waiting(self, what: str, every_s: float = 10.0) -> None:
        """While points run elsewhere: print ``what`` (e.g. the cluster's task states) with
        the progress line, at most every ``every_s`` seconds since the last line."""
        now = self.clock()
        if now - self._last_wait >= every_s:
            self._last_wait = now
            self._print(f"{self.line()}; {what}")

    def poll(self, master: Path, point_ids: Sequence[int]) -> None:
        """Read the status files of ``point_ids`` not yet ended (one listing of
        ``MASTER/status``, then only the new files) and report those that ended."""
        folder = os.path.join(master, "status")
        try:
            names = os.listdir(folder)
        except OSError:
            return
        waiting = set(point_ids).difference(self.ended)
        for name in names:
            stem = name[1:-5]
            if not (name.startswith("p") and name.endswith(".json") and stem.isdigit()):
                continue
            i = int(stem)
            if i not in waiting:
                continue
            try:
                with open(os.path.join(folder, name), encoding="utf-8") as fh:
                    status = str(json.load(fh).get("status", "failed"))
            except (OSError, ValueError, AttributeError):
                continue
            if status != "incomplete":
                self.point_ended(i, status)
