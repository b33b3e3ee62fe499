"""Stimuli: identity of a stimulus (name plus parameters) and, later, the Stimulus base class."""

from __future__ import annotations

from mozaik.stimulus._identity import ParamValue, StimulusIdentity

__all__ = ["ParamValue", "StimulusIdentity"]
