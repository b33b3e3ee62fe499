"""Reading a store's files: neuron tables, spike and analog payloads, segments, ADS payloads."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mozaik._errors import DataStoreError
from mozaik.ads import AnalysisDataStructure, ads_class
from mozaik.datastore import _format as fmt
from mozaik.datastore._neo import build_segment
from mozaik.datastore._parts import expand_parts
from mozaik.plugin import Registry

__all__ = ["StoreReader", "check_index_paths", "load_ads"]

_PAYLOAD_COLUMNS = ("file", "row_group", "row_groups")
_SEGMENT_ANALOG = ["neuron", "variable", "units", "t_start", "sampling_period", "values"]


class StoreReader:
    """Reads the files of the run directory ``root``; caches the (small) neuron tables.

    Every file an index row names is checked to lie inside ``root`` before it is opened
    (:func:`mozaik.datastore._format.store_file`).

    Parameters
    ----------
    root : Path
        The run directory.
    registry : callable
        Returns the registry the classes of analysis results are looked up in (the store's,
        asked on first need).
    """

    def __init__(self, root: Path, registry: Callable[[], Registry]) -> None:
        self.root = root
        self._registry = registry
        self._neurons: dict[str, pa.Table] = {}

    # ------------------------------------------------------------------ neurons
    def forget(self) -> None:
        """Drop cached neuron tables (after another process may have rewritten them)."""
        self._neurons.clear()

    def remember_neurons(self, sheet: str, table: pa.Table) -> None:
        """Cache the neurons table the writer has just written for ``sheet``."""
        self._neurons[sheet] = table

    def has_neurons(self, sheet: str) -> bool:
        """Whether the neurons of ``sheet`` were written."""
        return sheet in self._neurons or (self.root / fmt.sheet_file(sheet)).exists()

    def sheet_names(self) -> list[str]:
        """Sorted names of the sheets whose neurons were written."""
        names = set(self._neurons)
        d = self.root / fmt.NEURONS
        if d.is_dir():
            for path in d.glob("*.parquet"):
                meta = fmt.open_parquet(path).schema_arrow.metadata or {}
                if b"mozaik.sheet" in meta:
                    names.add(meta[b"mozaik.sheet"].decode())
        return sorted(names)

    def neurons(self, sheet: str) -> pa.Table:
        """The neurons table of ``sheet``."""
        if sheet not in self._neurons:
            path = self.root / fmt.sheet_file(sheet)
            if not path.exists():
                names = ", ".join(self.sheet_names()) or "none"
                msg = f"no neurons recorded for sheet {sheet!r} in {self.root}; sheets: {names}"
                raise DataStoreError(msg)
            self._neurons[sheet] = fmt.read_table(path)
        return self._neurons[sheet]

    def neuron_ids(self, sheet: str) -> np.ndarray | None:
        """PyNN ids of a sheet's neurons in index order, or None if none were written."""
        if not self.has_neurons(sheet):
            return None
        return np.asarray(self.neurons(sheet)["id"].to_numpy(), dtype=np.int64)

    # ------------------------------------------------------------------ payloads
    def read_payload(self, rows: pa.Table, kind: str, columns: list[str]) -> pa.Table:
        """Read the row groups of the given segment-index rows from ``spikes`` or ``analog``.

        A segment written in parts is read from every part's file and its rows put in the
        order a segment written whole has (by neuron; analog by variable, then neuron).
        """
        schema = fmt.SPIKES_SCHEMA if kind == fmt.SPIKES else fmt.ANALOG_SCHEMA
        in_parts = "parts" in rows.column_names and rows["parts"].null_count < rows.num_rows
        if in_parts:
            rows = expand_parts(rows)
        files, firsts, counts = (rows[f"{kind}_{c}"].to_pylist() for c in _PAYLOAD_COLUMNS)
        seg_ids = rows["segment_id"].to_pylist() if "segment_id" in rows.column_names else None
        spans: dict[str, list[tuple[int, int]]] = {}
        where: dict[str, str] = {}
        for k, (f, a, c) in enumerate(zip(files, firsts, counts, strict=True)):
            if f is not None and c:
                spans.setdefault(f, []).append((a, c))
                where.setdefault(f, "segment" if seg_ids is None else f"segment {seg_ids[k]}")
        tables = []
        for f, file_spans in spans.items():
            what = f"the {kind} file of {where[f]}"
            path = fmt.store_file(self.root, f, what)
            tables.append(fmt.read_spans(path, fmt.open_parquet(path), file_spans, columns,
                                         what))
        if not tables:
            return schema.empty_table().select(columns)
        table = pa.concat_tables(tables)
        if in_parts:
            keys = [k for k in ("segment_id", "variable", "neuron") if k in columns]
            table = table.take(pc.sort_indices(table, [(k, "ascending") for k in keys]))
        return table

    def segment(self, row: dict[str, Any]) -> neo.Segment:
        """The neo Segment of one segment-index row, read from its payload files."""
        rows = pa.table(
            {
                k: pa.array([row[k]], fmt.SEGMENT_COLUMNS.field(k).type)
                for k in ["segment_id"]
                + [f"{kind}_{c}" for kind in (fmt.SPIKES, fmt.ANALOG) for c in _PAYLOAD_COLUMNS]
            }
        )
        if row.get("parts") is not None:
            rows = rows.append_column("parts", pa.array([row["parts"]],
                                                        pa.list_(fmt.PART_TYPE)))
        spikes = self.read_payload(rows, fmt.SPIKES, ["neuron", "time"])
        analog = self.read_payload(rows, fmt.ANALOG, _SEGMENT_ANALOG)
        ids = None
        with contextlib.suppress(DataStoreError):
            ids = self.neurons(row["sheet_name"])["id"].to_numpy()
        return build_segment(row, spikes, analog, ids)

    def analysis_result(self, row: dict[str, Any]) -> AnalysisDataStructure:
        """The ADS of one ADS-index row, its payload read now."""
        return load_ads(self.root, row, self._registry())


