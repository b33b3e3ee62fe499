"""Progress of long network builds: a connector's expected size before it is built, and a log
line every :data:`HEARTBEAT_S` seconds while it builds.

PyNN's connectors loop over targets in Python, so a background thread can log while they run
(and ask NEST how many connections exist: the thread holds the interpreter lock, so the main
thread is between two NEST calls).
NEST's own connection rules (``native_rng: true``) hold the interpreter until they return, so
for them the line before the build, with the expected count, is what shows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["HEARTBEAT_S", "building", "describe_expected", "expected_connections"]

log = logging.getLogger("mozaik.model")

#: Seconds between two "still building" log lines.
HEARTBEAT_S = 15.0


def expected_connections(factory: Any, params: Any, n_source: int, n_target: int
                         ) -> float | None:
    """The connector's own estimate (``factory.expected_connections``), or None."""
    method = getattr(factory, "expected_connections", None)
    if method is None:
        return None
    try:
        value = method(params, n_source, n_target)
    except (ArithmeticError, LookupError, ValueError, TypeError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def describe_expected(expected: float | None) -> str:
    """``, ~1,200,000 connections expected`` (or nothing when unknown)."""
    if expected is None:
        return ""
    shown = f"{expected:,.0f}" if expected < 1e9 else f"{expected:.2e}"
    return f", ~{shown} connections expected"


@contextmanager
def building(what: str, expected: float | None, interval_s: float | None = None,
             made: Callable[[], int | None] | None = None) -> Iterator[None]:
    """Log ``what`` every ``interval_s`` seconds (default :data:`HEARTBEAT_S`) with the time
    elapsed and, when ``made`` tells it, the connections made so far, until the block ends."""
    interval = HEARTBEAT_S if interval_s is None else interval_s
    start = time.perf_counter()
    done = threading.Event()

    def beat() -> None:
        while not done.wait(interval):
            try:
                so_far = made() if made is not None else None
            except Exception:  # a count is a courtesy: never let it end the progress lines
                so_far = None
            count = "" if so_far is None else f", {so_far:,} connections made"
            log.info("%s: still building after %.0f s%s%s", what, time.perf_counter() - start,
                     count, describe_expected(expected))

    thread = threading.Thread(target=beat, name=f"mozaik-progress {what}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
