"""Noise for receptive-field mapping: sparse noise (one square at a time) and dense noise."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, ClassVar

import attrs
import numpy as np
from mozaik.config import positive, whole_number

from mozaik_visual.space import VisualRegion
from mozaik_visual.stimuli._base import VisualStimulus, percent

if TYPE_CHECKING:
    from mozaik_visual.space import VisualSpace

__all__ = ["DenseNoise", "NoiseParams", "SparseNoise"]


@attrs.frozen(kw_only=True)
class NoiseParams:
    """A grid of squares, redrawn every ``pattern_duration_ms``.

    Parameters
    ----------
    duration_ms, pattern_duration_ms : float, ms
        The presentation, and how long each pattern stays (it must divide ``duration_ms``).
    x_deg, y_deg : float, deg
        Centre of the grid.
    size_deg : float, deg
        Side of the (square) grid.
    grid_size : int
        Squares per side.
    contrast_pct : float, %
        A white square is background * (1 + contrast), a black one background * (1 - contrast).
    seed : int
        Seed of the patterns: equal seeds draw equal patterns.
    """

    duration_ms: float = attrs.field(validator=positive)
    pattern_duration_ms: float = attrs.field(default=50.0, validator=positive)
    x_deg: float = 0.0
    y_deg: float = 0.0
    size_deg: float = attrs.field(default=4.0, validator=positive)
    grid_size: int = attrs.field(default=8, validator=whole_number(1))
    contrast_pct: float = attrs.field(default=100.0, validator=percent)
    seed: int = 0

    def __attrs_post_init__(self) -> None:
        n = self.duration_ms / self.pattern_duration_ms
        if abs(n - round(n)) > 1e-6:
            msg = (f"pattern_duration_ms ({self.pattern_duration_ms}) does not divide "
                   f"duration_ms ({self.duration_ms}); make the duration a multiple of it")
            raise ValueError(msg)


class _Noise(VisualStimulus[NoiseParams]):
    __slots__ = ()

    def extent(self) -> VisualRegion:
        p = self.params
        return VisualRegion(x_deg=p.x_deg, y_deg=p.y_deg, width_deg=p.size_deg,
                            height_deg=p.size_deg)

    @abc.abstractmethod
    def patterns(self) -> np.ndarray:
        """The patterns, (n_patterns, grid_size, grid_size) of -1 (black), 0, +1 (white)."""

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        p = self.params
        patterns = self.patterns()
        which = np.minimum((np.asarray(times_ms) // p.pattern_duration_ms).astype(np.int64),
                           len(patterns) - 1)
        square = p.size_deg / p.grid_size
        col = np.floor((space.x_deg - (p.x_deg - p.size_deg / 2)) / square).astype(np.int64)
        row = np.floor(((p.y_deg + p.size_deg / 2) - space.y_deg) / square).astype(np.int64)
        inside = (col >= 0) & (col < p.grid_size) & (row >= 0) & (row < p.grid_size)
        values = patterns[which][:, np.clip(row, 0, p.grid_size - 1),
                                 np.clip(col, 0, p.grid_size - 1)]
        mean = space.params.background_luminance_cd_m2
        frames = mean * (1 + p.contrast_pct / 100 * values)
        return np.where(inside[None], frames, np.nan).astype(np.float32)

    def _n_patterns(self) -> int:
        return round(self.params.duration_ms / self.params.pattern_duration_ms)


class SparseNoise(_Noise):
    """One square at a time, white or black, at a random place of the grid (seeded)."""

    name: ClassVar[str] = "SparseNoise"
    __slots__ = ()

    def patterns(self) -> np.ndarray:
        p = self.params
        rng = np.random.default_rng([p.seed, 1])
        n = self._n_patterns()
        out = np.zeros((n, p.grid_size, p.grid_size))
        place = rng.integers(0, p.grid_size * p.grid_size, size=n)
        sign = rng.choice([-1.0, 1.0], size=n)
        out.reshape(n, -1)[np.arange(n), place] = sign
        return out


class DenseNoise(_Noise):
    """Every square white or black at random in every pattern (seeded)."""

    name: ClassVar[str] = "DenseNoise"
    __slots__ = ()

    def patterns(self) -> np.ndarray:
        p = self.params
        rng = np.random.default_rng([p.seed, 2])
        return rng.choice([-1.0, 1.0], size=(self._n_patterns(), p.grid_size, p.grid_size))
