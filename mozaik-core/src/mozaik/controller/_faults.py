"""Faults of the run directory's storage: a full disk, a read-only or forbidden folder.

A run checks that its run directory can take a file before it builds anything
(:func:`check_writable`). A write that fails later (the disk fills up, the folder is made
read-only while the run goes on) ends the run with one paragraph (:func:`write_failed`): what
failed, what is safe (every presentation committed before stays stored), what to do. The
failed session is recorded in the manifest when the manifest can still be written; the
temporary file of the failed write and the writer lock are removed when they can be.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.compute as pc

from mozaik._errors import DataStoreError
from mozaik.datastore import DataStore

if TYPE_CHECKING:
    from mozaik.controller._rundir import Session
    from mozaik.controller._state import RunState

__all__ = ["WRITE_ERRNOS", "analyses_write_failed", "check_writable", "stored_presentations",
           "write_failed", "write_fault"]

#: The errors of a write the user must act on: (what happened, what to do about it).
_CAUSES: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free space on that disk (or move the run directory to "
                   "one with space)"),
    errno.EDQUOT: ("the disk quota is exceeded", "free space within your quota (or move the "
                   "run directory)"),
    errno.EFBIG: ("a file reached the size limit of this process or file system",
                  "raise the limit (ulimit -f) or move the run directory"),
    errno.EROFS: ("the file system is read-only", "remount it writable, or copy the run "
                  "directory to writable storage and run it there"),
    errno.EACCES: ("permission was denied", "make the run directory writable for this user"),
    errno.EPERM: ("the operation was not permitted", "make the run directory writable for "
                  "this user"),
}

#: ``errno`` values that mean the run directory cannot take a write.
WRITE_ERRNOS = frozenset(_CAUSES)

_PROBE_BYTES = 4096  # one page: a full disk refuses it even when an empty file still fits


def write_fault(exc: BaseException, run_dir: Path | None = None) -> OSError | None:
    """The storage error behind ``exc`` (itself, or in its chain of causes), or None.

    With ``run_dir``, an error that names a file outside it (a model's data file that cannot
    be read, say) is not the run directory's.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in WRITE_ERRNOS:
            return current if _inside(current.filename, run_dir) else None
        current = current.__cause__ or current.__context__
    return None


def _inside(filename: object, run_dir: Path | None) -> bool:
    if run_dir is None or not isinstance(filename, (str, os.PathLike)):
        return True  # Arrow's errors name no file: they come from the store's own writes
    return Path(os.path.abspath(filename)).is_relative_to(os.path.abspath(run_dir))


def _describe(fault: OSError) -> tuple[str, str]:
    what, fix = _CAUSES.get(fault.errno or 0, ("the write failed", "fix the storage"))
    detail = fault.strerror or str(fault)
    where = f" writing {fault.filename}" if fault.filename else ""
    return f"{what} ({detail}{where})", fix


def check_writable(run_dir: Path, *, writes: str = "the run") -> None:
    """Check that ``run_dir`` (or, if it does not exist yet, the folder it will be made in)
    can take a file, by writing and removing one page.

    Parameters
    ----------
    run_dir : Path
        The run directory.
    writes : str
        What would write there, for the message (``"the run"``, ``"the analyses"``).

    Raises
    ------
    DataStoreError
        The folder cannot be written (read-only, permission denied, disk full), with what to
        do about it.
    """
    folder = run_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return  # not a folder: the run directory check names that
    try:
        fd, name = tempfile.mkstemp(prefix=".mozaik-write-check-", dir=folder)
        try:
            os.write(fd, b"\0" * _PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as exc:
        exc.filename = None  # the probe's name would only confuse
        what, fix = _describe(exc)
        where = "" if folder == run_dir else f" (it would be made in {folder})"
        read = (f"; what it holds can still be read (mozaik show {run_dir}; mozaik analyse "
                "when no analysis needs to run again)" if DataStore.is_store(run_dir) else "")
        other = ", or choose another run directory (--out)" if writes == "the run" else ""
        msg = (f"cannot write to the run directory {run_dir}{where}: {what}, so {writes} could "
               f"not store anything; nothing was done{read}. {fix[0].upper()}{fix[1:]}{other}")
        raise DataStoreError(msg) from exc


def stored_presentations(store: DataStore) -> int:
    """How many stimulus presentations (blanks not counted) ``store`` holds."""
    seg = store.segment_index
    if seg.num_rows == 0:
        return 0
    shown = seg.filter(pc.invert(seg["is_null"]))
    return len(pc.unique(shown["presentation_id"]))


def analyses_write_failed(run_dir: Path, fault: OSError) -> DataStoreError:
    """The error ending ``mozaik analyse`` whose write failed (one paragraph)."""
    what, fix = _describe(fault)
    msg = (f"writing to the run directory {run_dir} failed: {what}. The recordings and every "
           "result stored before are safe; the unfinished write was dropped. "
           f"{fix[0].upper()}{fix[1:]}, then run `mozaik analyse {run_dir}` again (what is done "
           "is skipped)")
    return DataStoreError(msg)


def write_failed(state: RunState, session: Session, fault: OSError) -> DataStoreError:
    """End a run whose write failed: free the writer's reserve and record the session as
    failed if the manifest can still be written (the failed write removed its own temporary
    file); the error to raise (one paragraph: what failed, what is safe, what to do)."""
    what, fix = _describe(fault)
    store = state.store
    recorded = False
    stored = 0
    if store is not None and store.writable:
        stored = stored_presentations(store)
        store.free_reserve()  # the room to record the failure on a full disk
        try:
            session.save(store, "failed", error=f"{type(fault).__name__}: {fault}",
                         **state.counts())
            recorded = True
        except Exception:
            recorded = False
    note = ("the failure is recorded in its manifest" if recorded else
            "its manifest could not be updated (it may still say 'running')")
    msg = (f"writing to the run directory {state.run_dir} failed: {what}. The {stored} "
           f"presentation(s) stored before that are safe ({state.presented} of them by this "
           f"session); the unfinished write was dropped, and {note}. {fix[0].upper()}"
           f"{fix[1:]}, then complete the run with `mozaik run {state.run_dir}`")
    return DataStoreError(msg)
