"""Rectangular regions of the visual field, in degrees of visual angle."""

from __future__ import annotations

import math

import attrs
import numpy as np

__all__ = ["VisualRegion"]


@attrs.frozen(kw_only=True)
class VisualRegion:
    """An axis-aligned rectangle of the visual field.

    Parameters
    ----------
    x_deg, y_deg : float, deg
        Centre of the region (0, 0 is the centre of gaze).
    width_deg, height_deg : float, deg
        Extent of the region (>= 0).
    """

    x_deg: float = 0.0
    y_deg: float = 0.0
    width_deg: float = 0.0
    height_deg: float = 0.0

    def __attrs_post_init__(self) -> None:
        if not (self.width_deg >= 0 and self.height_deg >= 0):
            msg = (f"VisualRegion: width_deg and height_deg must be >= 0, got "
                   f"{self.width_deg!r} x {self.height_deg!r}")
            raise ValueError(msg)

    @classmethod
    def around(cls, x_deg: float, y_deg: float, radius_deg: float) -> VisualRegion:
        """The square bounding a disk of ``radius_deg`` centred at (``x_deg``, ``y_deg``)."""
        return cls(x_deg=x_deg, y_deg=y_deg, width_deg=2 * radius_deg, height_deg=2 * radius_deg)

    @property
    def left(self) -> float:
        return self.x_deg - self.width_deg / 2

    @property
    def right(self) -> float:
        return self.x_deg + self.width_deg / 2

    @property
    def bottom(self) -> float:
        return self.y_deg - self.height_deg / 2

    @property
    def top(self) -> float:
        return self.y_deg + self.height_deg / 2

    def contains(self, other: VisualRegion, tolerance_deg: float = 1e-9) -> bool:
        """Whether ``other`` lies entirely inside this region."""
        return (other.left >= self.left - tolerance_deg
                and other.right <= self.right + tolerance_deg
                and other.bottom >= self.bottom - tolerance_deg
                and other.top <= self.top + tolerance_deg)

    def intersects(self, other: VisualRegion) -> bool:
        """Whether the two regions overlap in an area > 0."""
        return (min(self.right, other.right) > max(self.left, other.left)
                and min(self.top, other.top) > max(self.bottom, other.bottom))

    def intersection(self, other: VisualRegion) -> VisualRegion | None:
        """The overlap of the two regions, or None if they do not overlap."""
        if not self.intersects(other):
            return None
        left, right = max(self.left, other.left), min(self.right, other.right)
        bottom, top = max(self.bottom, other.bottom), min(self.top, other.top)
        return VisualRegion(x_deg=(left + right) / 2, y_deg=(bottom + top) / 2,
                            width_deg=right - left, height_deg=top - bottom)

    def pixel_shape(self, pixel_size_deg: float) -> tuple[int, int]:
        """(rows, columns) of the pixel grid covering the region."""
        return (max(1, math.ceil(self.height_deg / pixel_size_deg - 1e-9)),
                max(1, math.ceil(self.width_deg / pixel_size_deg - 1e-9)))

    def pixel_centres(self, pixel_size_deg: float) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates (deg) of the pixel centres: ``x`` (columns,) and ``y`` (rows,).

        Row 0 is the top of the region (y decreasing with the row), as in an image.
        """
        rows, cols = self.pixel_shape(pixel_size_deg)
        x = self.left + (np.arange(cols) + 0.5) * pixel_size_deg
        y = self.top - (np.arange(rows) + 0.5) * pixel_size_deg
        return x, y

    def to_pixel(self, x_deg: np.ndarray | float, y_deg: np.ndarray | float,
                 pixel_size_deg: float) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) indices of the pixels holding the points, clipped to the grid."""
        rows, cols = self.pixel_shape(pixel_size_deg)
        col = np.floor((np.asarray(x_deg) - self.left) / pixel_size_deg).astype(np.int64)
        row = np.floor((self.top - np.asarray(y_deg)) / pixel_size_deg).astype(np.int64)
        return np.clip(row, 0, rows - 1), np.clip(col, 0, cols - 1)
