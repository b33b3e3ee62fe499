"""The writer lock of a run directory: one process at a time may write a store."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path
from typing import TextIO

from mozaik._errors import StoreLockedError
from mozaik.datastore import _format as fmt

__all__ = ["RESERVE", "WriterLock", "lock_is_held"]


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
        self.reserve = root / RESERVE
        _make_reserve(self.reserve, _reserve_bytes(root))

    @property
    def held(self) -> bool:
        """Whether this object still holds the lock."""
        return self._fh is not None

    def free_reserve(self) -> None:
        """Delete the reserve file (see :data:`RESERVE`), if there is one."""
        with contextlib.suppress(OSError):
            self.reserve.unlink(missing_ok=True)

    def release(self, *, remove: bool = True) -> None:
        """Release the lock; with ``remove`` (a clean close) delete the lock file first."""
        if self._fh is None:
            return
        self.free_reserve()
        if remove:
            # a read-only or vanished folder keeps the file; the lock itself goes with the
            # handle, and a stale lock file is taken over by the next writer
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
        self._fh.close()
        self._fh = None


#: A file of allocated space the writer holds while it writes: when the disk fills up, deleting
#: it leaves room to record the failure in the manifest (the manifest is rewritten whole, through
#: a temporary copy, so twice its size is needed).
RESERVE = ".writer.reserve"

_MIN_RESERVE = 64 * 1024


def _reserve_bytes(root: Path) -> int:
    try:
        manifest = (root / fmt.MANIFEST).stat().st_size
    except OSError:
        manifest = 0
    return max(_MIN_RESERVE, 2 * manifest + _MIN_RESERVE)


def _make_reserve(path: Path, size: int) -> None:
    """Allocate ``size`` bytes at ``path`` (really allocated: written, not sparse); none if the
    disk has no room for it (a write will then fail and say so)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError:
        return
    try:
        try:
            os.posix_fallocate(fd, 0, size)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise
            os.write(fd, b"\0" * size)  # a file system without fallocate
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()
        return
    os.close(fd)


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
