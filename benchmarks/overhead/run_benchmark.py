"""Workflow overhead: the same network in plain PyNN and through ``mozaik run``, alternated.

Each repetition runs ``pure_pynn.py`` and ``mozaik run study.yaml`` as fresh processes (order
alternating between repetitions) and times them from the outside, so interpreter start-up,
imports, building, simulating and saving the recordings all count. The overhead is the ratio
of the Mozaik wall-clock time to the plain PyNN one, minus one; the ratio of the processes' CPU
time (user + system) is reported too, as it is less disturbed by other load on the machine.

Usage: python run_benchmark.py [--sizes 10000] [--repeats 3] [--json results.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
MOZAIK = str(Path(sys.executable).with_name("mozaik"))


def _timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall-clock and CPU (user + system) time of a child process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


def run_pure(n_exc: int, work: Path) -> dict[str, float]:
    wall, cpu, out = _timed([PYTHON, str(HERE / "pure_pynn.py"), "--n-exc", str(n_exc),
                             "--out", str(work / "pure")])
    data = json.loads(out.strip().splitlines()[-1])
    return {"wall_s": wall, "cpu_s": cpu, "build_s": data["build_s"],
            "simulate_s": data["simulate_s"], "store_s": data["store_s"],
            "spikes": data["spikes"]}


def run_mozaik(n_exc: int, work: Path) -> dict[str, float]:
    run_dir = work / "mozaik"
    wall, cpu, _ = _timed([MOZAIK, "run", str(HERE / "study.yaml"), "--set",
                           f"sheets.exc.params.placement.n_neurons={n_exc}", "--out",
                           str(run_dir), "--progress", "off"])
    manifest = json.loads((run_dir / "manifest.json").read_text())
    session = manifest["sessions"][-1]
    from mozaik.datastore import DataStore

    with DataStore.open(run_dir) as store:
        spikes = int(sum(store.segment_index["n_spikes"].to_pylist()))
    return {"wall_s": wall, "cpu_s": cpu, "build_s": session["build_s"],
            "simulate_s": session["simulate_s"],
            "store_s": session["store_s"] + session["collect_s"], "spikes": spikes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000],
                        help="network sizes (neurons; 80%% excitatory)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        n_exc = size * 4 // 5
        for rep in range(args.repeats):
            order = ("pure", "mozaik") if rep % 2 == 0 else ("mozaik", "pure")
            row: dict[str, object] = {"neurons": size, "repeat": rep}
            for which in order:
                work = Path(tempfile.mkdtemp(prefix="mozaik-overhead-"))
                try:
                    row[which] = (run_pure if which == "pure" else run_mozaik)(n_exc, work)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
            pure, moz = row["pure"], row["mozaik"]
            row["ratio"] = moz["wall_s"] / pure["wall_s"]  # type: ignore[index]
            row["cpu_ratio"] = moz["cpu_s"] / pure["cpu_s"]  # type: ignore[index]
            results.append(row)
            print(f"{size:>6} neurons, repeat {rep}: PyNN {pure['wall_s']:.1f} s, "  # type: ignore[index]
                  f"Mozaik {moz['wall_s']:.1f} s, ratio {row['ratio']:.3f} "  # type: ignore[index]
                  f"(CPU time ratio {row['cpu_ratio']:.3f})", flush=True)

    print()
    print("| neurons | PyNN wall (s) | Mozaik wall (s) | wall ratio (median, range) | "
          "CPU-time ratio (median) | "
          "build PyNN / Mozaik (s) | simulate PyNN / Mozaik (s) | store PyNN / Mozaik (s) | "
          "spikes PyNN / Mozaik |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        rows = [r for r in results if r["neurons"] == size]

        def med(which: str, key: str, rows: list = rows) -> float:
            return statistics.median(r[which][key] for r in rows)

        ratio = statistics.median(r["ratio"] for r in rows)
        print(f"| {size} | {med('pure', 'wall_s'):.1f} | {med('mozaik', 'wall_s'):.1f} | "
              f"{ratio:.3f} ({min(r['ratio'] for r in rows):.3f}-"
              f"{max(r['ratio'] for r in rows):.3f}) | "
              f"{statistics.median(r['cpu_ratio'] for r in rows):.3f} | "
              f"{med('pure', 'build_s'):.1f} / {med('mozaik', 'build_s'):.1f} | "
              f"{med('pure', 'simulate_s'):.1f} / {med('mozaik', 'simulate_s'):.1f} | "
              f"{med('pure', 'store_s'):.2f} / {med('mozaik', 'store_s'):.2f} | "
              f"{int(med('pure', 'spikes'))} / {int(med('mozaik', 'spikes'))} |")
    if args.json:
        meta = {"date": dt.date.today().isoformat(), "machine": platform.platform(),
                "cpus": os.cpu_count(), "python": platform.python_version()}
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1))


if __name__ == "__main__":
    main()
