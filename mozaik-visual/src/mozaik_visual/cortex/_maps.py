"""Orientation maps: preferred orientation (radians, [0, pi)) over cortical space (um).

A map is loaded from a ``.npy`` file (a 2-D float array) or generated: a seeded pinwheel map
made by superposing plane waves of one wavelength (the hypercolumn width) with evenly spread
directions and random phases; the orientation is half the angle of the complex sum, so the map
has pinwheels where the sum vanishes.
"""

from __future__ import annotations

import functools
from pathlib import Path

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import each, positive

__all__ = ["OrientationMap", "OrientationMapParams", "PinwheelParams", "load_orientation_map",
           "pinwheel_map"]


@attrs.frozen(kw_only=True)
class PinwheelParams:
    """A generated pinwheel map.

    Parameters
    ----------
    seed : int
        Seed of the wave phases and signs (the same seed gives the same map).
    period_um : float, um
        Wavelength of the plane waves: the distance between iso-orientation domains of one
        orientation (about 1000 um in cat and macaque V1).
    n_waves : int
        Number of superposed plane waves (8 or more gives an irregular pinwheel lattice).
    resolution_um : float, um
        Pixel size of the generated array.
    """

    seed: int = 0
    period_um: float = attrs.field(default=1000.0, validator=positive)
    n_waves: int = attrs.field(default=8, validator=positive)
    resolution_um: float = attrs.field(default=20.0, validator=positive)


@attrs.frozen(kw_only=True)
class OrientationMapParams:
    """Where an orientation map comes from and what patch of cortex it covers.

    Give exactly one of ``file`` and ``generate``.

    Parameters
    ----------
    file : str, optional
        A ``.npy`` file holding a 2-D float array of orientations in radians, [0, pi); row 0
        is the bottom edge (smallest y), column 0 the left edge (smallest x).
    generate : PinwheelParams, optional
        Generate a seeded pinwheel map instead.
    size_um : (float, float), um
        Width and height of the cortical patch the map covers.
    centre_um : (float, float), um
        Centre of that patch (cortical coordinates of the sheets).
    """

    file: str | None = None
    generate: PinwheelParams | None = None
    size_um: tuple[float, float] = attrs.field(default=(1000.0, 1000.0),
                                               validator=each(positive))
    centre_um: tuple[float, float] = (0.0, 0.0)

    def __attrs_post_init__(self) -> None:
        if (self.file is None) == (self.generate is None):
            msg = ("give exactly one of file (a .npy array of orientations in radians) and "
                   f"generate ({{seed: 1, period_um: 1000}}), got file={self.file!r}, "
                   f"generate={self.generate!r}")
            raise ValueError(msg)


class OrientationMap:
    """An orientation map: ``values`` (rows, cols) in radians over a rectangle of cortex.

    Parameters
    ----------
    values : ndarray, shape (rows, cols), rad
        Orientations in [0, pi); row 0 at the smallest y.
    size_um : (float, float), um
    centre_um : (float, float), um
    """

    def __init__(self, values: np.ndarray, size_um: tuple[float, float],
                 centre_um: tuple[float, float] = (0.0, 0.0)) -> None:
        self.values = np.mod(np.asarray(values, dtype=float), np.pi)
        self.values.setflags(write=False)
        self.size_um = (float(size_um[0]), float(size_um[1]))
        self.centre_um = (float(centre_um[0]), float(centre_um[1]))

    def orientation_at(self, positions_um: np.ndarray) -> np.ndarray:
        """Orientation (rad, [0, pi)) of the nearest map pixel to each position (n, 2) in um;
        positions outside the patch take the value of the nearest edge pixel."""
        rows, cols = self.values.shape
        xy = np.asarray(positions_um, dtype=float)
        fx = (xy[:, 0] - self.centre_um[0]) / self.size_um[0] + 0.5
        fy = (xy[:, 1] - self.centre_um[1]) / self.size_um[1] + 0.5
        col = np.clip(np.floor(fx * cols).astype(np.int64), 0, cols - 1)
        row = np.clip(np.floor(fy * rows).astype(np.int64), 0, rows - 1)
        return np.asarray(self.values[row, col])


def pinwheel_map(params: PinwheelParams, size_um: tuple[float, float]) -> np.ndarray:
    """A seeded pinwheel map (rows, cols) in radians covering ``size_um``."""
    rng = np.random.default_rng(params.seed)
    cols = max(2, round(size_um[0] / params.resolution_um))
    rows = max(2, round(size_um[1] / params.resolution_um))
    x = (np.arange(cols) + 0.5) / cols * size_um[0]
    y = (np.arange(rows) + 0.5) / rows * size_um[1]
    k = 2.0 * np.pi / params.period_um
    angles = np.arange(params.n_waves) * np.pi / params.n_waves
    signs = rng.choice([-1.0, 1.0], size=params.n_waves)
    phases = rng.uniform(0.0, 2.0 * np.pi, size=params.n_waves)
    kx = (k * signs * np.cos(angles))[:, None, None]
    ky = (k * signs * np.sin(angles))[:, None, None]
    waves = np.exp(1j * (kx * x[None, None, :] + ky * y[None, :, None] + phases[:, None, None]))
    total = waves.sum(axis=0)
    return np.asarray(np.mod(np.angle(total) / 2.0, np.pi))


def _read_npy(file: str, where: str) -> np.ndarray:
    path = Path(file).expanduser()
    if not path.is_file():
        msg = f"{where}.file: orientation map {str(path)!r} does not exist"
        raise ConfigError(msg)
    try:
        values = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        msg = (f"{where}.file: {str(path)!r} is not a readable .npy array ({exc}); save the map "
               "with numpy.save(path, array)")
        raise ConfigError(msg) from None
    if values.ndim != 2 or min(values.shape) < 2 or not np.issubdtype(values.dtype, np.floating):
        msg = (f"{where}.file: {str(path)!r} must hold a 2-D float array (rows, cols), both at "
               f"least 2, of orientations in radians; got shape {values.shape} and dtype "
               f"{values.dtype}")
        raise ConfigError(msg)
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > np.pi + 1e-9:
        msg = (f"{where}.file: {str(path)!r} must hold orientations in radians in [0, pi]; got "
               f"values from {np.nanmin(values):.3g} to {np.nanmax(values):.3g}")
        raise ConfigError(msg)
    return np.asarray(values, dtype=float)


@functools.lru_cache(maxsize=16)
def _cached(params: OrientationMapParams, where: str) -> OrientationMap:
    if params.file is not None:
        values = _read_npy(params.file, where)
    else:
        assert params.generate is not None
        values = pinwheel_map(params.generate, params.size_um)
    return OrientationMap(values, params.size_um, params.centre_um)


def load_orientation_map(params: OrientationMapParams,
                         where: str = "orientation_map") -> OrientationMap:
    """The map ``params`` describe (loaded or generated once per process and parameters).

    Raises
    ------
    mozaik.ConfigError
        Naming ``where.file`` for a missing file, or one that is not a 2-D float array of
        orientations in radians.
    """
    return _cached(params, where)
