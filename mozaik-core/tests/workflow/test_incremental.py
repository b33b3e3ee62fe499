"""Incremental re-analysis: unchanged steps are skipped, changed ones recomputed with what
reads them, old results replaced only once the new ones are committed; ``query:`` entries."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
import quantities as pq
from mozaik._errors import ConfigError
from mozaik.ads import SingleValue
from mozaik.analysis import Analysis
from mozaik.controller import run_study
from mozaik.datastore import DataStore, SheetRecording
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.stimulus import StimulusIdentity
from mozaik.study import Study
from mozaik.testing import register_components
from mozaik.workflow import load_workflow, pending_steps, run_workflow
from workflow_helpers import FakeModel

RAN: list[str] = []


@attrs.frozen(kw_only=True)
class UpParams:
    scale: float = 1.0
    names: tuple[str, ...] = ("a", "b")


class Up(Analysis):
    """One SingleValue per name: presentations seen x scale."""

    version = "1"

    def __init__(self, params: UpParams) -> None:
        self.params = params

    def run(self, view: Any) -> list[Any]:
        RAN.append("Up")
        n = len(view.presentations())
        return [SingleValue(analysis_algorithm="Up", value=n * self.params.scale,
                            value_name=name, value_units=pq.dimensionless)
                for name in self.params.names]


@attrs.frozen(kw_only=True)
class DownParams:
    label: str = "sum"


class Down(Analysis):
    """The sum of the SingleValues of analysis Up in its view."""

    def __init__(self, params: DownParams) -> None:
        self.params = params

    def run(self, view: Any) -> list[Any]:
        RAN.append(f"Down:{self.params.label}")
        found = view.get_analysis_result(analysis_algorithm="Up")
        return [SingleValue(analysis_algorithm="Down", value=sum(r.value for r in found),
                            value_name=self.params.label, value_units=pq.dimensionless)]


@attrs.frozen(kw_only=True)
class SheetsParams:
    pass


class Sheets(Analysis):
    """What its view holds: a SingleValue counting segments per sheet."""

    def __init__(self, params: SheetsParams) -> None:
        self.params = params

    def run(self, view: Any) -> list[Any]:
        RAN.append("Sheets")
        return [SingleValue(analysis_algorithm="Sheets", sheet_name=s, value_name="segments",
                            value=float(sum(r == s for r in view.segment_index["sheet_name"]
                                            .to_pylist())), value_units=pq.dimensionless)
                for s in view.sheets()]


WORKFLOW = """\
analyses:
  - {component: Up, params: {scale: SCALE}}
  - {component: Down}
  - {component: Down, params: {label: other}, query: {value_name: nothing}}
