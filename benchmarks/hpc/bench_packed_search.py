"""A real packed search end to end on a local Slurm cluster (issue 25 item 3; not run in CI).

    uv run python benchmarks/hpc/bench_packed_search.py [N_POINTS] [PACK]   # 2000 100

A grid of ``N_POINTS`` points of a tiny study (the contract study on PyNN's ``mock``
simulator: what the search machinery costs, not a simulator) run with ``mozaik search run
--backend slurm --resource pack=PACK`` on a single-node cluster started by
``mozaik_hpc.testing.LocalSlurm`` (its CPUs are this machine's). Prints the command's wall
time, the points done, the tasks and arrays, the mean time a point took inside its task (its
status file's ``elapsed_s``) and the time of ``mozaik search status`` and ``collate`` after it;
writes ``benchmarks/hpc/results-packed-<N>x<PACK>.json``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MOZAIK = str(Path(sys.executable).with_name("mozaik"))
W = "connectors.exc_inh.params.weight_uS"
D = "connectors.exc_inh.params.delay_ms"


def main(n: int, pack: int) -> None:
    from mozaik.search import read_index
    from mozaik.testing import contract_study_text
    from mozaik_hpc.testing import LocalSlurm

    with tempfile.TemporaryDirectory(prefix="mozaik-packed-") as tmp:
        root = Path(tmp)
        (root / "study").mkdir()
        (root / "study" / "study.yaml").write_text(contract_study_text("mock"))
        side = round(math.sqrt(n))
        file = root / "search.yaml"
        file.write_text(json.dumps({
            "study": "study", "kind": "grid", "backend": "slurm",
            "resources": {"pack": pack, "poll_s": 2.0, "time": "02:00:00"},
            "parameters": {W: [round(0.001 * (i + 1), 6) for i in range(side)],
                           D: [round(0.1 * (i + 1), 6) for i in range(n // side)]}}))
        master = root / "master"
        with LocalSlurm(root / "slurm") as cluster:
            env = {**cluster.env()}
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
            start = time.perf_counter()
            done = subprocess.run([MOZAIK, "search", "run", str(file), "--out", str(master)],
                                  env=env, capture_output=True, text=True, check=False)
            run_s = time.perf_counter() - start
            print(done.stderr[-2000:], done.stdout[-2000:])
            index = read_index(master)
            statuses = index["status"].to_pylist()
            elapsed = [e for e, s in zip(index["elapsed_s"].to_pylist(), statuses, strict=True)
                       if s == "done" and e is not None]
            start = time.perf_counter()
            subprocess.run([MOZAIK, "search", "status", str(master)], env=env, check=True,
                           capture_output=True)
            status_s = time.perf_counter() - start
            start = time.perf_counter()
            subprocess.run([MOZAIK, "search", "collate", str(master)], env=env, check=True,
                           capture_output=True)
            collate_s = time.perf_counter() - start
            jobs = len(list((master / "slurm").glob("job-*.txt")))
        result = {"points": len(statuses), "pack": pack, "tasks": math.ceil(n / pack),
                  "arrays": jobs, "run_s": run_s, "exit_code": done.returncode,
                  "done": statuses.count("done"), "failed": statuses.count("failed"),
                  "mean_point_s": sum(elapsed) / max(1, len(elapsed)),
                  "status_s": status_s, "collate_s": collate_s,
                  "cpus": os.cpu_count(), "load_average": os.getloadavg()}
        print(json.dumps(result))
        (HERE / f"results-packed-{n}x{pack}.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000,
         int(sys.argv[2]) if len(sys.argv) > 2 else 100)
