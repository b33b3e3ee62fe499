"""A plugin written against an older API is told what changed, early (issue 20 item 9).

``tests/data/mozaik-oldlab`` reproduces the issue's plugin: its stimulus parameters still have
``duration`` (now ``duration_ms``), its analysis does not subclass ``Analysis``, and it never
registers its result class. Each once passed ``mozaik config check`` and failed after the
network was built (or, for the result class, when a later process read the run); each is now
refused before anything runs, naming the distribution and the fix.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import quantities as pq
from mozaik import (
    AnalysisDataStructureError,
    ConfigError,
    MozaikError,
    PluginError,
    PluginLoadError,
)
from mozaik.datastore import DataStore
from mozaik.plugin import PluginManager
from mozaik.study import load_study

DIST = Path(__file__).parent / "data" / "mozaik-oldlab"

STUDY = """\
name: older
simulator: {backend: mock}
sheets:
  exc:
    component: Sheet
    params:
      placement: {n_neurons: 4}
"""


@pytest.fixture(scope="module")
def oldlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The distribution installed into a temporary site folder (package and dist-info)."""
    project = tomllib.loads((DIST / "pyproject.toml").read_text())["project"]
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(DIST / "src" / "mozaik_oldlab", site / "mozaik_oldlab")
    info = site / f"mozaik_oldlab-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    (info / "top_level.txt").write_text("mozaik_oldlab\n")
    sys.path.insert(0, str(site))
    try:
        yield importlib.import_module("mozaik_oldlab")
    finally:
        sys.path.remove(str(site))
        sys.modules.pop("mozaik_oldlab", None)


@pytest.fixture
def manager(oldlab: ModuleType, plugin_manager: PluginManager) -> PluginManager:
    plugin_manager.register(oldlab, "oldlab", distribution="mozaik-oldlab", version="0.3.0")
    return plugin_manager


def test_a_stimulus_with_a_renamed_field_fails_config_check(tmp_path: Path,
                                                             manager: PluginManager) -> None:
    study = tmp_path / "study.yaml"
    study.write_text(STUDY + "experiments:\n  - {component: Flashes, params: {}}\n")
    with pytest.raises(PluginLoadError) as caught:
        load_study(study)
    message = str(caught.value)
    assert "stimulus 'OldFlash' of plugin 'oldlab' (mozaik-oldlab 0.3.0)" in message
    assert "OldFlashParams, 'duration' was renamed 'duration_ms'" in message
    assert "Migrating plugins" in message


def test_an_analysis_not_subclassing_analysis_is_refused_at_registration(
        manager: PluginManager) -> None:
    with pytest.raises(PluginError) as caught:
        manager.registry.kind("analyses")
    message = str(caught.value)
    assert "MeanRate" in message and "mozaik-oldlab" in message and "Analysis" in message


def test_an_unregistered_result_class_is_refused_when_stored(tmp_path: Path, oldlab: ModuleType,
                                                             manager: PluginManager) -> None:
    store = DataStore.create(tmp_path / "run")
    result = oldlab.OldRate(value=1.0, value_name="mean rate", value_units=pq.Hz,
                            analysis_algorithm="MeanRate")
    with pytest.raises(AnalysisDataStructureError) as caught:
        store.add_analysis_result(result)
    message = str(caught.value)
    assert "mozaik_oldlab.OldRate from distribution 'mozaik-oldlab' is not registered" in message
    assert "mozaik_analysis_data_structures() hook" in message
    assert store.get_analysis_result() == []


def test_a_renamed_study_key_names_the_new_name(tmp_path: Path,
                                                plugin_manager: PluginManager) -> None:
    study = tmp_path / "study.yaml"
    study.write_text(STUDY + textwrap.dedent("""\
        experiments:
          - component: PoissonNetworkKick
            params: {duration: 100.0, drive_period_ms: 50.0, sheets: [exc], rate: 10.0,
                     weight_uS: 0.01}
        """))
    with pytest.raises(ConfigError) as caught:
        load_study(study)
    message = str(caught.value)
    assert ("'duration' was renamed 'duration_ms', 'rate' was renamed 'rate_hz' in mozaik-core "
            "(PoissonNetworkKickParams): write duration_ms, rate_hz instead") in message
    assert "1 configuration problem(s)" in message  # the new names are not "missing" too


def test_a_stimulus_built_with_a_renamed_field_names_the_new_name(oldlab: ModuleType) -> None:
    with pytest.raises(MozaikError) as caught:
        oldlab.OldFlash(oldlab.OldFlashParams())
    assert ("its field 'duration' was renamed 'duration_ms': rename it in OldFlashParams "
            "(mozaik-oldlab)") in str(caught.value)
