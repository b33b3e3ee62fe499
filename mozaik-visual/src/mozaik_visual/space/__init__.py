"""Visual space: the visual field in degrees, regions of it, and rendering of scenes."""

from __future__ import annotations

from mozaik_visual.space._region import VisualRegion
from mozaik_visual.space._space import VisualSpace, VisualSpaceParams

__all__ = ["VisualRegion", "VisualSpace", "VisualSpaceParams"]
