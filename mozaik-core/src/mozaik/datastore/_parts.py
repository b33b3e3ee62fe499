"""Presentations written in parts: one network distributed over several processes (MPI ranks).

Each part (rank) writes the recordings of its own neurons: payload files
``spikes/pN-rK.parquet`` and ``analog/pN-rK.parquet`` and, last, its index fragment
``parts/pN-rK.parquet`` (the commit of that part). Once every part of presentation N is
committed, the primary writer *merges* them: it writes the segment-index fragment
``segments/pN.parquet`` whose rows list the parts' payloads in their ``parts`` column (the
commit of the whole presentation), then deletes the part fragments. Payloads are never copied.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
import pyarrow.compute as pc

from mozaik._errors import DataStoreError, DataStoreFormatError
from mozaik.datastore import _format as fmt

if TYPE_CHECKING:
    from mozaik.datastore._store import DataStore

__all__ = ["PART_COLUMNS", "PartWriting", "expand_parts", "merge_part_fragments",
           "part_fragment"]

#: Columns a part's index fragment has beyond the segment index's: which part it is, of how many.
PART_COLUMNS = ("part", "parts")

_LOCATION = [f"{kind}_{c}" for kind in (fmt.SPIKES, fmt.ANALOG)
             for c in ("file", "row_group", "row_groups")]


def part_fragment(fragment: pa.Table, part: int, parts: int) -> pa.Table:
    """The index fragment of part ``part`` of ``parts``: a presentation's segment rows (as
    :func:`~mozaik.datastore._writer.presentation_index` makes them from that part's
    recordings) with the :data:`PART_COLUMNS`."""
    n = fragment.num_rows
    return (fragment.append_column("part", pa.array([part] * n, pa.int32()))
            .append_column("parts", pa.array([parts] * n, pa.int32())))


def _merged_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One segment's row from the rows its parts wrote (``rows`` in part order)."""
    out = {k: v for k, v in rows[0].items() if k not in PART_COLUMNS}
    neurons: dict[str, int] = {}
    for row in rows:
        for variable, n in zip(row["variables"] or [], row["variable_neurons"] or [],
                               strict=True):
            neurons[variable] = neurons.get(variable, 0) + int(n)
    variables = (["spikes"] if "spikes" in neurons else []) + sorted(set(neurons) - {"spikes"})
    starts = [float(r["t_start"]) for r in rows]
    stops = [float(r["t_stop"]) for r in rows]
    out.update(
        t_start=min(starts), t_stop=max(stops), variables=variables,
        variable_neurons=[neurons[v] for v in variables],
        n_spiketrains=sum(int(r["n_spiketrains"]) for r in rows),
        n_spikes=sum(int(r["n_spikes"]) for r in rows),
        spikes_file=None, spikes_row_group=0, spikes_row_groups=0,
        analog_file=None, analog_row_group=0, analog_row_groups=0,
        parts=[{name: r[name] for name in fmt.PART_TYPE.names} for r in rows],
    )
    return out


def _merge(pid: int, tables: list[pa.Table]) -> pa.Table:
    """The segment-index fragment of presentation ``pid`` from its parts' fragments."""
    tables = sorted(tables, key=lambda t: t["part"][0].as_py())
    keys = [t.select(["segment_id", "sheet_name"]) for t in tables]
    if any(not k.equals(keys[0]) for k in keys[1:]):
        msg = (f"the parts of presentation {pid} disagree on its segments (ids and sheets: "
               f"{[k.to_pylist() for k in keys]}); every part must write the same presentations "
               "in the same order (all ranks run the same study)")
        raise DataStoreFormatError(msg)
    per_part = [t.to_pylist() for t in tables]
    merged = [_merged_row([rows[i] for rows in per_part]) for i in range(tables[0].num_rows)]
    base = tables[0].drop_columns(list(PART_COLUMNS))
    schema = pa.schema([*base.schema, pa.field("parts", pa.list_(fmt.PART_TYPE))])
    return pa.Table.from_pylist(merged, schema=schema)


