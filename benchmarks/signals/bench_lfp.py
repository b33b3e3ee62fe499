"""Benchmark of the electrode-array LFP proxy from a store against plain numpy.

Builds a synthetic run: one sheet of ``--neurons`` conductance-based cells on a 4000 x 4000 um
square (reversal potentials annotated), ``--presentations`` presentations of ``--samples``
samples at 1 ms of Vm, gsyn_exc and gsyn_inh of every neuron (default 10 x 1000: 10 s at
1 kHz). Then, each in a fresh process (so its peak resident memory is its own):

1. ``mozaik``: ``ElectrodeLFP`` (10 x 10 electrodes at 400 um, 250 um kernel) on the store;
2. ``numpy``: the same LFP from the same Parquet columns without Mozaik (``segments.parquet``,
   ``neurons/``, each ``analog/p*.parquet``), one presentation file at a time;
3. ``baseline``: the imports alone (subtracted from both peaks).

The two results are checked equal (``rtol=1e-9``). Not part of CI:

    python benchmarks/signals/bench_lfp.py --neurons 10000 --presentations 10 --json r.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GRID, SPACING, LAMBDA, DELAY, ALPHA = (10, 10), 400.0, 250.0, 6.0, 1.65


def build(run: Path, neurons: int, presentations: int, samples: int) -> None:
    from mozaik.datastore import DataStore, SheetRecording, SignalRecording
    from mozaik.stimulus import StimulusIdentity

    rng = np.random.default_rng(1)
    store = DataStore.create(run, {"config": {"benchmark": "signals"}})
    store.write_neurons("V1", np.arange(neurons), rng.uniform(-2000, 2000, (neurons, 2)),
                        {"e_rev_E": np.zeros(neurons),
                         "e_rev_I": rng.uniform(-85.0, -75.0, neurons)})
    for k in range(presentations):
        t0 = k * (samples + 100.0)
        signals = tuple(SignalRecording(
            variable=v, units=u, t_start=t0, sampling_period=1.0, neurons=np.arange(neurons),
            values=rng.uniform(lo, hi, (samples, neurons)))
            for v, u, lo, hi in (("v", "mV", -70, -50), ("gsyn_exc", "uS", 0, 0.02),
                                 ("gsyn_inh", "uS", 0, 0.05)))
        rec = SheetRecording(t_start=t0, t_stop=t0 + samples, spike_neurons=np.empty(0, int),
                             spike_times=np.empty(0), spike_recorded=np.arange(neurons),
                             signals=signals)
        sid = StimulusIdentity("Grating", {"orientation": 0.0, "trial": k})
        store.write_presentation_arrays(sid, k, {"V1": rec}, t_start=t0, t_stop=t0 + samples)
        print(f"  wrote {k + 1}/{presentations}", file=sys.stderr, flush=True)
    store.close()


def grid() -> np.ndarray:
    nx, ny = GRID
    x = (np.arange(nx) - (nx - 1) / 2) * SPACING
    y = (np.arange(ny) - (ny - 1) / 2) * SPACING
    gx, gy = np.meshgrid(x, y)
    return np.column_stack([gx.ravel(), gy.ravel()])


def run_mozaik(run: Path) -> list[np.ndarray]:
    from mozaik.datastore import DataStore
    from mozaik_analysis import ElectrodeLFP, ElectrodeLFPParams

    with DataStore.open(run) as store:
        out = ElectrodeLFP(ElectrodeLFPParams(grid_shape=GRID, spacing_um=SPACING,
                                              length_constant_um=LAMBDA)).run(store.full_view())
    return [np.asarray(r.signal.magnitude) for r in out]


def run_numpy(run: Path) -> list[np.ndarray]:
    import pyarrow.parquet as pq

    seg = pq.read_table(run / "segments.parquet",
                        columns=["segment_id", "is_null", "analog_file"]).to_pylist()
    neurons = pq.read_table(next((run / "neurons").glob("V1-*.parquet")))
    index = neurons["index"].to_numpy()
    order = np.argsort(index)
    xy = np.column_stack([neurons["x"].to_numpy(), neurons["y"].to_numpy()])[order]
    e_e, e_i = neurons["e_rev_E"].to_numpy()[order], neurons["e_rev_I"].to_numpy()[order]
    electrodes = grid()
    d = np.hypot(electrodes[:, None, 0] - xy[None, :, 0], electrodes[:, None, 1] - xy[None, :, 1])
    weights = np.exp(-d / LAMBDA)
    out = []
    for s in sorted((s for s in seg if not s["is_null"]), key=lambda s: s["segment_id"]):
        table = pq.read_table(run / s["analog_file"],
                              columns=["segment_id", "neuron", "variable", "values"])
        ids = table["segment_id"].to_numpy()
        table = table.filter(ids == s["segment_id"])
        traces = {}
        for var in ("v", "gsyn_exc", "gsyn_inh"):
            part = table.filter(np.asarray(table["variable"].to_pylist()) == var)
            rows = np.argsort(part["neuron"].to_numpy())
            flat = part["values"].combine_chunks().flatten().to_numpy()
            traces[var] = flat.reshape(part.num_rows, -1)[rows]
        lag = round(DELAY / 1.0)
        i_e = traces["gsyn_exc"] * (traces["v"] - e_e[:, None])
        i_i = traces["gsyn_inh"] * (traces["v"] - e_i[:, None])
        terms = np.abs(i_e[:, :-lag]) - ALPHA * np.abs(i_i[:, lag:])
        out.append((weights @ terms).T)
    return out


def measure(kind: str, run: Path, save: Path) -> None:
    # every kind imports the same before the clock starts: the times are of the work alone
    import mozaik_analysis  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    from mozaik.datastore import DataStore  # noqa: F401
    from mozaik_analysis import ElectrodeLFP  # noqa: F401  (loads the submodule)

    t = time.perf_counter()
    result = run_mozaik(run) if kind == "mozaik" else run_numpy(run) if kind == "numpy" else []
    seconds = time.perf_counter() - t
    if result:
        np.save(save, np.stack(result))
    # VmHWM, the process's own peak (ru_maxrss would carry the parent's size over the exec)
    status = Path("/proc/self/status").read_text()
    peak_kb = int(next(line for line in status.splitlines()
                       if line.startswith("VmHWM:")).split()[1])
    print(json.dumps({"kind": kind, "seconds": seconds, "peak_rss_mb": peak_kb / 1024}))


def child(kind: str, run: Path, save: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--measure", kind, "--run", str(run),
                          "--save", str(save)], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--neurons", type=int, default=10_000)
    ap.add_argument("--presentations", type=int, default=10)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--measure")
    ap.add_argument("--run", type=Path)
    ap.add_argument("--save", type=Path)
    ap.add_argument("--store", type=Path, help="build the store here and keep it (reused if "
                    "it exists)")
    a = ap.parse_args()
    if a.measure:
        measure(a.measure, a.run, a.save)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run = a.store or Path(tmp) / "run"
        t = time.perf_counter()
        if not run.exists():
            build(run, a.neurons, a.presentations, a.samples)
        build_s = time.perf_counter() - t
        results: dict[str, list[dict[str, float]]] = {"baseline": [], "mozaik": [], "numpy": []}
        for _ in range(a.repeats):
            for kind in ("baseline", "mozaik", "numpy"):
                results[kind].append(child(kind, run, Path(tmp) / f"{kind}.npy"))
        same = np.allclose(np.load(Path(tmp) / "mozaik.npy"), np.load(Path(tmp) / "numpy.npy"),
                           rtol=1e-9)
        presentation_mb = 3 * a.neurons * a.samples * 8 / 1e6
    best = {k: min(r["seconds"] for r in v) for k, v in results.items()}
    peak = {k: max(r["peak_rss_mb"] for r in v) for k, v in results.items()}
    summary = {
        "neurons": a.neurons, "presentations": a.presentations, "samples": a.samples,
        "electrodes": GRID[0] * GRID[1], "build_s": build_s, "runs": results,
        "best_seconds": best, "peak_rss_mb": peak,
        "ratio_time_mozaik_over_numpy": best["mozaik"] / best["numpy"],
        "one_presentation_traces_mb": presentation_mb,
        "peak_above_baseline_mb": {k: peak[k] - peak["baseline"] for k in ("mozaik", "numpy")},
        "equal": bool(same), "load_average": os.getloadavg(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                   f"{platform.python_version()}",
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if a.json:
        a.json.write_text(text)


if __name__ == "__main__":
    main()
