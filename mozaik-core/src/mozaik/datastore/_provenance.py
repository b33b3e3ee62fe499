"""Provenance of a run: the time, the host, the distributions, the model's git commit."""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import socket
import subprocess
from importlib import metadata
from typing import Any

__all__ = ["collect_provenance", "git_commit", "now_iso"]


def now_iso() -> str:
    """Current UTC time as an ISO 8601 string."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def git_commit(path: str | os.PathLike[str]) -> str | None:
    """Commit hash of the git work tree containing ``path`` (``+dirty`` if modified), or None."""
    try:
        head = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(path), "status", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "") if head else None


def collect_provenance(*, model_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Provenance of the current process: host, versions of mozaik and its plugin distributions.

    Plugin distributions are those declaring a ``mozaik`` entry point; none is imported.

    Parameters
    ----------
    model_dir : path, optional
        Folder of the model; its git commit is recorded when it is in a git work tree.
    """
    dists: dict[str, str] = {}
    for name in ("mozaik-core", "PyNN", "neo", "pyarrow", "numpy", "nest-simulator"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            dists[name] = metadata.version(name)
    for ep in metadata.entry_points(group="mozaik"):
        dist = getattr(ep, "dist", None)
        if dist is not None:
            dists[dist.metadata["Name"]] = dist.version
    out: dict[str, Any] = {
        "host": socket.gethostname(),
        "distributions": dict(sorted(dists.items())),
    }
    if model_dir is not None:
        out["model_dir"] = str(model_dir)
        out["model_git_commit"] = git_commit(model_dir)
    return out
