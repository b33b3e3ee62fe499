from __future__ import annotations

import warnings

import numpy as np
import pytest
import quantities as pq
from datastore_helpers import ORIENTATIONS, grating
from mozaik._errors import DataStoreError
from mozaik.ads import PerNeuronValue, SingleValue
from mozaik.datastore import (
    DataStore,
    QueryWarning,
    collate_analysis_results,
    equal_ads,
    equal_ads_type,
    equal_stimulus,
    equal_stimulus_type,
    param_filter_query,
    partition_analysis_results_by_parameters,
    partition_analysis_results_by_stimulus_parameters,
    partition_by_stimulus_parameters,
    tag_based_query,
)


@pytest.fixture
def store(filled) -> DataStore:
    return DataStore.open(filled[0])


def test_sheet_filter_keeps_recordings_and_results(store) -> None:
    v = param_filter_query(store, sheet_name=["V1_Exc_L4"])
    assert v.n_segments == 12 and set(v.segment_index["sheet_name"].to_pylist()) == {"V1_Exc_L4"}
    assert v.n_analysis_results == 4
    assert v.sheets() == ["V1_Exc_L4"]


def test_stimulus_parameters_any_of_and_and(store) -> None:
    v = param_filter_query(
        store,
        st_name="FullfieldDriftingSinusoidalGrating",
        st_orientation=[0.0, ORIENTATIONS[2]],
        st_contrast=100,
    )
    assert v.n_segments == 16  # 2 orientations x 2 trials x 2 sheets x (real + blank)
    assert sorted(set(v.segment_index["st_orientation"].to_pylist())) == [0.0, ORIENTATIONS[2]]
    assert (
        v.n_analysis_results == 4
    )  # PerNeuronValues of those orientations; SingleValue has no stimulus
    assert param_filter_query(v, st_trial=1).n_segments == 8
    assert (
        param_filter_query(store, st_orientation=0, st_contrast=100.0).n_segments == 8
    )  # int/float compare by value
    assert param_filter_query(store, st_contrast=50).n_segments == 0


def test_ads_only_key_excludes_recordings(store) -> None:
    v = param_filter_query(store, sheet_name="V1_Exc_L4", value_name="Firing rate")
    assert v.n_segments == 0 and v.n_analysis_results == 3
    r = param_filter_query(
        store, value_units=pq.Hz, analysis_algorithm="PopulationMean", ads_unique=True
    )
    assert r.analysis_results()[0].value == 4.5
    with pytest.raises(DataStoreError, match="expected exactly 1"):
        param_filter_query(store, value_name="Firing rate", ads_unique=True)
    assert (
        param_filter_query(store, stimulus_id=grating(0.0, 0).without("trial")).n_analysis_results
        == 2
    )
    assert param_filter_query(store, stimulus_id=None).n_analysis_results == 1


def test_unknown_parameter_gives_empty_view_and_warning(store) -> None:
    with pytest.warns(QueryWarning, match="st_spatial_frequency"):
        v = param_filter_query(store, st_spatial_frequency=0.8)
    assert v.n_segments == 0 and v.n_analysis_results == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        param_filter_query(store, st_orientation=7.0)  # known parameter, no match: no warning


def test_queries_compose_and_filter_in_arrow(store) -> None:
    v = param_filter_query(
        param_filter_query(store, sheet_name="V1_Inh_L2/3"), st_orientation=ORIENTATIONS[1]
    )
    assert v.n_segments == 4
    assert all(s.annotations["sheet_name"] == "V1_Inh_L2/3" for s in v.get_segments(null=True))
    assert param_filter_query(store, is_null=True).n_segments == 12


def test_tag_based_query(store) -> None:
    assert tag_based_query(store, "rates").n_analysis_results == 7
    assert tag_based_query(store, ["summary"]).n_analysis_results == 1
    assert tag_based_query(store, ["summary", "rates"], match="all").n_analysis_results == 1
    assert tag_based_query(store, "nothing").n_analysis_results == 0
    assert tag_based_query(store, "rates").n_segments == 0


def test_partitions(store) -> None:
    by_ori = partition_by_stimulus_parameters(store, ["orientation"], exclude=False)
    assert len(by_ori) == 3 and all(v.n_segments == 8 for v in by_ori)
    assert [v.n_analysis_results for v in by_ori] == [2, 2, 2]
    # all but orientation (and trial): views where stimuli differ only in orientation
    groups = partition_by_stimulus_parameters(store, ["orientation", "trial"])
    assert len(groups) == 1
    assert groups[0].n_segments == 24 and groups[0].n_analysis_results == 6
    # keeping trial in the key: the ADS stimuli (no trial parameter) form a group of their own
    per_trial = partition_by_stimulus_parameters(store, ["orientation"])
    assert sorted((v.n_segments, v.n_analysis_results) for v in per_trial) == [
        (0, 6),
        (12, 0),
        (12, 0),
    ]
    for g in groups:
        assert equal_stimulus(g, ["orientation", "trial"])
    by_sheet = partition_analysis_results_by_parameters(store, ["sheet_name"])
    assert [v.n_analysis_results for v in by_sheet] == [4, 3]
    rest = partition_analysis_results_by_parameters(store, ["stimulus_id"], exclude=True)
    assert sorted(v.n_analysis_results for v in rest) == [1, 3, 3]
    st = partition_analysis_results_by_stimulus_parameters(store, ["orientation"])
    assert [v.n_analysis_results for v in st] == [2, 2, 2]


def test_equality_predicates(store) -> None:
    assert equal_stimulus_type(store)
    assert not equal_stimulus(store)
    one = param_filter_query(store, st_orientation=0.0)
    assert equal_stimulus(one, ["trial"]) and not equal_stimulus(one)
    rates = param_filter_query(store, value_name="Firing rate")
    assert equal_ads_type(rates) and not equal_ads_type(store)
    assert not equal_ads(rates)
    assert equal_ads(rates, ["stimulus_id", "sheet_name"])


def test_collation_for_tuning_curves(store) -> None:
    rates = param_filter_query(store, value_name="Firing rate")
    curves = collate_analysis_results(rates, "orientation")
    assert len(curves) == 2  # one per sheet
    for c in curves:
        np.testing.assert_array_equal(c.values, ORIENTATIONS)
        assert c.parameter == "orientation" and "orientation" not in c.stimulus.params
        assert all(isinstance(r, PerNeuronValue) for r in c.results)
        assert [r.stimulus_id["orientation"] for r in c.results] == list(ORIENTATIONS)
        assert c.parameters["sheet_name"] in ("V1_Exc_L4", "V1_Inh_L2/3")
        tuning = np.stack([r.values for r in c.results])
        assert tuning.shape[0] == 3
    assert collate_analysis_results(store, "st_nonexistent") == []


def test_query_on_empty_store(tmp_path) -> None:
    store = DataStore.create(tmp_path / "r")
    assert param_filter_query(store, sheet_name="X").n_segments == 0
    assert store.stimuli() == [] and store.sheets() == []
    assert partition_by_stimulus_parameters(store, ["orientation"]) == []
    store.add_analysis_result(
        SingleValue(analysis_algorithm="A", value=1.0, value_name="n", value_units=pq.dimensionless)
    )
    assert param_filter_query(store, value_name="n").n_analysis_results == 1
