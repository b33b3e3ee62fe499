"""The overhead benchmark network in plain PyNN: what a scientist would write without Mozaik.

Same network as ``study.yaml`` (``--protocol default``) or ``seed_study.yaml``
(``--protocol seed``) beside this file: Vogels & Abbott (2005) / COBA cells, 80% excitatory
and 20% inhibitory, random connectivity, a 50 ms Poisson kick (100 Hz) onto a fifth of the
excitatory cells in a 100 ms presentation, then the network on its own; spikes of every neuron
recorded and saved (as NumPy arrays); one thread.

- ``default``: 64 excitatory and 16 inhibitory inputs per cell on average (4 / 51 nS),
  connections drawn by PyNN's NumPy RNG (the pairs are drawn in Python: up to 10,000 neurons).
- ``seed``: the seed paper's protocol, exactly 160 + 40 = 200 inputs per cell, connections
  drawn inside NEST by its ``fixed_indegree`` rule, one ``nest.Connect`` per projection on the
  PyNN populations' node collections (what ``FixedNumberPreConnector`` with ``native_rng:
  true`` does in the study): buildable at 100,000 neurons in seconds; plus an excitatory
  Poisson train (1000 Hz, 3 nS) onto every cell from one NEST ``poisson_generator`` per
  population (the sheets' ``background_noise`` in the study), without which the activity does
  not outlast the kick at 200 inputs per cell.

Usage: python pure_pynn.py [--protocol default|seed] [--n-exc 8000] [--spontaneous-ms 1000]
       [--seed 12345] [--out DIR]
Prints one JSON line with the wall-clock times (s) of its phases and the activity statistics
of the self-sustained period (computed after the timed phases).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
import zlib
from pathlib import Path
from typing import Any

T_START = time.perf_counter()
os.environ.setdefault("PYNEST_QUIET", "1")
warnings.filterwarnings("ignore")  # PyNN's note about its optional NEST extension

import numpy as np  # noqa: E402
import pyNN.nest as sim  # noqa: E402
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: E402

T_IMPORTED = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent))
from activity import activity_summary  # noqa: E402

CELL = {"cm": 0.2, "tau_m": 20.0, "v_rest": -60.0, "v_thresh": -50.0, "v_reset": -60.0,
        "tau_refrac": 5.0, "e_rev_E": 0.0, "e_rev_I": -80.0, "tau_syn_E": 5.0,
        "tau_syn_I": 10.0, "i_offset": 0.0}
KICK_PRESENTATION_MS = 100.0  # the kick's presentation: 50 ms of drive, then 50 ms more
KICK_FRACTION = 0.2  # of the excitatory cells
# protocol: excitatory inputs per cell (a quarter as many inhibitory ones; on average for the
# default protocol's FixedProbabilityConnector, exactly for the seed protocol's fixed_indegree),
# exc and inh weights (uS), whether NEST draws the connections, background noise onto every cell
# (None, or rate in Hz and weight in uS of one excitatory Poisson train per cell)
PROTOCOLS = {"default": {"k_exc": 64.0, "weights_uS": (0.004, 0.051), "native": False,
                         "noise": None},
             "seed": {"k_exc": 160.0, "weights_uS": (0.004, 0.051), "native": True,
                      "noise": (1000.0, 0.003)}}


def derive_seed(master: int, key: str) -> int:
    """The seed Mozaik derives for one stream of a study's draws (its documented rule: NumPy's
    ``SeedSequence`` of the master seed and the CRC-32 of a key such as ``"sheet:exc"``),
    written out here so that this script draws what the study draws without importing
    Mozaik."""
    sequence = np.random.SeedSequence([int(master), zlib.crc32(key.encode("utf-8"))])
    return int(sequence.generate_state(1, dtype=np.uint32)[0] % (2**31 - 2)) + 1


def kicked_cells(n_exc: int, seed: int, fraction: float = KICK_FRACTION) -> np.ndarray:
    """The excitatory cells the kick drives: a random fifth, drawn as the study's
    ``PoissonNetworkKick`` draws them (NumPy's generator seeded by the seed and the CRC-32 of
    the protocol's, the sheet's and the fraction's names)."""
    keys = [seed] + [zlib.crc32(label.encode()) for label in ("PoissonKick", "exc",
                                                                 repr(fraction))]
    rng = np.random.default_rng(keys)
    return np.sort(rng.choice(n_exc, size=round(fraction * n_exc), replace=False))


def build(protocol: str, n_exc: int, seed: int,
          synapse_model: str = "static_synapse", inputs: int | None = None) -> tuple[Any, Any]:
    """Create the populations and projections; return (exc, inh). ``synapse_model`` is the
    NEST model of the native projections: ``static_synapse``, ``labelled`` for one copy of
    PyNN's ``static_synapse_lbl`` per projection, with its own label (as Mozaik made them
    before 2026-12-04), or ``copies`` for one unlabelled copy of ``static_synapse`` each.

    The network is the study's own draw, node for node: each population's random numbers
    come from a stream seeded as the study seeds that sheet's (cells are placed in the square
    first, as the study's sheets are, then the initial membrane potentials are drawn), each
    projection's from the stream of its connector, NEST's own generator (the Poisson
    generators, NEST's connection rules) from the simulator's, and NEST's nodes are created in
    the study's order (each population with its background noise, the projections, then the
    kick). Both then record the same spikes, which ``run_benchmark.py`` checks before it
    prints a ratio.
    """
    spec = PROTOCOLS[protocol]
    k_exc, (w_exc, w_inh), native = spec["k_exc"], spec["weights_uS"], spec["native"]
    if inputs is not None:  # benchmarks/scale: more inputs per cell, weights scaled down
        scale = 1.25 * k_exc / inputs
        k_exc, w_exc, w_inh = float(inputs * 4 // 5), w_exc * scale, w_inh * scale
    populations = []
    for label, size in (("exc", n_exc), ("inh", n_exc // 4)):
        rng = NumpyRNG(seed=derive_seed(seed, f"sheet:{label}"), parallel_safe=True)
        population = sim.Population(size, sim.IF_cond_exp(**CELL), label=label)
        positions = rng.next(2 * size, "uniform", {"low": -0.5, "high": 0.5})
        population.positions = np.vstack([np.reshape(positions, (size, 2)).T * 1000.0,
                                          np.zeros(size)])
        population.initialize(v=RandomDistribution("uniform", low=-60.0, high=-59.0,
                                                   rng=rng))
        if spec["noise"] is not None:
            add_noise(population, *spec["noise"])
        population.record("spikes")
        populations.append(population)
    exc, inh = populations
    for pre, weight, receptor in ((exc, w_exc, "excitatory"), (inh, w_inh, "inhibitory")):
        for post in (exc, inh):
            if native:
                native_fixed_indegree(pre, post, int(k_exc) if pre is exc else int(k_exc) // 4,
                                      weight, receptor, synapse_model)
                continue
            # the inhibitory sheet is a quarter: k_exc / 4 inhibitory inputs on average
            rng = NumpyRNG(seed=derive_seed(seed, f"connector:{pre.label}_{post.label}"),
                           parallel_safe=True)
            connector = sim.FixedProbabilityConnector(k_exc / n_exc, rng=rng)
            sim.Projection(pre, post, connector, sim.StaticSynapse(weight=weight, delay=0.2),
                           receptor_type=receptor)
    kicked = kicked_cells(n_exc, seed)
    kick = sim.Population(len(kicked), sim.SpikeSourcePoisson(rate=100.0, start=0.0,
                                                              duration=50.0))
    sim.Projection(kick, exc[kicked], sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.01, delay=0.1), receptor_type="excitatory")
    return exc, inh


def native_fixed_indegree(pre: Any, post: Any, indegree: int, weight_uS: float,
                          receptor: str, synapse_model: str = "static_synapse") -> None:
    """``indegree`` distinct random inputs from ``pre`` onto every cell of ``post``, drawn by
    NEST's ``fixed_indegree`` rule (no autapses), 0.2 ms delay; NEST's units and sign (nS,
    inhibition negative)."""
    import nest

    if synapse_model == "labelled":
        label = len(nest.synapse_models)
        synapse_model = f"static_synapse_lbl_bench{label}"
        nest.CopyModel("static_synapse_lbl", synapse_model, {"synapse_label": label})
    elif synapse_model == "copies":
        copy = f"static_synapse_bench{len(nest.synapse_models)}"
        nest.CopyModel("static_synapse", copy)
        synapse_model = copy
    sign = -1.0 if receptor == "inhibitory" else 1.0
    nest.Connect(pre.node_collection, post.node_collection,
                 {"rule": "fixed_indegree", "indegree": indegree, "allow_autapses": False,
                  "allow_multapses": False},
                 {"synapse_model": synapse_model, "weight": sign * weight_uS * 1000.0,
                  "delay": 0.2})


def add_noise(population: Any, rate_hz: float, weight_uS: float) -> None:
    """One NEST ``poisson_generator``: an independent excitatory Poisson train to each cell."""
    import nest

    generator = nest.Create("poisson_generator", params={"rate": rate_hz})
    nest.Connect(generator, population.node_collection, "all_to_all",
                 {"synapse_model": "static_synapse", "weight": weight_uS * 1000.0,
                  "delay": 0.1})


def kernel_timers() -> dict[str, float]:
    """NEST's kernel timers (s), named as in Mozaik's session record (``simulator_timers``)."""
    import nest

    keys = {"create_s": "time_construction_create", "connect_s": "time_construction_connect",
            "prepare_connections_s": "time_communicate_prepare", "simulate_s": "time_simulate"}
    status = nest.GetKernelStatus(list(keys.values()))
    return {name: float(np.sum(value)) for name, value in zip(keys, status, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", choices=sorted(PROTOCOLS), default="default")
    parser.add_argument("--n-exc", type=int, default=8000)
    parser.add_argument("--spontaneous-ms", type=float, default=1000.0,
                        help="simulated time after the kick's 100 ms presentation (ms)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--out", type=Path, default=Path("pure_pynn_out"))
    parser.add_argument("--synapse-model", choices=["static_synapse", "labelled", "copies"],
                        default="static_synapse",
                        help="NEST model of the native projections (seed protocol): plain, "
                             "a labelled copy per projection (as Mozaik's were before "
                             "2026-12-04) or an unlabelled copy per projection (a diagnostic)")
    parser.add_argument("--inputs", type=int, default=None,
                        help="synapses per cell (80%% excitatory), weights scaled by 200 / "
                             "inputs (seed protocol; benchmarks/scale)")
    args = parser.parse_args()
    total_ms = KICK_PRESENTATION_MS + args.spontaneous_ms

    t0 = time.perf_counter()
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0, threads=1,
              rng_seed=derive_seed(args.seed, "simulator"), verbosity="error")
    exc, inh = build(args.protocol, args.n_exc, args.seed, args.synapse_model, args.inputs)
    t1 = time.perf_counter()
    sim.run(total_ms)
    t2 = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    spikes = []
    for population in (exc, inh):
        trains = population.get_data().segments[0].spiketrains
        neurons = np.concatenate([np.full(len(st), st.annotations["source_index"])
                                  for st in trains])
        times = np.concatenate([st.magnitude for st in trains])
        np.savez(args.out / f"{population.label}.npz", neuron=neurons, time=times)
        spikes.append((neurons, times))
    t3 = time.perf_counter()
    nest_timers = kernel_timers()
    sim.end()
    total_s = time.perf_counter() - T_START
    n_neurons = args.n_exc + args.n_exc // 4
    neuron = np.concatenate([spikes[0][0], spikes[1][0] + args.n_exc])
    times = np.concatenate([spikes[0][1], spikes[1][1]])
    print(json.dumps({"import_s": T_IMPORTED - T_START, "build_s": t1 - t0,
                      "simulate_s": t2 - t1, "store_s": t3 - t2, "total_s": total_s,
                      "spikes": len(times), "neurons": n_neurons, "nest_timers": nest_timers,
                      **activity_summary(neuron, times, n_neurons, KICK_PRESENTATION_MS,
                                         total_ms)}))


if __name__ == "__main__":
    main()
