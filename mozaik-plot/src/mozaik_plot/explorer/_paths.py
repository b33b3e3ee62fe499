"""Turning a path taken from a request into a path inside the served directory, or refusing."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

__all__ = ["PathRefused", "inside"]


class PathRefused(Exception):
    """A request named a path the explorer does not serve (outside DIR, through a link, ...).

    ``status`` is the HTTP status to answer with: 403 for an attempt to leave DIR, 404 for a
    path that is not there.
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def inside(root: Path, rel: str) -> Path:
    """The path ``rel`` (relative, ``/``-separated, as in a URL) inside ``root``.

    Each component is checked with ``lstat``: no ``..``, no absolute path, no backslash or NUL,
    no symbolic link anywhere on the way (a link could lead out of ``root``), and the result,
    resolved, still lies under ``root`` resolved. ``rel`` is decoded once more, so a
    double-encoded ``%252e%252e`` is caught too.

    Raises
    ------
    PathRefused
        403 when the path tries to leave ``root``, 404 when it does not exist.
    """
    text = unquote(rel)
    if "\x00" in text or "\\" in text:
        msg = f"{rel!r}: NUL and backslash are not allowed in a path"
        raise PathRefused(msg, 403)
    parts = PurePosixPath(text).parts
    if text.startswith("/") or any(p in ("..", ".") for p in parts) or any(
            ":" in p for p in parts[:1]):
        msg = f"{rel!r} is not a relative path inside the served directory"
        raise PathRefused(msg, 403)
    path = root
    for part in parts:
        path = path / part
        try:
            st = os.lstat(path)
        except OSError:
            msg = f"{rel!r} does not exist"
            raise PathRefused(msg, 404) from None
        if stat.S_ISLNK(st.st_mode):
            msg = f"{rel!r} goes through a symbolic link, which the explorer does not follow"
            raise PathRefused(msg, 403)
    real_root = root.resolve()
    if not path.resolve().is_relative_to(real_root):
        msg = f"{rel!r} lies outside the served directory"
        raise PathRefused(msg, 403)
    return path
