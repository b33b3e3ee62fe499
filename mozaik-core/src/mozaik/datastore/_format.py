"""On-disk layout of a run directory: paths, manifest, atomic writes, table unification.

See ``docs/datastore-format.md`` for the specification this module implements.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mozaik._errors import DataStoreError, DataStoreFormatError
from mozaik.datastore._provenance import collect_provenance, now_iso

FORMAT_NAME = "mozaik-datastore"
#: The newest format version this mozaik-core reads and writes.
FORMAT_VERSION = 3
#: The version written for a store whose presentations are written whole (by one process);
#: a store written in parts (one network over several MPI ranks) is version 3, since a reader
#: of version 2 would see no payload for its segments (see ``docs/datastore-format.md``).
WHOLE_FORMAT_VERSION = 2

#: The manifest field saying its mappings keep declaration order. Manifests without it were
#: written with sorted keys (development versions before issue 18): the order of their
#: ``config`` sections is alphabetical, not declared.
KEY_ORDER = "declared"

MANIFEST = "manifest.json"
LOCK = ".writer.lock"
SEGMENTS = "segments.parquet"  # consolidated segment index
SEGMENT_FRAGMENTS = "segments"  # one index fragment per presentation (the commit record)
STIMULI = "stimuli.parquet"
SPIKES = "spikes"
ANALOG = "analog"
NEURONS = "neurons"
ADS_DIR = "ads"
ADS_INDEX = "ads/index.parquet"
ADS_FRAGMENTS = "ads/index"
ADS_PAYLOADS = "ads/payloads"
PART_FRAGMENTS = "parts"  # one index fragment per part (rank) of a presentation not yet merged
TMP_SUFFIX = ".tmp"

#: Parquet compression of every table.
COMPRESSION = "zstd"
#: Maximum rows per Parquet row group of spike and analog payloads.
ROW_GROUP_ROWS = 1 << 20

#: Stimulus parameters become index columns named ``ST_PREFIX + name``.
ST_PREFIX = "st_"

SPIKES_SCHEMA = pa.schema(
    [
        ("segment_id", pa.int64()),
        ("neuron", pa.int32()),
        ("time", pa.float64()),  # ms, absolute simulation time; null: recorded, no spike
    ]
)

ANALOG_SCHEMA = pa.schema(
    [
        ("segment_id", pa.int64()),
        ("neuron", pa.int32()),
        ("variable", pa.string()),
        ("units", pa.string()),
        ("t_start", pa.float64()),  # ms
        ("sampling_period", pa.float64()),  # ms
        ("values", pa.large_list(pa.float64())),
    ]
)

#: Columns of the segment index every row has (stimulus parameter columns come on top).
SEGMENT_COLUMNS = pa.schema(
    [
        ("segment_id", pa.int64()),
        ("presentation_id", pa.int64()),
        ("sheet_name", pa.string()),
        ("stimulus_name", pa.string()),
        ("stimulus_id", pa.string()),
        ("trial", pa.int64()),
        ("is_null", pa.bool_()),
        ("t_start", pa.float64()),
        ("t_stop", pa.float64()),
        ("variables", pa.list_(pa.string())),
        ("variable_neurons", pa.list_(pa.int64())),  # format 2: neurons per variable
        ("n_spiketrains", pa.int64()),
        ("n_spikes", pa.int64()),
        ("spikes_file", pa.string()),
        ("spikes_row_group", pa.int32()),
        ("spikes_row_groups", pa.int32()),
        ("analog_file", pa.string()),
        ("analog_row_group", pa.int32()),
        ("analog_row_groups", pa.int32()),
    ]
)

#: Columns of the ADS index every row has (ADS and stimulus parameters come on top).
ADS_COLUMNS = pa.schema(
    [
        ("ads_id", pa.int64()),
        ("ads_key", pa.string()),
        ("identifier", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("parameters", pa.string()),  # JSON object of every parameter
        ("stimulus_name", pa.string()),
        ("payload_file", pa.string()),
    ]
)


#: One part of a segment written in parts (``parts`` column of the segment index): which part,
#: what it recorded and where its payload is, with the meaning of the segment columns of the
#: same names.
PART_TYPE = pa.struct(
    [pa.field("part", pa.int32())]
    + [SEGMENT_COLUMNS.field(name) for name in (
        "variables", "variable_neurons", "n_spiketrains", "n_spikes",
        "spikes_file", "spikes_row_group", "spikes_row_groups",
        "analog_file", "analog_row_group", "analog_row_groups")]
)


def presentation_file(kind: str, presentation_id: int, part: int | None = None) -> str:
    """Relative path of a presentation's payload (``kind`` = spikes/analog) or index fragment;
    with ``part``, of that part's (``p00000012-r0001.parquet``)."""
    suffix = "" if part is None else f"-r{part:04d}"
    return f"{kind}/p{presentation_id:08d}{suffix}.parquet"


