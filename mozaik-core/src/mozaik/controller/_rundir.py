"""The run directory's lifecycle: checked, created and locked before the build, sessions recorded.

``run_study`` first looks at the run directory (:func:`open_existing`): it must be new, empty,
or hold a run of the same configuration, unless it holds no stored presentation and no
analysis result, in which case it is emptied (its log is kept) and reused for the corrected
study. Then, before the network is built, it creates the directory, takes the writer lock and
writes the manifest with the resolved configuration (status ``building``,
:func:`create_store`): from that moment ``mozaik run RUN_DIR`` can build it again, and a second
``mozaik run`` into it stops at once. A study whose build fails with a configuration or
simulation error removes what it created (:func:`discard_created`), so a study that does not
validate leaves no run directory behind.

Each call of ``run_study`` is one *session* recorded in the manifest's ``sessions`` list from
the moment the manifest exists, with its outcome, counts and timings. A session a dead process
left ``building`` or ``running`` (killed, e.g. by SIGKILL or the out-of-memory killer) is
closed out as ``killed`` by the next session (:func:`close_out_dead_sessions`).
"""

from __future__ import annotations

import os
import platform
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import attrs

from mozaik._errors import ConfigError, DataStoreFormatError
from mozaik.config import ConfigTree
from mozaik.controller._progress import LOG_FILE
from mozaik.controller._provenance import config_differences, run_provenance
from mozaik.datastore import DataStore, now_iso
from mozaik.plugin import PluginManager, Registry
from mozaik.study import Study, study_from_tree

__all__ = ["ExistingRun", "Session", "close_out_dead_sessions", "create_store",
           "discard_created", "is_run_dir", "open_existing", "study_from_run_dir"]

#: The writer lock's file (see ``docs/datastore-format.md``): like the log, not run contents.
_LOCK_FILE = ".writer.lock"
#: Statuses of a session whose process has not recorded its outcome yet.
_UNFINISHED = ("building", "running")


def is_run_dir(path: str | Path) -> bool:
    """Whether ``path`` is a directory holding a Mozaik datastore."""
    return DataStore.is_store(path)


def study_from_run_dir(run_dir: str | Path, registry: Registry | None = None) -> Study:
    """Rebuild the study a run directory was made with, from its stored resolved configuration.

    Raises
    ------
    DataStoreFormatError
        If ``run_dir`` is not a datastore or its manifest holds no configuration.
    """
    run_dir = Path(run_dir)
    with DataStore.open(run_dir, mode="r", registry=registry) as store:
        manifest = store.manifest
        manifest_path = store.manifest_path
    config = manifest.get("config")
    if not isinstance(config, dict):
        msg = (f"{run_dir} holds no study configuration in its manifest (it was not made by "
               "`mozaik run`); pass the study file: mozaik run STUDY --out " + str(run_dir))
        raise DataStoreFormatError(msg)
    root = Path(manifest.get("config_file") or manifest_path)
    tree = ConfigTree(data=config, sources={}, root=root)
    return study_from_tree(tree, registry)


@attrs.define
class ExistingRun:
    """A run directory found before the build: its open store, and whether it is stale.

    Attributes
    ----------
    store : DataStore
        Open for appending.
    stale : bool
        It was made with another configuration but holds nothing: it is emptied and made
        again (:func:`create_store`).
    """

    store: DataStore
    stale: bool = False


def _holds_results(store: DataStore) -> bool:
    return bool(store.segment_index.num_rows > 0 or store.analysis_index.num_rows > 0)


#: Stores of this format version and newer can be completed: version 1 stored stimulus
#: identities differently (``duration`` for ``duration_ms``); 3 adds presentations written in
#: parts to 2.
RESUMABLE_VERSION = 2


