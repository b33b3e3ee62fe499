from __future__ import annotations

import numpy as np
import pytest
import quantities as pq
from analysis_helpers import StoreBuilder, stimulus
from mozaik import AnalysisError
from mozaik_analysis import (
    NeuronAnnotations,
    NeuronAnnotationsParams,
    PopulationMean,
    PopulationMeanParams,
    TrialAveragedFiringRate,
    TrialAveragedFiringRateParams,
)
from mozaik_analysis._ads import per_neuron_value


def _store_with_rates(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 4},
                     {"exc": {"orientation_preference": np.array([0.1, 0.2, 3.0, 3.1]),
                              "kind": np.array(["a", "b", "a", "b"])}})
    b.present(stimulus(), 0, 1000.0, {"exc": (np.array([0, 1, 1, 2, 2, 2]),
                                              np.arange(1.0, 7.0))})  # none at the onset
    for r in TrialAveragedFiringRate(TrialAveragedFiringRateParams()).run(b.store):
        b.store.add_analysis_result(r)
    return b


def test_population_mean_variance_count(tmp_path):
    b = _store_with_rates(tmp_path)
    mean, var, count = PopulationMean(PopulationMeanParams(tags=("summary",))).run(b.store)
    assert (mean.value, var.value, count.value) == (1.5, 1.25, 4)
    assert mean.value_name == "Mean(Firing rate)" and mean.value_units == pq.Hz
    assert var.value_units == pq.Hz ** 2 and count.value_units == pq.dimensionless
    assert mean.sheet_name == "exc" and mean.stimulus_id == stimulus()
    assert mean.analysis_algorithm == "PopulationMean" and mean.tags == ("summary",)
    for r in (mean, var, count):
        b.store.add_analysis_result(r)
    assert b.store.get_analysis_result(value_name="Mean(Firing rate)")[0].value == 1.5


def test_nan_values_are_left_out_and_periodic_values_average_circularly(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 1})
    b.store.add_analysis_result(per_neuron_value(
        "X", "exc", None, [np.nan, 1.0, 3.0], [0, 1, 2], "thing", pq.s, ()))
    b.store.add_analysis_result(per_neuron_value(
        "X", "exc", None, [0.1, np.pi - 0.1], [0, 1], "angle", pq.rad, (), period=np.pi))
    out = PopulationMean(PopulationMeanParams(value_name="thing")).run(b.store)
    assert [r.value for r in out] == [2.0, 1.0, 2]
    mean, var, _ = PopulationMean(PopulationMeanParams(value_name="angle")).run(b.store)
    assert mean.value == pytest.approx(0.0, abs=1e-9) or mean.value == pytest.approx(np.pi)
    assert mean.period == pytest.approx(np.pi)
    assert var.value == pytest.approx(1 - np.cos(0.2), rel=1e-6)


def test_bad_views(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 2})
    with pytest.raises(AnalysisError, match="PopulationMean: needs PerNeuronValue results"):
        PopulationMean(PopulationMeanParams()).run(b.store)
    b.store.add_analysis_result(per_neuron_value("X", "exc", None, [1.0], [0], "r", pq.Hz, ()))
    b.store.add_analysis_result(per_neuron_value("Y", "exc", None, [1.0], [0], "r", pq.mV, ()))
    with pytest.raises(AnalysisError, match="different units"):
        PopulationMean(PopulationMeanParams(value_name="r")).run(b.store)


def test_neuron_annotations(tmp_path):
    b = _store_with_rates(tmp_path)
    params = NeuronAnnotationsParams(units={"orientation_preference": "rad"},
                                     periods={"orientation_preference": np.pi})
    (ori,) = NeuronAnnotations(params).run(b.store)
    np.testing.assert_allclose(ori.values, [0.1, 0.2, 3.0, 3.1])
    assert ori.value_units == pq.rad and ori.period == pytest.approx(np.pi)
    assert ori.value_name == "orientation_preference" and ori.stimulus_id is None
    with pytest.raises(AnalysisError, match="no numeric annotation 'kind'"):
        NeuronAnnotations(NeuronAnnotationsParams(annotations=("kind",))).run(b.store)
