"""On-disk layout of a run directory: paths, manifest, atomic writes, table unification.

See ``docs/datastore-format.md`` for the specification this module implements.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mozaik._errors import DataStoreError, DataStoreFormatError
from mozaik.datastore._manifest import check_manifest
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
#: Every data page of every Parquet file carries a CRC-32 of its bytes, verified on every read,
#: so a flipped bit in a payload is an error instead of a changed value (a Vm of -2.7e107 mV).
PAGE_CHECKSUMS = True
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


# ---------------------------------------------------------------------- no links, no escapes
#: What a run directory holds at its top level; none of them may be a symbolic link, so no
#: write into a run (a stranger's, copied or downloaded) can land outside it.
RUN_ENTRIES = (MANIFEST, LOCK, SEGMENTS, SEGMENT_FRAGMENTS, STIMULI, SPIKES, ANALOG, NEURONS,
               ADS_DIR, ADS_INDEX, ADS_FRAGMENTS, ADS_PAYLOADS, PART_FRAGMENTS, "figures",
               "mozaik.log", "report.html")


def refuse_links(root: Path, entries: Sequence[str] = RUN_ENTRIES) -> None:
    """Refuse a run directory in which one of ``entries`` is a symbolic link.

    Mozaik never makes links in a run; a planted one (``.writer.lock -> ~/file``, ``figures ->
    /elsewhere``) would make a write follow it out of the run.
    """
    for rel in entries:
        path = root / rel
        if path.is_symlink():
            raise _link_refused(path)


def _link_refused(path: Path) -> DataStoreError:
    msg = (f"{path} is a symbolic link (to {os.readlink(path)}); Mozaik writes into a run "
           f"directory only through its own files and folders, never through a link, which "
           f"could lead outside the run. Remove the link (or copy the run with `cp -rL`) and "
           f"try again")
    return DataStoreError(msg)


def open_for_write(path: Path, *, append: bool = False) -> int:
    """A file descriptor for writing ``path``, created if missing, never through a symlink.

    Raises
    ------
    DataStoreError
        If ``path`` is a symbolic link (naming it and what it points to).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_APPEND if append else os.O_TRUNC)
    try:
        return os.open(path, flags, 0o666)
    except OSError as exc:
        if path.is_symlink():
            raise _link_refused(path) from exc
        raise


