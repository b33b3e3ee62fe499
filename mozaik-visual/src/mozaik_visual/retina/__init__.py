"""The retina/LGN model: ON and OFF X cells with DoG x biphasic receptive fields."""

from __future__ import annotations

from mozaik_visual.retina._drive import CurrentDrive
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
    "TemporalKernelParams",
    "dog_kernel",
    "per_cell_reference",
    "temporal_kernel",
]
