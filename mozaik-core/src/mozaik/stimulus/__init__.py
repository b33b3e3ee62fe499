"""Stimuli: identity of a stimulus (name plus parameters), the Stimulus base class, and
:class:`Frames`, a stimulus as an input space pictures it."""

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
from mozaik.stimulus._frames import Frames
from mozaik.stimulus._identity import ParamValue, StimulusIdentity
from mozaik.stimulus._kind import (
    STIMULI,
    StimulusFactory,
)
from mozaik.stimulus._restore import stimulus_from_identity

__all__ = [
    "Frames",
    "InternalStimulus",
    "InternalStimulusParams",
    "NullStimulus",
    "NullStimulusParams",
    "ParamValue",
    "STIMULI",
    "Stimulus",
    "StimulusFactory",
    "StimulusIdentity",
    "StimulusParams",
    "flatten_params",
    "stimulus_from_identity",
    "unflatten_params",
]
