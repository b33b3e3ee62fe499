"""NWB export of a large run: time, peak memory and file size against pynwb written directly.

Builds a store of Poisson spikes (default 10,000 neurons x 10 presentations of 5 s at 20 Hz,
about 10^7 spikes), then, each in a fresh process (so peak RSS is the step's own):

- ``mozaik``: ``mozaik.export.export(store, ..., format="nwb")`` (Units, intervals, provenance);
- ``direct``: the same Units table (the same spike times, one ``add_unit`` per neuron, sheet
  and neuron index columns) written with pynwb from numpy arrays already in memory, the
  reference a hand-written script would be.

Reports seconds, peak RSS (MB) and the file sizes against the store's spike payloads. Run::

    .venv/bin/python benchmarks/interchange/bench_nwb.py --json benchmarks/interchange/results.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from mozaik.datastore import DataStore, SheetRecording
from mozaik.stimulus import StimulusIdentity

_MOZAIK = r"""
import sys, time
from mozaik.datastore import DataStore
from mozaik.export import export
from mozaik.plugin import get_registry
import pynwb  # imported before the clock starts, as in the direct script
registry = get_registry()
registry.kind("exporters")  # plugins loaded before the clock starts
t = time.perf_counter()
store = DataStore.open(sys.argv[1])
export(store.full_view(), sys.argv[2], format="nwb", registry=registry,
       params={"species": "Felis catus", "age": "P1Y", "analysis": False})
import resource
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

_DIRECT = r"""
import sys, time, datetime, uuid
import numpy as np
from mozaik.datastore import DataStore
store = DataStore.open(sys.argv[1])
view = store.full_view()
arrays = {s: view.spike_arrays(s) for s in view.sheets()}  # in memory before the clock starts
from pynwb import NWBFile, NWBHDF5IO
t = time.perf_counter()
f = NWBFile(session_description="direct", identifier=str(uuid.uuid4()),
            session_start_time=datetime.datetime.now(datetime.timezone.utc))
f.add_unit_column(name="sheet", description="sheet")
f.add_unit_column(name="neuron_index", description="index")
for sheet, a in arrays.items():
    order = np.lexsort((a.times, a.neuron))
    neuron, times = a.neuron[order], a.times[order] / 1000.0
    ids = np.unique(neuron)
    lo, hi = np.searchsorted(neuron, ids, "left"), np.searchsorted(neuron, ids, "right")
    for k, n in enumerate(ids):
        f.add_unit(spike_times=times[lo[k]:hi[k]], sheet=sheet, neuron_index=int(n))
with NWBHDF5IO(sys.argv[2], "w") as io:
    io.write(f)
import resource
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _child(code: str, *args: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) a fresh interpreter reports for itself."""
    done = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True,
                          text=True)
    seconds, rss_kb = done.stdout.strip().splitlines()[-1].split()
    return float(seconds), float(rss_kb) / 1024.0


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() \
        else path.stat().st_size


def _store(root: Path, args: argparse.Namespace, presentations: int) -> int:
    """A store of Poisson spikes; returns the number of spikes."""
    rng = np.random.default_rng(1)
    store = DataStore.create(root, {"config": {"simulator": {"time_step": 0.1}}})
    store.write_neurons("exc", np.arange(args.neurons),
                        rng.uniform(-500, 500, (args.neurons, 2)))
    n_spikes = 0
    for k in range(presentations):
        t0 = k * args.duration
        counts = rng.poisson(args.rate * args.duration / 1000.0, args.neurons)
        neurons = np.repeat(np.arange(args.neurons), counts)
        times = np.round(t0 + rng.uniform(0, args.duration, counts.sum()), 1)
        order = np.lexsort((times, neurons))
        n_spikes += len(times)
        store.write_presentation_arrays(
            StimulusIdentity("Spontaneous", {"duration_ms": args.duration, "trial": k}), k,
            {"exc": SheetRecording(t_start=t0, t_stop=t0 + args.duration,
                                   spike_neurons=neurons[order], spike_times=times[order],
                                   spike_recorded=np.arange(args.neurons))},
            t_start=t0, t_stop=t0 + args.duration)
    store.close()
    return n_spikes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--neurons", type=int, default=10_000)
    ap.add_argument("--presentations", type=int, default=10)
    ap.add_argument("--rate", type=float, default=20.0, help="Hz")
    ap.add_argument("--duration", type=float, default=5000.0, help="ms per presentation")
    ap.add_argument("--few", type=int, default=2,
                    help="presentations of a second store (same presentations, fewer of "
                         "them) whose mozaik export is measured too: bounded memory means "
                         "the same peak RSS")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="mozaik-bench-nwb-"))
    try:
        n_spikes = _store(base / "run", args, args.presentations)
        payload = _size(base / "run" / "spikes")
        load_before = os.getloadavg()
        direct_s, direct_mb = _child(_DIRECT, str(base / "run"), str(base / "direct.nwb"))
        mozaik_s, mozaik_mb = _child(_MOZAIK, str(base / "run"), str(base / "mozaik.nwb"))
        few_spikes = _store(base / "few", args, args.few)
        few_s, few_mb = _child(_MOZAIK, str(base / "few"), str(base / "few.nwb"))
        res = {
            "spikes": n_spikes, "neurons": args.neurons, "presentations": args.presentations,
            "direct_s": round(direct_s, 2), "mozaik_s": round(mozaik_s, 2),
            "time_ratio": round(mozaik_s / direct_s, 2),
            "direct_peak_rss_mb": round(direct_mb), "mozaik_peak_rss_mb": round(mozaik_mb),
            "few_presentations": args.few, "few_spikes": few_spikes,
            "few_mozaik_s": round(few_s, 2), "few_mozaik_peak_rss_mb": round(few_mb),
            "store_spike_payload_mb": round(payload / 2**20, 1),
            "direct_file_mb": round(_size(base / "direct.nwb") / 2**20, 1),
            "mozaik_file_mb": round(_size(base / "mozaik.nwb") / 2**20, 1),
            "file_over_payload": round(_size(base / "mozaik.nwb") / payload, 2),
            "load_average_before": load_before,
            "load_average": os.getloadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M"),
        }
        print(json.dumps(res, indent=2))
        if args.json:
            args.json.write_text(json.dumps(res, indent=2) + "\n")
    finally:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
