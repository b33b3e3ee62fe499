"""A local search of 8 small points (Vogels & Abbott shrunk to 200 neurons, 300 ms, NEST, one
thread) on 2 cores: LocalBackend's spawn pool of 2 workers against the same points one after
another (workers=1), in the same run.

    uv run python benchmarks/hpc/bench_local.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from mozaik.backends import LocalBackend, LocalBackendParams
from mozaik.search import run_search, search_from_mapping

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    definition = {
        "study": str(ROOT / "examples" / "vogels_abbott2005"),
        "set": ["sheets.exc.params.placement.n_neurons=160",
                "experiments.1.params.duration_ms=200.0"],
        "parameters": {"connectors.exc_exc.params.weight_uS": [0.003, 0.004, 0.005, 0.006],
                       "connectors.inh_exc.params.weight_uS": [0.03, 0.06]}}
    with tempfile.TemporaryDirectory() as tmp:
        times = {}
        for workers in (1, 2):
            search = search_from_mapping(definition, Path(tmp), name=f"w{workers}")
            start = time.perf_counter()
            summary = run_search(search, Path(tmp) / f"w{workers}",
                                 LocalBackend(LocalBackendParams(workers=workers)))
            times[workers] = time.perf_counter() - start
            assert summary.done == 8, summary
    print(f"8 points one after another (workers=1): {times[1]:.1f} s")
    print(f"8 points in a spawn pool of 2 (workers=2): {times[2]:.1f} s "
          f"(speed-up {times[1] / times[2]:.2f}x)")


if __name__ == "__main__":
    main()
