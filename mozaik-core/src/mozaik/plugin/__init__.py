"""The pluggy microkernel: hook specifications, plugin manager and typed registry."""

from __future__ import annotations

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
from mozaik.plugin._registry import ADS_KIND, ADSTable, AnyComponent, ComponentTable, Registry
from mozaik.plugin._spec import HOOK_API_VERSION, PROJECT_NAME, hookimpl, hookspec
from mozaik.plugin._types import (
    COMPONENT_KINDS,
    ComponentKind,
    ComponentSpec,
    RegisteredADS,
    RegisteredComponent,
    SheetAnnotations,
    kind_label,
)

__all__ = [
    "ADSTable",
    "ADS_KIND",
    "AUTOLOAD_ENV",
    "AnyComponent",
    "BLOCKED_ENV",
    "COMPONENT_KINDS",
    "ComponentKind",
    "ComponentSpec",
    "ComponentTable",
    "HOOK_API_VERSION",
    "PROJECT_NAME",
    "PluginInfo",
    "PluginManager",
    "RegisteredADS",
    "RegisteredComponent",
    "Registry",
    "SheetAnnotations",
    "get_plugin_manager",
    "get_registry",
    "hookimpl",
    "hookspec",
    "kind_label",
    "lazy_exports",
    "reset_plugin_manager",
]
