"""Signals that stop a run: SIGINT (Ctrl-C), SIGTERM (Slurm at a job's time limit, ``kill``)
and SIGHUP (a closed terminal) all stop it the same way.

While a run is going, :class:`SignalGuard` turns each of them into :class:`RunInterrupted` (a
``KeyboardInterrupt``), raised in the main thread at the next Python instruction: a running
simulation chunk (``model.run``, in C++) finishes first, and the presentation it belongs to is
abandoned. Inside :meth:`SignalGuard.deferred` (writing a presentation, recording the session)
the signal waits until the block ends, so nothing is left half-written. Once one signal is
being handled, further ones are ignored until the run has stored its outcome.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

__all__ = ["INTERRUPT_SIGNALS", "RunInterrupted", "SignalGuard", "signal_name"]

log = logging.getLogger("mozaik.controller")

#: The signals that stop a run at a safe point.
INTERRUPT_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def signal_name(signum: int) -> str:
    """``SIGTERM`` for 15, ...; ``signal N`` for a number this platform does not name."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class RunInterrupted(KeyboardInterrupt):
    """A run was stopped by a signal (SIGINT, SIGTERM or SIGHUP) at a safe point.

    A ``KeyboardInterrupt``, so code that handles Ctrl-C handles every stopping signal.

    Attributes
    ----------
    signum : int
        The signal's number.
    signal_name : str
        Its name, e.g. ``SIGTERM``.
    exit_status : int
        The conventional exit status of a process stopped by it: 128 + ``signum``.
    """

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        self.signal_name = signal_name(self.signum)
        super().__init__(self.signal_name)

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


class SignalGuard:
    """Turns the stopping signals into :class:`RunInterrupted` for the length of a run.

    :meth:`install` does nothing outside the main thread (Python delivers signals there only),
    so a run in a worker thread keeps the process's handlers. A signal the process was started
    with ignored stays ignored: ``nohup mozaik run ...`` survives its terminal closing (SIGHUP),
    and a shell's background job ignores Ctrl-C (SIGINT), as every Unix command does.
    """

    def __init__(self) -> None:
        self._saved: dict[int, Any] = {}
        self._depth = 0
        self._pending: int | None = None
        #: The signal being handled (None: none yet).
        self.received: int | None = None

    def install(self) -> None:
        """Handle the stopping signals from now on (in the main thread)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in INTERRUPT_SIGNALS:
            current = signal.getsignal(signum)
            if current == signal.SIG_IGN:
                continue  # ignored by whoever started the run (nohup; a background job)
            self._saved[signum] = current
            signal.signal(signum, self._handle)

    def rearm(self) -> None:
        """Install the handlers again: a library loaded since (MPI, NEST) may have replaced
        them at the C level, where Python cannot see it (observed for SIGHUP)."""
        for signum in self._saved:
            signal.signal(signum, self._handle)

    def restore(self) -> None:
        """Give the signals back to the handlers they had before :meth:`install`."""
        for signum, handler in self._saved.items():
            with contextlib.suppress(TypeError, ValueError):  # None: installed outside Python
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        self._saved.clear()

    def stopping(self) -> None:
        """Ignore further signals: the run is storing its outcome (after any exception)."""
        if self.received is None:
            self.received = signal.SIGINT

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold a signal that arrives inside the block until it ends, then stop the run."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if self._depth == 0 and self._pending is not None and self.received is None:
            self.received, self._pending = self._pending, None
            raise RunInterrupted(self.received)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            log.warning("%s received while the run is stopping: ignored", signal_name(signum))
            return
        if self._depth:
            self._pending = signum
            return
        self.received = signum
        raise RunInterrupted(signum)
