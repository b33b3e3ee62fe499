"""Core's tests run with plugin autoload off and register exactly the components they need."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mozaik.plugin import PluginManager
from mozaik.testing import (  # noqa: F401 - fixtures
    bare_plugin_manager,
    hook_recorder,
    plugin_manager,
    use_plugin_manager,
)

# helpers shared by the tests of several packages: toy components, fixtures, a toy CLI
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

from toy_fixtures import recorder, study_file, toy_manager, toy_study  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _no_autoload(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MOZAIK_DISABLE_PLUGIN_AUTOLOAD", "1")
    with use_plugin_manager(PluginManager(autoload=False)):
        yield
