"""Benchmark: LGN input for 1 s of drifting grating: the vectorised filter against a per-cell
loop on the same frames, presenting the input to NEST, and NEST's simulation with and without
the LGN's devices.

2 x 2,500 LGN cells (ON and OFF, 50 x 50 grids over 5 x 5 deg in a 10 x 10 deg field, 0.1 deg
pixels, 10 ms frames, noise redrawn every 1 ms). Every step is timed by wall clock and by the
process's CPU time (one thread: on a shared machine CPU time is the steadier of the two), the
Python steps ``--repeats`` times (median), after a warm-up that pays the one-off costs of a
process (importing SciPy's signal module on the filter's first call) and reports them apart.

- the filter, warm, on a stimulus it has not seen: render, spatial DoG by FFT, temporal
  kernel, gain control (what each new stimulus costs);
- the same linear filtering per cell in a Python loop (the original's approach) on the same
  contrast frames, without rendering (so the comparison favours the loop), on ``--loop-cells``
  cells and scaled to all of them (its cost is linear in the cells);
- presenting a repeated trial (cached spatial response): the temporal step, the currents with
  their noise and setting the 5,000 NEST ``step_current_generator`` s in one bulk call; and
  that last call alone;
- NEST simulating the second, then the same cells without any LGN device;
- the ``poisson`` output (linear-nonlinear-Poisson spike sources, the same cells' count): presenting
  a repeated trial (the temporal step, the rectified rates, drawing the Poisson spikes and
  setting the 5,000 ``spike_train_injector`` s in one bulk call), that last call alone, and
  NEST simulating the second with them.

Every NEST second is simulated ``--repeats`` times (a trial presented before each) and the
median taken; the ratios are against the bare cells' second measured in the same run.

Run: ``.venv/bin/python benchmarks/visual/lgn_input.py [--repeats 3] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mozaik.config import SimulatorConfig
from mozaik.model import Model
from mozaik_visual.retina import (
    RetinaLGN,
    RetinaLGNParams,
    SpikeDrive,
    per_cell_reference,
    temporal_kernel,
)
from mozaik_visual.space import VisualSpace, VisualSpaceParams
from mozaik_visual.stimuli import FullfieldDriftingSinusoidalGrating, GratingParams

Timing = dict[str, float]


def timed(step: Callable[[], Any]) -> tuple[Timing, Any]:
    """Wall-clock and CPU time (s) of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}, result


