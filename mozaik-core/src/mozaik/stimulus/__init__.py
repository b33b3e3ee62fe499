"""Stimuli: identity of a stimulus (name plus parameters) and, later, the Stimulus base class."""

from __future__ import annotations

from mozaik.stimulus._base import (
    InternalStimulus,
    InternalStimulusParams,
    NullStimulus,
    NullStimulusParams,
    Stimulus,
    StimulusParams,
    flatten_params,
    unflatten_params,
)
from mozaik.stimulus._identity import ParamValue, StimulusIdentity

__all__ = [
    "InternalStimulus",
    "InternalStimulusParams",
    "NullStimulus",
    "NullStimulusParams",
    "ParamValue",
    "Stimulus",
    "StimulusIdentity",
    "StimulusParams",
    "flatten_params",
    "unflatten_params",
]
