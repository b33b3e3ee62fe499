"""Plugin errors a lab hits: each names the plugin, its distribution and the fix."""

from __future__ import annotations

import types

import pytest
from click.testing import CliRunner
from mozaik import PluginConflictError, PluginError, PluginLoadError
from mozaik.ads import AnalysisDataStructure, SingleValue
from mozaik.cli._plugins import plugins
from mozaik.model import SHEETS
from mozaik.plugin import HOOK_API_VERSION, PluginManager, hookimpl, kind_label


def _plugin(**functions: object) -> types.ModuleType:
    module = types.ModuleType("mozaik_lab_plugin")
    module.MOZAIK_HOOK_API = HOOK_API_VERSION  # type: ignore[attr-defined]
    for name, function in functions.items():
        setattr(module, name, function)
    return module


def test_misspelled_hook_names_the_closest_hook(bare_plugin_manager: PluginManager) -> None:
    @hookimpl
    def mozaik_sheet() -> list[object]:
        return []

    with pytest.raises(PluginLoadError) as info:
        bare_plugin_manager.register(_plugin(mozaik_sheet=mozaik_sheet), "lab",
                                     distribution="mozaik-lab", version="0.3")
    text = str(info.value)
    assert "'mozaik_sheet'" in text and "did you mean 'mozaik_sheets'?" in text
    assert "plugin 'lab'" in text and "mozaik-lab 0.3" in text


def test_undecorated_mozaik_function_is_also_caught(bare_plugin_manager: PluginManager) -> None:
    def mozaik_analysis() -> list[object]:  # neither a hook name nor decorated
        return []

    with pytest.raises(PluginLoadError, match="did you mean 'mozaik_analyses'"):
        bare_plugin_manager.register(_plugin(mozaik_analysis=mozaik_analysis), "lab",
                                     distribution="mozaik-lab")


def test_hook_without_decorator_is_caught(bare_plugin_manager: PluginManager) -> None:
    def mozaik_sheets() -> list[object]:
        return []

    with pytest.raises(PluginLoadError,
                       match="plugin 'lab' of distribution mozaik-lab.*without the @hookimpl"):
        bare_plugin_manager.register(_plugin(mozaik_sheets=mozaik_sheets), "lab",
                                     distribution="mozaik-lab")


def test_imported_modules_named_mozaik_are_not_hooks(bare_plugin_manager: PluginManager) -> None:
    plugin = _plugin(mozaik_lab=types.ModuleType("mozaik_lab"))
    bare_plugin_manager.register(plugin, "lab", distribution="mozaik-lab")
    assert "lab" in [p.name for p in bare_plugin_manager.plugins()]


def test_wrong_argument_name_lists_what_the_spec_offers(
        bare_plugin_manager: PluginManager) -> None:
    @hookimpl
    def mozaik_after_presentation(run_dir: object, stimulus_id: object) -> None:
        return None

    with pytest.raises(PluginLoadError) as info:
        bare_plugin_manager.register(_plugin(mozaik_after_presentation=mozaik_after_presentation),
                                     "lab", distribution="mozaik-lab")
    text = str(info.value)
    assert "'stimulus_id'" in text
    assert "offers: run_dir, stimulus, trial, wall_time_s" in text
    assert "mozaik-lab" in text


def _registry_error(manager: PluginManager, function: object) -> str:
    manager.register(_plugin(mozaik_sheets=function), "lab", distribution="mozaik-lab",
                     version="2.0")
    with pytest.raises(PluginLoadError) as info:
        manager.registry[SHEETS]
    return str(info.value)


def test_import_error_inside_a_hook_is_wrapped(bare_plugin_manager: PluginManager) -> None:
    @hookimpl
    def mozaik_sheets() -> list[object]:
        import mozaik_lab_missing_dependency  # type: ignore[import-not-found]  # noqa: F401

        return []

    text = _registry_error(bare_plugin_manager, mozaik_sheets)
    assert "mozaik_sheets() of plugin 'lab' of distribution mozaik-lab 2.0" in text
    assert "ModuleNotFoundError" in text and "mozaik_lab_missing_dependency" in text
    assert "test_plugin_errors.py:" in text  # where it was raised
    assert "install the missing module" in text and "MOZAIK_BLOCKED_PLUGINS=lab" in text


def test_value_error_inside_a_hook_is_wrapped(bare_plugin_manager: PluginManager) -> None:
    @hookimpl
    def mozaik_sheets() -> list[object]:
        msg = "bad record"
        raise ValueError(msg)

    text = _registry_error(bare_plugin_manager, mozaik_sheets)
    assert "ValueError: bad record" in text and "mozaik-lab 2.0" in text
    assert "fix mozaik_sheets() of mozaik-lab" in text


def test_exception_in_cli_hook_is_wrapped(bare_plugin_manager: PluginManager) -> None:
    @hookimpl
    def mozaik_cli_commands() -> list[object]:
        raise RuntimeError("no click here")

    bare_plugin_manager.register(_plugin(mozaik_cli_commands=mozaik_cli_commands), "lab",
                                 distribution="mozaik-lab")
    with pytest.raises(PluginLoadError, match="mozaik_cli_commands.*mozaik-lab.*no click"):
        bare_plugin_manager.cli_commands()


def test_kind_labels() -> None:
    assert kind_label("stimuli") == "stimulus"
    assert kind_label("analyses") == "analysis"
    assert kind_label("connector_functions") == "connector function"
    assert kind_label("stimuli", plural=True) == "stimuli"
    assert kind_label("input_spaces", plural=True) == "input spaces"


def test_mozaik_plugins_prints_kind_names(plugin_manager: PluginManager) -> None:
    out = CliRunner().invoke(plugins, []).output
    assert "    stimuli:" in out and "    experiments:" in out
    assert "    analysis data structures:" in out and "PerNeuronValue" in out
    assert "stimuls" not in out and "analyss" not in out


# -- ADS classes ----------------------------------------------------------------------------


def _ads_plugin(*classes: type[AnalysisDataStructure]) -> types.ModuleType:
    @hookimpl
    def mozaik_analysis_data_structures() -> list[type[AnalysisDataStructure]]:
        return list(classes)

    return _plugin(mozaik_analysis_data_structures=mozaik_analysis_data_structures)


def test_builtin_registers_core_ads(plugin_manager: PluginManager) -> None:
    table = plugin_manager.registry.analysis_data_structures(AnalysisDataStructure)
    assert table["SingleValue"].cls is SingleValue
    assert table["SingleValue"].distribution == "mozaik-core"


def test_two_ads_classes_with_one_name_conflict(plugin_manager: PluginManager) -> None:
    import attrs

    @attrs.define(kw_only=True, eq=False, slots=False, repr=False)
    class SingleValue(AnalysisDataStructure):  # a lab's own class, named like core's
        pass

    plugin_manager.register(_ads_plugin(SingleValue), "lab", distribution="mozaik-lab",
                            version="1.0")
    with pytest.raises(PluginConflictError) as info:
        plugin_manager.registry.analysis_data_structures(AnalysisDataStructure)
    text = str(info.value)
    assert "'SingleValue'" in text and "mozaik-core" in text and "mozaik-lab 1.0" in text


def test_ads_hook_must_return_ads_classes(bare_plugin_manager: PluginManager) -> None:
    bare_plugin_manager.register(_ads_plugin(int), "lab",  # type: ignore[arg-type]
                                 distribution="mozaik-lab")
    with pytest.raises(PluginError, match="AnalysisDataStructure subclasses"):
        bare_plugin_manager.registry.analysis_data_structures(AnalysisDataStructure)
