"""The analyses declared in a workflow file and run by core's workflow: chained by queries,
incremental, and bad input named with nothing stored."""

from __future__ import annotations

import json
import logging

import pytest
import quantities as pq
from analysis_helpers import StoreBuilder, poisson, stimulus
from mozaik import AnalysisError
from mozaik.datastore import DataStore
from mozaik.workflow import load_workflow, run_workflow
from mozaik_analysis._ads import per_neuron_value

CHAIN = """\
analyses:
  - component: TrialAveragedFiringRate
    params: {stop_ms: STOP}
    query: {st_name: Grating}
  - component: CVISI
    query: {st_name: Grating, sheet_name: exc, is_null: false}   # recordings only
  - component: PopulationMean
    query: {analysis_algorithm: [TrialAveragedFiringRate, CVISI]}
"""


def _grating_run(tmp_path, rng):
    b = StoreBuilder(tmp_path / "run", {"exc": 20, "inh": 5})
    for name in ("Grating", "Blank"):
        for trial in range(2):
            b.present(stimulus(name, orientation=0.0), trial, 1000.0,
                      {"exc": poisson(rng, 20.0, 1000.0, 20),
                       "inh": poisson(rng, 40.0, 1000.0, 5)})
    b.store.close()
    return tmp_path / "run"


def _analyse(tmp_path, run, text, **options):
    path = tmp_path / "workflow.yaml"
    path.write_text(text)
    analyses, plots = load_workflow(path)
    with DataStore.open(run, mode="a") as store:
        return run_workflow(store, analyses, plots, **options)


def _means(run):
    with DataStore.open(run) as store:
        return {(r.sheet_name, r.value_name): (r.value, r.stimulus_id.name)
                for r in store.get_analysis_result(analysis_algorithm="PopulationMean")}


def test_a_declared_chain_runs_each_analysis_on_its_query(tmp_path, rng):
    run = _grating_run(tmp_path, rng)
    assert _analyse(tmp_path, run, CHAIN.replace("STOP", "null")) == (3, 0)
    means = _means(run)
    assert set(means) == {(s, f"{stat}({v})") for s in ("exc", "inh")
                          for stat in ("Mean", "Var", "Count") for v in ("Firing rate",)} | {
        ("exc", f"{stat}(CV of ISI)") for stat in ("Mean", "Var", "Count")}
    assert all(name == "Grating" for _, name in means.values())  # the query left Blank out
    assert 15.0 < means["exc", "Mean(Firing rate)"][0] < 25.0
    assert 0.8 < means["exc", "Mean(CV of ISI)"][0] < 1.2
    with DataStore.open(run) as store:
        [row] = [r for r in store.analysis_index.to_pylist()
                 if r["analysis_algorithm"] == "CVISI"]
        assert row["workflow_step"] == "analyses/CVISI"
        assert json.loads(row["analysis_params"])["query"] == {
            "sheet_name": "exc", "st_name": "Grating", "is_null": False}
    # unchanged: nothing recomputed; a changed rate window: the rates and their means are
    # (CVISI reads recordings only, not the rates: it is not)
    assert _analyse(tmp_path, run, CHAIN.replace("STOP", "null")) == (0, 0)
    assert _analyse(tmp_path, run, CHAIN.replace("STOP", "500.0")) == (2, 0)
    assert _means(run)["exc", "Count(CV of ISI)"][0] == 20


def test_a_view_the_analysis_cannot_use_is_named_and_nothing_is_stored(tmp_path, rng):
    run = _grating_run(tmp_path, rng)
    text = "analyses:\n  - {component: PopulationMean, query: {st_name: Grating}}\n"
    with pytest.raises(AnalysisError, match=r"analyses\.0 \(PopulationMean\) failed: "
                                            r"PopulationMean: needs PerNeuronValue results"):
        _analyse(tmp_path, run, text)
    with DataStore.open(run) as store:
        assert store.n_analysis_results == 0 and not store.manifest.get("workflow")


def test_mixed_stimulus_types_and_mixed_units_are_refused(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 2})
    for name, units in (("Grating", pq.Hz), ("Bar", pq.Hz), ("Grating", pq.mV)):
        for ori in (0.0, 1.0):
            b.store.add_analysis_result(per_neuron_value(
                "R", "exc", stimulus(name, orientation=ori, contrast=float(units == pq.mV)),
                [1.0, 2.0], [0, 1], "Firing rate", units, ()))
    b.store.close()
    run = tmp_path / "run"
    mixed = ("analyses:\n  - {component: PeriodicTuningPreference, params: {parameter: "
             "orientation}, query: {value_units: Hz}}\n")
    with pytest.raises(AnalysisError, match=r"mixes stimulus types \['Bar', 'Grating'\]"):
        _analyse(tmp_path, run, mixed)
    units = ("analyses:\n  - {component: PeriodicTuningPreference, params: {parameter: "
             "orientation}, query: {st_name: Grating}}\n")
    with pytest.raises(AnalysisError, match="different units"):
        _analyse(tmp_path, run, units)
    with DataStore.open(run) as store:
        assert store.n_analysis_results == 6  # only the inputs
    narrowed = units.replace("st_name: Grating", "st_name: Grating, value_units: Hz")
    assert _analyse(tmp_path, run, narrowed) == (1, 0)


def test_a_query_selecting_nothing_warns_and_stores_nothing(tmp_path, rng, caplog):
    run = _grating_run(tmp_path, rng)
    caplog.set_level(logging.WARNING, "mozaik.workflow")
    text = "analyses:\n  - {component: CVISI, query: {st_name: Sinusoid}}\n"
    assert _analyse(tmp_path, run, text) == (0, 0)
    [warning] = caplog.records
    assert "analyses.0 CVISI: its query {'st_name': 'Sinusoid'} selects nothing" in (
        warning.getMessage())
    with DataStore.open(run) as store:
        assert store.n_analysis_results == 0
