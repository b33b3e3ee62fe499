"""A presentation's stimulus as the run's input space pictures it: a frame or a movie (GIF).

The stimulus is rebuilt from its stored identity through the registry, the study's
``input_space`` entry is built through the registry, and the space is asked for the
stimulus's :class:`~mozaik.stimulus.Frames` (core's seam ``InputSpace.frames``); nothing of a
plugin is imported here.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import numpy as np
from mozaik import MozaikError
from mozaik.config import structure
from mozaik.model import INPUT_SPACES, InputSpace
from mozaik.plugin import Registry
from mozaik.stimulus import Frames, StimulusIdentity, stimulus_from_identity
from PIL import Image

__all__ = ["MAX_FRAMES", "stimulus_frames", "stimulus_movie"]

#: Most frames in a movie (longer stimuli are sampled evenly).
MAX_FRAMES = 60
#: Longer side of a movie, pixels (each frame pixel becomes a whole number of them).
MOVIE_SIDE = 160
#: Shorter side of a movie at least, pixels (a one-row spectrum stays visible).
MIN_SIDE = 24


def stimulus_frames(config: Mapping[str, Any], stimulus_id: str,
                    registry: Registry) -> Frames:
    """The frames of the stimulus ``stimulus_id`` (its stored identity) as the input space of
    the study ``config`` pictures it.

    Raises
    ------
    MozaikError
        If the study has no input space, its space pictures no such stimulus, or the stimulus
        cannot be rebuilt (naming which).
    """
    entry = config.get("input_space")
    if not isinstance(entry, Mapping) or not entry.get("component"):
        msg = "the study has no input space, so its stimuli have no frames to show"
        raise MozaikError(msg)
    name = str(entry["component"])
    spec = registry[INPUT_SPACES][name]
    space = spec.factory(structure(entry.get("params") or {}, spec.config_cls,
                                   path="input_space.params"))
    if not isinstance(space, InputSpace):
        msg = f"the input space {name} built a {type(space).__name__}, not an InputSpace"
        raise MozaikError(msg)
    stimulus = stimulus_from_identity(StimulusIdentity.from_string(stimulus_id), registry)
    frames = space.frames(stimulus)
    if frames is None:
        msg = (f"the input space {name} pictures no {type(stimulus).name} stimulus (its "
               "frames() answers None)")
        raise MozaikError(msg)
    return frames


def stimulus_movie(frames: Frames) -> bytes:
    """A GIF of ``frames`` (at most :data:`MAX_FRAMES`, sampled evenly; row 0 at the top):
    grey levels span the frames' finite range, NaN (nothing shown) is black."""
    values = frames.values
    pick = np.unique(np.linspace(0, len(values) - 1, min(len(values), MAX_FRAMES)).round())
    values = values[pick.astype(int)]
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    scaled = np.nan_to_num((values - lo) / ((hi - lo) or 1.0) * 255.0, nan=0.0)
    grey = scaled.clip(0, 255).astype(np.uint8)
    rows, columns = grey.shape[1:]
    scale = max(1, MOVIE_SIDE // max(rows, columns))
    size = (max(columns * scale, MIN_SIDE), max(rows * scale, MIN_SIDE))
    images = [Image.fromarray(g).resize(size, Image.Resampling.NEAREST) for g in grey]
    out = io.BytesIO()
    duration = max(20, round(frames.frame_interval_ms * len(frames.values) / len(images)))
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:],
                   duration=duration, loop=0)
    return out.getvalue()
