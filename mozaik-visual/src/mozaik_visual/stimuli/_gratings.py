"""Drifting gratings: full field (sine, square), disk, ring and centre-surround."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar, TypeVar

import attrs
import numpy as np
from mozaik.config import non_negative, positive

from mozaik_visual.space import VisualRegion
from mozaik_visual.stimuli._base import VisualStimulus, percent

if TYPE_CHECKING:
    from mozaik_visual.space import VisualSpace

__all__ = [
    "CentreSurroundGratings",
    "CentreSurroundGratingsParams",
    "DriftingGratingDisk",
    "DriftingGratingDiskParams",
    "DriftingGratingRing",
    "DriftingGratingRingParams",
    "FullfieldDriftingSinusoidalGrating",
    "FullfieldDriftingSquareGrating",
    "GratingParams",
    "grating_luminance",
]

_GRATING_PERIODS = {"orientation_rad": math.pi, "phase_rad": 2 * math.pi}


@attrs.frozen(kw_only=True)
class GratingParams:
    """A drifting grating over the whole field.

    Parameters
    ----------
    duration_ms : float, ms
        Length of the presentation.
    orientation_rad : float, rad
        Orientation of the bars (0: vertical bars drifting rightwards); period pi.
    spatial_frequency_cpd : float, cycles/deg
        Cycles of the grating per degree of visual field.
    temporal_frequency_hz : float, Hz
        Cycles per second passing a point (the drift speed is this over the spatial
        frequency, deg/s).
    phase_rad : float, rad
        Spatial phase at the centre of gaze at onset; period 2 pi.
    contrast_pct : float, %
        Michelson contrast around the background luminance.
    """

    duration_ms: float = attrs.field(validator=positive)
    orientation_rad: float = 0.0
    spatial_frequency_cpd: float = attrs.field(default=0.8, validator=non_negative)
    temporal_frequency_hz: float = attrs.field(default=2.0, validator=non_negative)
    phase_rad: float = 0.0
    contrast_pct: float = attrs.field(default=100.0, validator=percent)


def grating_luminance(space: VisualSpace, times_ms: np.ndarray, *, orientation_rad: float,
                      spatial_frequency_cpd: float, temporal_frequency_hz: float,
                      phase_rad: float, contrast_pct: float, square: bool = False,
                      x_deg: float = 0.0, y_deg: float = 0.0) -> np.ndarray:
    """Luminance (T, rows, columns) of a drifting grating, cd/m^2, centred at (x_deg, y_deg)."""
    mean = space.params.background_luminance_cd_m2
    across = ((space.x_deg - x_deg) * math.cos(orientation_rad)
              + (space.y_deg - y_deg) * math.sin(orientation_rad))
    spatial = 2 * math.pi * spatial_frequency_cpd * across
    temporal = 2 * math.pi * temporal_frequency_hz * np.asarray(times_ms, dtype=np.float32) / 1000
    wave = np.sin(spatial[None] - temporal[:, None, None] + phase_rad)
    if square:
        wave = np.where(wave >= 0, 1.0, -1.0)
    return (mean * (1 + contrast_pct / 100 * wave)).astype(np.float32)


def _radius(space: VisualSpace, x_deg: float, y_deg: float) -> np.ndarray:
    return np.hypot(space.x_deg - x_deg, space.y_deg - y_deg)


_G = TypeVar("_G", bound=GratingParams, covariant=True)


class _Grating(VisualStimulus[_G]):
    periodicity: ClassVar[dict[str, float]] = _GRATING_PERIODS
    square: ClassVar[bool] = False
    __slots__ = ()

    def _wave(self, space: VisualSpace, times_ms: np.ndarray, **centre: float) -> np.ndarray:
        p = self.params
        return grating_luminance(space, times_ms, orientation_rad=p.orientation_rad,
                                 spatial_frequency_cpd=p.spatial_frequency_cpd,
                                 temporal_frequency_hz=p.temporal_frequency_hz,
                                 phase_rad=p.phase_rad, contrast_pct=p.contrast_pct,
                                 square=self.square, **centre)

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        return self._wave(space, times_ms)


class FullfieldDriftingSinusoidalGrating(_Grating[GratingParams]):
    """A sinusoidal grating drifting over the whole visual field."""

    name: ClassVar[str] = "FullfieldDriftingSinusoidalGrating"
    __slots__ = ()


class FullfieldDriftingSquareGrating(_Grating[GratingParams]):
    """A square-wave grating drifting over the whole visual field."""

    name: ClassVar[str] = "FullfieldDriftingSquareGrating"
    square: ClassVar[bool] = True
    __slots__ = ()


@attrs.frozen(kw_only=True)
class DriftingGratingDiskParams(GratingParams):
    """A drifting grating in a disk (size tuning), background outside.

    Parameters
    ----------
    x_deg, y_deg : float, deg
        Centre of the disk in the visual field.
    radius_deg : float, deg
        Radius of the disk.
    """

    x_deg: float = 0.0
    y_deg: float = 0.0
    radius_deg: float = attrs.field(default=1.0, validator=positive)


class DriftingGratingDisk(_Grating[DriftingGratingDiskParams]):
    """A drifting sinusoidal grating inside a disk, background outside."""

    name: ClassVar[str] = "DriftingGratingDisk"
    __slots__ = ()

    def extent(self) -> VisualRegion:
        p = self.params
        return VisualRegion.around(p.x_deg, p.y_deg, p.radius_deg)

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        p = self.params
        wave = self._wave(space, times_ms, x_deg=p.x_deg, y_deg=p.y_deg)
        inside = _radius(space, p.x_deg, p.y_deg) <= p.radius_deg
        return np.where(inside[None], wave, np.nan).astype(np.float32)


@attrs.frozen(kw_only=True)
class DriftingGratingRingParams(GratingParams):
    """A drifting grating in an annulus, background elsewhere.

    Parameters
    ----------
    x_deg, y_deg : float, deg
        Centre of the annulus in the visual field.
    inner_radius_deg : float, deg
        Inner radius (background inside it); smaller than ``outer_radius_deg``.
    outer_radius_deg : float, deg
        Outer radius.
    """

    x_deg: float = 0.0
    y_deg: float = 0.0
    inner_radius_deg: float = attrs.field(default=0.5, validator=non_negative)
    outer_radius_deg: float = attrs.field(default=1.0, validator=positive)

    def __attrs_post_init__(self) -> None:
        if self.inner_radius_deg >= self.outer_radius_deg:
            msg = (f"inner_radius_deg ({self.inner_radius_deg}) must be smaller than "
                   f"outer_radius_deg ({self.outer_radius_deg})")
            raise ValueError(msg)


class DriftingGratingRing(_Grating[DriftingGratingRingParams]):
    """A drifting sinusoidal grating inside an annulus, background elsewhere."""

    name: ClassVar[str] = "DriftingGratingRing"
    __slots__ = ()

    def extent(self) -> VisualRegion:
        p = self.params
        return VisualRegion.around(p.x_deg, p.y_deg, p.outer_radius_deg)

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        p = self.params
        wave = self._wave(space, times_ms, x_deg=p.x_deg, y_deg=p.y_deg)
        r = _radius(space, p.x_deg, p.y_deg)
        inside = (r >= p.inner_radius_deg) & (r <= p.outer_radius_deg)
        return np.where(inside[None], wave, np.nan).astype(np.float32)


@attrs.frozen(kw_only=True)
class CentreSurroundGratingsParams(GratingParams):
    """A grating disk (``orientation_rad``) in a grating annulus (``surround_orientation_rad``).

    Parameters
    ----------
    x_deg, y_deg : float, deg
        Centre of the stimulus in the visual field.
    centre_radius_deg : float, deg
        Radius of the centre grating (``orientation_rad``).
    gap_deg : float, deg
        Blank ring (background) between the centre and the surround.
    surround_radius_deg : float, deg
        Outer radius of the surround.
    surround_orientation_rad : float, rad
        Orientation of the surround grating; period pi.
    """

    x_deg: float = 0.0
    y_deg: float = 0.0
    centre_radius_deg: float = attrs.field(default=1.0, validator=positive)
    gap_deg: float = attrs.field(default=0.0, validator=non_negative)
    surround_radius_deg: float = attrs.field(default=3.0, validator=positive)
    surround_orientation_rad: float = 0.0

    def __attrs_post_init__(self) -> None:
        if self.centre_radius_deg + self.gap_deg >= self.surround_radius_deg:
            msg = (f"surround_radius_deg ({self.surround_radius_deg}) must exceed "
                   f"centre_radius_deg + gap_deg ({self.centre_radius_deg + self.gap_deg})")
            raise ValueError(msg)


class CentreSurroundGratings(_Grating[CentreSurroundGratingsParams]):
    """Orientation-contrast stimulus: a centre grating and a surround grating."""

    name: ClassVar[str] = "CentreSurroundGratings"
    periodicity: ClassVar[dict[str, float]] = {**_GRATING_PERIODS,
                                               "surround_orientation_rad": math.pi}
    __slots__ = ()

    def extent(self) -> VisualRegion:
        p = self.params
        return VisualRegion.around(p.x_deg, p.y_deg, p.surround_radius_deg)

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        p = self.params
        centre = self._wave(space, times_ms, x_deg=p.x_deg, y_deg=p.y_deg)
        surround = grating_luminance(
            space, times_ms, orientation_rad=p.surround_orientation_rad,
            spatial_frequency_cpd=p.spatial_frequency_cpd,
            temporal_frequency_hz=p.temporal_frequency_hz, phase_rad=p.phase_rad,
            contrast_pct=p.contrast_pct, x_deg=p.x_deg, y_deg=p.y_deg)
        r = _radius(space, p.x_deg, p.y_deg)[None]
        out = np.where(r <= p.centre_radius_deg, centre, np.nan)
        ring = (r >= p.centre_radius_deg + p.gap_deg) & (r <= p.surround_radius_deg)
        return np.where(ring, surround, out).astype(np.float32)
