"""The run directory's lifecycle: checked before the build, created after it, sessions recorded.

A run directory is created only once the network and its experiments are built, so a study that
does not validate (bad parameters found while building) leaves no run directory behind. An
existing run directory is checked first: it must hold a run of the same configuration, unless
it holds no stored presentation and no analysis result, in which case it is emptied (its log is
kept) and reused for the corrected study. Each call of ``run_study`` is one *session* recorded
in the manifest's ``sessions`` list with its outcome, counts and timings.
"""

from __future__ import annotations

import shutil
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

__all__ = ["ExistingRun", "Session", "create_store", "is_run_dir", "open_existing",
           "study_from_run_dir"]


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
    with DataStore.open(run_dir, mode="r") as store:
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
        again (:func:`create_store`) once the network is built.
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

    Returns None for a missing or empty folder (a folder holding only a log counts as empty).
    ``mode="r"``: only look (an MPI rank other than 0, after rank 0 opened it for writing).

    Raises
    ------
    ConfigError
        ``run_dir`` holds other files, or a run of another configuration with stored
        presentations, or a run of an older datastore format.
    """
    if not is_run_dir(run_dir):
        others = [p.name for p in run_dir.iterdir() if p.name != LOG_FILE] if (
            run_dir.is_dir()) else []
        if others:
            msg = (f"{run_dir} exists, is not empty and holds no Mozaik datastore; choose an "
                   "empty or new run directory (--out)")
            raise ConfigError(msg)
        return None
    store = DataStore.open(run_dir, mode=mode)
    version = store.manifest.get("format_version")
    old = not isinstance(version, int) or version < RESUMABLE_VERSION
    stored = store.manifest.get("config")
    diffs = config_differences(stored, study.resolved, ordered="key_order" in store.manifest
                               ) if stored is not None else []
    if not _holds_results(store):
        return ExistingRun(store, stale=bool(diffs) or old)
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
    return ExistingRun(store)


def _empty(run_dir: Path) -> None:
    """Remove everything but the log from a run directory that holds no results."""
    for path in run_dir.iterdir():
        if path.name == LOG_FILE:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def create_store(run_dir: Path, study: Study, pm: PluginManager, plan: list[dict[str, Any]],
                 stale: DataStore | None = None) -> DataStore:
    """Create the run's store with its manifest (configuration, provenance, plan).

    ``stale``: an open store of ``run_dir`` holding no results, emptied first.
    """
    if stale is not None:
        stale.close()
        _empty(run_dir)
    manifest = {
        "study": study.name,
        "config": study.resolved,
        "config_file": str(study.tree.root),
        "simulator": study.simulator.backend,
        "status": "created",
        "sessions": [],
        "workflow": {},
        "plan": plan,
        "provenance": run_provenance(pm.provenance(), study.simulator.backend),
    }
    model_dir = study.tree.root.parent if study.tree.root.exists() else None
    return DataStore.create(run_dir, manifest=manifest, model_dir=model_dir)


@attrs.define
class Session:
    """One call of ``run_study``, recorded in the manifest's ``sessions`` list.

    :meth:`start` appends it (status ``running``); :meth:`save` rewrites it in place.
    """

    resumed: bool
    index: int = -1
    fields: dict[str, Any] = attrs.field(factory=dict)

    def start(self, store: DataStore) -> None:
        sessions = list(store.manifest.get("sessions") or [])
        self.index = len(sessions)
        self.fields.update(started=now_iso(), status="running", resumed=self.resumed)
        store.update_manifest(sessions=[*sessions, dict(self.fields)], status="running")

    def save(self, store: DataStore, status: str, **extra: Any) -> None:
        """Record this session as ``status`` (with ``extra`` fields) in the manifest."""
        if self.index < 0:
            self.start(store)
        sessions = list(store.manifest.get("sessions") or [])
        self.fields.update(status=status, finished=now_iso(), **extra)
        sessions[self.index] = dict(self.fields)
        update: dict[str, Any] = {"sessions": sessions, "status": status}
        if status == "complete":
            update["end_time"] = now_iso()
        store.update_manifest(**update)