def id_from_file(name: str) -> int | None:
    """Inverse of :func:`presentation_file` / ADS payload names: the number, or None."""
    m = re.fullmatch(r"[pa](\d+)(?:-r\d+)?\.parquet", name)
    return int(m.group(1)) if m else None


def part_from_file(name: str) -> tuple[int, int] | None:
    """(presentation id, part) of a part's file name (``p00000012-r0001.parquet``), or None."""
    m = re.fullmatch(r"p(\d+)-r(\d+)\.parquet", name)
    return (int(m.group(1)), int(m.group(2))) if m else None


def sheet_file(sheet: str) -> str:
    """Relative path of a sheet's neurons table; safe for any sheet name (``V1_Exc_L2/3``)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", sheet)[:64]
    digest = hashlib.sha1(sheet.encode()).hexdigest()[:8]
    return f"{NEURONS}/{safe}-{digest}.parquet"


# ---------------------------------------------------------------------- durable writes
def fsync_dir(path: Path) -> None:
    """Flush a directory entry (makes a rename durable on POSIX)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_table_atomic(
    table: pa.Table, path: Path, *, row_group_tables: Sequence[pa.Table] | None = None
) -> list[tuple[int, int]]:
    """Write ``table`` (or each of ``row_group_tables`` as its own row groups) durably.

    Writes ``path.tmp``, fsyncs it, renames it over ``path`` and fsyncs the directory, so a
    reader sees either nothing or the whole file. Returns, per entry of ``row_group_tables``, its
    first row group and number of row groups.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + TMP_SUFFIX)
    spans: list[tuple[int, int]] = []
    with open(tmp, "wb") as fh:
        writer = pq.ParquetWriter(fh, table.schema, compression=COMPRESSION)
        try:
            if row_group_tables is None:
                writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
            else:
                n = 0
                for part in row_group_tables:
                    if part.num_rows == 0:
                        spans.append((n, 0))
                        continue
                    count = -(-part.num_rows // ROW_GROUP_ROWS)
                    # each write_table call starts a new row group, so parts never share one
                    writer.write_table(part, row_group_size=ROW_GROUP_ROWS)
                    spans.append((n, count))
                    n += count
        finally:
            writer.close()
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
    return spans


def write_json_atomic(data: Mapping[str, Any], path: Path) -> None:
    """Write a JSON document durably (write, fsync, rename, fsync directory).

    Keys keep their order: a manifest's configuration is read back as it was declared, and
    declaration order is meaning there (sheets are created and connectors built in it).
    """
    tmp = path.with_name(path.name + TMP_SUFFIX)
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, default=json_default)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    msg = f"manifest value {value!r} of type {type(value).__name__} is not JSON-serialisable"
    raise TypeError(msg)


def read_table(path: Path, **kwargs: Any) -> pa.Table:
    """Read a Parquet file, turning corruption into an error that names the file."""
    try:
        return pq.read_table(path, **kwargs)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        msg = (
            f"cannot read datastore file {path}: {exc}. The file is damaged (truncated or "
            f"overwritten); restore it from a backup or delete the presentation it belongs to."
        )
        raise DataStoreFormatError(msg) from exc


def open_parquet(path: Path) -> pq.ParquetFile:
    """Open a Parquet file for row-group reads, naming the file if it is damaged."""
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        msg = (
            f"cannot read datastore file {path}: {exc}. The file is damaged (truncated or "
            f"overwritten) or missing; restore it from a backup."
        )
        raise DataStoreFormatError(msg) from exc


# ---------------------------------------------------------------------- manifest
def read_manifest(root: Path) -> dict[str, Any]:
    """Read and check the manifest of the run directory ``root``."""
    path = root / MANIFEST
    if not root.is_dir():
        msg = f"{root} is not a directory; pass the run directory of a Mozaik datastore"
        raise DataStoreFormatError(msg)
    if not path.is_file():
        msg = (
            f"{root} is not a Mozaik datastore: it has no {MANIFEST}. Pass a run directory "
            f"created by DataStore.create (or by `mozaik run`)."
        )
        raise DataStoreFormatError(msg)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        msg = f"{path} is not valid JSON ({exc}); the manifest is damaged"
        raise DataStoreFormatError(msg) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        msg = f"{path} is not a Mozaik datastore manifest (its 'format' is not {FORMAT_NAME!r})"
        raise DataStoreFormatError(msg)
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        msg = f"{path}: format_version {version!r} is invalid; expected a positive integer"
        raise DataStoreFormatError(msg)
    if version > FORMAT_VERSION:
        msg = (
            f"{root} has datastore format version {version}, newer than this mozaik-core reads "
            f"(up to {FORMAT_VERSION}); upgrade mozaik-core to open it"
        )
        raise DataStoreFormatError(msg)
    return manifest


def new_manifest(
    root: Path, fields: Mapping[str, Any], *, model_dir: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """The manifest of a new store: format, version, start time, provenance, then ``fields``."""
    fields = dict(fields)
    provenance = collect_provenance(model_dir=model_dir)
    provenance.update(fields.pop("provenance", {}) or {})
    data = {
        "format": FORMAT_NAME,
        "format_version": WHOLE_FORMAT_VERSION,
        "key_order": KEY_ORDER,
        "start_time": now_iso(),
        "end_time": None,
        "provenance": provenance,
        **fields,
    }
    try:
        json.dumps(data, default=json_default)
    except TypeError as exc:
        msg = f"manifest for {root} is not JSON-serialisable: {exc}"
        raise DataStoreError(msg) from exc
    return data


# ---------------------------------------------------------------------- tables
def concat_tables(tables: Sequence[pa.Table]) -> pa.Table | None:
    """Concatenate index tables whose parameter columns may differ.

    Missing columns become nulls; numeric columns of different types become float64; any other
    type conflict turns the column into JSON text, so one odd stimulus never breaks the index.
    """
    tables = [t for t in tables if t is not None]
    if not tables:
        return None
    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    types: dict[str, set[pa.DataType]] = {}
    for t in tables:
        for f in t.schema:
            if not pa.types.is_null(f.type):
                types.setdefault(f.name, set()).add(f.type)
    fixed = []
    for t in tables:
        for i, f in enumerate(t.schema):
            seen = types.get(f.name, set())
            if len(seen) > 1 and not pa.types.is_null(f.type):
                if all(pa.types.is_integer(x) or pa.types.is_floating(x) for x in seen):
                    col = t.column(i).cast(pa.float64())
                else:
                    col = pa.array(
                        [None if v is None else json.dumps(v) for v in t.column(i).to_pylist()],
                        pa.string(),
                    )
                t = t.set_column(i, f.name, col)
        fixed.append(t)
    return pa.concat_tables(fixed, promote_options="permissive")


def ordered_unique(col: pa.ChunkedArray) -> list[Any]:
    """The distinct values of a column in order of first occurrence."""
    return list(dict.fromkeys(col.to_pylist()))


def stack_lists(col: pa.ChunkedArray | pa.Array, what: str) -> np.ndarray:
    """Stack a list<float64> column of equal-length lists into an (n, m) array."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    n = len(col)
    if n == 0:
        return np.empty((0, 0))
    lengths = pc.list_value_length(col).to_numpy(zero_copy_only=False)
    if (lengths != lengths[0]).any():
        msg = (
            f"traces of {what} have different lengths {sorted(set(lengths.tolist()))}; "
            f"narrow the view"
        )
        raise DataStoreError(msg)
    flat = pc.list_flatten(col).to_numpy(zero_copy_only=False)
    return np.asarray(flat).reshape(n, int(lengths[0]))


