"""Fixtures of the controller, CLI, experiment, stimulus and workflow tests (imported by
tests/conftest.py): toy components registered on a test plugin manager."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # workflow_helpers

from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.study import Study, load_study
from mozaik.testing import HookCallRecorder, register_components, use_plugin_manager
from workflow_helpers import (
    CALLS,
    ToyAnalysis,
    ToyAnalysisParams,
    ToyPlot,
    ToyPlotParams,
    ToySheetParams,
    toy_sheet,
)


@pytest.fixture
def toy_manager() -> Iterator[PluginManager]:
    """The process-wide plugin manager for the test: core built-ins plus toy components."""
    manager = PluginManager(autoload=False)
    register_components(manager, "sheets", ComponentSpec(
        name="ToySheet", config_cls=ToySheetParams, factory=toy_sheet))
    register_components(manager, "analyses", ComponentSpec(
        name="ToyAnalysis", config_cls=ToyAnalysisParams, factory=ToyAnalysis),
        name="toy_analysis", distribution="mozaik-toy-analysis")
    register_components(manager, "plots", ComponentSpec(
        name="ToyPlot", config_cls=ToyPlotParams, factory=ToyPlot),
        name="toy_plot", distribution="mozaik-toy-plot")
    CALLS.clear()
    with use_plugin_manager(manager):
        yield manager


@pytest.fixture
def recorder(toy_manager: PluginManager) -> Iterator[HookCallRecorder]:
    rec = HookCallRecorder(toy_manager)
    try:
        yield rec
    finally:
        rec.close()


TOY_STUDY = """\
name: toy
simulator: {backend: mock, seed: 3}
controller: {null_stimulus_period: 50.0}
sheets:
  exc: {component: ToySheet, params: {size: 6}}
  inh: {component: ToySheet, params: {size: 3, rate: 80.0}}
experiments:
  - {component: NoStimulation, params: {duration_ms: 100.0, num_trials: 2}}
  - {component: NoStimulation, params: {duration_ms: 200.0}}
analyses:
  - {component: ToyAnalysis, params: {label: first}}
plots:
  - {component: ToyPlot, params: {title: raster}}
"""


@pytest.fixture
def study_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a study file (the toy study, or ``text``) and return its path."""

    def write(text: str = TOY_STUDY, name: str = "study.yaml") -> Path:
        folder = tmp_path / "model"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_text(textwrap.dedent(text))
        return path

    return write


@pytest.fixture
def toy_study(toy_manager: PluginManager, study_file: Callable[..., Path]) -> Callable[..., Study]:
    def load(*overrides: str, text: str = TOY_STUDY) -> Study:
        return load_study(study_file(text), overrides, registry=toy_manager.registry)

    return load
