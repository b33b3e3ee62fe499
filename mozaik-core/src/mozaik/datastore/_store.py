"""DataStore: a run directory opened for reading or appending."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mozaik._errors import (
    DataStoreError,
    DuplicateResultError,
    ReadOnlyStoreError,
)
from mozaik.ads import AnalysisDataStructure, ads_provider
from mozaik.datastore import _format as fmt
from mozaik.datastore._indexlog import (
    IndexLog,
    next_id,
    remove_leftovers,
    remove_replaced_payloads,
    stimuli_table,
)
from mozaik.datastore._lock import WriterLock
from mozaik.datastore._neo import sheet_recording_from_segment
from mozaik.datastore._neurons import neurons_table, same_neurons, with_annotation
from mozaik.datastore._parts import (
    PartWriting,
    expand_parts,
    merge_part_fragments,
    part_fragment,
)
from mozaik.datastore._reader import StoreReader, check_index_paths
from mozaik.datastore._view import DataStoreView
from mozaik.datastore._writer import (
    SheetRecording,
    ads_index_row,
    check_ads_parameters,
    presentation_index,
    presentation_key,
    write_payload,
)
from mozaik.plugin import Registry, get_registry
from mozaik.stimulus import StimulusIdentity

__all__ = ["DataStore"]


class DataStore(PartWriting, DataStoreView):
    """A Mozaik run directory: recordings, neurons, stimuli and analysis results.

    Create one with :meth:`create`, open one with :meth:`open`. A store is also a view of
    everything in it, so every query and accessor of :class:`DataStoreView` works on it.
    One process at a time may hold a store writable (an OS lock enforces it); any number may
    read it, also while it is being written (call :meth:`reload` to see new presentations).
    """

    def __init__(self, root: Path, mode: Literal["r", "a"], manifest: dict[str, Any], *,
                 lock: WriterLock | None = None, registry: Registry | None = None) -> None:
        self.root = root
        self._registry = registry
        self._mode = mode
        self._manifest = manifest
        self._lock: WriterLock | None = None
        self._segments_log = IndexLog(
            root, fmt.SEGMENTS, fmt.SEGMENT_FRAGMENTS, "presentation_id", fmt.SEGMENT_COLUMNS
        )
        self._ads_log = IndexLog(
            root, fmt.ADS_INDEX, fmt.ADS_FRAGMENTS, "ads_id", fmt.ADS_COLUMNS, last_of="ads_key"
        )
        self._reader = StoreReader(root, lambda: self.registry)
        super().__init__(self, None, None)
        if mode == "a":
            fmt.refuse_links(root)
            self._lock = lock if lock is not None else WriterLock(root)
        self.reload()
        if mode == "a":
            self._recover()

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(
        cls,
        run_dir: str | os.PathLike[str],
        manifest: Mapping[str, Any] | None = None,
        *,
        model_dir: str | os.PathLike[str] | None = None,
        registry: Registry | None = None,
    ) -> DataStore:
        """Create a new, writable store in ``run_dir`` (created if missing).

        Parameters
        ----------
        run_dir : path
            The run directory; it must not already hold a store.
        manifest : mapping, optional
            JSON-able fields recorded in ``manifest.json``, typically ``config`` (the fully
            resolved configuration), ``simulator``, ``simulator_version``. ``provenance`` is
            merged over what :func:`collect_provenance` finds (host, distribution versions).
        model_dir : path, optional
            The model folder; its git commit is recorded when it is in a git work tree.
        registry : Registry, optional
            Where the classes of analysis results are looked up (:attr:`registry`).

        Raises
        ------
        DataStoreError
            If ``run_dir`` already holds a store (open it with ``DataStore.open(run_dir, "a")``
            to resume).
        StoreLockedError
            If another process holds ``run_dir``'s writer lock (it is creating a store there).
        """
        root = Path(run_dir)
        if DataStore.is_store(root):
            msg = (
                f"{root} already holds a datastore; open it with DataStore.open({str(root)!r}, "
                f"mode='a') to resume the run, or choose a new run directory"
            )
            raise DataStoreError(msg)
        root.mkdir(parents=True, exist_ok=True)
        fmt.refuse_links(root)
        lock = WriterLock(root)  # before the manifest: two creators never both write one
        try:
            if DataStore.is_store(root):
                msg = f"{root} already holds a datastore (created just now by another process)"
                raise DataStoreError(msg)
            data = fmt.new_manifest(root, manifest or {}, model_dir=model_dir)
            fmt.write_json_atomic(data, root / fmt.MANIFEST)
            return cls(root, "a", fmt.read_manifest(root), lock=lock, registry=registry)
        except BaseException:
            lock.release(remove=not DataStore.is_store(root))
            raise

    @staticmethod
    def is_store(path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` is a directory holding a datastore (its manifest exists)."""
        return (Path(path) / fmt.MANIFEST).is_file()

    @property
    def registry(self) -> Registry:
        """Where the classes of stored analysis results are looked up: the registry given to
        :meth:`open` / :meth:`create` (a run's: its study's), else the installed plugins'."""
        if self._registry is None:
            self._registry = get_registry()
        return self._registry

    @property
    def manifest_path(self) -> Path:
        """The store's JSON manifest."""
        return self.root / fmt.MANIFEST

    @classmethod
    def open_part(cls, run_dir: str | os.PathLike[str], part: int, parts: int, *,
                  registry: Registry | None = None) -> DataStore:
        """Open a store to write part ``part`` (1 .. ``parts`` - 1) of every presentation.

        One network distributed over ``parts`` processes (MPI ranks) is stored in parts: each
        process writes the recordings of its own neurons. The process holding the store
        (``mode="a"``) writes part 0 (:meth:`write_in_parts`), writes everything else
        (neurons, manifest, results) and merges the parts (:meth:`merge_parts`); a part store
        only writes presentations, takes no writer lock and sees the index as it was opened.

        Raises
        ------
        DataStoreError
            If ``part`` is not in 1 .. ``parts`` - 1.
        """
        if not 0 < part < parts:
            msg = (f"part {part} of {parts}: a part store writes part 1 .. {parts - 1}; part 0 "
                   "is written by the store's writer (DataStore.open(..., 'a').write_in_parts)")
            raise DataStoreError(msg)
        store = cls.open(run_dir, mode="r", registry=registry)
        store._part = (part, parts)
        return store

    @classmethod
    def open(cls, run_dir: str | os.PathLike[str], mode: Literal["r", "a"] = "r", *,
             registry: Registry | None = None) -> DataStore:
        """Open an existing store, reading only its manifest and index tables.

        Parameters
        ----------
        run_dir : path
            The run directory.
        mode : {"r", "a"}
            ``"r"`` read-only; ``"a"`` append (resume an interrupted run): incomplete writes of
            a crashed writer are removed and the index is compacted.
        registry : Registry, optional
            Where the classes of analysis results are looked up (:attr:`registry`).

        Raises
        ------
        DataStoreFormatError
            If ``run_dir`` is not a store, has a newer format version, or an index file is
            damaged.
        """
        if mode not in ("r", "a"):
            msg = f"mode must be 'r' (read) or 'a' (append), got {mode!r}"
            raise DataStoreError(msg)
        root = Path(run_dir)
        return cls(root, mode, fmt.read_manifest(root), registry=registry)

    def reload(self) -> None:
        """Re-read the index tables (e.g. to see presentations another process appended)."""
        self._segments_log.load()
        self._ads_log.load()
        self._reader.forget()
        check_index_paths(self.root, self.segment_index, self.analysis_index)
        seg, ads = self.segment_index, self.analysis_index
        self._presented = set(
            zip(seg["stimulus_id"].to_pylist(), seg["trial"].to_pylist(),
                seg["is_null"].to_pylist(), strict=True)
        )
        self._next_presentation = next_id(seg["presentation_id"])
        self._next_segment = next_id(seg["segment_id"])
        self._ads_keys = dict(
            zip(ads["ads_key"].to_pylist(), ads["ads_id"].to_pylist(), strict=True)
        )
        self._next_ads = next_id(ads["ads_id"])

    def _recover(self) -> None:
        """Merge presentations all parts wrote, remove what a crashed writer left half-done,
        then compact the index."""
        if merge_part_fragments(self.root, set(self.segment_index["presentation_id"]
                                               .to_pylist()), drop_incomplete=True):
            self.reload()
        remove_leftovers(self.root, set(self.segment_index["presentation_id"].to_pylist()))
        self.compact()

    def close(self) -> None:
        """Compact the index (if writable), release the writer lock and remove its file.

        The lock is released even when compacting fails (a full disk, a folder made read-only):
        the error is raised after. Idempotent.
        """
        if self._lock is not None:
            try:
                self.compact()
            finally:
                self._lock.release(remove=True)
                self._lock = None
                self._mode = "r"

    def free_reserve(self) -> None:
        """Delete the space a writer keeps in reserve (``.writer.reserve``), so that after a
        write failed on a full disk the failure can still be recorded in the manifest."""
        if self._lock is not None:
            self._lock.free_reserve()

    def abandon(self) -> None:
        """Close after a failed write, without raising: remove what can be removed of
        unfinished writes (``.tmp`` files), compact the index if that still works, release
        the writer lock. Every committed presentation and result stays as it is; what could
        not be removed is removed when the store is next opened for appending."""
        if self._lock is None:
            return
        with contextlib.suppress(OSError):
            for tmp in self.root.rglob("*" + fmt.TMP_SUFFIX):
                fmt.discard_tmp(tmp)
        with contextlib.suppress(Exception):
            self.compact()
        self._lock.release(remove=True)
        self._lock = None
        self._mode = "r"

    def __enter__(self) -> DataStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()  # closing must not replace the error that ends the block

    def compact(self) -> None:
        """Fold the per-write index fragments into single files (speeds up opening)."""
        self._check_writable("compact")
        self._segments_log.compact()
        self._ads_log.compact()
        remove_replaced_payloads(self.root, set(self.analysis_index["payload_file"].to_pylist()))
        if self.segment_index.num_rows:
            fmt.write_table_atomic(stimuli_table(self.segment_index), self.root / fmt.STIMULI)

    def consolidate(self) -> None:
        """Bring the store to its finished form: no ``.tmp`` file, no unmerged fragment.

        Removes temporary files of interrupted writes and payloads no index row names, folds
        every index fragment into ``segments.parquet`` / ``ads/index.parquet`` (both written
        even when empty, so generic readers always find them) and rewrites ``stimuli.parquet``.
        :meth:`update_manifest` calls it when it sets ``status="complete"``.
        """
        self._check_writable("consolidate")
        self._recover()

    # ------------------------------------------------------------------ properties
    @property
    def mode(self) -> str:
        """``"a"`` while writable, ``"r"`` otherwise."""
        return self._mode

    @property
    def writable(self) -> bool:
        """Whether this process may write to the store."""
        return self._mode == "a" and self._lock is not None

    @property
    def reader(self) -> StoreReader:
        """The reader of this store's files (neuron tables, payloads, segments, results)."""
        return self._reader

    @property
    def manifest(self) -> dict[str, Any]:
        """A copy of the manifest (format, provenance, configuration, times)."""
        copied: dict[str, Any] = json.loads(json.dumps(self._manifest))
        return copied

    @property
    def segment_index(self) -> pa.Table:
        """Every row of the segment index (see ``docs/datastore-format.md``)."""
        return self._segments_log.table

    @property
    def analysis_index(self) -> pa.Table:
        """Every current row of the ADS index (a replaced result's old row is dropped)."""
        return self._ads_log.table

    def sheets(self) -> list[str]:
        """Sorted names of every sheet with neurons, recordings or results."""
        return sorted(set(super().sheets()) | set(self._reader.sheet_names()))

    def full_view(self) -> DataStoreView:
        """A view of everything in the store now (later writes do not show in it)."""
        return DataStoreView(self, self.segment_index, self.analysis_index)

    def _check_writable(self, what: str) -> None:
        if not self.writable:
            msg = (
                f"cannot {what}: {self.root} is open read-only; open it with "
                f"DataStore.open(..., mode='a') to append"
            )
            raise ReadOnlyStoreError(msg)

    # ------------------------------------------------------------------ manifest
    def update_manifest(self, **fields: Any) -> None:
        """Set top-level manifest fields (e.g. ``end_time``) and rewrite the file atomically.

        Setting ``status="complete"`` first consolidates the store (:meth:`consolidate`), so a
        run whose manifest says complete has no ``.tmp`` file and no unmerged index fragment.
        """
        self._check_writable("update the manifest")
        reserved = {"format", "format_version", "key_order"} & set(fields)
        if reserved:
            msg = (
                f"manifest fields {sorted(reserved)} are managed by the datastore and cannot be set"
            )
            raise DataStoreError(msg)
        if fields.get("status") == "complete":
            self.consolidate()
        data = {**self._manifest, **fields}
        fmt.write_json_atomic(data, self.manifest_path)
        self._manifest = json.loads(json.dumps(data, default=fmt.json_default))

    # ------------------------------------------------------------------ neurons
    def write_neurons(
        self,
        sheet: str,
        ids: np.ndarray,
        positions_um: np.ndarray,
        annotations: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Record the neurons of a sheet.

        Parameters
        ----------
        sheet : str
            Sheet name.
        ids : int array of shape (n,)
            PyNN ids of the neurons (``population.all_cells``); the neuron's position in this
            array is its index within the sheet, the neuron key everywhere else in the store.
        positions_um : float array of shape (n, 2) or (n, 3), um
            Neuron positions.
        annotations : mapping of str to array of shape (n,), optional
            Per-neuron annotations such as assigned orientation preference.

        Raises
        ------
        DataStoreError
            If the sheet's neurons were already written with different ids or positions.
        """
        self._check_writable("write neurons")
        table = neurons_table(sheet, ids, positions_um)
        if self._reader.has_neurons(sheet):
            table = same_neurons(self._reader.neurons(sheet), table, sheet)
        for name, values in (annotations or {}).items():
            table = with_annotation(table, sheet, name, values)
        self._write_neurons_table(sheet, table)

    def set_neuron_annotation(self, sheet: str, name: str, values: np.ndarray) -> None:
        """Set (or replace) one per-neuron annotation of ``sheet``, e.g. ``"orientation"``."""
        self._check_writable("annotate neurons")
        table = with_annotation(self._reader.neurons(sheet), sheet, name, values)
        self._write_neurons_table(sheet, table)

    def _write_neurons_table(self, sheet: str, table: pa.Table) -> None:
        table = table.replace_schema_metadata({"mozaik.sheet": sheet})
        fmt.write_table_atomic(table, self.root / fmt.sheet_file(sheet))
        self._reader.remember_neurons(sheet, table)

    # ------------------------------------------------------------------ presentations
    def has_presentation(
        self, stimulus: StimulusIdentity, trial: int, *, null: bool = False
    ) -> bool:
        """Whether ``stimulus`` at ``trial`` is recorded (blank segment if ``null``)."""
        return (stimulus.to_string(), int(trial), bool(null)) in self._presented

    def write_presentation(
        self,
        stimulus: StimulusIdentity,
        trial: int,
        segments: Mapping[str, Any],
        *,
        is_null: bool = False,
        t_start: float | None = None,
        t_stop: float | None = None,
    ) -> int:
        """Store the recordings of one stimulus presentation, atomically and durably.

        Parameters
        ----------
        stimulus : StimulusIdentity
            The stimulus presented.
        trial : int
            Trial number.
        segments : mapping of str to neo.Segment
            Sheet name to the segment PyNN's ``population.get_data().segments[...]`` returned.
        is_null : bool
            Whether this is a blank (null) segment, i.e. the blank period around a stimulus.
        t_start, t_stop : float, ms, optional
            Time span of the presentation in absolute simulation time; default: the span of
            the recorded data.

        Returns
        -------
        int
            The presentation id.

        Raises
        ------
        ReadOnlyStoreError
            If the store is open read-only.
        DuplicatePresentationError
            If this (stimulus, trial, is_null) is already stored.
        """
        recordings = {
            sheet: sheet_recording_from_segment(seg, sheet, self._reader.neuron_ids(sheet))
            for sheet, seg in segments.items()
        }
        return self.write_presentation_arrays(
            stimulus, trial, recordings, is_null=is_null, t_start=t_start, t_stop=t_stop
        )

    def write_presentation_arrays(
        self,
        stimulus: StimulusIdentity,
        trial: int,
        recordings: Mapping[str, SheetRecording],
        *,
        is_null: bool = False,
        t_start: float | None = None,
        t_stop: float | None = None,
    ) -> int:
        """Like :meth:`write_presentation`, from plain arrays (:class:`SheetRecording`)."""
        if self._part is None or self._part[0] == 0:
            self._check_writable("write a presentation")
        key = presentation_key(stimulus, trial, recordings, is_null, self._presented, self.root)
        pid = self._next_presentation
        sheets = list(recordings)
        seg_ids = [self._next_segment + i for i in range(len(sheets))]
        part = None if self._part is None else self._part[0]
        payloads = {
            kind: write_payload(self.root, kind, pid, [
                recordings[s].payload_table(kind, i) for s, i in zip(sheets, seg_ids, strict=True)
            ], part)
            for kind in (fmt.SPIKES, fmt.ANALOG)
        }
        fragment = presentation_index(
            stimulus, trial, is_null, (pid, seg_ids), recordings, (t_start, t_stop), payloads
        )
        # the rename of the index fragment is the commit point of the presentation (of its
        # part, when written in parts: merge_parts commits the whole)
        if self._part is None:
            fmt.write_table_atomic(fragment, self._segments_log.fragment_path(pid, "p"))
            self._segments_log.append(fragment)
        else:
            fmt.write_table_atomic(part_fragment(fragment, *self._part), self.root /
                                   fmt.presentation_file(fmt.PART_FRAGMENTS, pid, part))
        self._presented.add(key)
        self._next_presentation = pid + 1
        self._next_segment += len(sheets)
        return pid

    # ------------------------------------------------------------------ analysis results
    def add_analysis_result(self, ads: AnalysisDataStructure, replace: bool = False,
                            provenance: Mapping[str, str] | None = None) -> int:
        """Store an analysis result.

        Parameters
        ----------
        ads : AnalysisDataStructure
            The result.
        replace : bool
            Replace a stored result equal to ``ads`` (same identifier, parameters and tags)
            instead of raising.
        provenance : mapping, optional
            Index columns ``workflow_step`` and ``analysis_params`` (text) naming the workflow
            step that made the result and its declaration (the workflow fills them).

        Returns
        -------
        int
            The id of the stored result.

        Raises
        ------
        DuplicateResultError
            If an equal result is stored and ``replace`` is False.
        AnalysisDataStructureError
            If no plugin registers the result's class (``mozaik_analysis_data_structures``).
        """
        self._check_writable("add an analysis result")
        if not isinstance(ads, AnalysisDataStructure):
            msg = f"expected an AnalysisDataStructure, got {type(ads).__name__}"
            raise DataStoreError(msg)
        # refuses a class no plugin registers, before anything is written
        ads_provider(type(ads), self.registry)
        key = ads.key()
        if key in self._ads_keys and not replace:
            old = self._ads_keys[key]
            row = self.analysis_index.filter(pc.equal(self.analysis_index["ads_id"], old))
            stored = row["parameters"][0].as_py() if row.num_rows else "?"
            msg = (
                f"an equal analysis result is already stored: new {ads!r} equals stored result "
                f"#{old} ({stored}, tags {list(ads.tags)}). Pass replace=True to replace it, or "
                f"set a distinguishing parameter or tag"
            )
            raise DuplicateResultError(msg)
        check_ads_parameters(ads)
        aid = self._next_ads
        rel = f"{fmt.ADS_PAYLOADS}/a{aid:08d}.parquet"
        fmt.write_table_atomic(ads.payload_table(), self.root / rel)
        fragment = ads_index_row(ads, aid, key, rel, provenance, registry=self.registry)
        fmt.write_table_atomic(fragment, self._ads_log.fragment_path(aid, "a"))
        self._ads_log.append(fragment)
        self._ads_keys[key] = aid
        self._next_ads = aid + 1
        return aid

    def remove_analysis_results(self, ads_ids: Collection[int]) -> int:
        """Remove analysis results by id, in one atomic rewrite of the ADS index.

        The index fragments are folded into ``ads/index.parquet`` first, then that file is
        rewritten without the removed rows (the rename is the commit: a crash leaves either
        every row or none of the removed ones), then their payloads are deleted.

        Returns
        -------
        int
            The number of results removed (ids not in the index are ignored).
        """
        self._check_writable("remove analysis results")
        gone = set(int(i) for i in ads_ids) & set(self.analysis_index["ads_id"].to_pylist())
        if not gone:
            return 0
        self._ads_log.compact()
        self._ads_log.drop(gone)
        remove_replaced_payloads(self.root, set(self.analysis_index["payload_file"].to_pylist()))
        self._ads_keys = {k: v for k, v in self._ads_keys.items() if v not in gone}
        return len(gone)

    def remove_presentations(self, presentation_ids: Collection[int]) -> int:
        """Remove presentations by id (e.g. :func:`damaged_presentations`), so that a run can
        simulate them again.

        The index fragments are folded into ``segments.parquet`` first, then that file is
        rewritten without the removed rows (the rename is the commit), then their payload files
        are deleted.

        Returns
        -------
        int
            The number of presentations removed (ids not in the index are ignored).
        """
        self._check_writable("remove presentations")
        seg = self.segment_index
        gone = set(int(i) for i in presentation_ids) & set(seg["presentation_id"].to_pylist())
        if not gone:
            return 0
        rows = seg.filter(pc.is_in(seg["presentation_id"], pa.array(sorted(gone), pa.int64())))
        files = expand_parts(rows) if "parts" in rows.column_names else rows
        payloads = {r for k in ("spikes_file", "analog_file") for r in files[k].to_pylist() if r}
        self._segments_log.compact()
        self._segments_log.drop(gone)
        for rel in sorted(payloads):
            (self.root / rel).unlink(missing_ok=True)
        if self.segment_index.num_rows:
            fmt.write_table_atomic(stimuli_table(self.segment_index), self.root / fmt.STIMULI)
        self.reload()
        return len(gone)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            if self._lock is not None:
                self._lock.release(remove=False)

