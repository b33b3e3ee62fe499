"""Benchmark: LGN input for 1 s of drifting grating, vectorised vs a per-cell loop, vs NEST.

2 x 2,500 LGN cells (ON and OFF, 50 x 50 grids over 5 x 5 deg in a 10 x 10 deg field, 0.1 deg
pixels, 10 ms frames). Times, in one run: the vectorised filter (spatial FFT + temporal
convolution + gain control), the same linear filtering done per cell in a Python loop, setting
the NEST current generators, and NEST simulating that second. Run:
``uv run python benchmarks/visual/lgn_input.py``.
"""

from __future__ import annotations

import time

from mozaik.config import SimulatorConfig
from mozaik.model import Model
from mozaik_visual.retina import RetinaLGN, RetinaLGNParams, per_cell_reference, temporal_kernel
from mozaik_visual.space import VisualSpace, VisualSpaceParams
from mozaik_visual.stimuli import FullfieldDriftingSinusoidalGrating, GratingParams

model = Model(SimulatorConfig(backend="nest", seed=1, time_step=0.1), name="bench")
space = VisualSpace(VisualSpaceParams(size_deg=(10.0, 10.0)))
model.input_space = space
lgn = RetinaLGN("lgn", RetinaLGNParams(n_cells=2500, size_deg=(5.0, 5.0)), model)
grating = FullfieldDriftingSinusoidalGrating(GratingParams(duration_ms=1000.0))

t0 = time.perf_counter()
spatial = lgn.spatial_response(grating)
response = lgn.filter.temporal_step(spatial)
t_filter = time.perf_counter() - t0
t0 = time.perf_counter()
lgn.present(grating.with_trial(1), model.time)  # cached spatial response + set generators
t_present_cached = time.perf_counter() - t0
t0 = time.perf_counter()
model.run(1000.0)
t_nest = time.perf_counter() - t0

# the same cells without any LGN device: what the generators cost NEST
model = Model(SimulatorConfig(backend="nest", seed=1, time_step=0.1), name="bare")
bare = model.sim.Population(len(lgn.filter.rows), model.sim.IF_curr_exp(**dict(
    lgn.params.cell.params)), label="bare")
t0 = time.perf_counter()
model.run(1000.0)
t_bare = time.perf_counter() - t0

frames = space.render(grating)
contrast = (frames - 50.0) / 50.0
rows, cols = lgn.filter.rows, lgn.filter.cols
n_loop = 500  # the loop is timed on 500 cells and scaled to 5,000
t0 = time.perf_counter()
per_cell_reference(contrast, space.x_deg[rows[:n_loop], cols[:n_loop]],
                   space.y_deg[rows[:n_loop], cols[:n_loop]], space.x_deg, space.y_deg,
                   lgn.params.receptive_field,
                   temporal_kernel(lgn.params.temporal_kernel, 10.0))
t_loop = (time.perf_counter() - t0) * len(rows) / n_loop

print(f"cells: {len(rows)}; frames: {len(frames)}")
print(f"vectorised filter (first trial): {t_filter:.3f} s")
print(f"present a repeated trial (cache + NEST generators): {t_present_cached:.3f} s")
print(f"per-cell Python loop (scaled from {n_loop} cells): {t_loop:.3f} s")
print(f"NEST simulation of 1 s: {t_nest:.3f} s (the same cells without LGN devices: "
      f"{t_bare:.3f} s)")
print(f"filter share of simulation: {100 * t_filter / t_nest:.1f} %; "
      f"speed-up over the loop: {t_loop / t_filter:.0f}x")
