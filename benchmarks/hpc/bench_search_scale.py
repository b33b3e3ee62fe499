"""How the cost of a parameter search's own bookkeeping grows with its points (issue 25 item 3).

    uv run python benchmarks/hpc/bench_search_scale.py 10000 100000 1000000 [--no-slurm]
        [--synthetic-max=N]

Sizes above ``--synthetic-max`` get no synthetic point files (making 2 x 10^6 small files
takes most of an hour on a loaded machine): their status is that of the planned search (every
point missing, the index read) and their DuckDB query runs over a collated table written
directly in ``collate_search``'s layout; their collation is not measured.

For each size N (a grid of sqrt(N) x sqrt(N) values of a tiny study):

- plan: load and validate the search file (the points made), copy the definition, write the
  master index (``load_search``, ``save_definition``, ``refresh_index`` of a new master);
- submit: ``SlurmBackend.submit`` of every point to a local Slurm cluster
  (``mozaik_hpc.testing.LocalSlurm``) packed so that the tasks fit the cluster's
  ``MaxArraySize`` (pack = ceil(N / 10,000)): the todo file, the batch script, one ``sbatch``;
  cancelled at once;
- synthetic point stores: each point gets the files a finished point leaves that status and
  collation read, a status file and a SingleValue cache of 4 values (2 sheets x rate and CV of
  ISI); no store (its ADS stamp is empty, as the cache records), so the collation reads exactly
  what it reads for real points minus two ``stat`` calls of the store's ADS index;
- status: ``mozaik search status MASTER`` as a command (a new Python process, wall time) after
  the index has been written once (as ``mozaik search run`` leaves it);
- collate: ``mozaik search collate MASTER`` as a command, its wall time and peak RSS;
- query: a DuckDB aggregate over the collated table.

Results go to ``benchmarks/hpc/results-scale-<N>.json`` and a growth fit (log-log slope) is printed.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MOZAIK = str(Path(sys.executable).with_name("mozaik"))
W = "connectors.exc_inh.params.weight_uS"
D = "connectors.exc_inh.params.delay_ms"


def _search_file(root: Path, n: int) -> Path:
    from mozaik.testing import contract_study_text

    (root / "study").mkdir(exist_ok=True)
    (root / "study" / "study.yaml").write_text(contract_study_text("mock"))
    side = round(math.sqrt(n))
    file = root / "search.yaml"
    file.write_text(json.dumps({"study": "study", "kind": "grid", "parameters": {
        W: [round(0.001 * (i + 1), 6) for i in range(side)],
        D: [round(0.1 * (i + 1), 6) for i in range(n // side)]}}))
    return file


def _synthetic(master: Path, n: int) -> None:
    status = master / "status"
    status.mkdir(parents=True, exist_ok=True)
    record = json.dumps({"status": "done", "error": "", "log_tail": "", "elapsed_s": 1.5,
                         "exit_code": 0, "signal": None})
    values = [{"sheet_name": s, "analysis_algorithm": "PopulationMean", "stimulus_id": None,
               "value_name": name, "value": v, "value_units": u}
              for s in ("exc", "inh")
              for name, v, u in (("Mean(Firing rate)", 12.5, "Hz"),
                                 ("Mean(CV of ISI)", 0.9, "dimensionless"))]
    cache = json.dumps({"stamp": [], "values": values})
    for i in range(n):
        with open(status / f"p{i:05d}.json", "w", encoding="utf-8") as fh:
            fh.write(record)
        with open(status / f"p{i:05d}.values.json", "w", encoding="utf-8") as fh:
            fh.write(cache)


#: The commands' environment: bytecode cached (in a folder of its own) as in a normal install;
#: without it (PYTHONDONTWRITEBYTECODE=1, as on the development machine) every command
#: compiles pandas from source, which pyarrow imports at its first array: seconds a command.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _peak_of(args: list[str]) -> tuple[float, float, str, float]:
    """Wall time, peak RSS (MiB), first line of output and CPU time (user + system) of one
    command, measured alone (a fresh sampler process). On a shared machine the CPU time is
    what the command costs; the wall time waits for a core as well."""
    code = ("import resource, subprocess, sys, time, json; s = time.perf_counter(); "
            "d = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True); "
            "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(json.dumps([time.perf_counter() - s, u.ru_maxrss / 1024, "
            "(d.stdout.splitlines() or [''])[0], u.ru_utime + u.ru_stime]))")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True, env=_ENV).stdout
    wall, peak, first, cpu = json.loads(out)
    return float(wall), float(peak), str(first), float(cpu)


def _synthetic_collated(path: Path, search: object, n: int) -> None:
    """A collated table of ``n`` points x 4 values as ``collate_search`` writes it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    points = search.points  # type: ignore[attr-defined]
    rows = np.repeat(np.arange(n, dtype=np.int64), 4)
    table = pa.table({
        "point_id": pa.array(rows),
        W: pa.array(np.repeat([p[W] for p in points], 4)),
        D: pa.array(np.repeat([p[D] for p in points], 4)),
        "sheet_name": pa.array(np.tile(["exc", "exc", "inh", "inh"], n)),
        "analysis_algorithm": pa.array(["PopulationMean"] * (4 * n)),
        "stimulus_id": pa.nulls(4 * n, pa.string()),
        "value_name": pa.array(np.tile(["Mean(Firing rate)", "Mean(CV of ISI)"], 2 * n)),
        "value": pa.array(np.random.default_rng(1).uniform(0, 50, 4 * n)),
        "value_units": pa.array(np.tile(["Hz", "dimensionless"], 2 * n))})
    pq.write_table(table, path)