# ---------------------------------------------------------------------- paths in index rows
def unsafe_path_reason(rel: str) -> str | None:
    """Why ``rel`` (a file named by an index row) may not be used, or None if it is fine.

    Index rows name files relative to the run directory; an absolute path, a ``..`` component
    or a backslash would let a crafted index make Mozaik read files outside the run.
    """
    if not rel:
        return "it is empty"
    if rel.startswith("/") or "\\" in rel or re.match(r"^[A-Za-z]:", rel):
        return "it is absolute"
    if ".." in rel.split("/"):
        return "it contains '..'"
    return None


def store_file(root: Path, rel: str, where: str) -> Path:
    """The file ``rel`` of an index row inside the run directory ``root``, checked.

    Parameters
    ----------
    root : Path
        The run directory.
    rel : str
        File name as the index row holds it (relative to ``root``).
    where : str
        The row, for the error message (e.g. ``"segment 12 (segments/p00000012.parquet)"``).

    Raises
    ------
    DataStoreFormatError
        If ``rel`` is absolute, contains ``..``, or resolves (through a symlink) to a place
        outside ``root``.
    """
    reason = unsafe_path_reason(rel)
    path = root / rel
    if reason is None:
        real, base = path.resolve(), root.resolve()
        if real != base and base not in real.parents:
            reason = f"it resolves to {real}, outside the run directory (a symlink)"
    if reason is not None:
        msg = (
            f"{root}: {where} names the file {rel!r}, which points outside the run directory: "
            f"{reason}. The index is damaged or was crafted; a store only names files inside "
            f"its own run directory"
        )
        raise DataStoreFormatError(msg)
    return path