def merge_part_fragments(root: Path, committed: set[int], *, drop_incomplete: bool) -> list[int]:
    """Merge every presentation whose parts are all committed; return their ids.

    Parameters
    ----------
    root : Path
        The run directory.
    committed : set of int
        Presentations already in the segment index (their leftover part fragments, from a
        crash after the merge's commit, are deleted).
    drop_incomplete : bool
        Delete the part fragments of presentations some part did not commit (a crashed run
        being resumed; their payloads are then removed as leftovers). Without it they stay.
    """
    folder = root / fmt.PART_FRAGMENTS
    by_pid: dict[int, list[Path]] = {}
    for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
        ident = fmt.part_from_file(path.name)
        if ident is not None:
            by_pid.setdefault(ident[0], []).append(path)
    merged = []
    for pid, paths in sorted(by_pid.items()):
        if pid in committed:
            _unlink(paths)
            continue
        tables = [fmt.read_table(p) for p in paths]
        count = int(tables[0]["parts"][0].as_py())
        if {int(t["part"][0].as_py()) for t in tables} != set(range(count)):
            if drop_incomplete:
                _unlink(paths)
            continue
        # the rename of the merged fragment is the commit of the whole presentation
        fmt.write_table_atomic(_merge(pid, tables),
                               root / fmt.presentation_file(fmt.SEGMENT_FRAGMENTS, pid))
        _unlink(paths)
        merged.append(pid)
    if by_pid:
        fmt.fsync_dir(folder)
    return merged


def _unlink(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def expand_parts(rows: pa.Table) -> pa.Table:
    """Segment-index ``rows`` with each segment written in parts replaced by one row per part.

    The result has ``segment_id``, ``sheet_name`` and the columns of
    :data:`~mozaik.datastore._format.PART_TYPE` (``part`` null for a segment written whole), so
    payload readers and checks treat a part like a segment of its own.
    """
    names = ["segment_id", "sheet_name", *[n for n in fmt.PART_TYPE.names if n != "part"]]
    whole = rows
    pieces = []
    if "parts" in rows.column_names and rows["parts"].null_count < rows.num_rows:
        split = pc.is_valid(rows["parts"])
        whole = rows.filter(pc.invert(split))
        multi = rows.filter(split)
        lists = multi["parts"].combine_chunks()
        parents = pc.list_parent_indices(lists)
        flat = pc.list_flatten(lists)
        columns = {n: pc.take(multi[n], parents) for n in ("segment_id", "sheet_name")
                   if n in multi.column_names}
        columns.update({n: flat.field(n) for n in fmt.PART_TYPE.names})
        pieces.append(pa.table(columns))
    plain = {n: whole[n] for n in names if n in whole.column_names}
    plain["part"] = pa.nulls(whole.num_rows, pa.int32())
    tables = [pa.table(plain), *pieces]
    return pa.concat_tables(tables, promote_options="permissive")


class PartWriting:
    """The part-writing methods of :class:`~mozaik.datastore.DataStore`."""

    #: (part, parts) while presentations are written in parts, else None.
    _part: tuple[int, int] | None = None

    def write_in_parts(self, parts: int) -> None:
        """From now on write each presentation as part 0 of ``parts`` (see :meth:`open_part`).

        The manifest's ``format_version`` becomes 3: a version-2 reader would find no payload
        for segments written in parts.
        """
        store = cast("DataStore", self)
        store._check_writable("write in parts")
        if parts < 2:
            msg = f"write_in_parts needs at least 2 parts, got {parts}"
            raise DataStoreError(msg)
        self._part = (0, parts)
        data = {**store._manifest, "format_version": fmt.FORMAT_VERSION}
        fmt.write_json_atomic(data, store.manifest_path)
        store._manifest = data

    def merge_parts(self) -> list[int]:
        """Commit every presentation all of whose parts are written; return their ids.

        Call it once every part's process has finished writing (e.g. after an MPI barrier).
        Metadata only: the merged index rows name the parts' payload files.
        """
        store = cast("DataStore", self)
        store._check_writable("merge presentation parts")
        merged = merge_part_fragments(store.root, set(store.segment_index["presentation_id"]
                                                       .to_pylist()), drop_incomplete=False)
        if merged:
            store.reload()
        return merged
