"""The pluggy microkernel: hook specifications, plugin manager and typed registry."""

from __future__ import annotations

from mozaik.plugin._manager import (
    AUTOLOAD_ENV,
    BLOCKED_ENV,
    PluginInfo,
    PluginManager,
    get_plugin_manager,
    get_registry,
    reset_plugin_manager,
)
from mozaik.plugin._registry import ComponentTable, Registry, kind_label
from mozaik.plugin._spec import HOOK_API_VERSION, PROJECT_NAME, hookimpl, hookspec
from mozaik.plugin._types import COMPONENT_KINDS, ComponentSpec, RegisteredComponent

__all__ = [
    "AUTOLOAD_ENV",
    "BLOCKED_ENV",
    "COMPONENT_KINDS",
    "ComponentSpec",
    "ComponentTable",
    "HOOK_API_VERSION",
    "PROJECT_NAME",
    "PluginInfo",
    "PluginManager",
    "RegisteredComponent",
    "Registry",
    "get_plugin_manager",
    "get_registry",
    "hookimpl",
    "hookspec",
    "kind_label",
    "reset_plugin_manager",
]
