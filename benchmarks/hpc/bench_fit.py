"""The whole example fit (examples/vogels_abbott2005_search/fit.yaml: 30 TPE trials, seed 1,
batches of 2 on 2 local workers) on NEST: how many trials it needs to reach its target (mean
excitatory rate within 2 Hz of 10 Hz, mean CV of ISI >= 0.8) and how close it gets.

    uv run python benchmarks/hpc/bench_fit.py [MASTER]            # runs the fit into MASTER
    uv run python benchmarks/hpc/bench_fit.py --report MASTER     # the figures of a finished fit

Prints one line per trial (rate, CV of ISI, the two parameters, meets the target or not), the
first trial meeting the target, the best trial, how many of the 30 meet it, the wall time and
the mean time of a point (its own process: NEST import, build, 500 ms simulated, analyses), and
the load average (the machine may be shared: say so with the figures).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mozaik.search import collate_search, read_index, trial_table

ROOT = Path(__file__).resolve().parents[2]
FIT = ROOT / "examples" / "vogels_abbott2005_search" / "fit.yaml"
TARGET_HZ, TOLERANCE_HZ, MIN_CV = 10.0, 2.0, 0.8
RATE = "sheets.exc.params.background_noise.rate_exc_hz"
WEIGHT = "connectors.exc_exc.params.weight_uS"


def _cv_by_point(master: Path) -> dict[int, float]:
    rows = collate_search(master).to_pylist()
    return {int(r["point_id"]): float(r["value"]) for r in rows
            if r["value_name"] == "Mean(CV of ISI)" and r["sheet_name"] == "exc"}


def report(master: Path) -> None:
    trials = trial_table(master).to_pylist()
    cvs = _cv_by_point(master)
    met = []
    for t in trials:
        rate, cv = t["value_0"], cvs.get(t["trial"], float("nan"))
        ok = rate is not None and abs(rate - TARGET_HZ) <= TOLERANCE_HZ and cv >= MIN_CV
        met += [t["trial"]] if ok else []
        shown = "-" if rate is None else f"{rate:6.2f}"
        print(f"trial {t['trial']:>2}: {shown} Hz, CV {cv:.2f}, drive {t[RATE]:6.1f} Hz, "
              f"w_exc {t[WEIGHT] * 1000:.2f} nS{'  target met' if ok else ''}")
    feasible = [t for t in trials if t["feasible"] and t["value_0"] is not None]
    best = min(feasible, key=lambda t: abs(t["value_0"] - TARGET_HZ))
    print(f"first trial meeting the target: {met[0] if met else 'none'} "
          f"(trial numbers from 0); {len(met)} of {len(trials)} trials meet it")
    print(f"best feasible trial: {best['trial']}: {best['value_0']:.2f} Hz, "
          f"CV {cvs[best['trial']]:.2f}")
    elapsed = [e for e in read_index(master)["elapsed_s"].to_pylist() if e is not None]
    print(f"mean time of a point (its own process): {sum(elapsed) / len(elapsed):.1f} s")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--report"]:
        report(Path(argv[1]))
        return
    master = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="bench_fit_")) / "va_fit"
    mozaik = str(Path(sys.executable).with_name("mozaik"))
    start = time.perf_counter()
    subprocess.run([mozaik, "search", "run", str(FIT), "--out", str(master)], check=True)
    wall = time.perf_counter() - start
    report(master)
    print(f"wall time of the fit: {wall:.0f} s; load average {os.getloadavg()}")


if __name__ == "__main__":
    main(sys.argv[1:])
