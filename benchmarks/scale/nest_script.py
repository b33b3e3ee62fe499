"""The scale benchmark's network in plain PyNEST: the floor Mozaik and PyNN are measured against.

The seed protocol's network of ``benchmarks/overhead`` (Vogels & Abbott (2005) COBA cells, 80%
excitatory, each cell ``--inputs`` distinct random inputs, 80% of them excitatory, drawn by
NEST's ``fixed_indegree`` rule, weights 4 nS / 51 nS scaled by 200 / inputs so the network stays
in the asynchronous irregular state, 0.2 ms delays; an excitatory Poisson train of 1000 Hz, 3
nS onto every cell; a 50 ms, 100 Hz kick onto a fifth of the excitatory cells), written
directly with NEST's own models and calls: ``iaf_cond_exp`` cells, one ``spike_recorder``.
Spikes are fetched once after the run and saved as NumPy arrays.

Usage: python nest_script.py [--n-exc 8000] [--inputs 1000] [--sim-ms 1000] [--out DIR]
Prints one JSON line with the phase times (s).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

T_START = time.perf_counter()
os.environ.setdefault("PYNEST_QUIET", "1")

import nest  # noqa: E402
import numpy as np  # noqa: E402

T_IMPORTED = time.perf_counter()
# PyNN's IF_cond_exp of the overhead benchmark in NEST's units (pF, nS, mV, ms)
CELL = {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0,
        "t_ref": 5.0, "E_ex": 0.0, "E_in": -80.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0,
        "I_e": 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-exc", type=int, default=8000)
    parser.add_argument("--inputs", type=int, default=1000, help="synapses per cell")
    parser.add_argument("--sim-ms", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--out", type=Path, default=Path("nest_out"))
    args = parser.parse_args()
    k_exc, k_inh = args.inputs * 4 // 5, args.inputs // 5
    scale = 200.0 / args.inputs

    t0 = time.perf_counter()
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": 1, "rng_seed": args.seed})
    exc = nest.Create("iaf_cond_exp", args.n_exc, params=CELL)
    inh = nest.Create("iaf_cond_exp", args.n_exc // 4, params=CELL)
    cells = exc + inh
    cells.V_m = nest.random.uniform(-60.0, -59.0)
    for pre, k, weight in ((exc, k_exc, 4.0 * scale), (inh, k_inh, -51.0 * scale)):
        for post in (exc, inh):
            nest.Connect(pre, post, {"rule": "fixed_indegree", "indegree": k,
                                     "allow_autapses": False, "allow_multapses": False},
                         {"synapse_model": "static_synapse", "weight": weight, "delay": 0.2})
    noise = nest.Create("poisson_generator", params={"rate": 1000.0})
    nest.Connect(noise, cells, "all_to_all", {"weight": 3.0, "delay": 0.1})
    kicked = np.sort(np.random.default_rng(args.seed).choice(args.n_exc, args.n_exc // 5,
                                                             replace=False))
    kick = nest.Create("poisson_generator", params={"rate": 100.0, "start": 0.0, "stop": 50.0})
    nest.Connect(kick, exc[kicked.tolist()], "all_to_all", {"weight": 10.0, "delay": 0.1})
    recorder = nest.Create("spike_recorder")
    nest.Connect(cells, recorder)
    t1 = time.perf_counter()
    nest.Simulate(args.sim_ms)
    t2 = time.perf_counter()
    events = recorder.events
    first = cells[0].global_id
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(args.out / "spikes.npz", neuron=np.asarray(events["senders"]) - first,
             time=np.asarray(events["times"]))
    t3 = time.perf_counter()
    print(json.dumps({"import_s": T_IMPORTED - T_START, "build_s": t1 - t0,
                      "simulate_s": t2 - t1, "store_s": t3 - t2,
                      "total_s": time.perf_counter() - T_START,
                      "spikes": len(events["times"]),
                      "connections": int(nest.GetKernelStatus("num_connections"))}))


if __name__ == "__main__":
    main()
