"""Peak memory and time of every shipped analysis that applies to a spikes-only store, over
stores of growing size (issue 25, items 4 and 6).

Stores are built with ``bench_analysis.build`` (the datastore benchmark's layout: two sheets,
80 % / 20 % of ``--neurons``; one presentation at a time, never the run in one array), with
``--neurons`` at ``--rate`` for 1 s per presentation, so every presentation holds the same
number of spikes and a store of N spikes has N / (neurons x rate) presentations. On each, the
trial-averaged rates are stored first (``mozaik.workflow.run_workflow``), for the analyses of
stored results; then each analysis runs in a fresh process (``stream_one.py``), with this
checkout's Python and, up to ``--reference-max-spikes``, with ``--reference-python`` (another
checkout, e.g. the main branch before streaming). The peak resident set size of each process is
the kernel's high-water mark of the whole process (``VmHWM``: Python, imports, Arrow's pool),
CPU time its user + system time (``os.wait4``). The results' digests of the two checkouts must
agree.

Usage: python benchmarks/analysis/bench_stream.py --spikes 1e6 1e7 1e8 \
           --reference-python /work/main/.venv/bin/python --json results.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_analysis import build  # noqa: E402  (the existing synthetic-store builder)
from stream_one import analyses  # noqa: E402

WORKFLOW = "analyses:\n  - {component: TrialAveragedFiringRate}\n"


def measure(python: str, run: Path, label: str) -> dict[str, Any]:
    """Run one analysis in a fresh process: its output and the kernel's accounting."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        child = subprocess.Popen([python, str(HERE / "stream_one.py"), str(run), label],
                                 stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own peak RSS and CPU time
        wall = time.perf_counter() - t
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode != 0:
        lines = stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit code {child.returncode}"}
    row: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    # the peak is the child's own VmHWM: its ru_maxrss would include this process's size
    # (Linux keeps the pre-exec high-water mark of a forked child)
    row.update(wall_s=wall, peak_rss_bytes=row.pop("vmhwm_bytes"),
               ru_maxrss_bytes=usage.ru_maxrss * 1024, cpu_s=usage.ru_utime + usage.ru_stime)
    return row


def fit_exponent(xs: list[float], ys: list[float]) -> float | None:
    """Slope of log y against log x (y ~ x ** slope), None with fewer than two points."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    a = np.array(pts)
    return float(np.polyfit(a[:, 0], a[:, 1], 1)[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spikes", type=float, nargs="+", default=[1e6, 1e7])
    ap.add_argument("--neurons", type=int, default=50_000)
    ap.add_argument("--rate", type=float, default=10.0, help="Hz")
    ap.add_argument("--trials", type=int, default=2)
    ap.add_argument("--only", nargs="*", default=None, help="labels of stream_one.py")
    ap.add_argument("--reference-python", default=None)
    ap.add_argument("--reference-max-spikes", type=float, default=1e7,
                    help="the reference's peak grows with the run: above this it is not run")
    ap.add_argument("--dir", type=Path, default=None, help="keep the stores here (reused)")
    ap.add_argument("--previous", type=Path, default=None,
                    help="a results file of this script whose sizes are kept, not re-measured")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="mozaik-bench-stream-"))
    labels = args.only or list(analyses())
    per_presentation = args.neurons * args.rate
    res: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"), "neurons": args.neurons, "rate_hz": args.rate,
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs, python "
                   f"{platform.python_version()}", "load_before": os.getloadavg(), "sizes": []}
    if args.previous:
        res["sizes"] = json.loads(args.previous.read_text())["sizes"]
    for target in args.spikes:
        presentations = max(args.trials, round(target / per_presentation))
        run = base / f"run-{presentations}"
        earlier = [s for s in res["sizes"] if s["presentations"] == presentations]
        size: dict[str, Any] = earlier[0] if earlier else {"presentations": presentations}
        if earlier:  # measured again: these rows are replaced, the others kept
            res["sizes"].remove(earlier[0])
        if not (base / f"built-{presentations}").exists():  # absent or interrupted: anew
            shutil.rmtree(run, ignore_errors=True)
            t = time.perf_counter()
            size["spikes"] = build(run, args.neurons, presentations, args.trials, args.rate,
                                   1000.0)
            size["build_s"] = time.perf_counter() - t
            from mozaik.datastore import DataStore
            from mozaik.workflow import load_workflow, run_workflow

            (base / "workflow.yaml").write_text(WORKFLOW)
            with DataStore.open(run, mode="a") as store:
                run_workflow(store, *load_workflow(base / "workflow.yaml"))
            (base / f"built-{presentations}").write_text(json.dumps(size) + "\n")
        from mozaik.datastore import DataStore

        with DataStore.open(run) as store:
            size["spikes"] = int(sum(store.segment_index["n_spikes"].to_pylist()))
        size["disk_bytes"] = sum(f.stat().st_size for f in run.rglob("*") if f.is_file())
        print(f"{size['spikes']:.3g} spikes, {presentations} presentations", file=sys.stderr)
        size.setdefault("rows", {})
        for label in labels:
            row: dict[str, Any] = {"current": measure(sys.executable, run, label)}
            # the sizes are Poisson draws around the targets: compare with the target
            if args.reference_python and target <= args.reference_max_spikes:
                row["reference"] = measure(args.reference_python, run, label)
                if "digest" in row["reference"] and "digest" in row["current"]:
                    row["equal"] = row["reference"]["digest"] == row["current"]["digest"]
            row["load"] = os.getloadavg()[0]
            size["rows"][label] = row
            print(f"  {label}: " + ", ".join(
                f"{k} {v.get('peak_rss_bytes', 0) / 2**20:.0f} MB {v.get('cpu_s', 0):.1f} s cpu"
                if "error" not in v else f"{k} error: {v['error']}"
                for k, v in row.items() if isinstance(v, dict)), file=sys.stderr, flush=True)
        res["sizes"].append(size)
        if args.json:
            args.json.write_text(json.dumps(res, indent=2) + "\n")
    res["sizes"].sort(key=lambda s: s["spikes"])
    spikes = [s["spikes"] for s in res["sizes"]]
    res["growth"] = {}
    for label in labels:
        for impl in ("current", "reference"):
            pts = [(s["spikes"], s["rows"][label][impl]) for s in res["sizes"]
                   if impl in s["rows"][label] and "peak_rss_bytes" in s["rows"][label][impl]]
            if len(pts) >= 2:
                xs = [x for x, _ in pts]
                res["growth"][f"{label}/{impl}"] = {
                    "peak_exponent": fit_exponent(xs, [r["peak_rss_bytes"] for _, r in pts]),
                    "cpu_exponent": fit_exponent(xs, [r["cpu_s"] for _, r in pts]),
                    "bytes_per_spike": (pts[-1][1]["peak_rss_bytes"] - pts[0][1]["peak_rss_bytes"])
                    / (pts[-1][0] - pts[0][0]),
                }
    res["load_after"] = os.getloadavg()
    res["spikes"] = spikes
    print(json.dumps(res["growth"], indent=2))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
