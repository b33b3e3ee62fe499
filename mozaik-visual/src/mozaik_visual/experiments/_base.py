"""Shared parts of the visual experiments: trials, grating defaults, building stimulus lists."""

from __future__ import annotations

import abc
import math
from collections.abc import Iterable
from typing import Protocol, TypeVar

from mozaik.experiments import Experiment
from mozaik.stimulus import Stimulus

__all__ = ["VisualExperiment", "orientations_rad"]


class _TrialsParams(Protocol):
    @property
    def num_trials(self) -> int: ...


_P = TypeVar("_P", bound=_TrialsParams, covariant=True)


def orientations_rad(n: int) -> list[float]:
    """``n`` orientations evenly spaced over [0, pi), rad."""
    return [math.pi * k / n for k in range(n)]


class VisualExperiment(Experiment[_P]):
    """A protocol presenting visual stimuli; the controller shows them to the sensory input.

    Subclasses implement :meth:`conditions`: one stimulus per condition (trial 0); every
    condition is presented ``params.num_trials`` times, trial by trial. They name their
    parameters class (which has ``num_trials``) as the type argument,
    ``class MeasureSizeTuning(VisualExperiment[MeasureSizeTuningParams])``.
    """

    @abc.abstractmethod
    def conditions(self) -> Iterable[Stimulus]:
        """One stimulus per condition of the protocol (trial 0), in presentation order."""

    def stimuli(self) -> list[Stimulus]:
        once = list(self.conditions())
        return [s.with_trial(t) for t in range(self.params.num_trials) for s in once]


