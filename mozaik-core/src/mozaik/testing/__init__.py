"""``mozaik.testing``: an opt-in pytest plugin for Mozaik and its plugins.

Enable it in the top-level ``conftest.py`` with ``pytest_plugins = ["mozaik.testing"]`` (or
``-p mozaik.testing``). It registers the ``nest`` marker (tests that need the NEST simulator;
deselect them with ``-m "not nest"``) and provides the fixtures ``plugin_manager`` (autoload
off, core built-ins on), ``bare_plugin_manager`` (nothing registered), ``hook_recorder`` and
``tiny_store`` (a small real datastore, no simulator); helpers to register toy components; and
contract suites that plugin distributions subclass, one per component kind (exporters:
:class:`ExporterContract`) (search plots draw
from :func:`make_search_table`, a small collated search table); and :func:`stored_spikes` /
:func:`assert_same_spikes` to compare the spikes of two runs (same seed, threads against
ranks, resumed against uninterrupted).
"""

from __future__ import annotations

import pytest

from mozaik.testing._backend_contract import (
    BackendContract,
    contract_study_dir,
    contract_study_text,
)
from mozaik.testing._contracts import ComponentContract, PluginDistributionContract
from mozaik.testing._export_contract import ExporterContract
from mozaik.testing._fixtures import (
    HookCall,
    HookCallRecorder,
    bare_plugin_manager,
    hook_recorder,
    make_plugin,
    plugin_manager,
    register_components,
    use_plugin_manager,
)
from mozaik.testing._model_contracts import ConnectorContract, SheetContract
from mozaik.testing._search_contract import (
    SEARCH_TABLE_PARAMETERS,
    SearchPlotContract,
    make_search_table,
)
from mozaik.testing._spikes import assert_same_spikes, stored_spikes
from mozaik.testing._tiny_store import TINY_STORE, TinyStoreLayout, make_tiny_store, tiny_store
from mozaik.testing._workflow_contracts import (
    AnalysisContract,
    ExperimentContract,
    InputSpaceContract,
    PlotContract,
    StimulusContract,
)

__all__ = [
    "AnalysisContract",
    "BackendContract",
    "ComponentContract",
    "ConnectorContract",
    "ExperimentContract",
    "ExporterContract",
    "HookCall",
    "HookCallRecorder",
    "InputSpaceContract",
    "PlotContract",
    "PluginDistributionContract",
    "SEARCH_TABLE_PARAMETERS",
    "SearchPlotContract",
    "SheetContract",
    "StimulusContract",
    "TINY_STORE",
    "TinyStoreLayout",
    "assert_same_spikes",
    "bare_plugin_manager",
    "contract_study_dir",
    "contract_study_text",
    "hook_recorder",
    "make_plugin",
    "make_search_table",
    "make_tiny_store",
    "plugin_manager",
    "register_components",
    "stored_spikes",
    "tiny_store",
    "use_plugin_manager",
    # pytest_configure is the plugin's hook, not API: a conftest may import it
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``nest`` marker, so plugin test suites need not declare it."""
    config.addinivalue_line("markers", "nest: needs the NEST simulator (deselect: -m 'not nest')")
