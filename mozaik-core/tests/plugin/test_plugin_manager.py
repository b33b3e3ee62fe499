from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest
from mozaik import PluginConflictError, PluginError, PluginLoadError, UnknownComponentError
from mozaik.model import SHEETS
from mozaik.plot import PLOTS
from mozaik.plugin import ComponentSpec, PluginManager, get_registry
from mozaik.stimulus import STIMULI
from mozaik.testing import make_plugin, register_components


@attrs.frozen(kw_only=True)
class ToyParams:
    size: int = 1


def toy(name: str) -> ComponentSpec:
    return ComponentSpec(name=name, config_cls=ToyParams, factory=lambda p: p, summary="toy")


def test_builtins_register_through_the_same_hooks(plugin_manager: PluginManager) -> None:
    assert [p.name for p in plugin_manager.plugins()] == ["builtin"]
    assert plugin_manager.plugins()[0].distribution == "mozaik-core"


def test_registry_lookup_by_kind(bare_plugin_manager: PluginManager) -> None:
    register_components(bare_plugin_manager, "sheets", toy("ToySheet"))
    sheet = get_registry()[SHEETS]["ToySheet"]
    assert sheet.distribution == "mozaik-toy"
    assert sheet.config_cls is ToyParams


def test_conflict_names_both_distributions(bare_plugin_manager: PluginManager) -> None:
    register_components(bare_plugin_manager, "stimuli", toy("Flash"), name="a",
                        distribution="mozaik-lab-a")
    register_components(bare_plugin_manager, "stimuli", toy("Flash"), name="b",
                        distribution="mozaik-lab-b")
    registry = bare_plugin_manager.registry  # kinds are collected when first needed
    assert "Flash" not in registry[PLOTS]
    with pytest.raises(PluginConflictError) as info:
        registry[STIMULI]
    assert "mozaik-lab-a" in str(info.value) and "mozaik-lab-b" in str(info.value)
    assert "'Flash'" in str(info.value)


def test_same_name_in_two_kinds_is_fine(bare_plugin_manager: PluginManager) -> None:
    register_components(bare_plugin_manager, "stimuli", toy("Flash"), name="a")
    register_components(bare_plugin_manager, "plots", toy("Flash"), name="b")
    assert "Flash" in bare_plugin_manager.registry[PLOTS]


def test_unknown_name_lists_installed_and_suggests(bare_plugin_manager: PluginManager) -> None:
    register_components(bare_plugin_manager, "sheets", toy("ExcSheet"), toy("InhSheet"))
    with pytest.raises(UnknownComponentError) as info:
        get_registry()[SHEETS]["ExcShet"]
    text = str(info.value)
    assert "ExcSheet, InhSheet" in text
    assert "Did you mean 'ExcSheet'" in text


def test_unknown_kind(bare_plugin_manager: PluginManager) -> None:
    with pytest.raises(UnknownComponentError, match="kinds are"):
        bare_plugin_manager.registry.kind("neurons")


def test_hook_api_version_is_checked(bare_plugin_manager: PluginManager) -> None:
    plugin = make_plugin("old")
    plugin.MOZAIK_HOOK_API = (0, 3)
    with pytest.raises(PluginError, match=r"needs mozaik hook API 0.3"):
        bare_plugin_manager.register(plugin, "old", distribution="mozaik-old")
    plugin.MOZAIK_HOOK_API = (2, 99)
    with pytest.raises(PluginError, match="mozaik-old"):
        bare_plugin_manager.register(plugin, "old", distribution="mozaik-old")
    del plugin.MOZAIK_HOOK_API
    with pytest.raises(PluginError, match="does not declare MOZAIK_HOOK_API"):
        bare_plugin_manager.register(plugin, "old", distribution="mozaik-old")


def test_bad_hook_signature_names_distribution(bare_plugin_manager: PluginManager) -> None:
    plugin = make_plugin("weird")
    from mozaik.plugin import hookimpl

    @hookimpl
    def mozaik_sheets(unexpected):  # type: ignore[no-untyped-def]
        return []

    plugin.mozaik_sheets = mozaik_sheets
    with pytest.raises(PluginLoadError, match="mozaik-weird"):
        bare_plugin_manager.register(plugin, "weird", distribution="mozaik-weird")


def test_registration_must_return_specs(bare_plugin_manager: PluginManager) -> None:
    plugin = make_plugin("sloppy", sheets=["NotASpec"])  # type: ignore[list-item]
    bare_plugin_manager.register(plugin, "sloppy", distribution="mozaik-sloppy")
    with pytest.raises(PluginError, match="ComponentSpec"):
        bare_plugin_manager.registry[SHEETS]


