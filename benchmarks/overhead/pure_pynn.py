"""The overhead benchmark network in plain PyNN: what a scientist would write without Mozaik.

Same network as ``study.yaml`` beside this file: Vogels & Abbott (2005) / COBA cells, 80%
excitatory and 20% inhibitory, random connectivity with 64 excitatory and 16 inhibitory inputs
per cell on average (2% at 4,000 neurons), a 50 ms Poisson kick (100 Hz) onto a
fifth of the excitatory cells, then the network on its own; 1100 ms simulated; spikes of every
neuron recorded and saved (as NumPy arrays); one thread.

Usage: python pure_pynn.py [--n-exc 8000] [--seed 12345] [--out DIR]
Prints one JSON line with the wall-clock times (s) of its phases.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

T_START = time.perf_counter()
os.environ.setdefault("PYNEST_QUIET", "1")
warnings.filterwarnings("ignore")  # PyNN's note about its optional NEST extension

import numpy as np  # noqa: E402
import pyNN.nest as sim  # noqa: E402
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: E402

T_IMPORTED = time.perf_counter()

CELL = {"cm": 0.2, "tau_m": 20.0, "v_rest": -60.0, "v_thresh": -50.0, "v_reset": -60.0,
        "tau_refrac": 5.0, "e_rev_E": 0.0, "e_rev_I": -80.0, "tau_syn_E": 5.0,
        "tau_syn_I": 10.0, "i_offset": 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-exc", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--out", type=Path, default=Path("pure_pynn_out"))
    args = parser.parse_args()

    t0 = time.perf_counter()
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0, threads=1, rng_seed=args.seed,
              verbosity="error")
    rng = NumpyRNG(seed=args.seed)
    exc = sim.Population(args.n_exc, sim.IF_cond_exp(**CELL), label="exc")
    inh = sim.Population(args.n_exc // 4, sim.IF_cond_exp(**CELL), label="inh")
    for population in (exc, inh):
        population.initialize(v=RandomDistribution("uniform", low=-60.0, high=-59.0, rng=rng))
        population.record("spikes")
    probability = 64.0 / args.n_exc  # 64 excitatory, 16 inhibitory inputs per cell
    for pre, weight, receptor in ((exc, 0.004, "excitatory"), (inh, 0.051, "inhibitory")):
        for post in (exc, inh):
            sim.Projection(pre, post, sim.FixedProbabilityConnector(probability, rng=rng),
                           sim.StaticSynapse(weight=weight, delay=0.2), receptor_type=receptor)
    kicked = np.sort(np.random.default_rng(args.seed).choice(args.n_exc, args.n_exc // 5,
                                                             replace=False))
    kick = sim.Population(len(kicked), sim.SpikeSourcePoisson(rate=100.0, start=0.0,
                                                              duration=50.0))
    sim.Projection(kick, exc[kicked], sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.01, delay=0.1), receptor_type="excitatory")
    t1 = time.perf_counter()
    sim.run(1100.0)
    t2 = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    n_spikes = 0
    for population in (exc, inh):
        trains = population.get_data().segments[0].spiketrains
        neurons = np.concatenate([np.full(len(st), st.annotations["source_index"])
                                  for st in trains])
        times = np.concatenate([st.magnitude for st in trains])
        np.savez(args.out / f"{population.label}.npz", neuron=neurons, time=times)
        n_spikes += len(times)
    t3 = time.perf_counter()
    sim.end()
    print(json.dumps({"import_s": T_IMPORTED - T_START, "build_s": t1 - t0,
                      "simulate_s": t2 - t1, "store_s": t3 - t2,
                      "total_s": time.perf_counter() - T_START, "spikes": n_spikes,
                      "neurons": args.n_exc + args.n_exc // 4}))


if __name__ == "__main__":
    main()
