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

from mozaik.datastore import open_for_write

__all__ = ["LOG_FILE", "Progress", "ProgressMode", "resolve_progress_mode", "run_logging",
           "start_run_log"]

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


class _RunFileHandler(logging.Handler):
    """Writes to ``run_dir/mozaik.log`` once this process may; buffers until then.

    With ``wait`` (a run), the file is opened only when :func:`start_run_log` says this
    process holds the run directory's writer lock, so a process that finds the directory taken
    never writes into its owner's log; what it logged before is dropped (the console showed
    it). Without ``wait`` (``mozaik analyse``), it is opened once the run directory's
    manifest exists.
    """

    def __init__(self, run_dir: Path, *, wait: bool = False) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.ready = not wait
        self._pending: list[logging.LogRecord] = []
        self._file: logging.FileHandler | None = None

    #: Set once the log file cannot be written (a full disk, a read-only run directory): the
    #: console still has every line, and the run reports the storage fault itself.
    broken = False

    def start(self) -> None:
        """This process holds the run directory: open the file, write what was buffered."""
        self.ready = True
        self._write(None)

    def emit(self, record: logging.LogRecord) -> None:
        self._write(record)

    def _write(self, record: logging.LogRecord | None) -> None:
        """Open the file once allowed (write what is buffered), then write ``record``."""
        if self.broken:
            return
        try:
            if self._file is None and self.ready and (self.run_dir / "manifest.json").is_file():
                self._file = _LogFile(self.run_dir / LOG_FILE, mode="a", encoding="utf-8")
                self._file.setFormatter(self.formatter)
                for pending in self._pending:
                    self._file.emit(pending)
                self._pending.clear()
            if record is not None and self._file is None:
                self._pending.append(record)
            elif record is not None and self._file is not None:
                self._file.emit(record)
        except OSError:
            self.broken = True
            self._pending.clear()

    def close(self) -> None:
        if self._file is not None:
            # lines buffered when the disk filled up fail again here: they are lost, and the
            # error must not replace the run's own
            with contextlib.suppress(OSError):
                self._file.close()
        super().close()


def start_run_log(logger: logging.Logger) -> None:
    """Let the run log of ``logger`` (from :func:`run_logging` with ``wait``) write its file:
    call it once this process holds the run directory's writer lock."""
    for handler in logger.handlers:
        if isinstance(handler, _RunFileHandler):
            handler.start()


class _LogFile(logging.FileHandler):
    """A log file whose write errors reach :class:`_RunFileHandler` (not stderr), opened
    without following a link (a stranger's run directory may plant one)."""

    def _open(self) -> Any:
        fd = open_for_write(Path(self.baseFilename), append=True)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            raise exc
        super().handleError(record)


def _not_a_progress_line(record: logging.LogRecord) -> bool:
    return not getattr(record, "progress_line", False)


def _for_console(record: logging.LogRecord) -> bool:
    """Lines marked ``file_only`` (the run's error, which the caller prints) stay in the log."""
    return not getattr(record, "file_only", False)


