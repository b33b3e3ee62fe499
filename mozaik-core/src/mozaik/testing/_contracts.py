"""Contract test suites that plugin distributions subclass.

A plugin's tests say what it promises; the suite checks it the way core will use it::

    from mozaik.testing import PluginDistributionContract

    class TestDiscovery(PluginDistributionContract):
        distribution = "mozaik-somelab"
        entry_point = "somelab"
        provides = {"sheets": ["BarrelSheet"]}
"""

from __future__ import annotations

import importlib.metadata as md
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs

from mozaik import ConfigError
from mozaik.ads import AnalysisDataStructure
from mozaik.config import structure
from mozaik.plugin import (
    ADS_KIND,
    COMPONENT_KINDS,
    HOOK_API_VERSION,
    AnyComponent,
    PluginManager,
    Registry,
)

__all__ = ["ComponentContract", "PluginDistributionContract"]


class PluginDistributionContract:
    """Discovery contract: the installed distribution's entry point registers its components.

    Class attributes to set
    -----------------------
    distribution : str
        The distribution name, e.g. ``"mozaik-visual"``.
    entry_point : str
        Its name in the ``mozaik`` entry-point group.
    provides : mapping of kind to list of str
        Component names the plugin promises, by kind (may be empty); the kind
        ``analysis_data_structures`` lists its ADS classes.
    """

    distribution: ClassVar[str]
    entry_point: ClassVar[str]
    provides: ClassVar[Mapping[str, list[str]]] = {}

    def _manager(self) -> PluginManager:
        return PluginManager(autoload=True)

    def test_entry_point_is_declared(self) -> None:
        eps = {ep.name: ep for ep in md.entry_points(group="mozaik")}
        assert self.entry_point in eps, f"no 'mozaik' entry point {self.entry_point!r}"
        dist = eps[self.entry_point].dist
        assert dist is not None and dist.name == self.distribution

    def test_plugin_is_discovered(self) -> None:
        manager = self._manager()
        found = {p.name: p for p in manager.plugins()}
        assert self.entry_point in found
        assert found[self.entry_point].distribution == self.distribution
        assert found[self.entry_point].version == md.version(self.distribution)

    def test_declares_hook_api(self) -> None:
        eps = {ep.name: ep for ep in md.entry_points(group="mozaik")}
        module = eps[self.entry_point].load()
        major, minor = module.MOZAIK_HOOK_API
        assert major == HOOK_API_VERSION[0] and minor <= HOOK_API_VERSION[1]

    def test_registry_sees_promised_components(self) -> None:
        registry = self._manager().registry
        for kind, names in self.provides.items():
            assert kind in (*COMPONENT_KINDS, ADS_KIND), f"unknown kind {kind!r}"
            for name in names:
                if kind == ADS_KIND:
                    table = registry.analysis_data_structures(AnalysisDataStructure)
                    provider = table[name].distribution
                else:
                    provider = registry.get(kind, name).distribution
                assert provider == self.distribution

    def test_blocking_removes_the_plugin(self) -> None:
        manager = PluginManager(autoload=True, blocked=[self.entry_point])
        assert self.entry_point not in {p.name for p in manager.plugins()}

    def test_provenance_names_the_distribution(self) -> None:
        provenance = self._manager().provenance()
        assert {"name": self.entry_point, "distribution": self.distribution,
                "version": md.version(self.distribution)} in provenance


class ComponentContract:
    """Contract every registered component meets, whatever its kind.

    Class attributes to set
    -----------------------
    kind : str
        One of :data:`mozaik.plugin.COMPONENT_KINDS`.
    name : str
        The registered name.
    example_params : mapping
        A valid parameter tree, as it would appear under ``params:`` in a file.

    Override :meth:`registry` to test components that are not installed through an entry
    point (e.g. registered on a test's own plugin manager).
    """

    kind: ClassVar[str]
    name: ClassVar[str]
    example_params: ClassVar[Mapping[str, Any]] = {}

    def registry(self) -> Registry:
        """Where the component is looked up: the installed plugins by default."""
        return PluginManager(autoload=True).registry

    def component(self) -> AnyComponent[Callable[..., object]]:
        return self.registry().get(self.kind, self.name)

    def test_factory_builds_its_kind(self) -> None:
        """A class registered as the factory subclasses the kind's base class (the registry
        checks it when it builds the kind's table; a PluginError names the fix)."""
        assert self.name in self.registry().kind(self.kind)

    def params(self) -> Any:
        """:attr:`example_params` structured into the component's ``config_cls``."""
        return structure(dict(self.example_params), self.component().config_cls, path="params")

    def test_has_summary(self) -> None:
        assert self.component().summary.strip(), "give the component a one-line summary"

    def test_config_class_is_frozen_attrs(self) -> None:
        cls = self.component().config_cls
        assert attrs.has(cls), f"{cls!r} is not an attrs class"
        params = structure(dict(self.example_params), cls)
        field = next(iter(attrs.fields(cls)), None)
        if field is not None:
            try:
                setattr(params, field.name, getattr(params, field.name))
            except attrs.exceptions.FrozenInstanceError:
                pass
            else:
                raise AssertionError(f"{cls.__name__} must be frozen")

    def test_extra_keys_are_rejected(self) -> None:
        cls = self.component().config_cls
        bad = {**self.example_params, "surely_not_a_parameter": 1}
        try:
            structure(bad, cls, path="params")
        except ConfigError as exc:
            assert "surely_not_a_parameter" in str(exc)
        else:
            raise AssertionError("extra keys must be rejected")
