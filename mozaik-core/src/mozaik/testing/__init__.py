"""``mozaik.testing``: an opt-in pytest plugin for Mozaik and its plugins.

Enable it in a ``conftest.py`` with ``pytest_plugins = ["mozaik.testing"]``. It provides the
fixtures ``plugin_manager`` (autoload off, core built-ins on), ``bare_plugin_manager`` (nothing
registered) and ``hook_recorder``; helpers to register toy components; and contract suites that
plugin distributions subclass (e.g. ``BackendContract`` for execution backends).
"""

from __future__ import annotations

from mozaik.testing._backend_contract import BackendContract
from mozaik.testing._contracts import ComponentContract, PluginDistributionContract
from mozaik.testing._fixtures import (
    HookCall,
    HookCallRecorder,
    bare_plugin_manager,
    hook_recorder,
    make_plugin,
    plugin_manager,
    register_components,
    use_plugin_manager,
)
from mozaik.testing._model_contracts import ConnectorContract, SheetContract

__all__ = [
    "BackendContract",
    "ComponentContract",
    "ConnectorContract",
    "HookCall",
    "HookCallRecorder",
    "PluginDistributionContract",
    "SheetContract",
    "bare_plugin_manager",
    "hook_recorder",
    "make_plugin",
    "plugin_manager",
    "register_components",
    "use_plugin_manager",
]
