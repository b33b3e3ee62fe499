"""Stimuli of uniform luminance: the blank, a full-field luminance, a flat disk, a flashed bar."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

import attrs
import numpy as np
from mozaik.config import non_negative, positive

from mozaik_visual.space import VisualRegion
from mozaik_visual.stimuli._base import VisualStimulus

if TYPE_CHECKING:
    from mozaik_visual.space import VisualSpace

__all__ = [
    "Blank",
    "BlankParams",
    "FlashedBar",
    "FlashedBarParams",
    "FlatDisk",
    "FlatDiskParams",
    "FullfieldFlatLuminance",
    "FullfieldFlatLuminanceParams",
]


@attrs.frozen(kw_only=True)
class BlankParams:
    """A blank screen at the background luminance for ``duration_ms`` (ms).

    Parameters
    ----------
    duration_ms : float, ms
        Length of the presentation.
    """

    duration_ms: float = attrs.field(validator=positive)


class Blank(VisualStimulus[BlankParams]):
    """The blank screen at the visual space's background luminance (spontaneous activity)."""

    name: ClassVar[str] = "Blank"
    __slots__ = ()

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        return np.full((len(times_ms), *space.shape), np.nan, dtype=np.float32)


@attrs.frozen(kw_only=True)
class FullfieldFlatLuminanceParams:
    """The whole field at ``luminance_cd_m2`` (cd/m^2) for ``duration_ms`` (ms).

    Parameters
    ----------
    duration_ms : float, ms
        Length of the presentation.
    luminance_cd_m2 : float, cd/m^2
        Luminance of the whole field.
    """

    duration_ms: float = attrs.field(validator=positive)
    luminance_cd_m2: float = attrs.field(default=50.0, validator=non_negative)


class FullfieldFlatLuminance(VisualStimulus[FullfieldFlatLuminanceParams]):
    """A uniform field of one luminance (flat luminance sensitivity, a luminance step)."""

    name: ClassVar[str] = "FullfieldFlatLuminance"
    __slots__ = ()

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        return np.full((len(times_ms), *space.shape), self.params.luminance_cd_m2,
                       dtype=np.float32)


@attrs.frozen(kw_only=True)
class FlatDiskParams:
    """A disk of ``luminance_cd_m2`` (cd/m^2), centre ``x_deg``, ``y_deg``, ``radius_deg`` (deg).

    Parameters
    ----------
    duration_ms : float, ms
        Length of the presentation.
    x_deg, y_deg : float, deg
        Centre of the disk in the visual field.
    radius_deg : float, deg
        Radius of the disk.
    luminance_cd_m2 : float, cd/m^2
        Luminance inside the disk (the background outside).
    """

    duration_ms: float = attrs.field(validator=positive)
    x_deg: float = 0.0
    y_deg: float = 0.0
    radius_deg: float = attrs.field(default=1.0, validator=positive)
    luminance_cd_m2: float = attrs.field(default=100.0, validator=non_negative)


class FlatDisk(VisualStimulus[FlatDiskParams]):
    """A disk of uniform luminance on the background (a light or dark spot)."""

    name: ClassVar[str] = "FlatDisk"
    __slots__ = ()

    def extent(self) -> VisualRegion:
        p = self.params
        return VisualRegion.around(p.x_deg, p.y_deg, p.radius_deg)

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        p = self.params
        # a pixel is inside when its centre is, but a disk smaller than a pixel still shows
        inside = np.hypot(space.x_deg - p.x_deg, space.y_deg - p.y_deg) <= max(
            p.radius_deg, space.params.pixel_size_deg / 2)
        frame = np.where(inside, np.float32(p.luminance_cd_m2), np.float32(np.nan))
        return np.broadcast_to(frame, (len(times_ms), *frame.shape)).astype(np.float32)


@attrs.frozen(kw_only=True)
class FlashedBarParams:
    """A bar flashed for ``flash_duration_ms`` at the start of a ``duration_ms`` presentation.

    Parameters
    ----------
    duration_ms, flash_duration_ms : float, ms
        The presentation, and how long the bar is shown from its start.
    x_deg, y_deg : float, deg
        Centre of the bar.
    orientation_rad : float, rad
        Orientation of the bar's long axis (0: horizontal); period pi.
    length_deg, width_deg : float, deg
        Size of the bar along and across its long axis.
    luminance_cd_m2 : float, cd/m^2
        Luminance of the bar (the background around it).
    """

    duration_ms: float = attrs.field(validator=positive)
    flash_duration_ms: float = attrs.field(default=50.0, validator=positive)
    x_deg: float = 0.0
    y_deg: float = 0.0
    orientation_rad: float = 0.0
    length_deg: float = attrs.field(default=2.0, validator=positive)
    width_deg: float = attrs.field(default=0.2, validator=positive)
    luminance_cd_m2: float = attrs.field(default=100.0, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.flash_duration_ms > self.duration_ms:
            msg = (f"flash_duration_ms ({self.flash_duration_ms}) exceeds duration_ms "
                   f"({self.duration_ms})")
            raise ValueError(msg)


class FlashedBar(VisualStimulus[FlashedBarParams]):
    """A bar of uniform luminance shown for the first ``flash_duration_ms`` ms."""

    name: ClassVar[str] = "FlashedBar"
    periodicity: ClassVar[dict[str, float]] = {"orientation_rad": math.pi}
    __slots__ = ()

    def extent(self) -> VisualRegion:
        p = self.params
        c, s = abs(math.cos(p.orientation_rad)), abs(math.sin(p.orientation_rad))
        return VisualRegion(x_deg=p.x_deg, y_deg=p.y_deg,
                            width_deg=p.length_deg * c + p.width_deg * s,
                            height_deg=p.length_deg * s + p.width_deg * c)

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        p = self.params
        dx, dy = space.x_deg - p.x_deg, space.y_deg - p.y_deg
        c, s = math.cos(p.orientation_rad), math.sin(p.orientation_rad)
        along, across = dx * c + dy * s, -dx * s + dy * c
        inside = (np.abs(along) <= p.length_deg / 2) & (np.abs(across) <= p.width_deg / 2)
        frame = np.where(inside, np.float32(p.luminance_cd_m2), np.float32(np.nan))
        on = np.asarray(times_ms) < p.flash_duration_ms
        return np.where(on[:, None, None], frame[None], np.float32(np.nan)).astype(np.float32)