"""


@pytest.fixture
def run(toy_manager: PluginManager, toy_study: Callable[..., Study], tmp_path: Path) -> Path:
    for name, params, factory in (("Up", UpParams, Up), ("Down", DownParams, Down),
                                  ("Sheets", SheetsParams, Sheets)):
        register_components(toy_manager, "analyses", ComponentSpec(
            name=name, config_cls=params, factory=factory), name=name.lower(),
            distribution="mozaik-incremental-test")
    run_study(toy_study(), tmp_path / "run", progress="off", build_model=FakeModel)
    RAN.clear()
    return tmp_path / "run"


def _load(tmp_path: Path, manager: PluginManager, text: str) -> tuple[Any, Any]:
    path = tmp_path / "wf.yaml"
    path.write_text(text)
    return load_workflow(path, registry=manager.registry)


def _analyse(run: Path, tmp_path: Path, manager: PluginManager, scale: float = 1.0,
             text: str = WORKFLOW, **options: Any) -> tuple[int, int]:
    analyses, plots = _load(tmp_path, manager, text.replace("SCALE", str(scale)))
    with DataStore.open(run, mode="a") as store:
        return run_workflow(store, analyses, plots, **options)


def _results(run: Path, algorithm: str) -> dict[str, tuple[float, int]]:
    with DataStore.open(run) as store:
        index = {r["ads_id"]: r for r in store.analysis_index.to_pylist()}
        found = store.get_analysis_result(analysis_algorithm=algorithm)
        ids = {r["value_name"]: r["ads_id"] for r in index.values()
               if r["analysis_algorithm"] == algorithm}
    return {r.value_name: (r.value, ids[r.value_name]) for r in found}


def test_unchanged_steps_are_skipped_with_a_log_line(run: Path, tmp_path: Path,
                                                     toy_manager: PluginManager,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    assert _analyse(run, tmp_path, toy_manager) == (2, 0)  # the third's query selects nothing
    assert RAN == ["Up", "Down:sum"]
    first = _results(run, "Up"), _results(run, "Down")
    RAN.clear()
    caplog.set_level(logging.INFO, "mozaik.workflow")
    assert _analyse(run, tmp_path, toy_manager) == (0, 0)
    assert RAN == []  # nothing recomputed
    assert (_results(run, "Up"), _results(run, "Down")) == first  # same results, same ids
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 2 and "analyses.0 Up (analyses/Up): inputs, parameters and code " \
        "unchanged since" in skipped[0]
    analyses, plots = _load(tmp_path, toy_manager, WORKFLOW.replace("SCALE", "1.0"))
    with DataStore.open(run) as store:
        assert pending_steps(store, analyses, plots) == 1  # only the empty-query one
        assert store.manifest["workflow"]["analyses/Down"]["kind"] == "analysis"


def test_every_result_names_its_step_and_parameters(run: Path, tmp_path: Path,
                                                    toy_manager: PluginManager) -> None:
    import json

    _analyse(run, tmp_path, toy_manager, scale=2.0)
    with DataStore.open(run) as store:
        rows = [r for r in store.analysis_index.to_pylist() if r["analysis_algorithm"] == "Up"]
    assert {r["workflow_step"] for r in rows} == {"analyses/Up"}
    assert json.loads(rows[0]["analysis_params"]) == {
        "component": "Up", "params": {"scale": 2.0, "names": ["a", "b"]}, "query": {}}


def test_a_parameter_change_recomputes_the_step_and_what_reads_it(
        run: Path, tmp_path: Path, toy_manager: PluginManager) -> None:
    _analyse(run, tmp_path, toy_manager)
    assert _results(run, "Down")["sum"][0] == 6.0  # 3 presentations, a + b
    RAN.clear()
    assert _analyse(run, tmp_path, toy_manager, scale=10.0) == (2, 0)
    assert RAN == ["Up", "Down:sum"]
    assert {k: v for k, (v, _) in _results(run, "Up").items()} == {"a": 30.0, "b": 30.0}
    assert _results(run, "Down")["sum"][0] == 60.0
    # a result the new parameters no longer make is removed
    text = WORKFLOW.replace("{scale: SCALE}", "{scale: 1.0, names: [a]}")
    assert _analyse(run, tmp_path, toy_manager, text=text) == (2, 0)
    assert set(_results(run, "Up")) == {"a"} and _results(run, "Down")["sum"][0] == 3.0


def test_a_new_presentation_recomputes(run: Path, tmp_path: Path,
                                       toy_manager: PluginManager) -> None:
    _analyse(run, tmp_path, toy_manager)
    RAN.clear()
    with DataStore.open(run, mode="a") as store:
        t0 = float(np.max(store.segment_index["t_stop"].to_numpy())) + 10.0
        store.write_presentation_arrays(
            StimulusIdentity(name="Extra", params={"duration_ms": 10.0}), 0,
            {"exc": SheetRecording(t_start=t0, t_stop=t0 + 10.0)})
    assert _analyse(run, tmp_path, toy_manager) == (2, 0)
    assert RAN == ["Up", "Down:sum"] and _results(run, "Down")["sum"][0] == 8.0


def test_a_crash_before_the_commit_keeps_the_old_results(
        run: Path, tmp_path: Path, toy_manager: PluginManager,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _analyse(run, tmp_path, toy_manager)
    before = _results(run, "Up")
    text = WORKFLOW.replace("{scale: SCALE}", "{scale: 5.0, names: [c, d]}")
    calls = {"n": 0}
    real = DataStore.add_analysis_result

    def crash_on_second(self: DataStore, *args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk vanished")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(DataStore, "add_analysis_result", crash_on_second)
    with pytest.raises(Exception, match="disk vanished"):
        _analyse(run, tmp_path, toy_manager, text=text)
    monkeypatch.undo()
    after = _results(run, "Up")
    assert {k: after[k] for k in before} == before  # every old result still there
    # the next run recomputes (the step was not committed) and leaves only the new results
    RAN.clear()
    assert _analyse(run, tmp_path, toy_manager, text=text) == (2, 0)
    assert {k: v for k, (v, _) in _results(run, "Up").items()} == {"c": 15.0, "d": 15.0}


def test_a_crash_after_the_commit_is_cleaned_up_on_the_next_run(
        run: Path, tmp_path: Path, toy_manager: PluginManager,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _analyse(run, tmp_path, toy_manager)
    text = WORKFLOW.replace("{scale: SCALE}", "{scale: 1.0, names: [c]}")

    def crash(self: DataStore, ids: Any) -> int:
        if ids:
            raise OSError("killed")
        return 0

    monkeypatch.setattr(DataStore, "remove_analysis_results", crash)
    with pytest.raises(Exception, match="killed"):
        _analyse(run, tmp_path, toy_manager, text=text)
    monkeypatch.undo()
    assert set(_results(run, "Up")) == {"a", "b", "c"}  # new committed, old not yet removed
    RAN.clear()
    _analyse(run, tmp_path, toy_manager, text=text)
    assert "Up" not in RAN and set(_results(run, "Up")) == {"c"}


def test_a_query_narrows_the_view_and_an_empty_one_warns(
        run: Path, tmp_path: Path, toy_manager: PluginManager,
        caplog: pytest.LogCaptureFixture) -> None:
    text = """\
    analyses:
      - {component: Sheets, query: {sheet_name: inh, is_null: false}}
      - {component: Sheets, query: {st_name: NoSuchStimulus}}
    """
    caplog.set_level(logging.WARNING, "mozaik.workflow")
    assert _analyse(run, tmp_path, toy_manager, text=text.replace("    ", "")) == (1, 0)
    [only] = _results(run, "Sheets").values()
    with DataStore.open(run) as store:
        [result] = store.get_analysis_result(analysis_algorithm="Sheets")
    assert result.sheet_name == "inh" and only[0] == 3.0  # 3 presentations, blanks left out
    [warning] = [r.getMessage() for r in caplog.records]
    assert "analyses.1 Sheets: its query {'st_name': 'NoSuchStimulus'} selects nothing" in (
        warning) and "nothing stored" in warning


@pytest.mark.parametrize(("query", "problem"), [
    ("[sheet_name]", "expected a non-empty mapping of param_filter_query keywords"),
    ("{ads_unique: true}", "ads_unique is not a query keyword"),
    ("{sheet_name: {a: 1}}", "expected a scalar (string, number, bool, null) or a non-empty "
                             "list of scalars"),
    ("{st_orientation: []}", "non-empty list of scalars"),
])
def test_a_bad_query_is_refused_at_load_time_with_file_and_line(
        tmp_path: Path, toy_manager: PluginManager, query: str, problem: str) -> None:
    text = f"analyses:\n  - {{component: Down}}\n  - {{component: Down, query: {query}}}\n"
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, toy_manager, text)
    message = " ".join(str(info.value).split())
    assert "wf.yaml" in message and ":3" in message and "analyses.1.query" in message
    assert problem in message


def test_plots_are_redrawn_only_when_changed(run: Path, tmp_path: Path,
                                             toy_manager: PluginManager) -> None:
    text = "plots:\n  - {component: ToyPlot, params: {title: TITLE}}\n"
    assert _analyse(run, tmp_path, toy_manager, text=text.replace("TITLE", "a")) == (0, 1)
    figure = run / "figures" / "00_ToyPlot.png"
    assert figure.read_text() == "a"
    assert _analyse(run, tmp_path, toy_manager, text=text.replace("TITLE", "a")) == (0, 0)
    assert _analyse(run, tmp_path, toy_manager, text=text.replace("TITLE", "b")) == (0, 1)
    figure.unlink()  # a figure that is gone is drawn again
    assert _analyse(run, tmp_path, toy_manager, text=text.replace("TITLE", "b")) == (0, 1)
    assert figure.read_text() == "b"


def test_a_new_code_version_recomputes(run: Path, tmp_path: Path, toy_manager: PluginManager,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _analyse(run, tmp_path, toy_manager)
    RAN.clear()
    monkeypatch.setattr(Up, "version", "2")
    assert _analyse(run, tmp_path, toy_manager) == (2, 0)
    assert RAN == ["Up", "Down:sum"]


def test_the_code_version_is_the_distribution_and_the_class_version(
        run: Path, toy_manager: PluginManager) -> None:
    from mozaik.analysis import Analysis
    from mozaik.plot import Plot
    from mozaik.study import ComponentEntry
    from mozaik.workflow._steps import code_version

    assert Analysis.version == "1" and Plot.version == "1"
    entry = toy_manager.registry.get("analyses", "Up")
    built = ComponentEntry(name="Up", registered=entry, params=UpParams(), path="analyses.0")
    assert code_version(built) == (f"mozaik-incremental-test {entry.version}; Up version 1")
