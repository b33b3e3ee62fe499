"""Visual space: the visual field in degrees, its frame interval and background luminance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import positive
from mozaik.model import InputSpace
from mozaik.stimulus import Frames

from mozaik_visual.space._region import VisualRegion

if TYPE_CHECKING:
    from mozaik.stimulus import Stimulus

__all__ = ["Drawable", "VisualSpace", "VisualSpaceParams"]


@runtime_checkable
class Drawable(Protocol):
    """What a :class:`VisualSpace` draws: a visual stimulus (``mozaik_visual.stimuli``
    implements it with ``VisualStimulus``; the space, a lower layer, does not import stimuli)."""

    def extent(self) -> VisualRegion | None:
        """The region the stimulus covers, or None for a full-field stimulus."""

    def draw(self, space: VisualSpace, times_ms: np.ndarray) -> np.ndarray:
        """Luminance (cd/m^2) of every frame, (len(times_ms), rows, columns); NaN uncovered."""


@attrs.frozen(kw_only=True)
class VisualSpaceParams:
    """Parameters of the visual space.

    Parameters
    ----------
    size_deg : (float, float), deg
        Width and height of the visual field, centred on the centre of gaze.
    pixel_size_deg : float, deg
        Side of one pixel of the rendered frames.
    frame_interval_ms : float, ms
        Time between two frames; must divide every stimulus's ``duration_ms``.
    background_luminance_cd_m2 : float, cd/m^2
        Luminance of the blank screen (and the mean of gratings).
    max_luminance_cd_m2 : float, cd/m^2
        Brightest luminance the display shows; rendered luminances must lie in
        [0, max_luminance_cd_m2].
    """

    size_deg: tuple[float, float] = (10.0, 10.0)
    pixel_size_deg: float = attrs.field(default=0.1, validator=positive)
    frame_interval_ms: float = attrs.field(default=10.0, validator=positive)
    background_luminance_cd_m2: float = attrs.field(default=50.0, validator=positive)
    max_luminance_cd_m2: float = attrs.field(default=100.0, validator=positive)

    def __attrs_post_init__(self) -> None:
        if len(self.size_deg) != 2 or min(self.size_deg) <= 0:
            msg = f"size_deg must be two sizes > 0 (width, height in deg), got {self.size_deg!r}"
            raise ValueError(msg)
        if self.background_luminance_cd_m2 > self.max_luminance_cd_m2:
            msg = (f"background_luminance_cd_m2 ({self.background_luminance_cd_m2}) exceeds "
                   f"max_luminance_cd_m2 ({self.max_luminance_cd_m2}); lower it or raise the "
                   "maximum")
            raise ValueError(msg)


class VisualSpace(InputSpace[VisualSpaceParams]):
    """The visual field: stimuli are drawn into luminance frames (cd/m^2, float32).

    A *scene* is a list of visual stimuli shown at once; :meth:`render` paints them in order
    over the background (a stimulus leaves NaN where it is transparent).
    """

    def __init__(self, params: VisualSpaceParams) -> None:
        super().__init__(params)
        width, height = params.size_deg
        #: The whole visual field.
        self.region = VisualRegion(width_deg=float(width), height_deg=float(height))
        x, y = self.region.pixel_centres(params.pixel_size_deg)
        #: Pixel centre coordinates (rows, columns), deg.
        self.x_deg, self.y_deg = np.meshgrid(x.astype(np.float32), y.astype(np.float32))

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of a frame."""
        return self.region.pixel_shape(self.params.pixel_size_deg)

    def n_frames(self, duration_ms: float, where: str = "stimulus") -> int:
        """Number of frames of a stimulus of ``duration_ms``; the frame interval must divide it."""
        interval = self.params.frame_interval_ms
        n = duration_ms / interval
        if abs(n - round(n)) > 1e-6 or round(n) < 1:
            msg = (f"{where}: duration_ms={duration_ms} is not a whole number of frames of the "
                   f"visual space's frame_interval_ms={interval}; make the duration a multiple "
                   "of the frame interval")
            raise ConfigError(msg)
        return round(n)

    def frame_times_ms(self, duration_ms: float, where: str = "stimulus") -> np.ndarray:
        """Onset of each frame relative to the stimulus start, ms."""
        return np.arange(self.n_frames(duration_ms, where)) * self.params.frame_interval_ms

    def check_fits(self, extent: VisualRegion, where: str) -> None:
        """Raise a ConfigError naming ``where`` if ``extent`` leaves the visual field."""
        if not self.region.contains(extent):
            msg = (f"{where}: the stimulus spans {extent.width_deg:g} x {extent.height_deg:g} deg "
                   f"around ({extent.x_deg:g}, {extent.y_deg:g}) deg, larger than (or outside) "
                   f"the visual field of {self.region.width_deg:g} x "
                   f"{self.region.height_deg:g} deg; make it smaller or the field (size_deg) "
                   "larger")
            raise ConfigError(msg)

    def background(self, n_frames: int) -> np.ndarray:
        """Frames of the blank screen, (n_frames, rows, columns), cd/m^2."""
        return np.full((n_frames, *self.shape), self.params.background_luminance_cd_m2,
                       dtype=np.float32)

    def render(self, stimuli: Stimulus | Sequence[Stimulus]) -> np.ndarray:
        """Luminance frames (n_frames, rows, columns) of a scene, cd/m^2, float32.

        Every stimulus must be a visual stimulus (or core's ``Null`` blank, drawn as the
        background); all must last equally long.
        """
        scene = [stimuli] if not isinstance(stimuli, Sequence) else list(stimuli)
        if not scene:
            msg = "VisualSpace.render: the scene holds no stimulus"
            raise ConfigError(msg)
        duration = scene[0].duration_ms
        frames = self.background(self.n_frames(duration, f"stimulus {type(scene[0]).name!r}"))
        times = self.frame_times_ms(duration)
        for stimulus in scene:
            where = f"stimulus {type(stimulus).name!r}"
            if stimulus.duration_ms != duration:
                msg = (f"{where}: lasts {stimulus.duration_ms} ms but the scene's first stimulus "
                       f"lasts {duration} ms; stimuli of one scene last equally long")
                raise ConfigError(msg)
            if not isinstance(stimulus, Drawable):
                if type(stimulus).name == "Null":
                    continue
                msg = f"{where} is not a visual stimulus; VisualSpace cannot draw it"
                raise ConfigError(msg)
            extent = stimulus.extent()
            if extent is not None:
                self.check_fits(extent, where)
            drawn = stimulus.draw(self, times)
            frames = np.where(np.isnan(drawn), frames, drawn).astype(np.float32, copy=False)
        self.check_luminance(frames, scene)
        return frames

    def frames(self, stimulus: Stimulus) -> Frames | None:
        """The luminance frames of ``stimulus`` (:meth:`render`) over the visual field, in deg
        around the centre of gaze; None for a stimulus that is neither visual nor the blank.

        Raises
        ------
        ConfigError
            If a visual stimulus does not fit the space (see :meth:`render`).
        """
        if not isinstance(stimulus, Drawable) and type(stimulus).name != "Null":
            return None
        field = self.region
        return Frames(values=self.render(stimulus), units="cd/m^2", quantity="luminance",
                      extent=(field.left, field.right, field.bottom, field.top),
                      extent_units=("deg", "deg"),
                      frame_interval_ms=self.params.frame_interval_ms)

    def check_luminance(self, frames: np.ndarray, scene: Sequence[Stimulus]) -> None:
        """Raise a ConfigError if a rendered luminance leaves [0, max_luminance_cd_m2]."""
        top = self.params.max_luminance_cd_m2
        low, high = float(frames.min()), float(frames.max())
        if low < -1e-4 or high > top * (1 + 1e-6):
            names = ", ".join(repr(type(s).name) for s in scene)
            msg = (f"stimulus {names}: luminance ranges over [{low:g}, {high:g}] cd/m^2, outside "
                   f"the display's [0, {top:g}] (max_luminance_cd_m2); lower the stimulus's "
                   "luminance_cd_m2 / contrast_pct or raise max_luminance_cd_m2")
            raise ConfigError(msg)

    def describe(self) -> dict[str, bool | int | float | str]:
        p = self.params
        return {"width_deg": float(p.size_deg[0]), "height_deg": float(p.size_deg[1]),
                "pixel_size_deg": p.pixel_size_deg, "frame_interval_ms": p.frame_interval_ms,
                "background_luminance_cd_m2": p.background_luminance_cd_m2,
                "max_luminance_cd_m2": p.max_luminance_cd_m2}
