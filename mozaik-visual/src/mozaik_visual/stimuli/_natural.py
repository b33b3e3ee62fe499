"""A natural image viewed with eye movements (drift and saccades)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np
from mozaik.config import non_negative, positive

from mozaik_visual.stimuli._base import VisualStimulus, percent

if TYPE_CHECKING:
    from mozaik_visual.space import VisualSpace

__all__ = [
    "NaturalImageWithEyeMovement",
    "NaturalImageWithEyeMovementParams",
    "TEST_IMAGE",
    "existing_file",
    "eye_path",
    "load_image",
]

#: The small test image the package ships (64 x 64 grey levels, made by
#: ``mozaik-visual/scripts/make_test_image.py``).
TEST_IMAGE = Path(__file__).parent / "data" / "test_image.npy"


def existing_file(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """attrs validator: an empty path (the built-in image) or the path of an existing file."""
    if value and not Path(value).is_file():
        msg = (f"{attribute.name}: file {value!r} does not exist; give the path of a .png or "
               "a .npy file (or leave it empty for the built-in one)")
        raise ValueError(msg)


@functools.lru_cache(maxsize=8)
def load_image(path: str) -> np.ndarray:
    """Grey levels of an image file scaled to [0, 1], (rows, columns), float32.

    ``.npy`` holds a 2D array (or 3D with colour channels, averaged); other suffixes are read
    with matplotlib (PNG). An empty path is the shipped test image.
    """
    file = Path(path) if path else TEST_IMAGE
    if not file.is_file():
        msg = f"image_path: file {str(file)!r} does not exist; give an existing .png or .npy file"
        raise FileNotFoundError(msg)
    if file.suffix == ".npy":
        image = np.load(file, allow_pickle=False).astype(np.float64)
    else:
        import matplotlib.image

        image = np.asarray(matplotlib.image.imread(file), dtype=np.float64)
    if image.ndim == 3:
        image = image[..., :3].mean(axis=2)
    if image.ndim != 2 or min(image.shape) < 2:
        msg = f"image_path: {str(file)!r} holds an array of shape {image.shape}, not an image"
        raise ValueError(msg)
    low, high = image.min(), image.max()
    scaled = (image - low) / (high - low) if high > low else np.zeros_like(image)
    return scaled.astype(np.float32)


@attrs.frozen(kw_only=True)
class NaturalImageWithEyeMovementParams:
    """An image viewed with eye movements.

    Parameters
    ----------
    duration_ms : float, ms
        Length of the presentation.
    image_path : str
        A ``.png`` or ``.npy`` file; empty: the shipped test image.
    size_deg : float, deg
        Width of the image in the visual field (its height follows its aspect ratio).
    contrast_pct : float, %
        The image's grey levels span background * (1 -/+ contrast) around their mean.
    eye_path_path : str
        A ``.npy`` (or text) file of rows (t_ms, x_deg, y_deg) giving the gaze position; empty:
        generated from the seeded drift-and-saccade model below.
    drift_diffusion_deg2_s : float, deg^2/s
        Diffusion constant of the fixational drift (a random walk).
    saccade_rate_hz : float, Hz
        Rate of (Poisson) saccades.
    saccade_amplitude_deg : float, deg
        Length of each saccade (random direction).
    seed : int
        Seed of the generated eye path.
    """

    duration_ms: float = attrs.field(validator=positive)
    image_path: str = attrs.field(default="", validator=existing_file)
    size_deg: float = attrs.field(default=8.0, validator=positive)
    contrast_pct: float = attrs.field(default=100.0, validator=percent)
    eye_path_path: str = attrs.field(default="", validator=existing_file)
    drift_diffusion_deg2_s: float = attrs.field(default=0.01, validator=non_negative)
    saccade_rate_hz: float = attrs.field(default=2.0, validator=non_negative)
    saccade_amplitude_deg: float = attrs.field(default=1.0, validator=non_negative)
    seed: int = 0


def eye_path(params: NaturalImageWithEyeMovementParams, times_ms: np.ndarray) -> np.ndarray:
    """Gaze position (len(times_ms), 2) in deg at each frame onset."""
    times = np.asarray(times_ms, dtype=np.float64)
    if params.eye_path_path:
        file = Path(params.eye_path_path)
        table = (np.load(file, allow_pickle=False) if file.suffix == ".npy"
                 else np.loadtxt(file, ndmin=2))
        if table.ndim != 2 or table.shape[1] != 3:
            msg = (f"eye_path_path: {str(file)!r} holds shape {table.shape}; it must be rows "
                   "of (t_ms, x_deg, y_deg)")
            raise ValueError(msg)
        return np.column_stack([np.interp(times, table[:, 0], table[:, 1]),
                                np.interp(times, table[:, 0], table[:, 2])])
    rng = np.random.default_rng([params.seed, 3])
    dt_s = np.diff(times, prepend=times[:1]) / 1000
    drift = rng.normal(size=(len(times), 2)) * np.sqrt(2 * params.drift_diffusion_deg2_s
                                                       * dt_s)[:, None]
    jumps = rng.random(len(times)) < params.saccade_rate_hz * dt_s
    angle = rng.uniform(0, 2 * np.pi, size=len(times))
    saccades = (jumps * params.saccade_amplitude_deg)[:, None] * np.column_stack(
        [np.cos(angle), np.sin(angle)])
    return np.cumsum(drift + saccades, axis=0)


class NaturalImageWithEyeMovement(VisualStimulus[NaturalImageWithEyeMovementParams]):
    """An image centred on the gaze position; the eye drifts and saccades over it."""

    name: ClassVar[str] = "NaturalImageWithEyeMovement"
    __slots__ = ()

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        p = self.params
        image = load_image(p.image_path)
        rows, cols = image.shape
        pixel_deg = p.size_deg / cols
        gaze = eye_path(p, times_ms)
        # the world is fixed; moving the eye by +g shifts the image by -g on the retina
        x = space.x_deg[None] + gaze[:, 0, None, None]
        y = space.y_deg[None] + gaze[:, 1, None, None]
        col = np.floor(x / pixel_deg + cols / 2).astype(np.int64)
        row = np.floor(rows / 2 - y / pixel_deg).astype(np.int64)
        inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
        grey = image[np.clip(row, 0, rows - 1), np.clip(col, 0, cols - 1)]
        centred = 2 * (grey - float(image.mean()))
        mean = space.params.background_luminance_cd_m2
        frames = mean * (1 + p.contrast_pct / 100 * np.clip(centred, -1, 1))
        return np.where(inside, frames, np.nan).astype(np.float32)
