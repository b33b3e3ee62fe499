"""Workflow overhead: the same network in plain PyNN and through ``mozaik run``, alternated.

Each repetition runs ``pure_pynn.py`` and ``mozaik run <study>`` as fresh processes (order
alternating between repetitions, so both see the same load on a shared machine) and times them
from the outside, so interpreter start-up, imports, building, simulating and saving the
recordings all count. The overhead is the ratio of the Mozaik wall-clock time to the plain
PyNN one, minus one; the ratio of the processes' CPU time (user + system) is reported too, as
it is less disturbed by other load on the machine. After each run (untimed) the activity of
the self-sustained period is summarised (``activity.py``) so that both can be checked to be in
the same state.

Protocols: ``default`` (``study.yaml``: 80 inputs per cell, connections drawn by PyNN's NumPy
RNG) and ``seed`` (``seed_study.yaml``: the seed paper's 200 inputs per cell, connections
drawn inside NEST by its ``fixed_indegree`` rule in both implementations). The load average
of the machine is recorded before and after every run (the machine may be shared).

Usage: python run_benchmark.py [--protocol default|seed] [--sizes 10000] [--repeats 3]
       [--spontaneous-ms 1000] [--json results.json]
       python run_benchmark.py --table results.json [more.json ...]
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
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
MOZAIK = str(Path(sys.executable).with_name("mozaik"))
STUDIES = {"default": HERE / "study.yaml", "seed": HERE / "seed_study.yaml"}
KICK_PRESENTATION_MS = 100.0  # the first presentation (kick); the second is spontaneous
sys.path.insert(0, str(HERE))
from activity import activity_summary  # noqa: E402

Row = dict[str, Any]


# The runs are timed as on a user's installation, where Python caches compiled bytecode
# (``__pycache__``): a session that sets PYTHONDONTWRITEBYTECODE makes every process compile
# every module it imports from source (3.6 s of a 10,000-neuron Mozaik run here, less for the
# script, which imports fewer modules). ``warm_up`` writes the caches before the first timed run.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def warm_up(args: argparse.Namespace) -> None:
    """Run both implementations once, tiny and untimed, so both import from cached bytecode."""
    work = Path(tempfile.mkdtemp(prefix="mozaik-overhead-warmup-"))
    try:
        small = argparse.Namespace(**{**vars(args), "spontaneous_ms": 10.0})
        run_pure(small, 400, work)
        run_mozaik(small, 400, work)
        check_identical_spikes(work / "pure", work / "mozaik")  # before any timed run
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall-clock and CPU (user + system) time of a child process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, env=CHILD_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


ACTIVITY_KEYS = ("rate_hz", "rate_last_hz", "active_fraction", "cv_isi", "pop_rate_cv")


def run_pure(args: argparse.Namespace, n_exc: int, work: Path, *extra: str) -> Row:
    wall, cpu, out = _timed([PYTHON, str(HERE / "pure_pynn.py"), "--protocol", args.protocol,
                             "--n-exc", str(n_exc), "--spontaneous-ms",
                             str(args.spontaneous_ms), "--out", str(work / "pure"), *extra])
    data = json.loads(out.strip().splitlines()[-1])
    return {"wall_s": wall, "cpu_s": cpu, "build_s": data["build_s"],
            "simulate_s": data["simulate_s"], "store_s": data["store_s"],
            "spikes": data["spikes"], "nest_timers": data["nest_timers"],
            **{key: data[key] for key in ACTIVITY_KEYS}}


def run_mozaik(args: argparse.Namespace, n_exc: int, work: Path) -> Row:
    run_dir = work / "mozaik"
    wall, cpu, _ = _timed([MOZAIK, "run", str(STUDIES[args.protocol]),
                           "--set", f"sheets.exc.params.placement.n_neurons={n_exc}",
                           "--set", f"experiments.1.params.duration_ms={args.spontaneous_ms}",
                           "--out", str(run_dir), "--progress", "off"])
    manifest = json.loads((run_dir / "manifest.json").read_text())
    session = manifest["sessions"][-1]
    import numpy as np
    from mozaik.datastore import DataStore

    with DataStore.open(run_dir) as store:
        spikes = int(sum(store.segment_index["n_spikes"].to_pylist()))
        view = store.full_view()
        exc, inh = view.spike_arrays("exc"), view.spike_arrays("inh")
    total_ms = KICK_PRESENTATION_MS + args.spontaneous_ms
    activity = activity_summary(np.concatenate([exc.neuron, inh.neuron.astype(np.int64) + n_exc]),
                                np.concatenate([exc.times, inh.times]), n_exc + n_exc // 4,
                                KICK_PRESENTATION_MS, total_ms)
    return {"wall_s": wall, "cpu_s": cpu, "build_s": session["build_s"],
            "simulate_s": session["simulate_s"],
            "store_s": session["store_s"] + session["collect_s"], "spikes": spikes,
            "nest_timers": session.get("simulator_timers", {}), **activity}


TIME_STEP_MS = 0.1  # of both implementations


class SpikesDiffer(RuntimeError):
    """The two implementations recorded different spikes: they did not simulate one network."""


def _spike_keys(neuron: Any, times: Any) -> Any:
    """Every spike as one sortable integer: neuron index and time step (a spike's time is a
    whole number of steps in NEST; comparing steps, not floats, ignores how each side rounds
    the milliseconds on the way to its files)."""
    import numpy as np

    steps = np.rint(np.asarray(times, dtype=np.float64) / TIME_STEP_MS).astype(np.int64)
    return np.sort(np.asarray(neuron, dtype=np.int64) * (1 << 32) + steps)


def spike_difference(pure_out: Path, run_dir: Path) -> str | None:
    """None when the script (its ``--out`` folder) and the study (its run directory) recorded
    exactly the same spikes, neuron by neuron and time step by time step, in both sheets;
    otherwise a description of the first difference."""
    import numpy as np
    from mozaik.datastore import DataStore

    with DataStore.open(run_dir) as store:
        view = store.full_view()
        mozaik = {sheet: view.spike_arrays(sheet) for sheet in ("exc", "inh")}
    for sheet, recorded in mozaik.items():
        with np.load(pure_out / f"{sheet}.npz") as pure:
            script = _spike_keys(pure["neuron"], pure["time"])
        study = _spike_keys(recorded.neuron, recorded.times)
        if script.shape == study.shape and np.array_equal(script, study):
            continue
        n = min(script.size, study.size)
        first = int(np.argmax(script[:n] != study[:n])) if np.any(script[:n] != study[:n]) \
            else n
        where = ("" if first >= n else
                 f"; the first difference: neuron {script[first] >> 32} at step "
                 f"{script[first] & 0xFFFFFFFF} (script) against neuron {study[first] >> 32} "
                 f"at step {study[first] & 0xFFFFFFFF} (study)")
        return (f"sheet {sheet!r}: the script recorded {script.size} spikes, the study "
                f"{study.size}{where}")
    return None


def check_identical_spikes(pure_out: Path, run_dir: Path) -> None:
    """Raise :class:`SpikesDiffer` unless both recorded the same spikes (see
    :func:`spike_difference`): a time ratio between two different networks measures nothing."""
    difference = spike_difference(pure_out, run_dir)
    if difference is not None:
        msg = (f"the plain PyNN script ({pure_out}) and the Mozaik study ({run_dir}) did not "
               f"record the same spikes: {difference}. They must build the same network "
               "(connections, initial values, inputs, seeds): keep pure_pynn.py in step with "
               "the study files beside it")
        raise SpikesDiffer(msg)


def _range(rows: list[Row], key: str, which: str | None = None, digits: int = 3) -> str:
    values = [r[which][key] if which else r[key] for r in rows]
    return (f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-"
            f"{max(values):.{digits}f})")


def print_table(results: list[Row], sizes: list[int]) -> None:
    print()
    print("| neurons | pairs | PyNN wall (s) | Mozaik wall (s) | Mozaik / PyNN wall, per pair "
          "(median, range) | ratio of the medians | CPU-time ratio, per pair | build PyNN / "
          "Mozaik (s) | simulate PyNN / Mozaik (s) | store PyNN / Mozaik (s) | rate PyNN / "
          "Mozaik (Hz) | CV ISI PyNN / Mozaik |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        rows = [r for r in results if r["neurons"] == size]
        if not rows:
            continue

        def med(which: str, key: str, rows: list[Row] = rows) -> float:
            return statistics.median(r[which][key] for r in rows)

        print(f"| {size} | {len(rows)} | {_range(rows, 'wall_s', 'pure', 1)} | "
              f"{_range(rows, 'wall_s', 'mozaik', 1)} | **{_range(rows, 'ratio')}** | "
              f"{med('mozaik', 'wall_s') / med('pure', 'wall_s'):.3f} | "
              f"{_range(rows, 'cpu_ratio')} | "
              f"{med('pure', 'build_s'):.1f} / {med('mozaik', 'build_s'):.1f} | "
              f"{med('pure', 'simulate_s'):.1f} / {med('mozaik', 'simulate_s'):.1f} | "
              f"{med('pure', 'store_s'):.2f} / {med('mozaik', 'store_s'):.2f} | "
              f"{med('pure', 'rate_hz'):.1f} / {med('mozaik', 'rate_hz'):.1f} | "
              f"{med('pure', 'cv_isi'):.2f} / {med('mozaik', 'cv_isi'):.2f} |")


def print_pairs(results: list[Row]) -> None:
    """One line per pair: order, both ratios, each run's CPU and wall time and load average."""
    print()
    print("| neurons | pair | order | wall ratio | CPU-time ratio | PyNN wall / CPU (s) | "
          "Mozaik wall / CPU (s) | NEST preparing connections, PyNN / Mozaik (s) | "
          "NEST simulating, without that, PyNN / Mozaik (s) | "
          "load average (1 min) during PyNN / Mozaik |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in results:
        pure, moz = row["pure"], row["mozaik"]
        loads = [" - ".join(f"{x:.1f}" for x in run.get("load_1min", [])) or "n/a"
                 for run in (pure, moz)]
        print(f"| {row['neurons']} | {row['repeat']} | {row['order'][0]} first | "
              f"{row['ratio']:.3f} | {row['cpu_ratio']:.3f} | {pure['wall_s']:.1f} / "
              f"{pure['cpu_s']:.1f} | {moz['wall_s']:.1f} / {moz['cpu_s']:.1f} | "
              f"{_nest(pure, moz, prepare=True)} | {_nest(pure, moz, prepare=False)} | "
              f"{loads[0]} / {loads[1]} |")


def _nest(pure: Row, moz: Row, *, prepare: bool) -> str:
    """NEST's connection-infrastructure time, or its Simulate time without it, of both runs."""
    values = []
    for run in (pure, moz):
        timers = run.get("nest_timers") or {}
        if not timers:
            return "n/a"  # results recorded before the timers were
        prep = timers["prepare_connections_s"]
        values.append(prep if prepare else timers["simulate_s"] - prep)
    return f"{values[0]:.1f} / {values[1]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", choices=sorted(STUDIES), default="default")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000],
                        help="network sizes (neurons; 80%% excitatory)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--spontaneous-ms", type=float, default=1000.0,
                        help="simulated time after the kick's 100 ms presentation (ms)")
    parser.add_argument("--json", type=Path, default=None,
                        help="also write results here (rewritten after every repetition)")
    parser.add_argument("--table", type=Path, nargs="+", default=None,
                        help="only print the table of these result files (no runs)")
    args = parser.parse_args()
    if args.table:
        stored = [row for path in args.table
                  for row in json.loads(path.read_text())["results"]]
        print_table(stored, sorted({row["neurons"] for row in stored}))
        print_pairs(stored)
        return
    meta = {"date": dt.datetime.now().isoformat(timespec="seconds"),
            "machine": platform.platform(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "protocol": args.protocol,
            "spontaneous_ms": args.spontaneous_ms, "command": sys.argv,
            "bytecode_cache": "written by an untimed warm-up run of each (no "
                              "PYTHONDONTWRITEBYTECODE in the children)"}
    try:
        measure(args, meta)
    except SpikesDiffer as exc:
        sys.exit(str(exc))


def measure(args: argparse.Namespace, meta: Row) -> None:
    """The alternating pairs of runs (see the module's docstring), then their tables."""
    results: list[Row] = []
    warm_up(args)
    for size in args.sizes:
        n_exc = size * 4 // 5
        for rep in range(args.repeats):
            order = ("pure", "mozaik") if rep % 2 == 0 else ("mozaik", "pure")
            row: Row = {"neurons": size, "repeat": rep, "order": list(order)}
            work = Path(tempfile.mkdtemp(prefix="mozaik-overhead-"))
            try:
                for which in order:
                    run = run_pure if which == "pure" else run_mozaik
                    load_before = os.getloadavg()[0]
                    row[which] = run(args, n_exc, work)
                    row[which]["load_1min"] = [load_before, os.getloadavg()[0]]
                    row[which]["finished"] = dt.datetime.now().isoformat(timespec="seconds")
                # untimed, before any ratio: both ran one network
                check_identical_spikes(work / "pure", work / "mozaik")
            finally:
                shutil.rmtree(work, ignore_errors=True)
            row["identical_spikes"] = True
            pure, moz = row["pure"], row["mozaik"]
            row["ratio"] = moz["wall_s"] / pure["wall_s"]
            row["cpu_ratio"] = moz["cpu_s"] / pure["cpu_s"]
            results.append(row)
            print(f"{size:>6} neurons, repeat {rep} ({' then '.join(order)}): PyNN "
                  f"{pure['wall_s']:.1f} s ({pure['rate_hz']:.1f} Hz), Mozaik "
                  f"{moz['wall_s']:.1f} s ({moz['rate_hz']:.1f} Hz), ratio {row['ratio']:.3f} "
                  f"(CPU time ratio {row['cpu_ratio']:.3f}; load "
                  f"{pure['load_1min'][0]:.1f}-{pure['load_1min'][1]:.1f} / "
                  f"{moz['load_1min'][0]:.1f}-{moz['load_1min'][1]:.1f})", flush=True)
            if args.json:
                args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print_table(results, args.sizes)
    print_pairs(results)


if __name__ == "__main__":
    main()
