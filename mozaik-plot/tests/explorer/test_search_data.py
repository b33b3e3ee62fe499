"""The search page's table: values from the points' caches, or from the collated table."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from explorer_helpers import make_search
from mozaik_plot.explorer._search import SearchData

EXAMPLE_RUN = (Path(__file__).resolve().parents[3] / "docs" / "format" / "example_runs"
               / "with_analyses")


def test_values_come_from_a_newer_collated_table_else_the_caches(tmp_path: Path) -> None:
    master = make_search(tmp_path / "s", EXAMPLE_RUN, [(1.0, 2.0), (3.0,)], runs=0)
    data = SearchData(master, "s").table()
    assert data["n"] == 2 and data["columns"]["point_id"] == [0, 1]
    assert data["columns"]["Mean firing rate [exc]"] == [1300.0, 2300.0]  # the caches
    pq.write_table(pa.table({"point_id": pa.array([0, 1], pa.int64()),
                             "sheet_name": ["exc", "exc"], "value_name": ["Mean firing rate"] * 2,
                             "value": [7.0, 8.0]}), master / "collated.parquet")
    later = os.lstat(master / "index.parquet").st_mtime_ns + 10**9
    os.utime(master / "collated.parquet", ns=(later, later))
    data = SearchData(master, "s").table()
    assert data["columns"]["Mean firing rate [exc]"] == [7.0, 8.0]
    assert data["values"] == ["Mean firing rate [exc]"]
    older = later - 10**10
    os.utime(master / "collated.parquet", ns=(older, older))  # stale: the caches again
    assert SearchData(master, "s").table()["columns"]["Mean firing rate [exc]"] == [
        1300.0, 2300.0]