def load_ads(root: Path, row: dict[str, Any], registry: Registry) -> AnalysisDataStructure:
    """Rebuild one ADS from its index row, reading its payload file; its class is looked up
    in ``registry``."""
    writer = row.get("ads_distribution")
    if writer and row.get("ads_distribution_version"):
        writer = f"{writer} {row['ads_distribution_version']}"
    cls = ads_class(row["identifier"], registry, written_by=writer)
    where = f"analysis result {row.get('ads_id')} ({row['identifier']})"
    payload = fmt.read_table(fmt.store_file(root, row["payload_file"], where))
    return cls.from_stored(fmt.loads_bounded(row["parameters"], f"the parameters of {where}"),
                           list(row["tags"] or []), payload)


def check_index_paths(root: Path, segments: pa.Table, analysis: pa.Table) -> None:
    """Refuse index rows naming a file outside the run directory (absolute, or with ``..``).

    A cheap text check of every row, done when the index is read; symlinks are resolved when
    a file is opened (:func:`mozaik.datastore._format.store_file`).
    """
    if "parts" in segments.column_names:
        segments = expand_parts(segments)  # the files of segments written in parts too
    for table, id_column, what, columns in (
        (segments, "segment_id", "segment", ("spikes_file", "analog_file")),
        (analysis, "ads_id", "analysis result", ("payload_file",)),
    ):
        for column in columns:
            # one file per presentation or result: check each distinct name once
            for rel in pc.unique(table[column]).to_pylist():
                if rel is not None and fmt.unsafe_path_reason(rel) is not None:
                    row = table.filter(pc.equal(table[column], rel))
                    where = f"{what} {row[id_column][0].as_py()}"
                    fmt.store_file(root, rel, where)  # raises, naming the row and the file
