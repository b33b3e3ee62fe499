"""Benchmark of optogenetic stimulation: light fields and photocurrents against NEST's
simulation of the same second, against a plain per-neuron loop, and the memory of the
injected-current record. Not part of CI; see README.md.

    python benchmarks/perturbation/bench_light.py --neurons 10000 --sources 1000 --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from mozaik.experiments import InjectedCurrent
from mozaik_visual.perturbation import (
    ChannelRhodopsinParams,
    LightPatternParams,
    LightSpreadParams,
    LightTimingParams,
    frame_profile,
    light_matrix,
    photocurrent_nA,
)
from mozaik_visual.perturbation._light import relative_irradiance

SIZE_UM = 2000.0
DEPTH_UM = 150.0
DURATION_MS = 1000.0
FRAME_MS = 1.0


def _layout(neurons: int, sources: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cells = rng.uniform(-SIZE_UM / 2, SIZE_UM / 2, size=(neurons, 2))
    side = round(math.sqrt(sources))
    xs = np.linspace(-SIZE_UM / 2, SIZE_UM / 2, side)
    gx, gy = np.meshgrid(xs, xs)
    return cells, np.column_stack([gx.ravel(), gy.ravel()])


def _pattern(sources_um: np.ndarray) -> np.ndarray:
    # a spot of 300 um at 10 mW/mm^2, as LightPatternParams(kind="spot") draws it
    spot = LightPatternParams(kind="spot", radius_um=300.0, irradiance_mW_per_mm2=10.0)
    near = np.linalg.norm(sources_um - np.asarray(spot.centres_um[0]), axis=1)
    return np.where(near <= spot.radius_um, spot.irradiance_mW_per_mm2, 0.0)


def vectorised(cells: np.ndarray, sources: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
    """What an optogenetic experiment computes: the sparse light matrix once (at build), then
    per presentation the irradiance of every cell in every frame and its photocurrent."""
    spread, opsin = LightSpreadParams(), ChannelRhodopsinParams()
    t0 = time.perf_counter()
    matrix = light_matrix(sources, cells, DEPTH_UM, spread, 10.0)
    t1 = time.perf_counter()
    profile = frame_profile(LightTimingParams(onset_ms=100.0, duration_ms=500.0),
                            DURATION_MS, FRAME_MS)
    irradiance = np.outer(matrix @ _pattern(sources), profile)
    current = photocurrent_nA(irradiance, opsin, FRAME_MS)
    t2 = time.perf_counter()
    return current, {"light_matrix_s": t1 - t0, "presentation_s": t2 - t1,
                     "matrix_nonzeros": float(matrix.nnz)}


def per_neuron_loop(cells: np.ndarray, sources: np.ndarray) -> tuple[np.ndarray, float]:
    """The same, one neuron at a time: its distances to every source, its irradiance, and its
    photocurrent integrated frame by frame (plain Python over frames)."""
    spread, opsin = LightSpreadParams(), ChannelRhodopsinParams()
    pattern = _pattern(sources)
    profile = frame_profile(LightTimingParams(onset_ms=100.0, duration_ms=500.0),
                            DURATION_MS, FRAME_MS)
    rise, fall = math.exp(-FRAME_MS / opsin.tau_on_ms), math.exp(-FRAME_MS / opsin.tau_off_ms)
    out = np.empty((len(cells), len(profile)))
    t0 = time.perf_counter()
    for i, cell in enumerate(cells):
        distance = np.linalg.norm(sources - cell, axis=1)
        weights = relative_irradiance(spread, 10.0, distance, np.full(distance.shape, DEPTH_UM))
        weights[weights < spread.cutoff] = 0.0
        level = float(weights @ pattern)
        o = 0.0
        for k, on in enumerate(profile):
            e = level * on
            target = e / (e + opsin.half_saturation_mW_per_mm2)
            o = target + (o - target) * (rise if target > o else fall)
            out[i, k] = o * opsin.max_current_nA
    return out, time.perf_counter() - t0


def nest_second(current: np.ndarray) -> dict[str, float]:
    """NEST simulating the same second for the same neurons (IF_cond_exp with Poisson
    background, no recurrent connections), with the photocurrent injected through one
    step_current_generator per neuron set in one bulk call, as PerNeuronCurrent does."""
    import nest

    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": 1})
    n = current.shape[0]
    cells = nest.Create("iaf_cond_exp", n)
    noise = nest.Create("poisson_generator", params={"rate": 2000.0})
    nest.Connect(noise, cells, syn_spec={"weight": 4.0, "delay": 1.0})
    recorder = nest.Create("spike_recorder")
    nest.Connect(cells, recorder)
    t0 = time.perf_counter()
    devices = nest.Create("step_current_generator", n)
    nest.Connect(devices, cells, "one_to_one", syn_spec={"delay": 0.1})
    times = (0.1 + FRAME_MS * np.arange(current.shape[1] + 1)).tolist()
    pA = np.concatenate([current, np.zeros((n, 1))], axis=1) * 1000.0
    devices.set([{"amplitude_times": times, "amplitude_values": row} for row in pA.tolist()])
    t1 = time.perf_counter()
    nest.Simulate(DURATION_MS)
    t2 = time.perf_counter()
    spikes = int(recorder.get("n_events"))
    return {"inject_setup_s": t1 - t0, "simulate_s": t2 - t1,
            "rate_hz": spikes / n / (DURATION_MS / 1000.0)}


def record_memory(current: np.ndarray, neurons: int, folder: Path) -> dict[str, float]:
    """Memory of one presentation's injected-current record for the first ``neurons`` rows of
    ``current`` (the photocurrent computed above): the array in memory, and a Parquet file of
    the datastore's analog layout (one list of samples per neuron, pyarrow's default
    compression)."""
    values = current[:neurons]
    record = InjectedCurrent(sheet="V1", cells=np.arange(neurons), t_start_ms=0.0,
                             dt_ms=FRAME_MS, values_nA=values)
    table = pa.table({
        "neuron": pa.array(record.cells, pa.int64()),
        "values": pa.array(list(record.values_nA), pa.list_(pa.float64())),
    })
    path = folder / f"injected-{neurons}.parquet"
    pq.write_table(table, path)
    return {"neurons": neurons, "in_memory_mb": values.nbytes / 1e6,
            "parquet_mb": path.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--neurons", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=1_000)
    parser.add_argument("--loop-neurons", type=int, default=500,
                        help="neurons run through the per-neuron loop (extrapolated)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cells, sources = _layout(args.neurons, args.sources)
    current, fast = vectorised(cells, sources)
    sub = cells[: args.loop_neurons]
    looped, loop_s = per_neuron_loop(sub, sources)
    np.testing.assert_allclose(looped, current[: args.loop_neurons], rtol=1e-9, atol=1e-12)
    loop_full_s = loop_s * args.neurons / len(sub)
    sim = nest_second(current)
    with tempfile.TemporaryDirectory() as tmp:
        memory = [record_memory(current, n, Path(tmp))
                  for n in (1_000, 3_000, args.neurons)]
    light_s = fast["light_matrix_s"] + fast["presentation_s"]
    report: dict[str, Any] = {
        "neurons": args.neurons, "sources": len(sources), "duration_ms": DURATION_MS,
        "frame_ms": FRAME_MS, "load_average": os.getloadavg(),
        "vectorised": fast, "light_total_s": light_s,
        "per_neuron_loop": {"neurons_run": len(sub), "seconds": loop_s,
                            "extrapolated_s": loop_full_s},
        "nest": sim,
        "light_share_of_simulation": light_s / sim["simulate_s"],
        "presentation_share_of_simulation": fast["presentation_s"] / sim["simulate_s"],
        "speedup_over_loop": loop_full_s / light_s,
        "record_memory": memory,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