@contextlib.contextmanager
def run_logging(run_dir: Path, mode: str, *, wait: bool = False) -> Iterator[logging.Logger]:
    """Route the ``mozaik`` logger to ``run_dir/mozaik.log`` and the console for one run.

    The file is written once the run directory's manifest exists; with ``wait``, only after
    :func:`start_run_log` too (once this process holds the directory's writer lock).

    The console shows INFO lines in ``log`` mode; in ``bar`` mode it shows INFO lines too
    (the build's report, resume decisions) except the per-presentation lines, which the bar
    carries; ``off`` shows warnings only. Debug lines are kept when the root logger is at DEBUG
    (``mozaik -vv``). The logger's previous configuration is restored afterwards.
    """
    logger = logging.getLogger(_LOGGER)
    saved = (logger.level, logger.propagate, list(logger.handlers))
    debug = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
    file_handler = _RunFileHandler(run_dir, wait=wait)
    file_handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%Y-%m-%d %H:%M:%S"))
    file_handler.setLevel(logging.DEBUG if debug else logging.INFO)
    console: logging.Handler = _TqdmHandler() if mode == "bar" else logging.StreamHandler(
        sys.stderr)
    console.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    console.setLevel(logging.INFO if mode in ("log", "bar") else logging.WARNING)
    if mode == "bar":
        console.addFilter(_not_a_progress_line)
    console.addFilter(_for_console)
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
    """Progress over the presentations a run simulates, moving with simulated time.

    The bar counts simulated ms (blanks included) and shows which presentation is running, so
    it moves during a long presentation (the controller runs the model in chunks, see
    ``controller.progress_chunk_ms``). In ``log`` mode one line is written per presentation,
    plus a line every ``log_every_s`` of wall-clock time inside a long one.

    Parameters
    ----------
    mode : {"bar", "log", "off"}
        Resolved mode (see :func:`resolve_progress_mode`).
    total : int
        Presentations to simulate (replayed ones included).
    total_sim_ms : float, ms
        Simulated time they add up to (blanks included); the ETA is based on it.
    logger : logging.Logger
        Where log lines go.
    desc : str
        Label of the bar.
    log_every_s : float, s
        Wall-clock interval of the lines written inside a long presentation (``log`` mode).
    """

    def __init__(self, mode: str, total: int, total_sim_ms: float, logger: logging.Logger,
                 desc: str = "", log_every_s: float = 10.0) -> None:
        self.mode = mode
        self.total = total
        self.total_sim_ms = total_sim_ms
        self.logger = logger
        self.desc = desc or "presenting"
        self.log_every_s = log_every_s
        self.done = 0
        self.sim_done_ms = 0.0
        self._start = time.perf_counter()
        self._last_line = self._start
        self._bar: Any = None
        if mode == "bar" and total:
            from tqdm import tqdm

            self._bar = tqdm(total=round(total_sim_ms, 3), desc=self._label(), unit="ms",
                             file=sys.stderr, dynamic_ncols=True, leave=True,
                             bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} "
                                        "ms [{elapsed}<{remaining}{postfix}]")

    def _label(self) -> str:
        return f"{self.desc} {min(self.done + 1, self.total)}/{self.total} stim"

    def eta_s(self) -> float | None:
        """Remaining wall-clock time in s, from simulated-time throughput so far."""
        elapsed = time.perf_counter() - self._start
        if self.sim_done_ms <= 0:
            return None
        return elapsed / self.sim_done_ms * max(self.total_sim_ms - self.sim_done_ms, 0.0)

    def _eta_text(self) -> str:
        eta = self.eta_s()
        return _duration(eta) if eta is not None else "?"

    def simulated(self, sim_ms: float, t_now_ms: float, label: str = "") -> None:
        """``sim_ms`` of model time were simulated (one chunk of a presentation or blank)."""
        self.sim_done_ms += sim_ms
        if self._bar is not None:
            self._bar.set_postfix_str(f"t={t_now_ms:g} ms", refresh=False)
            self._bar.update(round(sim_ms, 3))
        now = time.perf_counter()
        if self.mode == "log" and label and now - self._last_line >= self.log_every_s:
            self._last_line = now
            self.logger.info("[%d/%d] %s: t = %g ms, ETA %s", self.done + 1, self.total, label,
                             t_now_ms, self._eta_text())

    def advance(self, label: str, *, sim_ms: float, wall_s: float, t_now_ms: float,
                replayed: bool = False) -> None:
        """One presentation of ``sim_ms`` (already counted by :meth:`simulated`) finished."""
        self.done += 1
        self._last_line = time.perf_counter()
        verb = "replayed" if replayed else "stored"
        line = (f"[{self.done}/{self.total}] {verb} {label}: {sim_ms:g} ms in {wall_s:.2f} s, "
                f"t = {t_now_ms:g} ms, ETA {self._eta_text()}")
        if self._bar is not None:
            self._bar.set_description_str(self._label(), refresh=False)
            self._bar.refresh()
        # the console shows it in log mode; the bar carries it in bar mode; the file gets it
        self.logger.info(line, extra={"progress_line": True})

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
