"""Light patterns: which emitters shine, how strongly, and when.

A pattern gives each emitter an irradiance (mW/mm^2 at its surface); a timing gives the
fraction of that irradiance in each frame (on/off, or a pulse train). Pattern kinds:

- ``spot``: emitters within ``radius_um`` of the first of ``centres_um``;
- ``spots``: emitters within ``radius_um`` of any of ``centres_um``;
- ``hexagonal``: spots of ``radius_um`` on a hexagonal lattice of period ``spacing_um``;
- ``image``: an image file (``.png`` or ``.npy``) stretched over the emitter grid, its grey
  level (0..1) scaling the irradiance;
- ``orientation_map``: the prosthesis protocol (after Antolik et al. 2021, J. Neural Eng.):
  each emitter shines ``exp(sharpness * (cos(2 (theta_map - theta)) - 1))`` of the
  irradiance, where ``theta_map`` is the preferred orientation of the neurons under it (the
  sheet's orientation annotation) and ``theta`` the orientation to evoke.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import ParameterError, finite, non_negative, positive

from mozaik_visual.cortex import GABOR_ANNOTATIONS

if TYPE_CHECKING:
    from mozaik.model import Sheet

__all__ = ["LightPatternParams", "LightTimingParams", "ORIENTATION_ANNOTATION",
           "frame_profile", "pattern_irradiance"]

#: The per-neuron annotation read as the orientation map (rad): the preferred orientation a
#: Gabor afferent connector assigns to its target sheet.
ORIENTATION_ANNOTATION = GABOR_ANNOTATIONS["orientation_rad"]


def _point(_inst: object, attribute: attrs.Attribute[Any],
           value: tuple[tuple[float, ...], ...]) -> None:
    for k, item in enumerate(value):
        if len(item) != 2 or not all(math.isfinite(v) for v in item):
            msg = f"{attribute.name}.{k}: {item!r} is not an (x, y) point in um"
            raise ParameterError(f"{attribute.name}.{k}", msg)


def _points(value: Any) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(v) for v in point) for point in value)


@attrs.frozen(kw_only=True)
class LightPatternParams:
    """Which emitters shine and how strongly (see the module's docstring for the kinds).

    Parameters
    ----------
    kind : str
        ``spot``, ``spots``, ``hexagonal``, ``image`` or ``orientation_map``.
    irradiance_mW_per_mm2 : float, mW/mm^2
        Irradiance of a fully lit emitter, at its surface.
    centres_um : list of (float, float), um
        Centres of the spots (``spot`` uses the first).
    radius_um : float, um
        Radius of each spot (``spot``, ``spots``, ``hexagonal``).
    spacing_um : float, um
        Lattice period of ``hexagonal``.
    image : str
        Image file of ``image``.
    orientation_rad : float, rad
        Orientation evoked by ``orientation_map``.
    sharpness : float
        How narrowly ``orientation_map`` lights the preferred orientation.
    """

    kinds: ClassVar[tuple[str, ...]] = ("spot", "spots", "hexagonal", "image", "orientation_map")

    kind: str = "spot"
    irradiance_mW_per_mm2: float = attrs.field(default=1.0, validator=non_negative)
    centres_um: tuple[tuple[float, ...], ...] = attrs.field(default=((0.0, 0.0),),
                                                              converter=_points,
                                                              validator=_point)
    radius_um: float = attrs.field(default=100.0, validator=positive)
    spacing_um: float = attrs.field(default=300.0, validator=positive)
    image: str = ""
    orientation_rad: float = attrs.field(default=0.0, validator=finite)
    sharpness: float = attrs.field(default=4.0, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.kind not in self.kinds:
            msg = f"kind: {self.kind!r} is not a light pattern; choose one of {self.kinds}"
            raise ParameterError("kind", msg)
        if self.kind in ("spot", "spots") and not self.centres_um:
            msg = f"centres_um: a {self.kind} pattern needs at least one centre"
            raise ParameterError("centres_um", msg)
        if self.kind == "image":
            path = Path(self.image)
            if not self.image or not path.is_file():
                msg = (f"image: image pattern file {self.image!r} does not exist; give a .png "
                       "or .npy file")
                raise ParameterError("image", msg)


@attrs.frozen(kw_only=True)
class LightTimingParams:
    """When the light is on within a presentation.

    Parameters
    ----------
    onset_ms : float, ms
        Light on, from the start of the presentation.
    duration_ms : float, ms, optional
        How long; default: to the end of the presentation.
    pulse_frequency_hz : float, Hz, optional
        A pulse train at this frequency instead of continuous light.
    pulse_width_ms : float, ms
        Width of each pulse of the train (shorter than the period).
    """

    onset_ms: float = attrs.field(default=0.0, validator=non_negative)
    duration_ms: float | None = attrs.field(default=None, validator=positive)
    pulse_frequency_hz: float | None = attrs.field(default=None, validator=positive)
    pulse_width_ms: float = attrs.field(default=5.0, validator=positive)

    def __attrs_post_init__(self) -> None:
        if self.pulse_frequency_hz is not None:
            period = 1000.0 / self.pulse_frequency_hz
            if self.pulse_width_ms >= period:
                msg = (f"pulse_width_ms: {self.pulse_width_ms} ms is not shorter than the "
                       f"period ({period:g} ms at {self.pulse_frequency_hz:g} Hz); shorten "
                       "the pulses or lower the frequency")
                raise ParameterError("pulse_width_ms", msg)


def frame_profile(timing: LightTimingParams, duration_ms: float, dt_ms: float) -> np.ndarray:
    """Fraction (0 or 1) of the pattern's irradiance in each frame of ``dt_ms``."""
    n = math.floor(duration_ms / dt_ms + 1e-9)
    t = dt_ms * np.arange(n)
    end = duration_ms if timing.duration_ms is None else timing.onset_ms + timing.duration_ms
    on = (t >= timing.onset_ms - 1e-9) & (t < end - 1e-9)
    if timing.pulse_frequency_hz is not None:
        period = 1000.0 / timing.pulse_frequency_hz
        phase = np.mod(t - timing.onset_ms + 1e-9, period)
        on &= phase < timing.pulse_width_ms
    return on.astype(float)


def _image_levels(file: str, where: str) -> np.ndarray:
    path = Path(file)
    try:
        if path.suffix == ".npy":
            image = np.load(path, allow_pickle=False).astype(float)
        else:
            import matplotlib.image

            image = np.asarray(matplotlib.image.imread(path), dtype=float)
    except (OSError, ValueError, SyntaxError) as exc:
        msg = (f"{where}.image: {file!r} is not an image ({type(exc).__name__}: {exc}); give a "
               ".png or a 2-D .npy array of grey levels")
        raise ConfigError(msg) from None
    if image.ndim == 3:
        image = image[..., :3].mean(axis=2)
    if image.ndim != 2 or not np.isfinite(image).all():
        msg = f"{where}.image: {file!r} is not a 2-D image of finite grey levels"
        raise ConfigError(msg)
    top = float(image.max())
    return image / top if top > 0 else image


def pattern_irradiance(params: LightPatternParams, sources_um: np.ndarray, sheet: Sheet,
                       where: str = "pattern") -> np.ndarray:
    """Irradiance (mW/mm^2) of each emitter at ``sources_um`` (k, 2) for ``params``."""
    from scipy.spatial import cKDTree  # where it is used: registering the plugin stays light

    level = params.irradiance_mW_per_mm2
    if params.kind in ("spot", "spots"):
        centres = np.asarray(params.centres_um[:1] if params.kind == "spot"
                             else params.centres_um, dtype=float)
        near = cKDTree(centres).query(sources_um)[0] <= params.radius_um + 1e-9
        return level * near.astype(float)
    if params.kind == "hexagonal":
        a = params.spacing_um
        basis = np.array([[a, 0.0], [a / 2.0, a * math.sqrt(3.0) / 2.0]])
        origin = np.asarray(params.centres_um[0] if params.centres_um else (0.0, 0.0))
        # lattice coordinates of each emitter; the nearest lattice point is among the four
        # corners of its cell
        coords = np.linalg.solve(basis.T, (sources_um - origin).T).T
        base = np.floor(coords)
        best = np.full(len(sources_um), np.inf)
        for di in (0.0, 1.0):
            for dj in (0.0, 1.0):
                point = origin + (base + np.array([di, dj])) @ basis
                best = np.minimum(best, np.linalg.norm(sources_um - point, axis=1))
        return level * (best <= params.radius_um + 1e-9).astype(float)
    if params.kind == "image":
        image = _image_levels(params.image, where)
        rows, cols = image.shape
        low, high = sources_um.min(axis=0), sources_um.max(axis=0)
        span = np.where(high > low, high - low, 1.0)
        fx = (sources_um[:, 0] - low[0]) / span[0]
        fy = (sources_um[:, 1] - low[1]) / span[1]
        col = np.clip(np.round(fx * (cols - 1)).astype(np.int64), 0, cols - 1)
        row = np.clip(np.round((1.0 - fy) * (rows - 1)).astype(np.int64), 0, rows - 1)
        return np.asarray(level * image[row, col])
    preferred = sheet.annotations.get(ORIENTATION_ANNOTATION)
    if preferred is None:
        msg = (f"{where}.kind: an orientation_map pattern needs the orientation map of sheet "
               f"{sheet.name!r} (its per-neuron {ORIENTATION_ANNOTATION!r} annotation, set by "
               f"a GaborAfferentConnector with an orientation_map); the sheet has only "
               f"{', '.join(sorted(sheet.annotations)) or 'no annotations'}")
        raise ConfigError(msg)
    nearest = cKDTree(np.asarray(sheet.positions_um)).query(sources_um)[1]
    theta_map = np.asarray(preferred, dtype=float)[nearest]
    weight = np.exp(params.sharpness * (np.cos(2.0 * (theta_map - params.orientation_rad))
                                        - 1.0))
    return np.asarray(level * weight)
