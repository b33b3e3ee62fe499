"""The pluggy microkernel: hook specifications, plugin manager and typed registry."""

from __future__ import annotations

from mozaik.plugin._factories import (
    AnalysisFactory,
    BackendFactory,
    ConnectorFactory,
    ConnectorFunctionFactory,
    ExperimentFactory,
    InputSpaceFactory,
    PlotFactory,
    SearchPlotFactory,
    SensoryInputFactory,
    SheetFactory,
    StimulusFactory,
)
from mozaik.plugin._lazy import lazy_exports
from mozaik.plugin._manager import (
    AUTOLOAD_ENV,
    BLOCKED_ENV,
    PluginInfo,
    PluginManager,
    get_plugin_manager,
    get_registry,
    reset_plugin_manager,
)
from mozaik.plugin._registry import ADS_KIND, ADSTable, ComponentTable, Registry, kind_label
from mozaik.plugin._spec import HOOK_API_VERSION, PROJECT_NAME, hookimpl, hookspec
from mozaik.plugin._types import (
    COMPONENT_KINDS,
    ComponentSpec,
    RegisteredADS,
    RegisteredComponent,
    SheetAnnotations,
)

__all__ = [
    "ADSTable",
    "ADS_KIND",
    "AUTOLOAD_ENV",
    "AnalysisFactory",
    "BLOCKED_ENV",
    "BackendFactory",
    "COMPONENT_KINDS",
    "ComponentSpec",
    "ComponentTable",
    "ConnectorFactory",
    "ConnectorFunctionFactory",
    "ExperimentFactory",
    "HOOK_API_VERSION",
    "InputSpaceFactory",
    "PROJECT_NAME",
    "PlotFactory",
    "PluginInfo",
    "PluginManager",
    "RegisteredADS",
    "RegisteredComponent",
    "Registry",
    "SearchPlotFactory",
    "SensoryInputFactory",
    "SheetAnnotations",
    "SheetFactory",
    "StimulusFactory",
    "get_plugin_manager",
    "get_registry",
    "hookimpl",
    "hookspec",
    "kind_label",
    "lazy_exports",
    "reset_plugin_manager",
]
