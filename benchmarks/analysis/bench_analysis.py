"""Benchmark of the trial-averaged firing rate analysis and of an unchanged re-run.

Builds a synthetic run (the datastore benchmark's layout: two sheets, 80 % / 20 % of
``--neurons``, drifting gratings x ``--trials`` trials, Poisson spikes), then times on it:

1. ``TrialAveragedFiringRate`` through ``mozaik.workflow.run_workflow`` (read, compute, store);
2. the same numbers computed with plain pyarrow + numpy from the same Parquet columns
   (``segments.parquet`` and the ``spikes/`` files), checked equal;
3. the per-train neo/Elephant route (``view.get_spiketrains()``, then
   ``elephant.statistics.mean_firing_rate`` per train) on a subset (neo: the smaller sheet of
   one presentation; Elephant: ``--neo-trains`` of those trains), extrapolated linearly per
   train to every train of the run;
4. a re-run with nothing changed (in process, and as a ``mozaik analyse`` command).

Not part of CI:  python benchmarks/analysis/bench_analysis.py --neurons 100000 --presentations 100
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
from mozaik.datastore import DataStore, SheetRecording
from mozaik.stimulus import StimulusIdentity
from mozaik.workflow import load_workflow, run_workflow

WORKFLOW = "analyses:\n  - {component: TrialAveragedFiringRate}\n"


def build(run: Path, neurons: int, presentations: int, trials: int, rate_hz: float,
          duration_ms: float) -> int:
    rng = np.random.default_rng(42)
    n_exc = int(neurons * 0.8)
    sheets = {"V1_Exc_L4": n_exc, "V1_Inh_L4": neurons - n_exc}
    store = DataStore.create(run, {"config": {"benchmark": "analysis"}})
    for sheet, n in sheets.items():
        store.write_neurons(sheet, np.arange(n), rng.uniform(-1000, 1000, (n, 2)))
    total = 0
    for k in range(presentations):
        t0 = k * (duration_ms + 100.0)
        recs = {}
        for sheet, n in sheets.items():
            counts = rng.poisson(rate_hz * duration_ms / 1000.0, n)
            neuron = np.repeat(np.arange(n), counts)
            times = t0 + rng.uniform(0.0, duration_ms, counts.sum())
            order = np.lexsort((times, neuron))
            total += len(times)
            recs[sheet] = SheetRecording(t_start=t0, t_stop=t0 + duration_ms,
                                         spike_neurons=neuron[order], spike_times=times[order],
                                         spike_recorded=np.arange(n))
        cond, trial = divmod(k, trials)
        sid = StimulusIdentity("FullfieldDriftingSinusoidalGrating", {
            "orientation": float(np.pi * (cond % 8) / 8), "contrast": 10 * (1 + cond // 8),
            "temporal_frequency": 2.0, "duration_ms": duration_ms, "trial": trial})
        store.write_presentation_arrays(sid, trial, recs)
        if (k + 1) % 10 == 0:
            print(f"  wrote {k + 1}/{presentations}", file=sys.stderr, flush=True)
    store.close()
    return total


def numpy_rates(run: Path) -> dict[tuple[str, str], np.ndarray]:
    """Trial-averaged rates (Hz) per (sheet, stimulus without trial) from the Parquet files."""
    seg = pq.read_table(run / "segments.parquet",
                        columns=["segment_id", "sheet_name", "stimulus_id", "t_start", "t_stop",
                                 "is_null", "spikes_file"]).to_pydict()
    keys: dict[tuple[str, str], int] = {}
    seg_key = {}
    length_s = {}
    trials: dict[int, int] = {}
    for sid, sheet, text, t0, t1, null in zip(seg["segment_id"], seg["sheet_name"],
                                             seg["stimulus_id"], seg["t_start"], seg["t_stop"],
                                             seg["is_null"], strict=True):
        if null:
            continue
        params = json.loads(text)["params"]
        params.pop("trial", None)
        key = (sheet, json.dumps(params, sort_keys=True))
        k = keys.setdefault(key, len(keys))
        seg_key[sid] = k
        trials[k] = trials.get(k, 0) + 1
        length_s[k] = (t1 - t0) / 1000.0
    n_max = {}
    for path in sorted(set(f for f in seg["spikes_file"] if f)):
        table = pq.read_table(run / path, columns=["segment_id", "neuron", "time"])
        table = table.filter(pc.is_valid(table["time"]))
        s = table["segment_id"].to_numpy()
        neuron = table["neuron"].to_numpy().astype(np.int64)
        lut = np.full(int(s.max()) + 1, -1, np.int64)
        for sid in np.unique(s):
            lut[sid] = seg_key[int(sid)]
        k = lut[s]
        for key_index in np.unique(k):
            mask = k == key_index
            counts = np.bincount(neuron[mask])
            have = n_max.get(int(key_index))
            if have is None:
                n_max[int(key_index)] = counts.astype(np.float64)
            else:
                size = max(len(have), len(counts))
                have = np.pad(have, (0, size - len(have)))
                have[:len(counts)] += counts
                n_max[int(key_index)] = have
    return {key: n_max[k] / trials[k] / length_s[k] for key, k in keys.items()}


def elephant_rates(run: Path, n_trains: int) -> tuple[float, int, float, int]:
    """The per-train route on a subset: seconds to build the neo SpikeTrains of the first
    presentation's smaller sheet and their number, then seconds for Elephant's
    ``mean_firing_rate`` on the first ``n_trains`` of them and their number."""
    import elephant.statistics as es

    with DataStore.open(run) as store:
        index = store.segment_index
        rows = index.filter(pc.and_(pc.equal(index["presentation_id"], 0),
                                    pc.equal(index["sheet_name"], "V1_Inh_L4")))
        view = store.derive(rows, None)
        t = time.perf_counter()
        trains = view.get_spiketrains()
        t_neo = time.perf_counter() - t
        subset = trains[:n_trains]
        t = time.perf_counter()
        rates = [es.mean_firing_rate(st).rescale("Hz") for st in subset]
        t_elephant = time.perf_counter() - t
    assert len(rates) == len(subset)
    return t_neo, len(trains), t_elephant, len(subset)


def timed_workflow(run: Path, force: bool) -> tuple[float, tuple[int, int], float]:
    analyses, plots = load_workflow(run.parent / "workflow.yaml")
    t = time.perf_counter()
    with DataStore.open(run, mode="a") as store:
        t_open = time.perf_counter() - t
        counts = run_workflow(store, analyses, plots, force=force)
    return time.perf_counter() - t, counts, t_open


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--neurons", type=int, default=100_000)
    ap.add_argument("--presentations", type=int, default=100)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--rate", type=float, default=5.0, help="Hz")
    ap.add_argument("--duration", type=float, default=1000.0, help="ms per presentation")
    ap.add_argument("--neo-trains", type=int, default=5000,
                    help="trains Elephant is timed on (extrapolated to the whole run)")
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="mozaik-bench-analysis-"))
    run = base / "run"
    if run.exists():
        shutil.rmtree(run)
    (base / "workflow.yaml").write_text(WORKFLOW)
    res: dict[str, object] = {
        "neurons": args.neurons, "presentations": args.presentations, "trials": args.trials,
        "rate_hz": args.rate, "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs, python "
                   f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}"}
    t = time.perf_counter()
    res["spikes"] = build(run, args.neurons, args.presentations, args.trials, args.rate,
                          args.duration)
    res["build_s"] = time.perf_counter() - t

    mozaik_s = []
    for i in range(2):  # the first run stores; the second is forced (same work again)
        elapsed, counts, _ = timed_workflow(run, force=i > 0)
        assert counts == (1, 0), counts
        mozaik_s.append(elapsed)
    res["mozaik_workflow_s"] = mozaik_s
    numpy_s = []
    for _ in range(2):
        t = time.perf_counter()
        plain = numpy_rates(run)
        numpy_s.append(time.perf_counter() - t)
    res["numpy_s"] = numpy_s
    res["ratio_mozaik_to_numpy"] = min(mozaik_s) / min(numpy_s)

    with DataStore.open(run) as store:  # the same numbers
        results = store.get_analysis_result(analysis_algorithm="TrialAveragedFiringRate")
        assert len(results) == len(plain)
        for r in results:
            params = dict(r.stimulus_id.params)
            want = plain[r.sheet_name, json.dumps(params, sort_keys=True)]
            np.testing.assert_allclose(r.values, want[: len(r.values)], rtol=1e-12)
    res["checked_equal"] = True

    t_neo, n_neo, t_el, n_el = elephant_rates(run, args.neo_trains)
    total_trains = args.neurons * args.presentations
    res["neo_subset"] = {"neo_trains": n_neo, "neo_s": t_neo, "elephant_trains": n_el,
                         "elephant_s": t_el, "total_trains": total_trains}
    res["neo_elephant_extrapolated_s"] = (t_neo / n_neo + t_el / n_el) * total_trains
    res["ratio_neo_elephant_to_mozaik"] = res["neo_elephant_extrapolated_s"] / min(mozaik_s)

    elapsed, counts, t_open = timed_workflow(run, force=False)
    assert counts == (0, 0), counts
    res["rerun_unchanged_s"] = elapsed
    res["rerun_open_s"] = t_open
    mozaik = str(Path(sys.executable).with_name("mozaik"))
    t = time.perf_counter()
    done = subprocess.run([mozaik, "analyse", str(run), str(base / "workflow.yaml")],
                          capture_output=True, text=True, check=True)
    res["rerun_unchanged_cli_s"] = time.perf_counter() - t
    assert "0 analyses run" in done.stdout, done.stdout
    print(json.dumps(res, indent=2))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    if not args.keep and args.dir is None:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