def read_run_file(root: Path, rel: str, where: str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``rel`` inside the run directory ``root``.

    For files a run's metadata names (figures embedded in a report): the path must stay inside
    the run (:func:`store_file`), the file must be a regular file reached through no link (a
    FIFO would hang the reader, a link could expose ``/etc/shadow``) and at most ``max_bytes``.

    Raises
    ------
    DataStoreFormatError
        Naming ``where`` and the file, for each of these.
    """
    path = store_file(root, rel, where)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        reason = "a symbolic link" if path.is_symlink() else f"unreadable ({exc.strerror})"
        msg = f"{where} names {path}, which is {reason}; only regular files of the run are read"
        raise DataStoreFormatError(msg) from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            msg = f"{where} names {path}, which is not a regular file; it is not read"
            raise DataStoreFormatError(msg)
        if st.st_size > max_bytes:
            msg = (f"{where} names {path} of {st.st_size:,} bytes, more than the {max_bytes:,} "
                   f"allowed; it is not read")
            raise DataStoreFormatError(msg)
        return fh.read(max_bytes)


def read_run_json(root: Path, rel: str, where: str, max_bytes: int = 1 << 20) -> Any:
    """The JSON document ``rel`` of the run directory ``root`` (a figure's sidecar), read as
    :func:`read_run_file` reads and parsed with bounded nesting."""
    return loads_bounded(read_run_file(root, rel, where, max_bytes), f"{root / rel} ({where})")


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
    with _atomic(path, "wb") as fh:
        return _write_parquet(fh, table, row_group_tables)


@contextlib.contextmanager
def _atomic(path: Path, mode: str) -> Iterator[IO[Any]]:
    """A file object writing ``path.tmp``; when the block ends, fsynced, renamed over ``path``,
    the directory fsynced. A failure removes the temporary file (never through a link)."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    encoding = None if "b" in mode else "utf-8"
    try:
        with os.fdopen(open_for_write(tmp), mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        discard_tmp(tmp)
        raise
    fsync_dir(path.parent)


def _write_parquet(fh: IO[Any], table: pa.Table,
                   row_group_tables: Sequence[pa.Table] | None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    writer = pq.ParquetWriter(fh, table.schema, compression=COMPRESSION,
                              write_page_checksum=PAGE_CHECKSUMS)
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
    except BaseException:
        with contextlib.suppress(Exception):  # closing writes the footer: it fails the same way
            writer.close()
        raise
    writer.close()
    return spans


def discard_tmp(tmp: Path) -> None:
    """Remove the temporary file of a write that failed, if it can be removed.

    A write fails when the disk is full or the folder became read-only; the temporary file
    must not stay behind (on a full disk it holds the space the next attempt needs), but a
    failure to remove it must not replace the write's own error.
    """
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


def write_json_atomic(data: Mapping[str, Any], path: Path) -> None:
    """Write a JSON document durably (write, fsync, rename, fsync directory).

    Keys keep their order: a manifest's configuration is read back as it was declared, and
    declaration order is meaning there (sheets are created and connectors built in it).
    """
    with _atomic(path, "w") as fh:
        json.dump(data, fh, indent=2, default=json_default)
        fh.write("\n")


def json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    msg = f"manifest value {value!r} of type {type(value).__name__} is not JSON-serialisable"
    raise TypeError(msg)


#: Size limits of a store's metadata, read whole into memory by every command (bytes). A
#: manifest holds the configuration, provenance, plan and sessions: a V1 study with 10^5
#: presentations writes about 30 MB. An index holds one row per segment or result: 10^6
#: segments take about 100 MB. A file over its limit is damaged or crafted (a sparse 2 GB
#: manifest cost 4.3 GB of memory in every command).
MAX_MANIFEST_BYTES = 256 << 20
MAX_INDEX_BYTES = 2 << 30
#: Nesting depth of JSON in a manifest or a result's parameters (a configuration is a few
#: levels deep; deeper nesting only makes every later recursive walk fail).
MAX_JSON_DEPTH = 100


def check_size(path: Path, limit: int, what: str) -> None:
    """Refuse a metadata file larger than ``limit`` bytes, or sparse (holes no writer of ours
    makes), before it is read into memory."""
    try:
        st = path.stat()
    except OSError as exc:
        raise damaged(path, exc) from exc
    if st.st_size > limit:
        msg = (f"{path} ({what}) is {st.st_size:,} bytes, more than the {limit:,} a sound "
               f"store's {what} takes; the file is damaged or was crafted, so it is not read")
        raise DataStoreFormatError(msg)
    if st.st_size > (1 << 20) and st.st_blocks * 512 < st.st_size // 2:
        msg = (f"{path} ({what}) is a sparse file ({st.st_size:,} bytes, "
               f"{st.st_blocks * 512:,} on disk); Mozaik never writes holes, so the file is "
               f"damaged or was crafted and is not read")
        raise DataStoreFormatError(msg)


def loads_bounded(text: str | bytes, where: str) -> Any:
    """Parse JSON text of a store, refusing nesting deeper than :data:`MAX_JSON_DEPTH`."""
    try:
        data = json.loads(text)
        deep = _depth_exceeds(data, MAX_JSON_DEPTH)
    except RecursionError:
        deep = True
    except ValueError as exc:
        msg = f"{where} is not valid JSON ({exc}); the store is damaged"
        raise DataStoreFormatError(msg) from exc
    if deep:
        msg = (f"{where} nests deeper than {MAX_JSON_DEPTH} levels; the store is damaged or was "
               f"crafted")
        raise DataStoreFormatError(msg)
    return data


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in value)
    return False


#: What reading a damaged Parquet file raises: pyarrow's errors, I/O errors, and what decoding
#: garbage in its schema or key-value metadata gives (a flipped byte in a string).
READ_ERRORS: tuple[type[BaseException], ...] = (
    pa.ArrowException, OSError, ValueError, UnicodeDecodeError, IndexError, KeyError,
    RecursionError)


def damaged(path: Path, exc: BaseException) -> DataStoreFormatError:
    """The error for a Parquet file of the store that cannot be read."""
    msg = (
        f"cannot read datastore file {path}: {type(exc).__name__}: {exc}. The file is damaged "
        f"(truncated, overwritten or a flipped byte); restore it from a backup, or run "
        f"`mozaik check` on the run directory to list every damaged file"
    )
    return DataStoreFormatError(msg)


def read_table(path: Path, *, max_bytes: int | None = None, **kwargs: Any) -> pa.Table:
    """Read a Parquet file, verifying its page checksums; damage is an error naming the file.

    ``max_bytes``: refuse a larger (or sparse) file before reading it (an index).
    """
    if max_bytes is not None:
        check_size(path, max_bytes, "index")
    try:
        return pq.read_table(path, page_checksum_verification=True, **kwargs)
    except READ_ERRORS as exc:
        raise damaged(path, exc) from exc


def open_parquet(path: Path) -> pq.ParquetFile:
    """Open a Parquet file for row-group reads (page checksums verified), naming the file if it
    is damaged or missing."""
    try:
        return pq.ParquetFile(path, page_checksum_verification=True)
    except READ_ERRORS as exc:
        raise damaged(path, exc) from exc


def read_spans(path: Path, pf: pq.ParquetFile, spans: Sequence[tuple[int, int]],
               columns: Sequence[str] | None, where: str) -> pa.Table:
    """Read the row groups ``first .. first + count - 1`` of each ``(first, count)`` of
    ``spans`` from the open file ``pf`` (at ``path``).

    The numbers come from index rows and size what is allocated: each span is checked against
    the file's row groups first, so a damaged or crafted index (``2**31 - 1`` row groups) is an
    error naming ``where``, not an out-of-memory kill.
    """
    n = pf.metadata.num_row_groups
    for first, count in spans:
        if first < 0 or count < 0 or first + count > n:
            msg = (f"{where} names row groups {first} to {first + count - 1} of {path}, which "
                   f"has {n} row group(s); the index is damaged or was crafted")
            raise DataStoreFormatError(msg)
    groups = [g for first, count in spans for g in range(first, first + count)]
    try:
        return pf.read_row_groups(groups, columns=None if columns is None else list(columns))
    except READ_ERRORS as exc:
        raise damaged(path, exc) from exc


#: Index columns a store of format version 1 may lack (added in version 2).
OPTIONAL_INDEX_COLUMNS = frozenset({"variable_neurons"})


def index_column_problems(table: pa.Table, schema: pa.Schema,
                          optional: frozenset[str] = OPTIONAL_INDEX_COLUMNS) -> list[str]:
    """The fixed columns of ``schema`` that ``table`` lacks or has with another type.

    A flipped byte in a Parquet footer (which has no checksum) renames or retypes a column;
    this finds it when the index is read, before any code looks a column up.
    """
    try:
        have = {f.name: f.type for f in table.schema}
    except UnicodeDecodeError:
        return ["a column name that is not UTF-8"]
    return [f"{f.name} ({f.type})" for f in schema
            if f.name not in optional and not (f.name in have and have[f.name].equals(f.type))]


def read_index(path: Path, schema: pa.Schema) -> pa.Table:
    """Read an index file (size-bounded, checksums verified) whose fixed columns are
    ``schema``'s; a missing or retyped column is an error naming the file."""
    table = read_table(path, max_bytes=MAX_INDEX_BYTES)
    bad = index_column_problems(table, schema)
    if bad:
        msg = (f"cannot read datastore index {path}: columns missing or of the wrong type: "
               f"{', '.join(bad)}. The file is damaged; run `mozaik check` on the run directory")
        raise DataStoreFormatError(msg)
    return table


# ---------------------------------------------------------------------- manifest
def read_manifest(root: Path) -> dict[str, Any]:
    """Read and check the manifest of the run directory ``root``."""
    path = root / MANIFEST
    if not root.is_dir():
        msg = f"{root} is not a directory; pass the run directory of a Mozaik datastore"
        raise DataStoreFormatError(msg)
    if path.is_symlink():
        msg = (f"{path} is a symbolic link (to {os.readlink(path)}); a store's manifest is a "
               f"file of its own, never a link (which could lead outside the run)")
        raise DataStoreFormatError(msg)
    if not path.is_file():
        msg = (
            f"{root} is not a Mozaik datastore: it has no {MANIFEST}. Pass a run directory "
            f"created by DataStore.create (or by `mozaik run`)."
        )
        raise DataStoreFormatError(msg)
    check_size(path, MAX_MANIFEST_BYTES, "manifest")
    text = read_run_file(root, MANIFEST, "the store", MAX_MANIFEST_BYTES)
    manifest = loads_bounded(text, str(path))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        msg = f"{path} is not a Mozaik datastore manifest (its 'format' is not {FORMAT_NAME!r})"
        raise DataStoreFormatError(msg)
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        msg = f"{path}: format_version {version!r} is invalid; expected a positive integer"
        raise DataStoreFormatError(msg)
    if version > FORMAT_VERSION:
        msg = (
            f"{root} has datastore format version {version}, newer than this mozaik-core reads "
            f"(up to {FORMAT_VERSION}); upgrade mozaik-core to open it"
        )
        raise DataStoreFormatError(msg)
    check_manifest(manifest, path)
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
