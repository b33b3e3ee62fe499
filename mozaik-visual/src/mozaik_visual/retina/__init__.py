"""The retina/LGN model: ON and OFF X cells with DoG x biphasic receptive fields."""

from __future__ import annotations

from mozaik_visual.retina._drive import CurrentDrive, SpikeDrive, draw_poisson_spikes
from mozaik_visual.retina._filters import (
    GainControlParams,
    LinearFilter,
    ReceptiveFieldParams,
    TemporalKernelParams,
    dog_kernel,
    per_cell_reference,
    temporal_kernel,
)
from mozaik_visual.retina._lgn import RetinaLGN, RetinaLGNParams

__all__ = [
    "CurrentDrive",
    "GainControlParams",
    "LinearFilter",
    "ReceptiveFieldParams",
    "RetinaLGN",
    "RetinaLGNParams",
    "SpikeDrive",
    "TemporalKernelParams",
    "dog_kernel",
    "draw_poisson_spikes",
    "per_cell_reference",
    "temporal_kernel",
]
