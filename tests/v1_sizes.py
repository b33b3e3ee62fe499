"""The V1 push-pull example (``examples/v1_pushpull``) at a few seconds, as ``--set`` overrides
shared by the cross-distribution tests: 64 + 16 V1 cells on 1000 x 1000 um, 10 x 10 LGN cells
per sheet on a 0.1 deg grid, receptive fields reaching 1.5 sigma, 28 ms blanks."""

from __future__ import annotations

#: The model at its tiny size (no protocol change).
V1_TINY_MODEL = (
    "sheets.V1_Exc_L4.params.placement.size_um=[1000.0,1000.0]",
    "sensory_input.params.n_cells=100",
    "input_space.params.pixel_size_deg=0.1",
    "connectors.V1AffConnection.params.extent_sigma=1.5",
    "connectors.V1AffInhConnection.params.extent_sigma=1.5",
    "controller.null_stimulus_period=28.0",
)

#: The tiny model with the example study's protocol cut to 2 orientations x 1 trial x 70 ms.
V1_TINY = (
    *V1_TINY_MODEL,
    "experiments.0.params.num_orientations=2",
    "experiments.0.params.num_trials=1",
    "experiments.0.params.duration_ms=70.0",
)
