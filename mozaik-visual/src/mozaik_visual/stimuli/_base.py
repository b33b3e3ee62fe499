"""The VisualStimulus base class and the parameter fields visual stimuli share."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, ClassVar, TypeVar

import numpy as np
from mozaik.config import in_range
from mozaik.stimulus import Stimulus, StimulusParams

if TYPE_CHECKING:
    from mozaik_visual.space import VisualRegion, VisualSpace

__all__ = ["VisualStimulus", "percent"]

#: attrs validator: a contrast in percent, in [0, 100] (beyond it luminance would leave the
#: range the display can show).
percent = in_range(0.0, 100.0)

_P = TypeVar("_P", bound=StimulusParams, covariant=True)


class VisualStimulus(Stimulus[_P], abc.ABC):
    """Base class of stimuli drawn into a :class:`~mozaik_visual.space.VisualSpace`.

    Subclasses set ``name``, ``periodicity`` (the period of each periodic parameter, in that
    parameter's units, e.g. ``{"orientation_rad": math.pi}``) and implement :meth:`draw`;
    they name their parameters class as the type argument,
    ``class FlatDisk(VisualStimulus[FlatDiskParams])``.
    """

    #: Period of each periodic parameter (parameter name -> period in its units).
    periodicity: ClassVar[dict[str, float]] = {}
    __slots__ = ()

    def extent(self) -> VisualRegion | None:
        """The region the stimulus covers, or None for a full-field stimulus."""
        return None

    @abc.abstractmethod
    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        """Luminance (cd/m^2) of every frame, (len(times_ms), rows, columns), float32.

        NaN marks pixels the stimulus does not cover (the background, or what an earlier
        stimulus of the scene drew, shows through).

        Parameters
        ----------
        space : VisualSpace
        times_ms : ndarray, ms
            Frame onsets relative to the stimulus start.
        """

    @classmethod
    def period_of(cls, parameter: str) -> float | None:
        """Period of ``parameter`` (in its units), or None if it is not periodic."""
        return cls.periodicity.get(parameter)
