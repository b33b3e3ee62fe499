"""Snapshots of each core package's public names: changing them is a deliberate act."""

from __future__ import annotations

import importlib

import pytest

SNAPSHOT = {
    "mozaik": [
        "ConfigError", "DataStoreError", "DuplicateResultError", "MozaikError",
        "PluginConflictError", "PluginError", "PluginLoadError", "ReadOnlyStoreError",
        "SimulationError", "SimulatorNotInstalledError", "UnknownComponentError", "__version__",
    ],
    "mozaik.plugin": [
        "AUTOLOAD_ENV", "BLOCKED_ENV", "COMPONENT_KINDS", "HOOK_API_VERSION", "PROJECT_NAME",
        "ComponentSpec", "ComponentTable", "PluginInfo", "PluginManager", "RegisteredComponent",
        "Registry", "get_plugin_manager", "get_registry", "hookimpl", "hookspec", "kind_label",
        "reset_plugin_manager",
    ],
    "mozaik.config": [
        "DISTRIBUTIONS", "STUDY_FILE", "ComponentEntry", "ConfigTree", "ConnectorEntry",
        "ControllerConfig", "Distribution", "Expr", "ExpressionError", "ParameterError",
        "ProblemCollector", "SimulatorConfig", "Study", "apply_overrides", "converter",
        "get_path", "load_config", "load_study", "load_tree", "make_converter", "non_negative",
        "parse_expression", "positive", "resolve", "structure", "structure_component",
        "study_from_tree",
    ],
    "mozaik.testing": [
        "ComponentContract", "ConnectorContract", "HookCall", "SheetContract", "HookCallRecorder", "PluginDistributionContract",
        "bare_plugin_manager", "hook_recorder", "make_plugin", "plugin_manager",
        "register_components",
    ],
    "mozaik.cli": ["main"],
}


@pytest.mark.parametrize("module", sorted(SNAPSHOT))
def test_all_snapshot(module: str) -> None:
    mod = importlib.import_module(module)
    assert list(mod.__all__) == sorted(mod.__all__), "keep __all__ sorted"
    assert list(mod.__all__) == sorted(SNAPSHOT[module])
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name} is in __all__ but missing"
