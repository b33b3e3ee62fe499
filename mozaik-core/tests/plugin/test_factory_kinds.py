"""A factory builds the kind it is registered as (issue 20, item 9).

An older plugin registered an analysis class that did not subclass ``Analysis``; it passed
``config check`` and failed after the network was built ("MeanRate.run() missing 1 required
positional argument"). A class registered for a kind must subclass the kind's base class,
checked when the registry first builds the kind's table; what a function factory returns is
checked when it is called.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from mozaik import PluginError
from mozaik.analysis import ANALYSES
from mozaik.cli._main import cli
from mozaik.config import SimulatorConfig
from mozaik.model import SHEETS, Model, SheetParams
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.testing import register_components


@attrs.frozen(kw_only=True)
class MeanRateParams:
    duration: float = 150.0


class MeanRate:
    """An analysis written before analyses subclassed Analysis."""

    def __init__(self, params: MeanRateParams) -> None:
        self.params = params

    def run(self, view: Any, params: MeanRateParams) -> list[Any]:
        return []


def _old_analysis(manager: PluginManager) -> None:
    register_components(manager, "analyses", ComponentSpec(
        name="MeanRate", config_cls=MeanRateParams, factory=MeanRate), name="oldlab",
        distribution="mozaik-oldlab")


def test_class_of_another_kind_is_refused_when_the_table_is_built(
        plugin_manager: PluginManager) -> None:
    _old_analysis(plugin_manager)
    with pytest.raises(PluginError) as info:
        plugin_manager.registry[ANALYSES]
    text = str(info.value)
    assert "plugin 'oldlab' of distribution mozaik-oldlab 0.0.1" in text
    assert "analysis 'MeanRate' (mozaik_analyses)" in text
    assert f"{__name__}.MeanRate" in text  # the class
    assert "does not subclass mozaik.analysis.Analysis" in text
    assert "make it a subclass" in text and "MOZAIK_BLOCKED_PLUGINS=oldlab" in text
    # by name too: the study validation and ``mozaik plugins`` look kinds up by name
    with pytest.raises(PluginError, match="does not subclass mozaik.analysis.Analysis"):
        plugin_manager.registry.kind("analyses")


STUDY = """\
name: old
simulator: {backend: mock}
sheets:
  exc: {component: Sheet, params: {placement: {n_neurons: 2}}}
analyses:
  - {component: MeanRate, params: {duration: 150.0}}
"""


def test_config_check_reports_it(plugin_manager: PluginManager, tmp_path: Path) -> None:
    _old_analysis(plugin_manager)
    (tmp_path / "study.yaml").write_text(STUDY)
    result = CliRunner().invoke(cli, ["config", "check", str(tmp_path / "study.yaml")])
    assert result.exit_code != 0
    text = " ".join(result.output.split())  # the CLI wraps long lines
    assert "does not subclass mozaik.analysis.Analysis" in text
    assert "mozaik-oldlab" in text


OLD_PLUGIN = """
    import attrs
    from mozaik.plugin import ComponentSpec, hookimpl

    MOZAIK_HOOK_API = (2, 0)

    @attrs.frozen
    class MeanRateParams:
        duration: float = 150.0

    class MeanRate:
        def __init__(self, params):
            self.params = params

    @hookimpl
    def mozaik_analyses():
        return [ComponentSpec(name="MeanRate", config_cls=MeanRateParams, factory=MeanRate)]
"""


def test_mozaik_plugins_reports_it_in_a_fresh_process(tmp_path: Path) -> None:
    """In a new process no kind's package is imported yet: the built-in plugin's
    ``mozaik_component_kind`` hook provides the key, so the check still runs."""
    info = tmp_path / "mozaik_oldlab-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mozaik-oldlab\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[mozaik]\noldlab = mozaik_oldlab_plugin\n")
    (tmp_path / "mozaik_oldlab_plugin.py").write_text(textwrap.dedent(OLD_PLUGIN))
    code = "import sys; from mozaik.cli._main import main; main(sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", code, "plugins"], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0, done.stdout
    text = " ".join((done.stdout + done.stderr).split())  # the CLI wraps long lines
    assert "plugin 'oldlab' of distribution mozaik-oldlab 1.0" in text
    assert "does not subclass mozaik.analysis.Analysis" in text


def _not_a_sheet(name: str, params: SheetParams, model: Model) -> object:
    return {"name": name}


def test_function_factory_result_is_checked_when_called(plugin_manager: PluginManager) -> None:
    register_components(plugin_manager, "sheets", ComponentSpec(
        name="DictSheet", config_cls=SheetParams, factory=_not_a_sheet), name="lab",
        distribution="mozaik-lab")
    assert "DictSheet" in plugin_manager.registry[SHEETS]  # a function: nothing to check yet
    model = Model(SimulatorConfig(backend="mock", seed=1), name="t",
                  registry=plugin_manager.registry)
    with pytest.raises(PluginError) as info:
        model.create_sheet("exc", {"placement": {"n_neurons": 2}}, component="DictSheet")
    text = str(info.value)
    assert "the factory of sheet 'DictSheet'" in text
    assert "plugin 'lab' of distribution mozaik-lab" in text
    assert "returned dict" in text and "not a mozaik.model.Sheet" in text


def test_plugin_of_hook_api_1_is_told_where_to_look(bare_plugin_manager: PluginManager) -> None:
    from mozaik.testing import make_plugin

    plugin = make_plugin("old")
    plugin.MOZAIK_HOOK_API = (1, 0)  # type: ignore[attr-defined]
    with pytest.raises(PluginError) as info:
        bare_plugin_manager.register(plugin, "old", distribution="mozaik-old")
    text = str(info.value)
    assert "needs mozaik hook API 1.0" in text and "speaks hook API 2.1" in text
    assert "upgrade mozaik-old" in text and "Migrating plugins" in text
