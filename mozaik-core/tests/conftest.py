"""Core's tests run with plugin autoload off and register exactly the components they need."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mozaik.plugin import PluginManager
from mozaik.testing import (  # noqa: F401 - fixtures
    bare_plugin_manager,
    hook_recorder,
    plugin_manager,
    use_plugin_manager,
)


@pytest.fixture(autouse=True)
def _no_autoload(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MOZAIK_DISABLE_PLUGIN_AUTOLOAD", "1")
    with use_plugin_manager(PluginManager(autoload=False)):
        yield
