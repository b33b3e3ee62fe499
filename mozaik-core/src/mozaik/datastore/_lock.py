"""The writer lock of a run directory: one process at a time may write a store."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import TextIO

from mozaik._errors import StoreLockedError
from mozaik.datastore import _format as fmt

__all__ = ["WriterLock", "lock_is_held"]


class WriterLock:
    """An exclusive ``flock`` on ``RUN_DIR/.writer.lock``, which holds the writer's pid.

    :meth:`release` after a clean close removes the file, so a lock file left in a run
    directory means its writer did not close (it crashed, or it is still running).

    Raises
    ------
    StoreLockedError
        If another process holds the lock (its ``holder`` is the pid the file names).
    """

    def __init__(self, root: Path) -> None:
        self.path = root / fmt.LOCK
        fh = open(self.path, "a+")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            msg = (
                f"{root} is being written by another process (pid {holder}); open it with "
                f"mode='r' to read, or wait for that process to finish"
            )
            raise StoreLockedError(msg, root=root, holder=holder) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh: TextIO | None = fh

    @property
    def held(self) -> bool:
        """Whether this object still holds the lock."""
        return self._fh is not None

    def release(self, *, remove: bool = True) -> None:
        """Release the lock; with ``remove`` (a clean close) delete the lock file first."""
        if self._fh is None:
            return
        if remove:
            self.path.unlink(missing_ok=True)
        self._fh.close()
        self._fh = None


def lock_is_held(root: Path) -> bool:
    """Whether some process holds the writer lock of the run directory ``root`` now."""
    path = root / fmt.LOCK
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False
