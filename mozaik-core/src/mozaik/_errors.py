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
