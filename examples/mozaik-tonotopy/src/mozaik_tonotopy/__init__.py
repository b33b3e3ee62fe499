"""mozaik-tonotopy: a frequency axis, a cochlea, pure tones and tonotopic cortex for Mozaik."""

from __future__ import annotations

from mozaik_tonotopy._cortex import (
    ToneSweep,
    ToneSweepParams,
    TonotopicConnector,
    TonotopicConnectorParams,
    TonotopicSheet,
    TonotopicSheetParams,
)
from mozaik_tonotopy._space import (
    Cochlea,
    CochleaParams,
    FrequencySpace,
    FrequencySpaceParams,
    PureTone,
    PureToneParams,
    best_frequencies_hz,
)

__all__ = [
    "Cochlea",
    "CochleaParams",
    "FrequencySpace",
    "FrequencySpaceParams",
    "PureTone",
    "PureToneParams",
    "ToneSweep",
    "ToneSweepParams",
    "TonotopicConnector",
    "TonotopicConnectorParams",
    "TonotopicSheet",
    "TonotopicSheetParams",
    "best_frequencies_hz",
]
