"""Progress reporting and the run's log file.

On a terminal the controller shows a progress bar (stimulus count, ETA, simulated time); when
output goes to a file or pipe it writes one plain log line per presentation instead. Either way
every line also goes to ``<run_dir>/mozaik.log``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

__all__ = ["LOG_FILE", "Progress", "ProgressMode", "resolve_progress_mode", "run_logging"]

ProgressMode = Literal["auto", "bar", "log", "off"]

#: Name of the log file in a run directory.
LOG_FILE = "mozaik.log"

_LOGGER = "mozaik"


def resolve_progress_mode(mode: str) -> str:
    """``auto`` becomes ``bar`` on a terminal and ``log`` otherwise."""
    if mode not in ("auto", "bar", "log", "off"):
        msg = f"progress must be one of auto, bar, log, off; got {mode!r}"
        raise ValueError(msg)
    if mode == "auto":
        stream = sys.stderr
        return "bar" if hasattr(stream, "isatty") and stream.isatty() else "log"
    return mode


class _TqdmHandler(logging.Handler):
    """Writes records above the progress bar instead of through it."""

    def emit(self, record: logging.LogRecord) -> None:
        from tqdm import tqdm

        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:  # logging must never break a run
            self.handleError(record)


@contextlib.contextmanager
def run_logging(run_dir: Path, mode: str) -> Iterator[logging.Logger]:
    """Route the ``mozaik`` logger to ``run_dir/mozaik.log`` and the console for one run.

    The console shows INFO lines in ``log`` mode and only warnings otherwise (the bar carries
    the progress). Debug lines are kept when the root logger is at DEBUG (``mozaik -vv``).
    The logger's previous configuration is restored afterwards.
    """
    logger = logging.getLogger(_LOGGER)
    saved = (logger.level, logger.propagate, list(logger.handlers))
    debug = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
    run_dir.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(run_dir / LOG_FILE, mode="a", encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%Y-%m-%d %H:%M:%S"))
    file_handler.setLevel(logging.DEBUG if debug else logging.INFO)
    console: logging.Handler = _TqdmHandler() if mode == "bar" else logging.StreamHandler(
        sys.stderr)
    console.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    console.setLevel(logging.INFO if mode == "log" else logging.WARNING)
    if debug:
        console.setLevel(logging.DEBUG)
    logger.handlers = [file_handler, console]
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    try:
        yield logger
    finally:
        file_handler.close()
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers = saved[2]


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Progress over the presentations a run simulates.

    Parameters
    ----------
    mode : {"bar", "log", "off"}
        Resolved mode (see :func:`resolve_progress_mode`).
    total : int
        Presentations to simulate (replayed ones included).
    total_sim_ms : float, ms
        Simulated time they add up to (blanks included); the ETA of log lines is based on it.
    logger : logging.Logger
        Where log lines go.
    desc : str
        Label of the bar.
    """

    def __init__(self, mode: str, total: int, total_sim_ms: float, logger: logging.Logger,
                 desc: str = "") -> None:
        self.mode = mode
        self.total = total
        self.total_sim_ms = total_sim_ms
        self.logger = logger
        self.done = 0
        self.sim_done_ms = 0.0
        self._start = time.perf_counter()
        self._bar: Any = None
        if mode == "bar" and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc or "presenting", unit="stim",
                             file=sys.stderr, dynamic_ncols=True, leave=True)

    def eta_s(self) -> float | None:
        """Remaining wall-clock time in s, from simulated-time throughput so far."""
        elapsed = time.perf_counter() - self._start
        if self.sim_done_ms <= 0:
            return None
        return elapsed / self.sim_done_ms * max(self.total_sim_ms - self.sim_done_ms, 0.0)

    def advance(self, label: str, *, sim_ms: float, wall_s: float, t_now_ms: float,
                replayed: bool = False) -> None:
        """One presentation finished (and was stored, unless ``replayed``)."""
        self.done += 1
        self.sim_done_ms += sim_ms
        verb = "replayed" if replayed else "stored"
        eta = self.eta_s()
        eta_text = _duration(eta) if eta is not None else "?"
        line = (f"[{self.done}/{self.total}] {verb} {label}: {sim_ms:g} ms in {wall_s:.2f} s, "
                f"t = {t_now_ms:g} ms, ETA {eta_text}")
        if self._bar is not None:
            self._bar.set_postfix_str(f"t={t_now_ms:g} ms", refresh=False)
            self._bar.update(1)
        # the console shows INFO only in log mode; the log file always gets the line
        self.logger.info(line)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