def median(runs: list[Timing]) -> Timing:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def poisson_output(repeats: int) -> dict[str, Any]:
    """The poisson output on the same 2 x 2,500 cells: presenting a repeated trial, setting the
    spike sources alone, NEST's second with them (medians over ``repeats``)."""
    model = Model(SimulatorConfig(backend="nest", seed=1, time_step=0.1), name="poisson")
    model.input_space = VisualSpace(VisualSpaceParams(size_deg=(10.0, 10.0)))
    lgn = RetinaLGN("lgn", RetinaLGNParams(n_cells=2500, size_deg=(5.0, 5.0), output="poisson"),
                    model)
    stimulus = FullfieldDriftingSinusoidalGrating(GratingParams(duration_ms=1000.0))
    lgn.present(stimulus, model.time)  # filtered once: the trials below are repeated ones
    model.run(1000.0)
    drives = [d for d in lgn.drives.values() if isinstance(d, SpikeDrive)]
    presenting, setting, simulating, spikes = [], [], [], []
    for k in range(1, repeats + 1):
        presenting.append(timed(lambda k=k: lgn.present(stimulus.with_trial(k), model.time))[0])
        windows = [(d, dict(d.last)) for d in drives]
        setting.append(timed(lambda w=windows: [  # type: ignore[misc]
            d.set_window(model.time, last["cells"], last["steps"]) for d, last in w])[0])
        spikes.append(sum(len(last["cells"]) for _, last in windows))
        simulating.append(timed(lambda: model.run(1000.0))[0])
    return {"poisson_present_trial": median(presenting), "poisson_set_generators":
            median(setting), "poisson_nest_with_lgn": median(simulating),
            "poisson_spikes_per_s": statistics.median(spikes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-cells", type=int, default=500)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    load_before = os.getloadavg()

    model = Model(SimulatorConfig(backend="nest", seed=1, time_step=0.1), name="bench")
    space = VisualSpace(VisualSpaceParams(size_deg=(10.0, 10.0)))
    model.input_space = space
    lgn = RetinaLGN("lgn", RetinaLGNParams(n_cells=2500, size_deg=(5.0, 5.0)), model)
    background = space.params.background_luminance_cd_m2
    rows, cols = lgn.filter.rows, lgn.filter.cols

    def grating(k: int) -> FullfieldDriftingSinusoidalGrating:
        # a new orientation each time: never in the filter's cache
        return FullfieldDriftingSinusoidalGrating(GratingParams(
            duration_ms=1000.0, orientation_rad=0.1 * k))

    first, _ = timed(lambda: lgn.filter.temporal_step(lgn.spatial_response(grating(0))))
    filtered, loop, presenting, setting = [], [], [], []
    drives = list(lgn.drives.values())
    for k in range(1, args.repeats + 1):
        stimulus = grating(k)
        run, _ = timed(lambda s=stimulus: lgn.filter.temporal_step(lgn.spatial_response(s)))
        filtered.append(run)
        contrast = (space.render(stimulus) - background) / background
        n = args.loop_cells
        run, _ = timed(lambda c=contrast, n=n: per_cell_reference(
            c, space.x_deg[rows[:n], cols[:n]], space.y_deg[rows[:n], cols[:n]], space.x_deg,
            space.y_deg, lgn.params.receptive_field,
            temporal_kernel(lgn.params.temporal_kernel, space.params.frame_interval_ms)))
        loop.append({key: value * len(rows) / n for key, value in run.items()})
        # a repeated trial (cached spatial response): temporal step, currents with their
        # noise, NEST's generators set; then setting the generators alone, again
        run, _ = timed(lambda s=stimulus, k=k: lgn.present(s.with_trial(k), model.time))
        presenting.append(run)
        run, _ = timed(lambda: [drive.set_window(drive.last["times_ms"],
                                                 drive.last["amplitudes_nA"])
                                for drive in drives])
        setting.append(run)
    nest_runs = []
    for k in range(args.repeats):
        lgn.present(grating(1).with_trial(10 + k), model.time)
        nest_runs.append(timed(lambda: model.run(1000.0))[0])
    nest_run = median(nest_runs)

    bare_model = Model(SimulatorConfig(backend="nest", seed=1, time_step=0.1), name="bare")
    bare_model.sim.Population(len(rows), bare_model.sim.IF_curr_exp(
        **dict(lgn.params.cell.params)), label="bare")
    bare_run = median([timed(lambda: bare_model.run(1000.0))[0] for _ in range(args.repeats)])

    poisson = poisson_output(args.repeats)
    load_after = os.getloadavg()

    results = {"cells": len(rows), "frames": int(space.n_frames(1000.0)),
               "first_filter_call": first, "filter": median(filtered),
               "loop_scaled": median(loop), "present_trial": median(presenting),
               "present_set_generators": median(setting), "nest_with_lgn": nest_run,
               "nest_bare": bare_run, **poisson, "repeats": args.repeats,
               "loop_cells": args.loop_cells,
               "load_average_1_5_15_before": load_before, "load_average_1_5_15_after": load_after}
    for key in ("filter", "loop_scaled", "present_trial", "present_set_generators",
                "nest_with_lgn", "nest_bare", "first_filter_call", "poisson_present_trial",
                "poisson_set_generators", "poisson_nest_with_lgn"):
        value = results[key]
        print(f"{key}: {value['wall_s']:.3f} s wall, {value['cpu_s']:.3f} s CPU")
    for clock in ("wall_s", "cpu_s"):
        nest = nest_run[clock]
        print(f"[{clock}] filter / NEST's second: {100 * results['filter'][clock] / nest:.1f} %; "
              f"presenting a trial / NEST's second: "
              f"{100 * results['present_trial'][clock] / nest:.1f} % (setting the generators "
              f"{100 * results['present_set_generators'][clock] / nest:.1f} %); "
              f"loop / filter: {results['loop_scaled'][clock] / results['filter'][clock]:.1f}x; "
              f"NEST with / without the LGN's devices: {nest / bare_run[clock]:.2f}x")
        pnest = poisson["poisson_nest_with_lgn"][clock]
        print(f"[{clock}] poisson: NEST with the spike sources / the bare cells: "
              f"{pnest / bare_run[clock]:.2f}x; presenting a trial / that NEST second: "
              f"{100 * poisson['poisson_present_trial'][clock] / pnest:.1f} %, / the bare "
              f"cells' second: "
              f"{100 * poisson['poisson_present_trial'][clock] / bare_run[clock]:.1f} % "
              f"(setting the generators "
              f"{100 * poisson['poisson_set_generators'][clock] / bare_run[clock]:.1f} %); "
              f"{poisson['poisson_spikes_per_s']:.0f} spikes per s")
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
