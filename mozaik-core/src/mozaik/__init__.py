"""Mozaik: an integrated workflow framework for large-scale spiking network simulations.

Importing this package loads no plugin and no simulator; they load on first need.
"""

from __future__ import annotations

from mozaik._errors import (
    AnalysisDataStructureError,
    AnalysisError,
    ConfigError,
    DataStoreError,
    DataStoreFormatError,
    DuplicatePresentationError,
    DuplicateResultError,
    ExportError,
    MozaikError,
    PluginConflictError,
    PluginError,
    PluginLoadError,
    ReadOnlyStoreError,
    RunExploded,
    SimulationError,
    SimulatorNotInstalledError,
    StoreLockedError,
    UnknownComponentError,
)
from mozaik._version import __version__

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
    "__version__",
]
