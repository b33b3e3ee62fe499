"""Fixtures and helpers for testing Mozaik and its plugins without installing anything else."""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pluggy
import pytest

from mozaik.plugin import (
    ADS_KIND,
    COMPONENT_KINDS,
    HOOK_API_VERSION,
    PluginManager,
    hookimpl,
    reset_plugin_manager,
)

__all__ = [
    "HookCall",
    "HookCallRecorder",
    "bare_plugin_manager",
    "hook_recorder",
    "make_plugin",
    "plugin_manager",
    "register_components",
    "use_plugin_manager",
]


def make_plugin(name: str = "toy", **components: Iterable[Any]) -> types.ModuleType:
    """A plugin module object registering ``components`` by kind.

    Each keyword is a component kind (``sheets=[ComponentSpec(...)]``) or
    ``analysis_data_structures=[SomeADS]``.

    Example
    -------
    >>> plugin = make_plugin("toy", sheets=[ComponentSpec(name="ToySheet", ...)])
    >>> manager.register(plugin, "toy")
    """
    module = types.ModuleType(f"mozaik_test_plugin_{name}")
    module.MOZAIK_HOOK_API = HOOK_API_VERSION  # type: ignore[attr-defined]
    for kind, specs in components.items():
        if kind not in (*COMPONENT_KINDS, ADS_KIND):
            msg = (f"unknown component kind {kind!r}; kinds are: "
                   f"{', '.join((*COMPONENT_KINDS, ADS_KIND))}")
            raise ValueError(msg)
        setattr(module, f"mozaik_{kind}", _registration_hook(kind, list(specs)))
    return module


def _registration_hook(kind: str, specs: list[Any]) -> Any:
    # a closure, not a default argument: pluggy matches hook signatures exactly
    def hook() -> list[Any]:
        return specs

    hook.__name__ = f"mozaik_{kind}"
    return hookimpl(hook)


def register_components(manager: PluginManager, kind: str, *specs: Any,
                        name: str = "toy", distribution: str = "mozaik-toy") -> None:
    """Register ``specs`` of one ``kind`` on ``manager`` as a plugin called ``name``."""
    manager.register(make_plugin(name, **{kind: specs}), name, distribution=distribution,
                     version="0.0.1")


class HookCall:
    """One recorded hook call: its name and keyword arguments."""

    def __init__(self, name: str, kwargs: dict[str, object]) -> None:
        self.name = name
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return f"HookCall({self.name!r}, {self.kwargs!r})"


class HookCallRecorder:
    """Records every hook call made through a :class:`PluginManager`."""

    def __init__(self, manager: PluginManager) -> None:
        self.calls: list[HookCall] = []

        def before(hook_name: str, _impls: Sequence[pluggy.HookImpl],
                   kwargs: Mapping[str, object]) -> None:
            self.calls.append(HookCall(hook_name, dict(kwargs)))

        def after(_result: pluggy.Result[object], _hook_name: str,
                  _impls: Sequence[pluggy.HookImpl], _kwargs: Mapping[str, object]) -> None:
            return None

        self._undo = manager.add_hookcall_monitoring(before, after)

    def names(self) -> list[str]:
        return [c.name for c in self.calls]

    def of(self, hook_name: str) -> list[HookCall]:
        return [c for c in self.calls if c.name == hook_name]

    def close(self) -> None:
        self._undo()


@contextlib.contextmanager
def use_plugin_manager(manager: PluginManager) -> Iterator[PluginManager]:
    """Install ``manager`` as the process-wide plugin manager (what ``get_registry()`` sees)
    for the duration of the block, then restore the previous one."""
    previous = reset_plugin_manager(manager)
    try:
        yield manager
    finally:
        reset_plugin_manager(previous)


@pytest.fixture
def plugin_manager() -> Iterator[PluginManager]:
    """A fresh plugin manager with autoload off and core's built-ins, installed as the
    process-wide manager for the test (so code calling ``get_registry()`` sees it)."""
    with use_plugin_manager(PluginManager(autoload=False)) as manager:
        yield manager


@pytest.fixture
def bare_plugin_manager() -> Iterator[PluginManager]:
    """Like :func:`plugin_manager` but without core's built-ins: register exactly what you need."""
    with use_plugin_manager(PluginManager(autoload=False, builtins=False)) as manager:
        yield manager


@pytest.fixture
def hook_recorder(plugin_manager: PluginManager) -> Iterator[HookCallRecorder]:
    """Records the hook calls made through the test's :func:`plugin_manager`."""
    recorder = HookCallRecorder(plugin_manager)
    try:
        yield recorder
    finally:
        recorder.close()
