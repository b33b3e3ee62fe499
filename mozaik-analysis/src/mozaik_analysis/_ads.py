"""Builders of the result ADSs, so every analysis fills the same metadata the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from mozaik.ads import PerNeuronValue, SingleValue
from mozaik.stimulus import StimulusIdentity

__all__ = ["per_neuron_value", "single_value"]


def per_neuron_value(analysis: str, sheet: str, stimulus: StimulusIdentity | None,
                     values: Any, ids: Any, value_name: str, units: Any,
                     tags: Sequence[str], period: float | None = None) -> PerNeuronValue:
    """A PerNeuronValue with the metadata every analysis result carries."""
    return PerNeuronValue(
        analysis_algorithm=analysis, sheet_name=sheet, stimulus_id=stimulus,
        values=np.asarray(values, np.float64), ids=np.asarray(ids, np.int64),
        value_name=value_name, value_units=units, period=period, tags=tuple(tags),
    )


def single_value(analysis: str, sheet: str | None, stimulus: StimulusIdentity | None,
                 value: float, value_name: str, units: Any, tags: Sequence[str],
                 period: float | None = None) -> SingleValue:
    """A SingleValue with the metadata every analysis result carries."""
    return SingleValue(
        analysis_algorithm=analysis, sheet_name=sheet, stimulus_id=stimulus, value=float(value),
        value_name=value_name, value_units=units, period=period, tags=tuple(tags),
    )

