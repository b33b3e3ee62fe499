"""The ``local`` backend: runs a study in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from mozaik.controller._run import RunSummary, run_study
from mozaik.study import Study

__all__ = ["LocalBackend", "LocalBackendParams"]


def _progress_mode(_inst: object, _attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in ("auto", "bar", "log", "off"):
        msg = f"progress must be one of auto, bar, log, off; got {value!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class LocalBackendParams:
    """Parameters of the local backend.

    Parameters
    ----------
    progress : {"auto", "bar", "log", "off"}
        How progress is shown (see :func:`mozaik.controller.run_study`).
    """

    progress: str = attrs.field(default="auto", validator=_progress_mode)


class LocalBackend:
    """Runs one study at a time in the calling process (sweeps come with mozaik-hpc)."""

    def __init__(self, params: LocalBackendParams | None = None) -> None:
        self.params = params or LocalBackendParams()

    def run(self, study: Study, run_dir: str | Path, **options: Any) -> RunSummary:
        """Run (or complete) ``study`` into ``run_dir``; ``options`` go to ``run_study``."""
        options.setdefault("progress", self.params.progress)
        return run_study(study, run_dir, **options)
