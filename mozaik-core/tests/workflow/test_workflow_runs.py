"""mozaik.workflow: analyses return their results and the workflow stores them (replacing
earlier ones); plots return the files they wrote."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
import quantities as pq
from mozaik._errors import AnalysisError
from mozaik.ads import SingleValue
from mozaik.analysis import Analysis
from mozaik.controller import run_study
from mozaik.datastore import DataStore
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.study import Study
from mozaik.testing import register_components
from mozaik.workflow import load_workflow, run_workflow
from workflow_helpers import FakeModel


@attrs.frozen(kw_only=True)
class CountParams:
    value: float = 1.0
    bad: bool = False


class CountPresentations(Analysis):
    """Returns one SingleValue (presentations seen plus ``value``); or junk when ``bad``."""

    def __init__(self, params: CountParams) -> None:
        self.params = params

    def run(self, view: Any) -> list[Any]:
        if self.params.bad:
            return ["not an ADS"]
        return [SingleValue(analysis_algorithm="CountPresentations",
                            value=len(view.presentations()) + self.params.value,
                            value_name="count", value_units=pq.dimensionless)]


@pytest.fixture
def stored_run(toy_manager: PluginManager, toy_study: Callable[..., Study],
               tmp_path: Path) -> Path:
    register_components(toy_manager, "analyses", ComponentSpec(
        name="CountPresentations", config_cls=CountParams, factory=CountPresentations),
        name="count", distribution="mozaik-count")
    run_study(toy_study(), tmp_path / "run", progress="off", build_model=FakeModel)
    return tmp_path / "run"


def _workflow(tmp_path: Path, toy_manager: PluginManager, text: str) -> tuple[Any, Any]:
    path = tmp_path / "wf.yaml"
    path.write_text(text)
    return load_workflow(path, registry=toy_manager.registry)


def test_returned_results_are_stored_and_a_rerun_replaces_them(
        stored_run: Path, toy_manager: PluginManager, tmp_path: Path) -> None:
    analyses, plots = _workflow(tmp_path, toy_manager, "analyses: [{component: "
                                "CountPresentations, params: {value: 0.5}}]\n")
    for _ in range(2):
        with DataStore.open(stored_run, mode="a") as store:
            assert run_workflow(store, analyses, plots, force=True) == (1, 0)
    with DataStore.open(stored_run) as store:
        [result] = store.get_analysis_result(analysis_algorithm="CountPresentations")
        assert result.value == 3.5  # three presentations; stored once, replaced by the re-run


def test_an_analysis_returning_junk_is_named(stored_run: Path, toy_manager: PluginManager,
                                             tmp_path: Path) -> None:
    analyses, plots = _workflow(tmp_path, toy_manager, "analyses: [{component: "
                                "CountPresentations, params: {bad: true}}]\n")
    with DataStore.open(stored_run, mode="a") as store, pytest.raises(
            AnalysisError, match=r"analyses\.0 \(CountPresentations\)\.run\(view\) returned "
                                 r"'not an ADS'; it must return AnalysisDataStructure"):
        run_workflow(store, analyses, plots)