def _query(master: Path) -> tuple[float, int]:
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    rows = con.execute(
        f"SELECT \"{D}\" AS delay, avg(value) AS rate, count(*) AS n FROM "
        f"'{master / 'collated.parquet'}' WHERE value_name = 'Mean(Firing rate)' "
        "GROUP BY delay ORDER BY delay").fetchall()
    return time.perf_counter() - start, len(rows)


def one(n: int, root: Path, use_slurm: bool, synthetic: bool = True) -> dict[str, object]:
    from mozaik.search import load_search, refresh_index
    from mozaik.search._master import save_definition

    file = _search_file(root, n)
    master = root / "master"
    start, cpu = time.perf_counter(), time.process_time()
    search = load_search(file)
    loaded = time.perf_counter() - start
    save_definition(search, master)
    refresh_index(master, search, check=False)
    plan_s = time.perf_counter() - start
    result: dict[str, object] = {"points": n, "plan_s": plan_s, "load_search_s": loaded,
                                 "plan_cpu_s": time.process_time() - cpu}
    if use_slurm:
        # a cluster of its own per size: cancelled tasks stay in slurmctld's memory for
        # MinJobAge and count against MaxJobCount, which blocks the next sbatch
        from mozaik_hpc import SlurmBackend, SlurmBackendParams, max_array_size
        from mozaik_hpc.testing import LocalSlurm

        with LocalSlurm(root / "slurm") as cluster:
            os.environ["SLURM_CONF"] = str(cluster.conf)
            pack = max(1, math.ceil(n / (max_array_size() - 1)))
            backend = SlurmBackend(SlurmBackendParams(pack=pack))
            start = time.perf_counter()
            job = backend.submit(search, master, list(range(len(search.points))))
            result["submit_s"] = time.perf_counter() - start
            result["pack"] = pack
            result["tasks"] = backend.search_tasks(len(search.points))
            subprocess.run(["scancel", job], check=True)
        shutil.rmtree(master / "slurm")
    if not synthetic:  # the index as planned (every point missing), a collated table as
        # collate_search writes it: status and the query measured, collation not
        wall, _peak, first, cpu = _peak_of([MOZAIK, "search", "status", str(master)])
        result.update(status_s=wall, status_cpu_s=cpu, status_first_line=first)
        _synthetic_collated(master / "collated.parquet", search, len(search.points))
        result["duckdb_query_s"], result["duckdb_rows"] = _query(master)
        result["load_average"] = os.getloadavg()
        return result
    start = time.perf_counter()
    _synthetic(master, n)
    result["make_synthetic_s"] = time.perf_counter() - start
    start = time.perf_counter()
    refresh_index(master, search, check=False)  # as the run leaves it (points read once)
    result["index_all_read_s"] = time.perf_counter() - start
    wall, _peak, first, cpu = _peak_of([MOZAIK, "search", "status", str(master)])
    result["status_s"] = wall
    result["status_cpu_s"] = cpu
    result["status_first_line"] = first
    wall, peak, first, cpu = _peak_of([MOZAIK, "search", "collate", str(master)])
    result["collate_s"] = wall
    result["collate_cpu_s"] = cpu
    result["collate_peak_mib"] = peak
    result["collate_out"] = first
    result["duckdb_query_s"], result["duckdb_rows"] = _query(master)
    wall, _peak, _first, cpu = _peak_of([MOZAIK, "--version"])
    result["cli_start_s"], result["cli_start_cpu_s"] = wall, cpu
    result["load_average"] = os.getloadavg()
    return result


def main(sizes: list[int], use_slurm: bool, synthetic_max: int) -> None:
    results = []
    tmp = Path(tempfile.mkdtemp(prefix="mozaik-scale-"))
    _ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    _peak_of([sys.executable, "-c", "import pandas, pyarrow.pandas_compat, mozaik.cli, "
              "mozaik.search, mozaik.datastore, mozaik.plugin as p; p.get_registry()"])
    # this process too: imports are paid once, not by the first size's figures
    import pandas  # noqa: F401
    from mozaik.plugin import get_registry

    get_registry()
    try:
        for n in sizes:
            root = tmp / f"n{n}"
            root.mkdir()
            result = one(n, root, use_slurm, synthetic=n <= synthetic_max)
            print(json.dumps(result), flush=True)
            (HERE / f"results-scale-{n}.json").write_text(json.dumps(result, indent=1) + "\n")
            results.append(result)
            shutil.rmtree(root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if len(results) >= 2:
        x = np.log10([float(r["points"]) for r in results])  # type: ignore[arg-type]
        for key in ("plan_s", "plan_cpu_s", "submit_s", "status_s", "status_cpu_s",
                    "collate_s", "collate_cpu_s", "collate_peak_mib", "duckdb_query_s"):
            have = [r for r in results if key in r]
            if len(have) >= 2:
                x = np.log10([float(r["points"]) for r in have])  # type: ignore[arg-type]
                y = np.log10([float(r[key]) for r in have])  # type: ignore[arg-type]
                slope = np.polyfit(x, y, 1)[0]
                print(f"{key}: grows as N^{slope:.2f}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    most = [int(a.split("=")[1]) for a in sys.argv if a.startswith("--synthetic-max=")]
    main([int(a) for a in args] or [10_000, 100_000], "--no-slurm" not in sys.argv,
         most[0] if most else 10**6)
