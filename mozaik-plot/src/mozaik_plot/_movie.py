"""Saving a plot's animation: MP4 when ffmpeg is there and asked for, else GIF, with the JSON
sidecar every movie plot writes next to it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib import animation
from matplotlib.artist import Artist
from matplotlib.figure import Figure

__all__ = ["movie_target", "save_movie"]


def movie_target(path: Path, movie_format: str) -> Path:
    """The file a movie of ``movie_format`` ("mp4" or "gif") is written to: ``.mp4`` only when
    asked for and ffmpeg is installed, ``.gif`` (Pillow) otherwise."""
    use_mp4 = movie_format == "mp4" and animation.writers.is_available("ffmpeg")
    return Path(path).with_suffix(".mp4" if use_mp4 else ".gif")


def save_movie(fig: Figure, update: Callable[[int], Sequence[Artist]], n_frames: int,
               fps: int, target: Path, record: Mapping[str, Any]) -> list[Path]:
    """Animate ``fig`` over ``n_frames`` frames drawn by ``update`` at ``fps`` frames per second
    into ``target`` (from :func:`movie_target`), close the figure, and write the sidecar
    ``target.json`` (``record`` plus the file name and frame count).

    Returns
    -------
    list of Path
        The movie and its sidecar.
    """
    movie = animation.FuncAnimation(fig, update, frames=n_frames, blit=False)
    writer = (animation.FFMpegWriter(fps=fps) if target.suffix == ".mp4"
              else animation.PillowWriter(fps=fps))
    try:
        movie.save(str(target), writer=writer)
    finally:
        plt.close(fig)
    sidecar = target.with_suffix(".json")
    sidecar.write_text(json.dumps({**record, "files": [target.name], "frames": n_frames},
                                  indent=2, sort_keys=True, default=str) + "\n")
    return [target, sidecar]