def open_existing(run_dir: Path, study: Study, mode: Literal["r", "a"] = "a"
                  ) -> ExistingRun | None:
    """Open ``run_dir`` if it holds a run, checking it can take ``study``.

    Returns None for a missing or empty folder (a folder holding only a log, or the lock file
    of a process killed before it wrote the manifest, counts as empty). ``mode="r"``: only look
    (an MPI rank other than 0, after rank 0 opened it for writing). With ``mode="a"`` the
    writer lock is taken, so sessions the manifest still shows unfinished are closed out
    (:func:`close_out_dead_sessions`).

    Raises
    ------
    ConfigError
        ``run_dir`` holds other files, or a run of another configuration with stored
        presentations, or a run of an older datastore format.
    StoreLockedError
        Another process is writing ``run_dir`` (``mode="a"``).
    """
    if not is_run_dir(run_dir):
        others = [p.name for p in run_dir.iterdir()
                  if p.name not in (LOG_FILE, _LOCK_FILE)] if run_dir.is_dir() else []
        if others:
            msg = (f"{run_dir} exists, is not empty and holds no Mozaik datastore; choose an "
                   "empty or new run directory (--out)")
            raise ConfigError(msg)
        return None
    store = DataStore.open(run_dir, mode=mode, registry=study.registry)
    version = store.manifest.get("format_version")
    old = not isinstance(version, int) or version < RESUMABLE_VERSION
    stored = store.manifest.get("config")
    diffs = config_differences(stored, study.resolved, ordered="key_order" in store.manifest
                               ) if stored is not None else []
    if not _holds_results(store):
        stale = bool(diffs) or old
        if mode == "a" and not stale:
            close_out_dead_sessions(store)
        return ExistingRun(store, stale=stale)
    if old:
        store.close()
        msg = (f"run directory {run_dir} was written in datastore format {version} by an older "
               f"mozaik-core (this one completes format {RESUMABLE_VERSION} or newer: stimulus "
               "identities changed, e.g. duration -> duration_ms), so it cannot be completed; it "
               "can still be read (mozaik show, mozaik analyse); start a new run directory "
               "(--out)")
        raise ConfigError(msg)
    if diffs:
        store.close()
        msg = (f"run directory {run_dir} was made with a different configuration, so it cannot "
               f"be resumed with this one; differences: {'; '.join(diffs)}. Resume it as it "
               f"was with `mozaik run {run_dir}`, or choose a new run directory (--out)")
        raise ConfigError(msg)
    if mode == "a":
        close_out_dead_sessions(store)
    return ExistingRun(store)


def _empty(run_dir: Path) -> None:
    """Remove everything but the log from a run directory that holds no results."""
    for path in run_dir.iterdir():
        if path.name in (LOG_FILE, _LOCK_FILE):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def create_store(run_dir: Path, study: Study, pm: PluginManager, session: Session,
                 stale: DataStore | None = None) -> DataStore:
    """Create the run's store, holding its writer lock, before the network is built.

    The manifest holds the resolved configuration, provenance, status ``building`` and
    ``session`` (recorded as its first session); the plan is added once the network is built.
    ``stale``: an open store of ``run_dir`` holding no results, emptied first.

    Raises
    ------
    StoreLockedError
        Another process took ``run_dir`` first.
    """
    if stale is not None:
        stale.close()
        _empty(run_dir)
    manifest = {
        "study": study.name,
        "config": study.resolved,
        "config_file": str(study.tree.root),
        "simulator": study.simulator.backend,
        "seeds": study.simulator.seeds,
        "status": "building",
        "sessions": [session.begin(stored=0, status="building")],
        "workflow": {},
        "provenance": run_provenance(pm.provenance(), study.simulator.backend),
    }
    model_dir = study.tree.root.parent if study.tree.root.exists() else None
    store = DataStore.create(run_dir, manifest=manifest, model_dir=model_dir,
                             registry=study.registry)
    session.index = 0
    return store


def discard_created(run_dir: Path, *, existed: bool) -> None:
    """Remove what :func:`create_store` made in ``run_dir`` (closed, holding no results):
    the whole directory if it did not exist before (``existed``), else all but its log."""
    if not run_dir.is_dir():
        return
    if existed:
        _empty(run_dir)
        (run_dir / _LOCK_FILE).unlink(missing_ok=True)
    else:
        shutil.rmtree(run_dir, ignore_errors=True)


