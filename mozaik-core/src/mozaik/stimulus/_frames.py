"""Frames: a stimulus as its input space shows it, for people to look at.

An input space that can picture its stimuli answers ``InputSpace.frames(stimulus)`` with a
:class:`Frames` (a stack of 2-D images with their units, extent and frame interval); one that
cannot answers None. Viewers (the explorer of mozaik-plot, a notebook) draw frames without
knowing which plugin made them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np

from mozaik._errors import MozaikError

__all__ = ["Frames"]


def _as_frames(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def _as_names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _as_extent(value: Any) -> tuple[float, float, float, float]:
    left, right, bottom, top = (float(v) for v in value)
    return left, right, bottom, top


@attrs.frozen(kw_only=True, eq=False)
class Frames:
    """A stimulus as an input space shows it: ``values[k]`` is the picture from
    ``k * frame_interval_ms`` after the stimulus starts.

    Parameters
    ----------
    values : array of float, shape (n_frames, rows, columns)
        What the space shows, in ``units``; row 0 is at ``top``, column 0 at ``left`` (as
        in an image, and matplotlib's ``imshow`` default); NaN where nothing is shown. At
        least one frame, every frame non-empty.
    units : str
        Units of ``values`` (``"cd/m^2"`` for luminance, ``"1"`` for a relative level).
    quantity : str
        What ``values`` measure (``"luminance"``, ``"sound level"``), for a legend.
    extent : (float, float, float, float)
        ``(left, right, bottom, top)``: the edges of the picture in ``extent_units``, as
        matplotlib's ``imshow(..., extent=...)`` takes them; left < right, bottom < top.
    extent_units : (str, str)
        Units (or names) of the horizontal and vertical axes, e.g. ``("deg", "deg")``,
        ``("log2 Hz", "")``.
    frame_interval_ms : float, ms
        Time between two frames; ``n_frames * frame_interval_ms`` is the stimulus's duration.

    Raises
    ------
    MozaikError
        If the values are not a non-empty 3-D stack, the extent is empty or not finite, or the
        frame interval is not a positive number of ms (naming the bad value).
    """

    values: np.ndarray = attrs.field(converter=_as_frames)
    units: str
    quantity: str
    extent: tuple[float, float, float, float] = attrs.field(converter=_as_extent)
    extent_units: tuple[str, ...] = attrs.field(converter=_as_names)
    frame_interval_ms: float = attrs.field(converter=float)

    def __attrs_post_init__(self) -> None:
        shape = self.values.shape
        if len(shape) != 3 or 0 in shape:
            msg = (f"Frames.values has shape {shape}; give a stack (n_frames, rows, columns) "
                   "of at least one non-empty frame (a single picture is values[None])")
            raise MozaikError(msg)
        left, right, bottom, top = self.extent
        if not all(map(math.isfinite, self.extent)) or left >= right or bottom >= top:
            msg = (f"Frames.extent {self.extent} is not (left, right, bottom, top) with "
                   "left < right and bottom < top, all finite")
            raise MozaikError(msg)
        if len(self.extent_units) != 2:
            msg = (f"Frames.extent_units {self.extent_units!r} must name the units of the two "
                   "axes, e.g. ('deg', 'deg')")
            raise MozaikError(msg)
        if not (math.isfinite(self.frame_interval_ms) and self.frame_interval_ms > 0):
            msg = (f"Frames.frame_interval_ms is {self.frame_interval_ms}; it must be a "
                   "positive number of ms")
            raise MozaikError(msg)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.values.shape[0])

    @property
    def duration_ms(self) -> float:
        """``n_frames * frame_interval_ms``, ms."""
        return self.n_frames * self.frame_interval_ms

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (shape, units, quantity, extent, frame interval, range of
        the finite values) without the values themselves."""
        finite = self.values[np.isfinite(self.values)]
        return {"n_frames": self.n_frames, "rows": int(self.values.shape[1]),
                "columns": int(self.values.shape[2]), "units": self.units,
                "quantity": self.quantity, "extent": list(self.extent),
                "extent_units": list(self.extent_units),
                "frame_interval_ms": self.frame_interval_ms,
                "min": float(finite.min()) if finite.size else None,
                "max": float(finite.max()) if finite.size else None}
