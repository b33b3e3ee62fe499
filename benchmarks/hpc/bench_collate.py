"""Collating the SingleValues of 10,000 finished points (synthetic stores: 4 SingleValues
each, two sheets x mean rate and CV of ISI) with ``mozaik.search.collate_search``.

    uv run python benchmarks/hpc/bench_collate.py [N_POINTS] [FOLDER]

One store is written with the DataStore API and copied to every point with the status and
SingleValue cache that ``run_point`` leaves when a point finishes; making them is timed apart.
Collating also without the caches (every store read) is timed on the first 500 points.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import quantities as pq
from mozaik.ads import SingleValue
from mozaik.datastore import DataStore
from mozaik.search import (
    collate_search,
    point_dir,
    point_values,
    refresh_index,
    search_from_mapping,
)
from mozaik.search._master import save_definition, write_status
from mozaik.testing._backend_contract import contract_study_text


def make(master: Path, root: Path, n: int) -> None:
    (root / "study").mkdir(exist_ok=True)
    (root / "study" / "study.yaml").write_text(contract_study_text("mock"))
    side = int(n ** 0.5)
    search = search_from_mapping({"study": "study", "parameters": {
        "connectors.exc_inh.params.weight_uS": [0.001 * (i + 1) for i in range(side)],
        "connectors.exc_inh.params.delay_ms": [0.1 * (i + 1) for i in range(n // side)]}},
        root, name="collate")
    save_definition(search, master)
    first = point_dir(master, 0)
    with DataStore.create(first, {"config": {"name": "x"}}) as store:
        for sheet in ("exc", "inh"):
            store.add_analysis_result(SingleValue(
                analysis_algorithm="PopulationMean", sheet_name=sheet, value=12.5,
                value_name="Mean(Firing rate)", value_units=pq.Hz))
            store.add_analysis_result(SingleValue(
                analysis_algorithm="PopulationMean", sheet_name=sheet, value=0.5,
                value_name="Mean(CV of ISI)", value_units=pq.dimensionless))
    point_values(master, 0)
    cache = (master / "status" / "p00000.values.json").read_text()
    write_status(master, 0, "done")
    for i in range(1, len(search.points)):
        shutil.copytree(first, point_dir(master, i))
        (master / "status" / f"p{i:05d}.values.json").write_text(cache)
        write_status(master, i, "done")


def main(n: int, folder: Path | None) -> None:
    root = folder or Path(tempfile.mkdtemp())
    master = root / "master"
    if not (master / "search.yaml").exists():
        start = time.perf_counter()
        make(master, root, n)
        print(f"made {n} stores in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    index = refresh_index(master, check=False)
    index_s = time.perf_counter() - start
    n_points = index.num_rows
    start = time.perf_counter()
    table = collate_search(master)
    collate_s = time.perf_counter() - start
    print(f"index of {n_points} points (status files): {index_s:.2f} s")
    print(f"collate {n_points} points (cached SingleValues) -> {table.num_rows} rows: "
          f"{collate_s:.2f} s")
    cold = min(500, n_points)
    start = time.perf_counter()
    for i in range(cold):
        (master / "status" / f"p{i:05d}.values.json").unlink()
        point_values(master, i)
    cold_s = time.perf_counter() - start
    print(f"reading the SingleValues from the stores (no cache): {cold_s / cold * 1e3:.1f} ms "
          f"per point ({cold} points)")

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000,
         Path(sys.argv[2]) if len(sys.argv) > 2 else None)
