"""Core's built-in components meet the contracts that plugin components must meet."""

from __future__ import annotations

import importlib.metadata as md

from mozaik.plugin import PluginManager
from mozaik.testing import (
    ComponentContract,
    ConnectorContract,
    PluginDistributionContract,
    SheetContract,
)

CELL = {"model": "IF_cond_exp", "params": {"tau_m": 20.0}}


class TestSheet(SheetContract):
    name = "Sheet"
    example_params = {
        "cell": CELL,
        "placement": {"kind": "uniform", "size_um": [500.0, 500.0], "n_neurons": 30},
        "recorders": [{"variables": ["spikes", "v"], "neurons": {"random_n": 5}}],
    }


class TestFixedProbability(ConnectorContract):
    name = "FixedProbabilityConnector"
    example_params = {"probability": 0.2, "weight_uS": 0.004, "delay_ms": 0.5}


class TestModularSampling(ConnectorContract):
    name = "ModularSamplingConnector"
    example_params = {
        "weight_functions": {"f1": {"component": "GaussianDistance",
                                    "params": {"sigma_um": 100.0}}},
        "weight_expression": "f1",
        "base_weight_uS": 0.001,
        "num_samples": 3,
    }


class TestGaussianFunction(ComponentContract):
    kind = "connector_functions"
    name = "GaussianDistance"
    example_params = {"sigma_um": 100.0}


class TestCoreDistribution(PluginDistributionContract):
    """Core's built-in plugin, seen through the same discovery path as any plugin."""

    distribution = "mozaik-core"
    entry_point = "builtin"
    provides = {"sheets": ["Sheet"], "connectors": ["FixedProbabilityConnector"]}

    def test_entry_point_is_declared(self) -> None:
        # built-ins are registered by the manager itself, never through an entry point
        eps = {ep.name for ep in md.entry_points(group="mozaik")}
        assert "builtin" not in eps
        assert "builtin" in [p.name for p in PluginManager(autoload=False).plugins()]

    def test_declares_hook_api(self) -> None:
        from mozaik.builtin import _plugin

        assert _plugin.MOZAIK_HOOK_API == (2, 1)

    def test_blocking_removes_the_plugin(self) -> None:
        names = [p.name for p in PluginManager(autoload=False, builtins=False).plugins()]
        assert "builtin" not in names


def test_every_builtin_has_a_summary() -> None:
    registry = PluginManager(autoload=False).registry
    for component in registry.all():
        assert component.summary, f"{component.kind} {component.name} lacks a summary"
        assert component.distribution == "mozaik-core"
