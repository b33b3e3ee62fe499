"""mozaik-barrels: whiskers, barrel cortex and their analysis, as a Mozaik plugin."""

from __future__ import annotations

from mozaik_barrels._model import (
    BarrelSheet,
    BarrelSheetParams,
    SameBarrel,
    SameBarrelParams,
    WhiskerPad,
    WhiskerPadParams,
    WhiskerSpace,
    WhiskerSpaceParams,
    WhiskerToBarrel,
    WhiskerToBarrelParams,
)
from mozaik_barrels._workflow import (
    BarrelMap,
    BarrelMapPlot,
    BarrelRate,
    BarrelRateParams,
    BarrelSearchParams,
    BarrelSearchPlot,
    BarrelSpikesCsv,
    BarrelSpikesCsvParams,
    DeflectWhiskers,
    DeflectWhiskersParams,
    QuietBackend,
    QuietBackendParams,
    WhiskerDeflection,
    WhiskerDeflectionParams,
)

__all__ = [
    "BarrelMap",
    "BarrelMapPlot",
    "BarrelRate",
    "BarrelRateParams",
    "BarrelSearchParams",
    "BarrelSearchPlot",
    "BarrelSheet",
    "BarrelSpikesCsv",
    "BarrelSpikesCsvParams",
    "BarrelSheetParams",
    "DeflectWhiskers",
    "DeflectWhiskersParams",
    "QuietBackend",
    "QuietBackendParams",
    "SameBarrel",
    "SameBarrelParams",
    "WhiskerDeflection",
    "WhiskerDeflectionParams",
    "WhiskerPad",
    "WhiskerPadParams",
    "WhiskerSpace",
    "WhiskerSpaceParams",
    "WhiskerToBarrel",
    "WhiskerToBarrelParams",
]