def _stored(store: DataStore) -> int:
    """Presentations (not blanks) in ``store``."""
    return len(store.presentations())


def _last_write(store: DataStore, since: str) -> str | None:
    """ISO time of the newest file a session started at ``since`` wrote (manifest, payloads,
    neurons, results), or None if it wrote none."""
    newest = 0.0
    root = store.root
    candidates = [store.manifest_path]
    for sub in ("spikes", "analog", "neurons", "ads/payloads"):
        folder = root / sub
        if folder.is_dir():
            candidates.extend(folder.iterdir())
    for path in candidates:
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:
            continue
    if not newest:
        return None
    when = datetime.fromtimestamp(newest, tz=UTC)
    try:
        started = datetime.fromisoformat(since)
    except (TypeError, ValueError):
        started = None
    if started is not None and started.tzinfo is not None and when < started:
        return None
    return when.isoformat(timespec="seconds")


def close_out_dead_sessions(store: DataStore) -> list[int]:
    """Record as ``killed`` every session ``store``'s manifest shows ``building`` or
    ``running``; the indices of those sessions.

    Only call this holding the writer lock (``store`` open for appending): then no live
    process is running those sessions, so each ended without recording its outcome. What is
    known is recorded: ``presented`` (presentations stored since it started, when it recorded
    how many were stored then), ``last_write`` (the newest file written since it started; its
    real end is unknown, so ``finished`` stays null).
    """
    sessions = list(store.manifest.get("sessions") or [])
    dead = [i for i, s in enumerate(sessions)
            if isinstance(s, dict) and s.get("status") in _UNFINISHED]
    if not dead or not store.writable:
        return []
    stored = _stored(store)
    for i in dead:
        record = dict(sessions[i])
        before = record.get("stored_before")
        record.update(status="killed", finished=None,
                      last_write=_last_write(store, str(record.get("started"))),
                      ended_in=record.get("status"),
                      presented=max(0, stored - before) if isinstance(before, int) else None)
        sessions[i] = record
    store.update_manifest(sessions=sessions)
    return dead


@attrs.define
class Session:
    """One call of ``run_study``, recorded in the manifest's ``sessions`` list.

    :meth:`start` appends it (status ``building``, or ``running`` for a complete run that
    only runs analyses); :meth:`save` rewrites it in place.
    """

    resumed: bool
    index: int = -1
    fields: dict[str, Any] = attrs.field(factory=dict)

    def begin(self, stored: int, status: str) -> dict[str, Any]:
        """Its first record: start time, process, presentations stored before it."""
        self.fields.update(started=now_iso(), status=status, resumed=self.resumed,
                           pid=os.getpid(), host=platform.node(), stored_before=stored)
        return dict(self.fields)

    def start(self, store: DataStore, status: str = "running") -> None:
        """Append this session to ``store``'s manifest as ``status``."""
        sessions = list(store.manifest.get("sessions") or [])
        self.index = len(sessions)
        record = self.begin(stored=_stored(store), status=status)
        store.update_manifest(sessions=[*sessions, record], status=status)

    def mark(self, store: DataStore, status: str) -> None:
        """Record a new status of this still unfinished session (``running``)."""
        self._write(store, status)

    def save(self, store: DataStore, status: str, **extra: Any) -> None:
        """Record this session as ``status`` (with ``extra`` fields) in the manifest."""
        if self.index < 0:
            self.start(store)
        self.fields.update(finished=now_iso(), **extra)
        self._write(store, status, end=status == "complete")

    def _write(self, store: DataStore, status: str, *, end: bool = False) -> None:
        sessions = list(store.manifest.get("sessions") or [])
        self.fields["status"] = status
        sessions[self.index] = dict(self.fields)
        update: dict[str, Any] = {"sessions": sessions, "status": status}
        if end:
            update["end_time"] = now_iso()
        store.update_manifest(**update)
