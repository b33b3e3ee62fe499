"""Datastore benchmark: build a synthetic store with the store's own writer, then time it.

Usage::

    python benchmarks/datastore/bench_datastore.py --neurons 100000 --presentations 200
    python benchmarks/datastore/bench_datastore.py --neurons 2000 --presentations 10   # CI size

Measures: writing, opening (time and memory, in a fresh process), ``param_filter_query`` on the
index, reading all spikes of one sheet for one presentation (vs plain pyarrow on the same rows),
and the same read done the way the original Mozaik stored data: one ``neo.SpikeTrain`` per
neuron, the segment pickled to its own file. ``pickle`` is used here only to measure that
baseline, on data this script has just generated; Mozaik itself never pickles.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import neo
import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
from mozaik.datastore import DataStore, SheetRecording, check_store, param_filter_query
from mozaik.stimulus import StimulusIdentity
from neo.core.spiketrainlist import SpikeTrainList

ORIENTATIONS = 8


def stimulus(k: int, trials: int) -> tuple[StimulusIdentity, int]:
    trial = k % trials
    cond = k // trials
    sid = StimulusIdentity(
        "FullfieldDriftingSinusoidalGrating",
        {
            "orientation": float(np.pi * (cond % ORIENTATIONS) / ORIENTATIONS),
            "contrast": int(10 * (1 + cond // ORIENTATIONS)),
            "spatial_frequency": 0.8,
            "temporal_frequency": 2.0,
            "duration_ms": 1000.0,
            "trial": trial,
        },
    )
    return sid, trial


def poisson_spikes(rng: np.random.Generator, n: int, rate_hz: float, t0: float, dur_ms: float):
    counts = rng.poisson(rate_hz * dur_ms / 1000.0, n)
    neurons = np.repeat(np.arange(n, dtype=np.int64), counts)
    times = t0 + rng.uniform(0.0, dur_ms, counts.sum())
    # sort times within each neuron, as a simulator delivers them
    order = np.lexsort((times, neurons))
    return neurons[order], times[order]


def fill_segment(seg: neo.Segment, trains: list[neo.SpikeTrain]) -> neo.Segment:
    """Attach trains in linear time (neo's ``spiketrains.append`` is quadratic in their number)."""
    for st in trains:
        st.segment = seg
    seg.spiketrains = SpikeTrainList(items=trains, parent=seg)
    return seg


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def median_ms(fn, repeat: int) -> float:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


OPEN_CHILD = """
import json, os, sys, time
def rss():
    with open('/proc/self/statm') as fh:
        return int(fh.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
from mozaik.datastore import DataStore
before = rss()
t = time.perf_counter()
store = DataStore.open(sys.argv[1])
elapsed = time.perf_counter() - t
print(json.dumps({"open_s": elapsed, "rss_delta_mb": rss() - before, "rows": store.n_segments,
                  "index_mb": store.segment_index.nbytes / 2**20}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--neurons", type=int, default=100_000)
    ap.add_argument("--presentations", type=int, default=200)
    ap.add_argument("--rate", type=float, default=5.0, help="firing rate, Hz")
    ap.add_argument("--duration", type=float, default=1000.0, help="presentation length, ms")
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument(
        "--dir", type=Path, default=None, help="where to build the store (default: a temp dir)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the store afterwards")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = ap.parse_args()

    base = args.dir or Path(tempfile.mkdtemp(prefix="mozaik-bench-"))
    run = base / "run"
    if run.exists():
        shutil.rmtree(run)
    n_exc = int(args.neurons * 0.8)
    sheets = {"V1_Exc_L4": n_exc, "V1_Inh_L4": args.neurons - n_exc}
    rng = np.random.default_rng(42)
    res: dict = {
        "neurons": args.neurons,
        "presentations": args.presentations,
        "rate_hz": args.rate,
        "duration_ms": args.duration,
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    }

    # ---------------------------------------------------------------- write
    store = DataStore.create(run, {"config": {"benchmark": vars(args) | {"dir": str(args.dir)}}})
    for sheet, n in sheets.items():
        store.write_neurons(sheet, np.arange(n), rng.uniform(-1000, 1000, (n, 2)))
    n_spikes = 0
    t_gen = t_write = 0.0
    for k in range(args.presentations):
        t = time.perf_counter()
        recs = {}
        t0 = k * (args.duration + 100.0)
        for sheet, n in sheets.items():
            neurons, times = poisson_spikes(rng, n, args.rate, t0, args.duration)
            n_spikes += len(times)
            recs[sheet] = SheetRecording(
                t_start=t0,
                t_stop=t0 + args.duration,
                spike_neurons=neurons,
                spike_times=times,
                spike_recorded=np.arange(n),
            )
        t_gen += time.perf_counter() - t
        t = time.perf_counter()
        sid, trial = stimulus(k, args.trials)
        store.write_presentation_arrays(sid, trial, recs)
        t_write += time.perf_counter() - t
        if (k + 1) % 20 == 0:
            print(
                f"  wrote {k + 1}/{args.presentations} presentations", file=sys.stderr, flush=True
            )
    t = time.perf_counter()
    store.close()
    res["close_compact_s"] = time.perf_counter() - t
    res["spikes"] = n_spikes
    res["write_s_per_presentation"] = t_write / args.presentations
    res["write_total_s"] = t_write
    res["store_gb"] = sum(p.stat().st_size for p in run.rglob("*") if p.is_file()) / 2**30

    # neo path: one presentation of PyNN-shaped segments through write_presentation
    probe = base / "probe"
    if probe.exists():
        shutil.rmtree(probe)
    neurons, times = poisson_spikes(rng, n_exc, args.rate, 0.0, args.duration)
    t = time.perf_counter()
    trains = []
    bounds = np.searchsorted(neurons, np.arange(n_exc + 1))
    for i in range(n_exc):
        st = neo.SpikeTrain(
            times[bounds[i] : bounds[i + 1]], units="ms", t_start=0.0, t_stop=args.duration
        )
        st.annotate(source_population="V1_Exc_L4", source_index=i, channel_id=i + 1)
        trains.append(st)
    seg = fill_segment(neo.Segment(), trains)
    res["build_neo_segment_s"] = time.perf_counter() - t
    pstore = DataStore.create(probe)
    t = time.perf_counter()
    pstore.write_presentation(stimulus(0, args.trials)[0], 0, {"V1_Exc_L4": seg})
    res["write_presentation_from_neo_s"] = time.perf_counter() - t
    pstore.close()

    # ---------------------------------------------------------------- open (fresh process)
    opens = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", OPEN_CHILD, str(run)], capture_output=True, text=True, check=True
        )
        opens.append(json.loads(out.stdout))
    res["open_s"] = statistics.median(o["open_s"] for o in opens)
    res["open_rss_delta_mb"] = statistics.median(o["rss_delta_mb"] for o in opens)
    res["index_rows"] = opens[0]["rows"]
    res["index_mb"] = opens[0]["index_mb"]

    store = DataStore.open(run)
    res["open_in_process_s"] = median_ms(lambda: DataStore.open(run), 5) / 1000

    # ---------------------------------------------------------------- queries
    q_ori = float(np.pi * 3 / ORIENTATIONS)
    res["param_filter_query_ms"] = median_ms(
        lambda: param_filter_query(
            store, sheet_name="V1_Exc_L4", st_orientation=[0.0, q_ori], st_contrast=10
        ),
        args.repeat,
    )
    res["param_filter_query_2_ms"] = median_ms(
        lambda: param_filter_query(store, st_name="FullfieldDriftingSinusoidalGrating", st_trial=3),
        args.repeat,
    )

    # ---------------------------------------------------------------- read one sheet x presentation
    picks = rng.choice(args.presentations, size=min(args.repeat, args.presentations), replace=False)
    idx = store.segment_index
    exc = idx.filter(pc.equal(idx["sheet_name"], "V1_Exc_L4"))
    rows = {int(r["presentation_id"]): r for r in exc.to_pylist()}

    def store_read(pid: int) -> np.ndarray:
        sid, trial = stimulus(pid, args.trials)
        view = param_filter_query(
            store, sheet_name="V1_Exc_L4", stimulus_id=sid.to_string(), st_trial=trial
        )
        return view.spike_arrays("V1_Exc_L4").times

    def arrow_read(pid: int) -> np.ndarray:
        r = rows[pid]
        t = pq.ParquetFile(run / r["spikes_file"]).read_row_groups(
            list(range(r["spikes_row_group"], r["spikes_row_group"] + r["spikes_row_groups"])),
            columns=["neuron", "time"],
        )
        t = t.filter(pc.is_valid(t["time"]))
        return t["time"].to_numpy()

    def arrow_filter_read(pid: int) -> np.ndarray:
        r = rows[pid]
        t = pq.read_table(
            run / r["spikes_file"],
            columns=["neuron", "time"],
            filters=[("segment_id", "=", r["segment_id"])],
        )
        t = t.filter(pc.is_valid(t["time"]))
        return t["time"].to_numpy()

    for pid in picks[:2]:  # same answer three ways; also warms the page cache for all
        a, b, c = store_read(int(pid)), arrow_read(int(pid)), arrow_filter_read(int(pid))
        assert np.array_equal(a, b) and np.array_equal(a, c)

    def timed(fn) -> float:
        return statistics.median(median_ms(lambda p=int(p): fn(p), 3) for p in picks)

    res["read_store_ms"] = timed(store_read)
    res["read_pyarrow_rowgroups_ms"] = timed(arrow_read)
    res["read_pyarrow_filter_ms"] = timed(arrow_filter_read)
    res["read_ratio_vs_pyarrow"] = res["read_store_ms"] / min(
        res["read_pyarrow_rowgroups_ms"], res["read_pyarrow_filter_ms"]
    )
    res["spikes_per_read"] = len(store_read(int(picks[0])))

    # ---------------------------------------------------------------- page checksums (issue 19)
    def arrow_read_verified(pid: int, verify: bool = True) -> np.ndarray:
        r = rows[pid]
        t = pq.ParquetFile(run / r["spikes_file"], page_checksum_verification=verify)
        t = t.read_row_groups(
            list(range(r["spikes_row_group"], r["spikes_row_group"] + r["spikes_row_groups"])),
            columns=["neuron", "time"])
        return t["time"].to_numpy()

    res["read_pyarrow_verified_ms"] = timed(arrow_read_verified)
    res["read_pyarrow_unverified_ms"] = timed(lambda p: arrow_read_verified(p, False))
    res["checksum_read_cost_ratio"] = (res["read_pyarrow_verified_ms"]
                                       / res["read_pyarrow_unverified_ms"])
    one = pq.read_table(run / rows[int(picks[0])]["spikes_file"])
    sizes, write_ms = {}, {}
    for flag in (True, False):
        target = base / f"checksum-{flag}.parquet"
        write_ms[flag] = median_ms(lambda f=flag, t=target: pq.write_table(
            one, t, compression="zstd", write_page_checksum=f), 3)
        sizes[flag] = target.stat().st_size
        target.unlink()
    res["checksum_write_cost_ratio"] = write_ms[True] / write_ms[False]
    res["checksum_size_cost_ratio"] = sizes[True] / sizes[False]
    t0 = time.perf_counter()
    res["check_problems"] = len(check_store(run))
    res["check_store_s"] = time.perf_counter() - t0
    res["neo_segment_from_store_ms"] = median_ms(
        lambda: param_filter_query(store, sheet_name="V1_Exc_L4", st_trial=0).get_segments()[0], 3
    )

    # ---------------------------------------------------------------- original Mozaik approach
    pickled = base / "pickled"
    pickled.mkdir(exist_ok=True)
    pick_files = []
    t_pickle = []
    for pid in picks[:3]:
        r = rows[int(pid)]
        times_all = store_read(int(pid))
        v = param_filter_query(
            store, sheet_name="V1_Exc_L4", stimulus_id=r["stimulus_id"], st_trial=r["trial"]
        )
        seg = v.get_segments()[0]  # one neo SpikeTrain per neuron, annotated, as Mozaik had it
        path = pickled / f"segment_{int(pid)}.pickle"
        t = time.perf_counter()
        with open(path, "wb") as fh:
            pickle.dump(seg, fh, protocol=pickle.HIGHEST_PROTOCOL)
        t_pickle.append(time.perf_counter() - t)
        pick_files.append((path, len(times_all)))
    res["pickle_write_s"] = statistics.median(t_pickle)
    res["pickle_file_mb"] = statistics.median(p.stat().st_size for p, _ in pick_files) / 2**20

    def pickle_read(path: Path) -> np.ndarray:
        with open(path, "rb") as fh:
            seg = pickle.load(fh)
        return np.concatenate([np.asarray(st.magnitude) for st in seg.spiketrains])

    for p, n in pick_files:
        assert len(pickle_read(p)) == n
    res["read_pickled_neo_ms"] = statistics.median(
        median_ms(lambda p=p: pickle_read(p), 3) for p, _ in pick_files
    )
    res["pickled_vs_store_ratio"] = res["read_pickled_neo_ms"] / res["read_store_ms"]

    print(json.dumps(res, indent=2))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    if not args.keep:
        shutil.rmtree(run, ignore_errors=True)
        shutil.rmtree(probe, ignore_errors=True)
        shutil.rmtree(pickled, ignore_errors=True)
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
