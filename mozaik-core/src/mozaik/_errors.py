"""The one exception tree of Mozaik.

Every error Mozaik raises on purpose derives from :class:`MozaikError`. Messages name the bad
value, the rule it broke and the likely fix, so the CLI can print them without a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "AnalysisDataStructureError",
    "AnalysisError",
    "ConfigError",
    "DataStoreError",
    "DataStoreFormatError",
    "DuplicatePresentationError",
    "DuplicateResultError",
    "ExportError",
    "MozaikError",
    "PluginConflictError",
    "PluginError",
    "PluginLoadError",
    "ReadOnlyStoreError",
    "RunExploded",
    "SimulationError",
    "SimulatorNotInstalledError",
    "StoreLockedError",
    "UnknownComponentError",
]


class MozaikError(Exception):
    """Base of every error Mozaik raises on purpose."""


class ConfigError(MozaikError):
    """A configuration file or tree is invalid.

    Attributes
    ----------
    problems : list of str
        Every problem found, each naming file, dotted path, bad value and what was expected.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems) if problems else [message]


class PluginError(MozaikError):
    """A plugin is broken or incompatible."""


class PluginLoadError(PluginError):
    """A plugin's entry point failed to import or register."""


class PluginConflictError(PluginError):
    """Two plugins registered one component name."""


class UnknownComponentError(MozaikError, KeyError):
    """A configuration named a component that no installed plugin provides."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataStoreError(MozaikError):
    """A datastore cannot be opened, read or written."""


class ReadOnlyStoreError(DataStoreError):
    """A write was attempted on a store opened read-only."""


class StoreLockedError(DataStoreError):
    """Another process holds a store's writer lock.

    Attributes
    ----------
    root : pathlib.Path
        The store's run directory.
    holder : str
        The process id the lock file names (``unknown`` if it names none).
    """

    def __init__(self, message: str, root: Path, holder: str) -> None:
        super().__init__(message)
        self.root = root
        self.holder = holder


class DuplicateResultError(DataStoreError):
    """An analysis result equal to a stored one was added without ``replace=True``."""


class ExportError(DataStoreError):
    """A run cannot be exported: unknown format, existing output, missing recordings or a
    format's optional dependency not installed."""


class SimulationError(MozaikError):
    """Building or running the network failed."""


class RunExploded(SimulationError):
    """A sheet's firing rate crossed the study's runaway threshold: the run was stopped.

    Attributes
    ----------
    sheet : str
        The sheet that ran away.
    rate_hz : float, Hz
        Its mean rate over the last window.
    time_ms : float, ms
        Simulation time of the check that found it.
    threshold_hz, window_ms : float
        The declared threshold (Hz) and window (ms).
    """

    def __init__(self, message: str, *, sheet: str, rate_hz: float, time_ms: float,
                 threshold_hz: float, window_ms: float) -> None:
        super().__init__(message)
        self.sheet = sheet
        self.rate_hz = rate_hz
        self.time_ms = time_ms
        self.threshold_hz = threshold_hz
        self.window_ms = window_ms

    def record(self) -> dict[str, float | str]:
        """What the manifest and the session record store."""
        return {"sheet": self.sheet, "rate_hz": round(self.rate_hz, 3),
                "time_ms": round(self.time_ms, 3), "threshold_hz": self.threshold_hz,
                "window_ms": self.window_ms}


class SimulatorNotInstalledError(SimulationError):
    """The configured simulator backend cannot be imported."""


class DataStoreFormatError(DataStoreError):
    """A directory is not a datastore, has a newer format version, or holds a damaged file."""


class DuplicatePresentationError(DataStoreError):
    """A presentation (stimulus, trial) already recorded in the store was written again."""


class AnalysisDataStructureError(MozaikError):
    """An analysis data structure (ADS) was built with missing or invalid fields (e.g. units)."""


class AnalysisError(MozaikError):
    """An analysis or plot of a study failed while running on a stored run."""
