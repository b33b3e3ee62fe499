"""An index table kept as one consolidated Parquet file plus one committed fragment per write."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from mozaik.datastore import _format as fmt

__all__ = [
    "IndexLog",
    "keep_last",
    "next_id",
    "remove_leftovers",
    "remove_replaced_payloads",
    "stimuli_table",
]


class IndexLog:
    """An index table kept as a consolidated file plus one committed fragment per write.

    A fragment's atomic rename is the commit of the write it belongs to. :meth:`compact` folds
    the fragments into the consolidated file (rename first, delete fragments after), so readers
    take the union and drop fragments whose ids the consolidated file already holds.

    Parameters
    ----------
    root : Path
        The run directory.
    consolidated : str
        Path of the consolidated file relative to ``root`` (``segments.parquet``).
    fragments : str
        Folder of the fragments relative to ``root`` (``segments``).
    id_column : str
        Column whose value identifies one write (``presentation_id``, ``ads_id``).
    schema : pa.Schema
        Columns every row has (the table of an empty index).
    last_of : str, optional
        Keep only the row with the highest ``id_column`` per value of this column (a result
        stored again with ``replace=True`` replaces the old row).
    """

    def __init__(
        self,
        root: Path,
        consolidated: str,
        fragments: str,
        id_column: str,
        schema: pa.Schema,
        *,
        last_of: str | None = None,
    ) -> None:
        self.root = root
        self.consolidated = root / consolidated
        self.fragments = root / fragments
        self.id_column = id_column
        self.schema = schema
        self.last_of = last_of
        self._parts: list[pa.Table] = []
        self._table: pa.Table | None = None

    def load(self) -> None:
        """(Re-)read the index from disk."""
        table = self.read()
        self._parts = [] if table is None else [table]
        self._table = None

    def append(self, fragment: pa.Table) -> None:
        """Add the rows of a fragment this process has just committed."""
        self._parts.append(fragment)
        self._table = None

    @property
    def table(self) -> pa.Table:
        """The whole index in memory (the schema's empty table if there are no rows)."""
        if self._table is None:
            t = fmt.concat_tables(self._parts)
            if t is None:
                self._table = self.schema.empty_table()
            else:
                self._table = keep_last(t) if self.last_of else t.combine_chunks()
                self._parts = [self._table]
        return self._table

    def fragment_path(self, ident: int, prefix: str) -> Path:
        """The fragment file of write ``ident`` (``prefix`` ``p`` or ``a``)."""
        return self.fragments / f"{prefix}{ident:08d}.parquet"

    def fragment_files(self) -> list[Path]:
        """The fragment files present now, sorted."""
        if not self.fragments.is_dir():
            return []
        return sorted(self.fragments.glob("*.parquet"))

    def read(self) -> pa.Table | None:
        """The union of the consolidated file and the fragments it does not hold yet."""
        tables = []
        have: set[int] = set()
        if self.consolidated.exists():
            base = fmt.read_index(self.consolidated, self.schema)
            have = set(base[self.id_column].to_pylist())
            tables.append(base)
        for path in self.fragment_files():
            ident = fmt.id_from_file(path.name)
            if ident is None or ident in have:
                continue
            tables.append(fmt.read_index(path, self.schema))
        return fmt.concat_tables(tables)

    def compact(self) -> None:
        """Write the whole index as the consolidated file, then delete the fragments.

        A consolidated file is written even for an empty index (the schema's empty table), so
        generic readers always find one.
        """
        fragments = self.fragment_files()
        table = self.table
        if table.num_rows == 0 and not self.consolidated.exists():
            fmt.write_table_atomic(table, self.consolidated)
        if not fragments:
            return
        fmt.write_table_atomic(table.combine_chunks(), self.consolidated)
        for path in fragments:
            path.unlink(missing_ok=True)
        fmt.fsync_dir(self.fragments)


    def drop(self, ids: set[int]) -> None:
        """Rewrite the consolidated file without the rows whose ``id_column`` is in ``ids``.

        Call :meth:`compact` first: a fragment left beside the rewritten file would bring its
        row back.
        """
        table = self.table
        keep = pc.invert(pc.is_in(table[self.id_column], value_set=pa.array(sorted(ids),
                                                                             pa.int64())))
        table = table.filter(keep).combine_chunks()
        fmt.write_table_atomic(table, self.consolidated)
        self._parts, self._table = [table], table


def keep_last(table: pa.Table) -> pa.Table:
    """Keep, per ``ads_key``, only the row with the highest ``ads_id`` (replacements win)."""
    if table.num_rows == 0:
        return table
    last = table.group_by("ads_key", use_threads=False).aggregate([("ads_id", "max")])
    mask = pc.is_in(table["ads_id"], value_set=last["ads_id_max"])
    return table.filter(mask).sort_by("ads_id").combine_chunks()


def stimuli_table(segments: pa.Table) -> pa.Table:
    """One row per distinct ``stimulus_id`` of a segment index, with its ``st_*`` columns."""
    cols = ["stimulus_id", "stimulus_name"] + [
        c for c in segments.column_names if c.startswith(fmt.ST_PREFIX)
    ]
    stimuli = segments.select(cols)
    first = stimuli.group_by("stimulus_id", use_threads=False).aggregate([])
    return stimuli.take(pc.index_in(first["stimulus_id"], stimuli["stimulus_id"]))


def remove_leftovers(root: Path, committed: set[int]) -> None:
    """Delete ``.tmp`` files and spike/analog payloads of presentations not in ``committed``."""
    for tmp in root.rglob("*" + fmt.TMP_SUFFIX):
        tmp.unlink(missing_ok=True)
    for kind in (fmt.SPIKES, fmt.ANALOG):
        d = root / kind
        if d.is_dir():
            for path in d.glob("*.parquet"):
                ident = fmt.id_from_file(path.name)
                if ident is not None and ident not in committed:
                    path.unlink()


def remove_replaced_payloads(root: Path, live: set[str]) -> None:
    """Delete ADS payload files no current ADS-index row names (``live``: their names)."""
    d = root / fmt.ADS_PAYLOADS
    if d.is_dir():
        for path in d.glob("*.parquet"):
            if f"{fmt.ADS_PAYLOADS}/{path.name}" not in live:
                path.unlink()


def next_id(ids: pa.ChunkedArray) -> int:
    """One more than the largest id of an index column, 0 for an empty one."""
    return int(pc.max(ids).as_py()) + 1 if len(ids) else 0