def test_invalid_component_name() -> None:
    with pytest.raises(ValueError, match="identifier"):
        toy("not a name")


# -- entry points, with real distribution metadata on sys.path --------------------------------


def _fake_distribution(root: Path, dist: str, ep_name: str, module: str, source: str) -> None:
    info = root / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[mozaik]\n{ep_name} = {module}\n")
    (root / f"{module}.py").write_text(textwrap.dedent(source))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


GOOD = """
    from mozaik.plugin import ComponentSpec, hookimpl
    import attrs
    MOZAIK_HOOK_API = (2, 0)

    @attrs.frozen
    class P:
        x: int = 0

    def lab_sheet(name, params, model):
        raise NotImplementedError

    @hookimpl
    def mozaik_sheets():
        return [ComponentSpec(name="LabSheet", config_cls=P, factory=lab_sheet, summary="lab")]
"""


def test_entry_point_plugin_just_works(site: Path) -> None:
    _fake_distribution(site, "mozaik-somelab", "somelab", "mozaik_somelab_plugin", GOOD)
    manager = PluginManager(autoload=True)
    sheet = manager.registry[SHEETS]["LabSheet"]
    assert (sheet.distribution, sheet.version) == ("mozaik-somelab", "1.2.3")
    assert {"name": "somelab", "distribution": "mozaik-somelab",
            "version": "1.2.3"} in manager.provenance()


def test_broken_entry_point_names_distribution(site: Path) -> None:
    _fake_distribution(site, "mozaik-broken", "broken", "mozaik_broken_plugin",
                       "raise RuntimeError('boom at import')\n")
    manager = PluginManager(autoload=True)
    with pytest.raises(PluginLoadError) as info:
        manager.load()
    text = str(info.value)
    assert "mozaik-broken" in text and "boom at import" in text
    assert "MOZAIK_BLOCKED_PLUGINS=broken" in text


def test_blocked_plugins_are_skipped(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_distribution(site, "mozaik-broken", "broken", "mozaik_broken_plugin",
                       "raise RuntimeError('boom')\n")
    monkeypatch.setenv("MOZAIK_BLOCKED_PLUGINS", "mozaik-broken")
    assert "broken" not in [p.name for p in PluginManager(autoload=True).plugins()]
    assert "broken" not in [p.name for p in PluginManager(autoload=True).plugins()]
    monkeypatch.delenv("MOZAIK_BLOCKED_PLUGINS")
    assert "broken" not in [p.name for p in PluginManager(autoload=True,
                                                          blocked=["broken"]).plugins()]


def test_autoload_env_switch(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_distribution(site, "mozaik-somelab", "somelab", "mozaik_somelab_plugin", GOOD)
    monkeypatch.setenv("MOZAIK_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert [p.name for p in PluginManager().plugins()] == ["builtin"]
    monkeypatch.setenv("MOZAIK_DISABLE_PLUGIN_AUTOLOAD", "0")
    assert "somelab" in [p.name for p in PluginManager().plugins()]


def test_discovery_is_lazy(site: Path) -> None:
    _fake_distribution(site, "mozaik-broken", "broken", "mozaik_broken_plugin",
                       "raise RuntimeError('boom')\n")
    manager = PluginManager(autoload=True)  # constructing loads nothing
    with pytest.raises(PluginLoadError):
        _ = manager.registry


@pytest.mark.nest  # run where NEST and the plugins are installed, so that it can fail
def test_import_mozaik_loads_no_plugin_and_no_simulator() -> None:
    code = textwrap.dedent("""
        import sys
        import mozaik, mozaik.config, mozaik.plugin
        bad = [m for m in sys.modules if m.split('.')[0] in
               ('nest', 'pyNN', 'mozaik_visual', 'mozaik_analysis', 'mozaik_plot', 'mozaik_hpc')
               or m.startswith('mozaik.builtin')]
        print(','.join(bad))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_hook_recorder_sees_lifecycle_calls(plugin_manager: PluginManager, hook_recorder,
                                            tmp_path: Path) -> None:
    plugin_manager.run_started(run_dir=tmp_path, config={"name": "x"})
    assert hook_recorder.names() == ["mozaik_run_started"]
    assert hook_recorder.of("mozaik_run_started")[0].kwargs["config"] == {"name": "x"}
