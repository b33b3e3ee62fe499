"""A presentation's stimulus drawn as the input space sees it: a frame or a movie (GIF).

The stimulus is rebuilt from its stored identity through the registry and drawn by the run's
input space (the study's ``input_space`` entry, built through the registry) when that space can
render (``render(stimulus) -> frames``, as ``VisualSpace`` does); nothing of a plugin is
imported here.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import numpy as np
from mozaik import MozaikError
from mozaik.config import structure
from mozaik.model import INPUT_SPACES
from mozaik.plugin import Registry
from mozaik.stimulus import StimulusIdentity, stimulus_from_identity
from PIL import Image

__all__ = ["MAX_FRAMES", "stimulus_movie"]

#: Most frames in a movie (longer stimuli are sampled evenly).
MAX_FRAMES = 60


def stimulus_movie(config: Mapping[str, Any], stimulus_id: str,
                   registry: Registry) -> bytes:
    """A GIF of the stimulus ``stimulus_id`` (its stored identity) drawn by the input space of
    the study ``config``: grey levels span the frames' luminance range.

    Raises
    ------
    MozaikError
        If the study has no input space, its space cannot render, or the stimulus cannot be
        rebuilt (naming which).
    """
    entry = config.get("input_space")
    if not isinstance(entry, Mapping) or not entry.get("component"):
        msg = "the study has no input space, so its stimuli have no frames to show"
        raise MozaikError(msg)
    spec = registry[INPUT_SPACES][str(entry["component"])]
    space = spec.factory(structure(entry.get("params") or {}, spec.config_cls,
                                   path="input_space.params"))
    render = getattr(space, "render", None)
    if not callable(render):
        msg = f"the input space {entry['component']} draws no frames"
        raise MozaikError(msg)
    stimulus = stimulus_from_identity(StimulusIdentity.from_string(stimulus_id), registry)
    frames = np.asarray(render(stimulus), dtype=np.float64)
    if frames.ndim == 2:
        frames = frames[None]
    if frames.ndim != 3 or not frames.size:
        msg = f"the input space {entry['component']} drew frames of shape {frames.shape}"
        raise MozaikError(msg)
    pick = np.unique(np.linspace(0, len(frames) - 1, min(len(frames), MAX_FRAMES)).round())
    frames = frames[pick.astype(int)]
    lo, hi = float(np.nanmin(frames)), float(np.nanmax(frames))
    grey = ((frames - lo) / ((hi - lo) or 1.0) * 255.0).clip(0, 255).astype(np.uint8)
    scale = max(1, 160 // max(grey.shape[1:]))
    images = [Image.fromarray(g[::-1]).resize((g.shape[1] * scale, g.shape[0] * scale),
                                               Image.Resampling.NEAREST) for g in grey]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=80,
                   loop=0)
    return out.getvalue()
