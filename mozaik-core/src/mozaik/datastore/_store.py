"""DataStore: a run directory opened for reading or appending."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mozaik._errors import (
    DataStoreError,
    DataStoreFormatError,
    DuplicatePresentationError,
    DuplicateResultError,
    ReadOnlyStoreError,
)
from mozaik.ads import AnalysisDataStructure, ads_provider
from mozaik.datastore import _format as fmt
from mozaik.datastore._view import DataStoreView, build_segment, load_ads
from mozaik.datastore._writer import SheetRecording, sheet_recording_from_segment
from mozaik.stimulus import StimulusIdentity

__all__ = ["DataStore"]

_NEURON_FIXED = ("sheet_name", "index", "id", "x", "y", "z")


def _scalar_column(value: Any, n: int) -> pa.Array:
    if value is None:
        return pa.nulls(n)
    return pa.array([value] * n)


def _stimulus_columns(sid: StimulusIdentity | None, n: int) -> dict[str, pa.Array]:
    if sid is None:
        return {}
    return {fmt.ST_PREFIX + k: _scalar_column(v, n) for k, v in sid.params.items()}


class _IndexLog:
    """An index table kept as a consolidated file plus one committed fragment per write.

    A fragment's atomic rename is the commit of the write it belongs to. ``compact`` folds the
    fragments into the consolidated file (rename first, delete fragments after), so readers
    take the union and drop fragments whose ids the consolidated file already holds.
    """

    def __init__(self, root: Path, consolidated: str, fragments: str, id_column: str) -> None:
        self.root = root
        self.consolidated = root / consolidated
        self.fragments = root / fragments
        self.id_column = id_column

    def fragment_path(self, ident: int, prefix: str) -> Path:
        return self.fragments / f"{prefix}{ident:08d}.parquet"

    def read(self) -> pa.Table | None:
        tables = []
        have: set[int] = set()
        if self.consolidated.exists():
            base = fmt.read_table(self.consolidated)
            have = set(base[self.id_column].to_pylist())
            tables.append(base)
        if self.fragments.is_dir():
            for path in sorted(self.fragments.glob("*.parquet")):
                ident = fmt.id_from_file(path.name)
                if ident is None or ident in have:
                    continue
                tables.append(fmt.read_table(path))
        return fmt.concat_tables(tables)

    def compact(self, table: pa.Table | None) -> None:
        if table is None or not self.fragments.is_dir():
            return
        fragments = sorted(self.fragments.glob("*.parquet"))
        if not fragments:
            return
        fmt.write_table_atomic(table.combine_chunks(), self.consolidated)
        for path in fragments:
            path.unlink(missing_ok=True)
        fmt.fsync_dir(self.fragments)


class DataStore(DataStoreView):
    """A Mozaik run directory: recordings, neurons, stimuli and analysis results.

    Create one with :meth:`create`, open one with :meth:`open`. A store is also a view of
    everything in it, so every query and accessor of :class:`DataStoreView` works on it.
    One process at a time may hold a store writable (an OS lock enforces it); any number may
    read it, also while it is being written (call :meth:`reload` to see new presentations).
    """

    def __init__(self, root: Path, mode: Literal["r", "a"], manifest: dict[str, Any]) -> None:
        self.root = root
        self._mode = mode
        self._manifest = manifest
        self._lock_fh: Any = None
        self._segments_log = _IndexLog(root, fmt.SEGMENTS, fmt.SEGMENT_FRAGMENTS, "presentation_id")
        self._ads_log = _IndexLog(root, fmt.ADS_INDEX, fmt.ADS_FRAGMENTS, "ads_id")
        self._neuron_cache: dict[str, pa.Table] = {}
        self._seg_parts: list[pa.Table] = []
        self._ads_parts: list[pa.Table] = []
        self._seg_cache: pa.Table | None = None
        self._ads_cache: pa.Table | None = None
        super().__init__(self, None, None)
        if mode == "a":
            self._acquire_lock()
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

        Raises
        ------
        DataStoreError
            If ``run_dir`` already holds a store (open it with ``DataStore.open(run_dir, "a")``
            to resume).
        """
        root = Path(run_dir)
        if DataStore.is_store(root):
            msg = (
                f"{root} already holds a datastore; open it with DataStore.open({str(root)!r}, "
                f"mode='a') to resume the run, or choose a new run directory"
            )
            raise DataStoreError(msg)
        root.mkdir(parents=True, exist_ok=True)
        fields = dict(manifest or {})
        provenance = fmt.collect_provenance(model_dir=model_dir)
        provenance.update(fields.pop("provenance", {}) or {})
        data = {
            "format": fmt.FORMAT_NAME,
            "format_version": fmt.FORMAT_VERSION,
            "start_time": fmt.now_iso(),
            "end_time": None,
            "provenance": provenance,
            **fields,
        }
        try:
            json.dumps(data, default=fmt._json_default)
        except TypeError as exc:
            msg = f"manifest for {root} is not JSON-serialisable: {exc}"
            raise DataStoreError(msg) from exc
        fmt.write_json_atomic(data, root / fmt.MANIFEST)
        return cls(root, "a", fmt.read_manifest(root))

    @staticmethod
    def is_store(path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` is a directory holding a datastore (its manifest exists)."""
        return (Path(path) / fmt.MANIFEST).is_file()

    @property
    def manifest_path(self) -> Path:
        """The store's JSON manifest."""
        return self.root / fmt.MANIFEST

    @classmethod
    def open(cls, run_dir: str | os.PathLike[str], mode: Literal["r", "a"] = "r") -> DataStore:
        """Open an existing store, reading only its manifest and index tables.

        Parameters
        ----------
        run_dir : path
            The run directory.
        mode : {"r", "a"}
            ``"r"`` read-only; ``"a"`` append (resume an interrupted run): incomplete writes of
            a crashed writer are removed and the index is compacted.

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
        return cls(root, mode, fmt.read_manifest(root))

    def reload(self) -> None:
        """Re-read the index tables (e.g. to see presentations another process appended)."""
        seg = self._segments_log.read()
        ads = self._ads_log.read()
        self._seg_parts = [seg] if seg is not None else []
        self._ads_parts = [_keep_last(ads)] if ads is not None else []
        self._seg_cache = None
        self._ads_cache = None
        self._neuron_cache.clear()
        self._presented = {
            (s, int(t), bool(n))
            for s, t, n in zip(
                self.segment_index["stimulus_id"].to_pylist(),
                self.segment_index["trial"].to_pylist(),
                self.segment_index["is_null"].to_pylist(),
                strict=True,
            )
        }
        ids = self.segment_index["presentation_id"]
        self._next_presentation = (pc.max(ids).as_py() + 1) if len(ids) else 0
        sids = self.segment_index["segment_id"]
        self._next_segment = (pc.max(sids).as_py() + 1) if len(sids) else 0
        self._ads_keys = dict(
            zip(
                self.analysis_index["ads_key"].to_pylist(),
                self.analysis_index["ads_id"].to_pylist(),
                strict=True,
            )
        )
        aids = self.analysis_index["ads_id"]
        self._next_ads = (pc.max(aids).as_py() + 1) if len(aids) else 0

    def _acquire_lock(self) -> None:
        path = self.root / fmt.LOCK
        fh = open(path, "a+")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            msg = (
                f"{self.root} is being written by another process (pid {holder}); open it with "
                f"mode='r' to read, or wait for that process to finish"
            )
            raise DataStoreError(msg) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._lock_fh = fh

    def _recover(self) -> None:
        """Remove what a crashed writer left half-done, then compact the index."""
        for tmp in self.root.rglob("*" + fmt.TMP_SUFFIX):
            tmp.unlink(missing_ok=True)
        committed = set(self.segment_index["presentation_id"].to_pylist())
        for kind in (fmt.SPIKES, fmt.ANALOG):
            d = self.root / kind
            if d.is_dir():
                for path in d.glob("*.parquet"):
                    ident = fmt.id_from_file(path.name)
                    if ident is not None and ident not in committed:
                        path.unlink()
        self.compact()

    def close(self) -> None:
        """Compact the index (if writable) and release the writer lock. Idempotent."""
        if self._lock_fh is not None:
            self.compact()
            self._lock_fh.close()
            self._lock_fh = None
            self._mode = "r"

    def __enter__(self) -> DataStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def compact(self) -> None:
        """Fold the per-write index fragments into single files (speeds up opening)."""
        self._check_writable("compact")
        seg, ads = self.segment_index, self.analysis_index
        self._segments_log.compact(seg if seg.num_rows else None)
        self._ads_log.compact(ads if ads.num_rows else None)
        live = set(ads["payload_file"].to_pylist())
        d = self.root / fmt.ADS_PAYLOADS
        if d.is_dir():  # payloads of replaced results
            for path in d.glob("*.parquet"):
                if f"{fmt.ADS_PAYLOADS}/{path.name}" not in live:
                    path.unlink()
        if self.segment_index.num_rows:
            cols = ["stimulus_id", "stimulus_name"] + [
                c for c in self.segment_index.column_names if c.startswith(fmt.ST_PREFIX)
            ]
            stimuli = self.segment_index.select(cols)
            first = stimuli.group_by("stimulus_id", use_threads=False).aggregate([])
            keep = pc.index_in(first["stimulus_id"], stimuli["stimulus_id"])
            fmt.write_table_atomic(stimuli.take(keep), self.root / fmt.STIMULI)

    # ------------------------------------------------------------------ properties
    @property
    def mode(self) -> str:
        """``"a"`` while writable, ``"r"`` otherwise."""
        return self._mode

    @property
    def writable(self) -> bool:
        """Whether this process may write to the store."""
        return self._mode == "a" and self._lock_fh is not None

    @property
    def manifest(self) -> dict[str, Any]:
        """A copy of the manifest (format, provenance, configuration, times)."""
        copied: dict[str, Any] = json.loads(json.dumps(self._manifest))
        return copied

    @property
    def segment_index(self) -> pa.Table:
        if self._seg_cache is None:
            t = fmt.concat_tables(self._seg_parts)
            self._seg_cache = fmt.SEGMENT_COLUMNS.empty_table() if t is None else t.combine_chunks()
            self._seg_parts = [self._seg_cache] if t is not None else []
        return self._seg_cache

    @property
    def analysis_index(self) -> pa.Table:
        if self._ads_cache is None:
            t = fmt.concat_tables(self._ads_parts)
            self._ads_cache = fmt.ADS_COLUMNS.empty_table() if t is None else _keep_last(t)
            self._ads_parts = [self._ads_cache] if t is not None else []
        return self._ads_cache

    def sheets(self) -> list[str]:
        """Sorted names of every sheet with neurons, recordings or results."""
        names = set(super().sheets())
        d = self.root / fmt.NEURONS
        if d.is_dir():
            for path in d.glob("*.parquet"):
                meta = fmt.open_parquet(path).schema_arrow.metadata or {}
                if b"mozaik.sheet" in meta:
                    names.add(meta[b"mozaik.sheet"].decode())
        return sorted(names)

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
        """Set top-level manifest fields (e.g. ``end_time``) and rewrite the file atomically."""
        self._check_writable("update the manifest")
        reserved = {"format", "format_version"} & set(fields)
        if reserved:
            msg = (
                f"manifest fields {sorted(reserved)} are managed by the datastore and cannot be set"
            )
            raise DataStoreError(msg)
        data = {**self._manifest, **fields}
        fmt.write_json_atomic(data, self.manifest_path)
        self._manifest = json.loads(json.dumps(data, default=fmt._json_default))

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
        ids = np.asarray(ids, np.int64).reshape(-1)
        pos = np.asarray(positions_um, np.float64)
        n = len(ids)
        if pos.ndim != 2 or pos.shape[0] != n or pos.shape[1] not in (2, 3):
            msg = (
                f"sheet {sheet!r}: positions_um has shape {pos.shape}, expected ({n}, 2) or "
                f"({n}, 3)"
            )
            raise DataStoreError(msg)
        z = pa.array(pos[:, 2]) if pos.shape[1] == 3 else pa.nulls(n, pa.float64())
        table = pa.table(
            {
                "sheet_name": pa.array([sheet] * n, pa.string()),
                "index": pa.array(np.arange(n, dtype=np.int32)),
                "id": pa.array(ids),
                "x": pa.array(pos[:, 0]),
                "y": pa.array(pos[:, 1]),
                "z": z,
            }
        )
        path = self.root / fmt.sheet_file(sheet)
        if path.exists():
            old = self._neurons(sheet)
            if not old.select(list(_NEURON_FIXED)).equals(table):
                msg = (
                    f"sheet {sheet!r}: neurons already written with different ids or positions; "
                    f"a run directory holds one network (start a new run directory)"
                )
                raise DataStoreError(msg)
            table = old
        for name, values in (annotations or {}).items():
            table = self._with_annotation(table, sheet, name, values)
        self._write_neurons_table(sheet, table)

    def set_neuron_annotation(self, sheet: str, name: str, values: np.ndarray) -> None:
        """Set (or replace) one per-neuron annotation of ``sheet``, e.g. ``"orientation"``."""
        self._check_writable("annotate neurons")
        table = self._with_annotation(self._neurons(sheet), sheet, name, values)
        self._write_neurons_table(sheet, table)

    @staticmethod
    def _with_annotation(table: pa.Table, sheet: str, name: str, values: Any) -> pa.Table:
        if name in _NEURON_FIXED:
            msg = (
                f"sheet {sheet!r}: {name!r} is a reserved neuron column; choose another "
                f"annotation name"
            )
            raise DataStoreError(msg)
        arr = np.asarray(values)
        if arr.shape != (table.num_rows,):
            msg = (
                f"sheet {sheet!r}: annotation {name!r} has shape {arr.shape}, expected "
                f"({table.num_rows},) (one value per neuron)"
            )
            raise DataStoreError(msg)
        col = pa.array(arr)
        if name in table.column_names:
            return table.set_column(table.column_names.index(name), name, col)
        return table.append_column(name, col)

    def _write_neurons_table(self, sheet: str, table: pa.Table) -> None:
        table = table.replace_schema_metadata({"mozaik.sheet": sheet})
        fmt.write_table_atomic(table, self.root / fmt.sheet_file(sheet))
        self._neuron_cache[sheet] = table

    def _neuron_ids(self, sheet: str) -> np.ndarray | None:
        """PyNN ids of a sheet's neurons in index order, or None if none were written."""
        if sheet not in self._neuron_cache and not (self.root / fmt.sheet_file(sheet)).exists():
            return None
        return np.asarray(self._neurons(sheet)["id"].to_numpy(), dtype=np.int64)

    def _neurons(self, sheet: str) -> pa.Table:
        if sheet not in self._neuron_cache:
            path = self.root / fmt.sheet_file(sheet)
            if not path.exists():
                known = ", ".join(self.sheets()) or "none"
                msg = f"no neurons recorded for sheet {sheet!r} in {self.root}; sheets: {known}"
                raise DataStoreError(msg)
            self._neuron_cache[sheet] = fmt.read_table(path)
        return self._neuron_cache[sheet]

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
            sheet: sheet_recording_from_segment(seg, sheet, self._neuron_ids(sheet))
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
        self._check_writable("write a presentation")
        if not isinstance(stimulus, StimulusIdentity):
            msg = f"stimulus must be a StimulusIdentity, got {type(stimulus).__name__}"
            raise DataStoreError(msg)
        if "name" in stimulus.params:
            msg = (
                f"stimulus {stimulus.name!r} has a parameter called 'name', which clashes with the "
                f"stimulus name in queries (st_name); rename the parameter"
            )
            raise DataStoreError(msg)
        if "trial" in stimulus.params and stimulus.params["trial"] != trial:
            msg = (
                f"stimulus {stimulus!r} has trial={stimulus.params['trial']!r} but the "
                f"presentation "
                f"is written as trial {trial}; pass the same trial"
            )
            raise DataStoreError(msg)
        if not recordings:
            msg = f"presentation of {stimulus!r} trial {trial} has no sheets to write"
            raise DataStoreError(msg)
        key = (stimulus.to_string(), int(trial), bool(is_null))
        if key in self._presented:
            kind = "blank segment" if is_null else "presentation"
            msg = (
                f"{kind} of {stimulus!r} trial {trial} is already stored in {self.root}; check "
                f"has_presentation() before presenting, or use a new run directory"
            )
            raise DuplicatePresentationError(msg)

        pid = self._next_presentation
        sheets = list(recordings)
        seg_ids = [self._next_segment + i for i in range(len(sheets))]
        spike_parts = [recordings[s].spikes_table(i) for s, i in zip(sheets, seg_ids, strict=True)]
        analog_parts = [recordings[s].analog_table(i) for s, i in zip(sheets, seg_ids, strict=True)]

        def payload(kind: str, parts: list[pa.Table],
                    schema: pa.Schema) -> tuple[str | None, list[Any]]:
            if not any(p.num_rows for p in parts):
                return None, [(0, 0)] * len(parts)
            rel = fmt.presentation_file(kind, pid)
            spans = fmt.write_table_atomic(
                schema.empty_table(), self.root / rel, row_group_tables=parts
            )
            return rel, spans

        spikes_file, spike_spans = payload(fmt.SPIKES, spike_parts, fmt.SPIKES_SCHEMA)
        analog_file, analog_spans = payload(fmt.ANALOG, analog_parts, fmt.ANALOG_SCHEMA)

        n = len(sheets)
        recs = [recordings[s] for s in sheets]
        columns: dict[str, pa.Array] = {
            "segment_id": pa.array(seg_ids, pa.int64()),
            "presentation_id": pa.array([pid] * n, pa.int64()),
            "sheet_name": pa.array(sheets, pa.string()),
            "stimulus_name": pa.array([stimulus.name] * n, pa.string()),
            "stimulus_id": pa.array([key[0]] * n, pa.string()),
            "trial": pa.array([int(trial)] * n, pa.int64()),
            "is_null": pa.array([bool(is_null)] * n, pa.bool_()),
            "t_start": pa.array(
                [float(t_start) if t_start is not None else r.t_start for r in recs], pa.float64()
            ),
            "t_stop": pa.array(
                [float(t_stop) if t_stop is not None else r.t_stop for r in recs], pa.float64()
            ),
            "variables": pa.array([r.variables for r in recs], pa.list_(pa.string())),
            "n_spiketrains": pa.array(
                [0 if r.spike_recorded is None else len(np.unique(r.spike_recorded)) for r in recs],
                pa.int64(),
            ),
            "n_spikes": pa.array([len(r.spike_times) for r in recs], pa.int64()),
            "spikes_file": pa.array([spikes_file] * n, pa.string()),
            "spikes_row_group": pa.array([s[0] for s in spike_spans], pa.int32()),
            "spikes_row_groups": pa.array([s[1] for s in spike_spans], pa.int32()),
            "analog_file": pa.array([analog_file] * n, pa.string()),
            "analog_row_group": pa.array([s[0] for s in analog_spans], pa.int32()),
            "analog_row_groups": pa.array([s[1] for s in analog_spans], pa.int32()),
            **_stimulus_columns(stimulus, n),
        }
        fragment = pa.table(columns)
        # the rename of the index fragment is the commit point of the presentation
        fmt.write_table_atomic(fragment, self._segments_log.fragment_path(pid, "p"))
        self._seg_parts.append(fragment)
        self._seg_cache = None
        self._presented.add(key)
        self._next_presentation = pid + 1
        self._next_segment += n
        return pid

    # ------------------------------------------------------------------ analysis results
    def add_analysis_result(self, ads: AnalysisDataStructure, replace: bool = False) -> int:
        """Store an analysis result.

        Parameters
        ----------
        ads : AnalysisDataStructure
            The result.
        replace : bool
            Replace a stored result equal to ``ads`` (same identifier, parameters and tags)
            instead of raising.

        Returns
        -------
        int
            The id of the stored result.

        Raises
        ------
        DuplicateResultError
            If an equal result is stored and ``replace`` is False.
        """
        self._check_writable("add an analysis result")
        if not isinstance(ads, AnalysisDataStructure):
            msg = f"expected an AnalysisDataStructure, got {type(ads).__name__}"
            raise DataStoreError(msg)
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
        params = ads.parameters()
        clash = set(params) & (set(fmt.ADS_COLUMNS.names) - {"identifier"} | set(_WRITER))
        clash |= {p for p in params if p.startswith(fmt.ST_PREFIX)}
        if clash:
            msg = (
                f"{ads.identifier}: parameter names {sorted(clash)} clash with ADS index columns; "
                f"rename them"
            )
            raise DataStoreError(msg)
        aid = self._next_ads
        rel = f"{fmt.ADS_PAYLOADS}/a{aid:08d}.parquet"
        fmt.write_table_atomic(ads.payload_table(), self.root / rel)
        sid = ads.stimulus_id
        columns: dict[str, pa.Array] = {
            "ads_id": pa.array([aid], pa.int64()),
            "ads_key": pa.array([key], pa.string()),
            "identifier": pa.array([ads.identifier], pa.string()),
            "tags": pa.array([list(ads.tags)], pa.list_(pa.string())),
            "parameters": pa.array([json.dumps(params, sort_keys=True)], pa.string()),
            "stimulus_name": pa.array([None if sid is None else sid.name], pa.string()),
            "payload_file": pa.array([rel], pa.string()),
        }
        # which distribution provides the class: a reader without it can say what to install
        for column, text in zip(_WRITER, ads_provider(type(ads)), strict=True):
            columns[column] = pa.array([text], pa.string())
        for name, value in params.items():
            if name != "identifier":
                columns[name] = (
                    pa.array([value], pa.int64()) if name == "neuron" else _scalar_column(value, 1)
                )
        columns.update(_stimulus_columns(sid, 1))
        fragment = pa.table(columns)
        fmt.write_table_atomic(fragment, self._ads_log.fragment_path(aid, "a"))
        self._ads_parts.append(fragment)
        self._ads_cache = None
        self._ads_keys[key] = aid
        self._next_ads = aid + 1
        return aid

    # ------------------------------------------------------------------ payload reads
    def _read_payload(self, rows: pa.Table, kind: str, columns: list[str]) -> pa.Table:
        """Read the row groups of the given segment-index rows from ``spikes`` or ``analog``."""
        schema = fmt.SPIKES_SCHEMA if kind == "spikes" else fmt.ANALOG_SCHEMA
        files = rows[f"{kind}_file"].to_pylist()
        firsts = rows[f"{kind}_row_group"].to_pylist()
        counts = rows[f"{kind}_row_groups"].to_pylist()
        by_file: dict[str, list[int]] = {}
        for f, a, c in zip(files, firsts, counts, strict=True):
            if f is not None and c:
                by_file.setdefault(f, []).extend(range(a, a + c))
        tables = []
        for f, groups in by_file.items():
            pf = fmt.open_parquet(self.root / f)
            try:
                tables.append(pf.read_row_groups(groups, columns=columns))
            except (pa.ArrowInvalid, OSError) as exc:
                msg = f"cannot read datastore file {self.root / f}: {exc}; the file is damaged"
                raise DataStoreFormatError(msg) from exc
        if not tables:
            return schema.empty_table().select(columns)
        return pa.concat_tables(tables)

    def _build_segment(self, row: dict[str, Any]) -> Any:
        rows = pa.table(
            {
                k: pa.array([row[k]], fmt.SEGMENT_COLUMNS.field(k).type)
                for k in (
                    "spikes_file",
                    "spikes_row_group",
                    "spikes_row_groups",
                    "analog_file",
                    "analog_row_group",
                    "analog_row_groups",
                )
            }
        )
        spikes = self._read_payload(rows, "spikes", ["neuron", "time"])
        analog = self._read_payload(
            rows, "analog", ["neuron", "variable", "units", "t_start", "sampling_period", "values"]
        )
        ids = None
        with contextlib.suppress(DataStoreError):
            ids = self._neurons(row["sheet_name"])["id"].to_numpy()
        return build_segment(row, spikes, analog, ids)

    def _load_ads(self, row: dict[str, Any]) -> AnalysisDataStructure:
        return load_ads(self.root, row)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            if self._lock_fh is not None:
                self._lock_fh.close()


#: ADS index columns naming the distribution (and its version) that provides a result's class.
_WRITER = ("ads_distribution", "ads_distribution_version")


def _keep_last(table: pa.Table) -> pa.Table:
    """Keep, per ``ads_key``, only the row with the highest ``ads_id`` (replacements win)."""
    if table.num_rows == 0:
        return table
    last = table.group_by("ads_key", use_threads=False).aggregate([("ads_id", "max")])
    mask = pc.is_in(table["ads_id"], value_set=last["ads_id_max"])
    return table.filter(mask).sort_by("ads_id").combine_chunks()
