"""Submitting a 1,000-point search to a local Slurm cluster: one job array (mozaik-hpc's
SlurmBackend.submit) against one sbatch per point, in the same run; jobs are cancelled right
after submission, so only submission is timed.

    uv run python benchmarks/hpc/bench_submit.py [N_POINTS]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mozaik.search import search_from_mapping
from mozaik.search._master import save_definition
from mozaik.testing._backend_contract import contract_study_text
from mozaik_hpc import SlurmBackend, SlurmBackendParams
from mozaik_hpc.testing import LocalSlurm


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "study").mkdir()
        (root / "study" / "study.yaml").write_text(contract_study_text("mock"))
        w = "connectors.exc_inh.params.weight_uS"
        search = search_from_mapping({"study": "study", "parameters": {
            w: [0.001 * (i + 1) for i in range(n)]}}, root, name="bench")
        with LocalSlurm(root / "slurm") as cluster:
            env = cluster.env()
            import os
            os.environ["SLURM_CONF"] = env["SLURM_CONF"]
            master = root / "master"
            save_definition(search, master)
            backend = SlurmBackend(SlurmBackendParams(max_parallel=2))
            start = time.perf_counter()
            job = backend.submit(search, master, list(range(n)))
            array_s = time.perf_counter() - start
            subprocess.run(["scancel", job], env=env, check=True)
            start = time.perf_counter()
            jobs = []
            for i in range(n):
                out = subprocess.run(["sbatch", "--parsable", "--hold", "-o", "/dev/null",
                                      "--wrap", f"true {i}"], env=env, check=True,
                                     capture_output=True, text=True).stdout.strip()
                jobs.append(out)
            each_s = time.perf_counter() - start
            subprocess.run(["scancel", *jobs], env=env, check=True)
    print(f"{n} points, one job array: 1 sbatch call, {array_s:.2f} s")
    print(f"{n} points, one sbatch per point: {n} sbatch calls, {each_s:.2f} s "
          f"({each_s / array_s:.0f}x slower)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
