"""Scale benchmark: one network through ``mozaik run``, as a plain PyNN script and as a plain
PyNEST script; peak memory (sampled) and build / simulate / store times of each.

The network is the seed protocol of ``benchmarks/overhead`` at ``--inputs`` synapses per cell
(80% excitatory, NEST's ``fixed_indegree`` in all three; weights scaled by 200 / inputs), with
``synapses / inputs`` cells. Each implementation runs as a fresh process; its resident set size
(``VmRSS`` of ``/proc/PID/status``, the whole process: Python, NEST, recordings) is sampled
every ``--sample-s`` seconds; the phase times come from inside each process (Mozaik: the run's
manifest). Implementations alternate order between repetitions.

Usage: python bench_scale.py --synapses 2e6 1e7 [--inputs 1000] [--sim-ms 1000]
       [--repeats 1] [--json results.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OVERHEAD = HERE.parent / "overhead"
PYTHON = sys.executable
MOZAIK = str(Path(sys.executable).with_name("mozaik"))
KICK_MS = 100.0  # the study's first presentation
Row = dict[str, Any]


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (bytes), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def sampled_run(cmd: list[str], every_s: float) -> tuple[float, int, list[tuple[float, int]],
                                                             str]:
    """Run ``cmd``; its wall time, peak sampled RSS, the samples (s, bytes) and its stdout."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []

    def sample() -> None:
        while child.poll() is None:
            samples.append((time.perf_counter() - start, rss_bytes(child.pid)))
            time.sleep(every_s)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if child.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    peak = max((rss for _, rss in samples), default=0)
    return wall, peak, samples[::max(1, len(samples) // 500)], out  # at most ~500 kept


def run_nest(args: argparse.Namespace, n_exc: int, work: Path) -> Row:
    wall, peak, samples, out = sampled_run(
        [PYTHON, str(HERE / "nest_script.py"), "--n-exc", str(n_exc), "--inputs",
         str(args.inputs), "--sim-ms", str(args.sim_ms), "--out", str(work / "nest")],
        args.sample_s)
    data = json.loads(out.strip().splitlines()[-1])
    return {"wall_s": wall, "peak_rss_bytes": peak, "samples": samples, **data}


def run_pynn(args: argparse.Namespace, n_exc: int, work: Path) -> Row:
    wall, peak, samples, out = sampled_run(
        [PYTHON, str(OVERHEAD / "pure_pynn.py"), "--protocol", "seed", "--n-exc", str(n_exc),
         "--inputs", str(args.inputs), "--spontaneous-ms", str(args.sim_ms - KICK_MS),
         "--out", str(work / "pynn")], args.sample_s)
    data = json.loads(out.strip().splitlines()[-1])
    keep = ("import_s", "build_s", "simulate_s", "store_s", "total_s", "spikes")
    return {"wall_s": wall, "peak_rss_bytes": peak, "samples": samples,
            **{key: data[key] for key in keep}}


def run_mozaik(args: argparse.Namespace, n_exc: int, work: Path) -> Row:
    scale = 200.0 / args.inputs
    sets = [f"sheets.exc.params.placement.n_neurons={n_exc}",
            f"experiments.1.params.duration_ms={args.sim_ms - KICK_MS}"]
    for name, k, weight in (("exc_exc", 4, 0.004), ("exc_inh", 4, 0.004),
                            ("inh_exc", 1, 0.051), ("inh_inh", 1, 0.051)):
        sets += [f"connectors.{name}.params.n={args.inputs * k // 5}",
                 f"connectors.{name}.params.weight_uS={weight * scale!r}"]
    cmd = [MOZAIK, "run", str(OVERHEAD / "seed_study.yaml"), "--out", str(work / "mozaik"),
           "--progress", "off"]
    for item in sets:
        cmd += ["--set", item]
    wall, peak, samples, _ = sampled_run(cmd, args.sample_s)
    manifest = json.loads((work / "mozaik" / "manifest.json").read_text())
    session = manifest["sessions"][-1]
    from mozaik.datastore import DataStore

    with DataStore.open(work / "mozaik") as store:
        spikes = int(sum(store.segment_index["n_spikes"].to_pylist()))
    return {"wall_s": wall, "peak_rss_bytes": peak, "samples": samples,
            "build_s": session["build_s"], "simulate_s": session["simulate_s"],
            "store_s": session["store_s"] + session["collect_s"], "spikes": spikes}


RUNNERS = {"nest": run_nest, "pynn": run_pynn, "mozaik": run_mozaik}


def print_table(results: list[Row]) -> None:
    print()
    print("| synapses | neurons | implementation | peak RSS (MB) | / PyNN | build (s) | / PyNN | "
          "simulate (s) | store (s) | wall (s) | spikes |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in results:
        pynn = row["pynn"]
        for impl in ("nest", "pynn", "mozaik"):
            run = row[impl]
            print(f"| {row['synapses']:.0e} | {row['neurons']} | {impl} | "
                  f"{run['peak_rss_bytes'] / 1e6:.0f} | "
                  f"{run['peak_rss_bytes'] / pynn['peak_rss_bytes']:.2f} | {run['build_s']:.1f} | "
                  f"{run['build_s'] / pynn['build_s']:.2f} | {run['simulate_s']:.1f} | "
                  f"{run['store_s']:.2f} | {run['wall_s']:.1f} | {run['spikes']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synapses", type=float, nargs="+", default=[2e6, 1e7])
    parser.add_argument("--inputs", type=int, default=1000, help="synapses per cell")
    parser.add_argument("--sim-ms", type=float, default=1000.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--sample-s", type=float, default=0.05)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--table", type=Path, default=None, help="only print a result file")
    parser.add_argument("--keep-mozaik", type=Path, default=None,
                        help="move the last Mozaik run directory here (for `mozaik analyse`)")
    args = parser.parse_args()
    if args.table:
        print_table(json.loads(args.table.read_text())["results"])
        return
    meta = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": platform.platform(), "cpus": os.cpu_count(), "command": sys.argv}
    results: list[Row] = []
    for synapses in args.synapses:
        neurons = round(synapses / args.inputs)
        n_exc = neurons * 4 // 5
        if args.inputs * 4 // 5 >= n_exc:  # NEST would search forever for distinct sources
            sys.exit(f"--synapses {synapses:g}: {neurons} cells cannot each have "
                     f"{args.inputs * 4 // 5} distinct excitatory inputs from {n_exc} "
                     f"excitatory cells; give at least {2 * args.inputs * args.inputs:g} "
                     "synapses or fewer --inputs")
        for rep in range(args.repeats):
            order = ["nest", "pynn", "mozaik"]
            order = order[rep % 3:] + order[:rep % 3]
            row: Row = {"synapses": synapses, "neurons": n_exc + n_exc // 4, "repeat": rep,
                        "order": order}
            for impl in order:
                work = Path(tempfile.mkdtemp(prefix="mozaik-scale-"))
                try:
                    load = os.getloadavg()[0]
                    row[impl] = RUNNERS[impl](args, n_exc, work)
                    row[impl]["load_1min"] = [load, os.getloadavg()[0]]
                    if impl == "mozaik" and args.keep_mozaik is not None:
                        shutil.rmtree(args.keep_mozaik, ignore_errors=True)
                        shutil.move(work / "mozaik", args.keep_mozaik)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
                run = row[impl]
                print(f"{synapses:.0e} synapses, {impl}: peak {run['peak_rss_bytes'] / 1e6:.0f} "
                      f"MB, build {run['build_s']:.1f} s, simulate {run['simulate_s']:.1f} s, "
                      f"store {run['store_s']:.2f} s, wall {run['wall_s']:.1f} s, "
                      f"{run['spikes']} spikes, load {run['load_1min'][0]:.1f}-"
                      f"{run['load_1min'][1]:.1f}", flush=True)
            results.append(row)
            if args.json:
                args.json.write_text(json.dumps({"meta": meta, "results": results}))
    print_table(results)


if __name__ == "__main__":
    main()
