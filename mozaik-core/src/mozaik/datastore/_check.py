"""Integrity check of a run directory, like SQLite's ``PRAGMA integrity_check``.

:func:`check_store` verifies that every file the index names exists, lies inside the run
directory and has the schema ``docs/datastore-format.md`` gives; that spike and trace counts
match the index; that no payload is orphaned and no ``.tmp`` file is left; and that the
manifest's state agrees with the files (a complete run has a consolidated index).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mozaik._errors import DataStoreFormatError, MozaikError
from mozaik.ads import ads_class
from mozaik.datastore import _format as fmt
from mozaik.datastore._indexlog import keep_last
from mozaik.datastore._lock import lock_is_held
from mozaik.datastore._neurons import NEURON_FIXED
from mozaik.datastore._parts import expand_parts
from mozaik.plugin import Registry, get_registry

__all__ = ["Problem", "check_store"]

_MAGIC = b"PAR1"


@attrs.frozen
class Problem:
    """One thing wrong with a store.

    Parameters
    ----------
    kind : str
        Short category: ``manifest``, ``index``, ``duplicate``, ``unsafe-path``, ``missing``,
        ``unreadable``, ``schema``, ``count``, ``orphan``, ``tmp``, ``unmerged``, ``lock``,
        ``busy``.
    file : str
        The file concerned, relative to the run directory (``""`` for the store as a whole).
    message : str
        What is wrong and what to do about it.
    """

    kind: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.file or '.'}: {self.message}"


class _Checker:
    """Collects the problems of one run directory."""

    def __init__(self, root: Path, quick: bool, registry: Registry | None = None) -> None:
        self.root = root
        self._registry = registry
        self.quick = quick
        self.problems: list[Problem] = []
        self.manifest: dict[str, Any] = {}
        self._sizes: dict[str, int | None] = {}

    @property
    def registry(self) -> Registry:
        """The registry given to :func:`check_store`, else (asked only when a result is
        checked) the installed plugins'."""
        if self._registry is None:
            self._registry = get_registry()
        return self._registry

    def add(self, kind: str, file: str | Path, message: str) -> None:
        rel = file.relative_to(self.root).as_posix() if isinstance(file, Path) else file
        self.problems.append(Problem(kind, rel, message))

    # ------------------------------------------------------------------ files
    def payload_file(self, rel: str, where: str, schema: pa.Schema | None) -> pq.ParquetFile | None:
        """Open a file named by an index row; None (and a problem) if it is not usable."""
        try:
            path = fmt.store_file(self.root, rel, where)
        except DataStoreFormatError as exc:
            self.add("unsafe-path", rel, str(exc))
            return None
        if not path.is_file():
            self.add("missing", rel, f"{where} names this file, which does not exist")
            return None
        if self.quick:
            if not _looks_like_parquet(path):
                self.add("unreadable", rel, f"not a Parquet file (named by {where}); it is "
                         f"truncated or overwritten")
            return None
        try:
            pf = fmt.open_parquet(path)
        except DataStoreFormatError as exc:
            self.add("unreadable", rel, f"{exc} (named by {where})")
            return None
        if schema is not None and not pf.schema_arrow.equals(schema, check_metadata=False):
            self.add("schema", rel, f"schema {_names(pf.schema_arrow)} differs from the format's "
                     f"{_names(schema)}")
            return None
        return pf

    def index(self, consolidated: str, fragments: str, id_column: str,
              schema: pa.Schema) -> pa.Table | None:
        """Read one index (consolidated file plus fragments), checking each file's columns."""
        tables: list[pa.Table] = []
        have: set[int] = set()
        files = [self.root / consolidated] if (self.root / consolidated).exists() else []
        frag_dir = self.root / fragments
        files += sorted(frag_dir.glob("*.parquet")) if frag_dir.is_dir() else []
        optional = fmt.OPTIONAL_INDEX_COLUMNS if self.manifest.get("format_version", 1) < 2 \
            else frozenset()
        for path in files:
            try:
                table = fmt.read_table(path, max_bytes=fmt.MAX_INDEX_BYTES)
            except DataStoreFormatError as exc:
                self.add("unreadable", path, str(exc))
                continue
            bad = fmt.index_column_problems(table, schema, optional)
            if bad:
                self.add("schema", path, f"index columns missing or of the wrong type: "
                         f"{', '.join(bad)}")
                continue
            ids = set(table[id_column].to_pylist())
            if path.parent == frag_dir and ids <= have:
                continue
            have |= ids
            tables.append(table)
        return fmt.concat_tables(tables)

    # ------------------------------------------------------------------ segments
    def segments(self, seg: pa.Table) -> None:
        if "parts" in seg.column_names:
            self.part_totals(seg)
            seg = expand_parts(seg)  # each part is checked like a segment against its files
        for kind, schema in ((fmt.SPIKES, fmt.SPIKES_SCHEMA), (fmt.ANALOG, fmt.ANALOG_SCHEMA)):
            rows = seg.filter(pc.is_valid(seg[f"{kind}_file"]))
            by_file: dict[str, list[dict[str, Any]]] = {}
            for row in rows.to_pylist():
                by_file.setdefault(row[f"{kind}_file"], []).append(row)
            for rel, file_rows in by_file.items():
                where = f"segment {file_rows[0]['segment_id']}"
                pf = self.payload_file(rel, where, schema)
                if pf is not None:
                    self.payload_counts(kind, rel, pf, file_rows)

    def part_totals(self, seg: pa.Table) -> None:
        """A segment written in parts counts what its parts count."""
        for row in seg.filter(pc.is_valid(seg["parts"])).to_pylist():
            parts = row["parts"]
            for column in ("n_spikes", "n_spiketrains"):
                total = sum(p[column] for p in parts)
                if total != row[column]:
                    self.add("count", fmt.SEGMENTS, f"segment {row['segment_id']} says "
                             f"{column} {row[column]}, its {len(parts)} parts {total}")

    def payload_counts(self, kind: str, rel: str, pf: pq.ParquetFile,
                       rows: list[dict[str, Any]]) -> None:
        for row in rows:
            first, count = row[f"{kind}_row_group"], row[f"{kind}_row_groups"]
            sid = row["segment_id"]
            try:
                data = fmt.read_spans(self.root / rel, pf, [(first, count)], None,
                                      f"segment {sid}")
            except DataStoreFormatError as exc:
                self.add("unreadable", rel, str(exc))
                continue
            if data.num_rows and set(data["segment_id"].to_pylist()) != {sid}:
                self.add("index", rel, f"the row groups named by segment {sid} hold rows of "
                         f"segments {sorted(set(data['segment_id'].to_pylist()))}")
                continue
            for message in _payload_mismatches(kind, row, data, self.sheet_size(row["sheet_name"])):
                self.add("count", rel, f"segment {sid} ({row['sheet_name']}): {message}")

    def sheet_size(self, sheet: str) -> int | None:
        """Number of neurons of ``sheet`` from its neurons table's footer (None: unknown)."""
        if sheet not in self._sizes:
            path = self.root / fmt.sheet_file(sheet)
            try:
                self._sizes[sheet] = fmt.open_parquet(path).metadata.num_rows
            except DataStoreFormatError:
                self._sizes[sheet] = None  # reported by neurons()
        return self._sizes[sheet]

    def duplicates(self, table: pa.Table, id_column: str, file: str, what: str) -> None:
        """Index rows that repeat an id (their payload would be counted twice)."""
        counts = pc.value_counts(table[id_column])
        repeated = [v["values"] for v in counts.to_pylist() if v["counts"] > 1]
        if repeated:
            self.add("duplicate", file, f"{len(repeated)} {what}(s) appear more than once in "
                     f"the index (e.g. {id_column} {repeated[0]}), so their data would be "
                     f"counted twice; the index is damaged")

    # ------------------------------------------------------------------ results, neurons
    def results(self, ads: pa.Table) -> None:
        for row in ads.to_pylist():
            where = f"analysis result {row['ads_id']} ({row['identifier']})"
            pf = self.payload_file(row["payload_file"], where, None)
            if pf is None:
                continue
            try:
                cls = ads_class(row["identifier"], self.registry)
            except MozaikError:
                continue  # written by a plugin that is not installed: the payload cannot be judged
            try:
                payload = fmt.read_table(self.root / row["payload_file"])
            except DataStoreFormatError as exc:
                self.add("unreadable", row["payload_file"], f"{exc} (named by {where})")
                continue
            try:
                cls.from_stored(fmt.loads_bounded(row["parameters"], f"the parameters of {where}"),
                                list(row["tags"] or []), payload)
            except (MozaikError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
                self.add("schema", row["payload_file"], f"{where} cannot be rebuilt from its "
                         f"payload: {exc}")

    def neurons(self) -> None:
        d = self.root / fmt.NEURONS
        for path in sorted(d.glob("*.parquet")) if d.is_dir() else []:
            rel = path.relative_to(self.root).as_posix()
            if self.quick:
                if not _looks_like_parquet(path):
                    self.add("unreadable", rel, "not a Parquet file; truncated or overwritten")
                continue
            try:
                table = fmt.read_table(path)  # every page, so its checksums are verified
            except DataStoreFormatError as exc:
                self.add("unreadable", rel, str(exc))
                continue
            schema = table.schema
            sheet = (schema.metadata or {}).get(b"mozaik.sheet")
            missing = [c for c in NEURON_FIXED if c not in schema.names]
            if sheet is None or missing or fmt.sheet_file(sheet.decode()) != rel:
                self.add("schema", rel, f"not a neurons table of the format (columns missing: "
                         f"{missing or 'none'}, sheet metadata: {sheet!r})")

    # ------------------------------------------------------------------ leftovers, state
    def leftovers(self, seg: pa.Table, ads: pa.Table) -> None:
        files = expand_parts(seg) if "parts" in seg.column_names else seg
        named = {r for k in ("spikes_file", "analog_file") for r in files[k].to_pylist() if r}
        named |= set(ads["payload_file"].to_pylist())
        for folder in (fmt.SPIKES, fmt.ANALOG, fmt.ADS_PAYLOADS):
            d = self.root / folder
            for path in sorted(d.iterdir()) if d.is_dir() else []:
                rel = path.relative_to(self.root).as_posix()
                if rel not in named and not path.name.endswith(fmt.TMP_SUFFIX):
                    self.add("orphan", rel, "no index row names this file (left by an "
                             "interrupted write or a replaced result); resume the run or open "
                             "the store with mode='a' to remove it")
        for path in sorted(self.root.rglob("*" + fmt.TMP_SUFFIX)):
            self.add("tmp", path, "a temporary file of an interrupted write; resume the run or "
                     "open the store with mode='a' to remove it")

    def state(self) -> None:
        m = self.manifest
        lock = self.root / fmt.LOCK
        if lock_is_held(self.root):
            self.add("busy", fmt.LOCK, "a process is writing this store now; check it again when "
                     "that process has finished")
            return
        if m.get("status") != "complete":
            return
        fragments = [p for d in (fmt.SEGMENT_FRAGMENTS, fmt.ADS_FRAGMENTS, fmt.PART_FRAGMENTS)
                     for p in sorted((self.root / d).glob("*.parquet"))]
        for path in fragments:
            self.add("unmerged", path, "the manifest says the run is complete but this index "
                     "fragment was not consolidated; open the store with mode='a' and close it")
        consolidated = [fmt.SEGMENTS] + ([fmt.ADS_INDEX] if m.get("format_version", 1) >= 2 else [])
        for rel in consolidated:
            if not (self.root / rel).is_file():
                self.add("unmerged", rel, "the manifest says the run is complete but the "
                         "consolidated index file is missing")
        if not m.get("end_time"):
            self.add("manifest", fmt.MANIFEST, "status is 'complete' but end_time is not set")
        if lock.exists():
            self.add("lock", fmt.LOCK, "the run is complete but its writer did not close "
                     "cleanly (the lock file is left); delete it")


def _names(schema: pa.Schema) -> str:
    return "(" + ", ".join(f"{f.name}: {f.type}" for f in schema) + ")"


def _looks_like_parquet(path: Path) -> bool:
    """A cheap test: a Parquet file starts and ends with ``PAR1``."""
    try:
        size = path.stat().st_size
        if size < 12:
            return False
        with open(path, "rb") as fh:
            head = fh.read(4)
            fh.seek(size - 4)
            return head == _MAGIC and fh.read(4) == _MAGIC
    except OSError:
        return False


def _payload_mismatches(kind: str, row: dict[str, Any], data: pa.Table,
                        n_neurons: int | None) -> Iterator[str]:
    """How the payload rows of one segment disagree with its index row and its sheet (neuron
    indices within the sheet, spike times within the segment's time span)."""
    if data.num_rows and n_neurons is not None:
        lo, hi = (v.as_py() for v in pc.min_max(data["neuron"]).values())
        if lo < 0 or hi >= n_neurons:
            yield (f"neuron indices {lo}..{hi} lie outside the sheet's {n_neurons} neurons")
    if kind == fmt.SPIKES:
        times = data["time"]
        if pc.count(times).as_py():
            first, last = (v.as_py() for v in pc.min_max(times).values())
            span = (row.get("t_start"), row.get("t_stop"))  # a part's row has none
            if None not in span and not span[0] <= first <= last <= span[1]:
                yield (f"spike times {first}..{last} ms lie outside the segment's "
                       f"{row['t_start']}..{row['t_stop']} ms")
        n_spikes = int(pc.count(data["time"]).as_py())  # nulls mark silent neurons
        if n_spikes != row["n_spikes"]:
            yield f"the index says {row['n_spikes']} spikes, the payload holds {n_spikes}"
        n_trains = len(pc.unique(data["neuron"]))
        if row["n_spiketrains"] and n_trains != row["n_spiketrains"]:
            yield (f"the index says {row['n_spiketrains']} recorded neurons, the payload holds "
                   f"{n_trains}")
        return
    counts = row.get("variable_neurons")
    if counts is None:
        return
    expected = dict(zip(row["variables"], counts, strict=False))
    for variable in sorted(set(data["variable"].to_pylist())):
        part = data.filter(pc.equal(data["variable"], variable))
        n = len(pc.unique(part["neuron"]))
        if expected.get(variable) != n:
            yield (f"the index says {expected.get(variable)} neurons recorded {variable!r}, the "
                   f"payload holds {n}")


def check_store(run_dir: str | os.PathLike[str], *, quick: bool = False,
                registry: Registry | None = None) -> list[Problem]:
    """Verify a store; return its problems (an empty list: the store is sound).

    Parameters
    ----------
    run_dir : path
        The run directory.
    quick : bool
        Only check that every named file exists, lies inside the run directory and looks like
        Parquet (its first and last 4 bytes), plus leftovers and manifest state; no payload is
        decoded. ``mozaik show`` uses this.
    registry : Registry, optional
        Where the classes of analysis results are looked up (results of classes it lacks are
        not decoded); default: the installed plugins'.

    Returns
    -------
    list of Problem
        Every problem found, in the order: manifest, index, payloads, results, neurons,
        leftovers, state.
    """
    root = Path(run_dir)
    checker = _Checker(root, quick, registry)
    try:
        checker.manifest = fmt.read_manifest(root)
    except DataStoreFormatError as exc:
        return [Problem("manifest", fmt.MANIFEST, str(exc))]
    seg = checker.index(fmt.SEGMENTS, fmt.SEGMENT_FRAGMENTS, "presentation_id",
                        fmt.SEGMENT_COLUMNS)
    ads = checker.index(fmt.ADS_INDEX, fmt.ADS_FRAGMENTS, "ads_id", fmt.ADS_COLUMNS)
    seg = fmt.SEGMENT_COLUMNS.empty_table() if seg is None else seg
    ads = fmt.ADS_COLUMNS.empty_table() if ads is None else ads
    checker.duplicates(seg, "segment_id", fmt.SEGMENTS, "segment")
    checker.duplicates(ads, "ads_id", fmt.ADS_INDEX, "analysis result")
    ads = keep_last(ads)
    checker.segments(seg)
    checker.results(ads)
    checker.neurons()
    checker.leftovers(seg, ads)
    checker.state()
    return checker.problems
