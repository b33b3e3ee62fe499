"""Stores, views and analysis results have a readable ``repr`` and an HTML repr for notebooks
(issue 26): what is in them, from the index, without loading recordings."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from mozaik.datastore import DataStore, param_filter_query

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from datastore_helpers import fill


def test_store_view_and_results_say_what_they_hold(tmp_path: Path) -> None:
    store = DataStore.create(tmp_path / "r")
    fill(store, np.random.default_rng(5))
    store.close()
    store = DataStore.open(tmp_path / "r")
    text = repr(store)
    assert text.startswith("<DataStore\n") and text.endswith(">")
    assert "sheets           : V1_Exc_L4 (6 neurons recorded)" in text
    assert "stimuli          : FullfieldDriftingSinusoidalGrating x6" in text
    assert "presentations    : 6 (" in text
    assert "analysis results : 7 (PerNeuronValue x6, SingleValue x1)" in text
    view = param_filter_query(store, sheet_name="V1_Exc_L4")
    assert repr(view).startswith("<DataStoreView\n")
    page = view._repr_html_()
    assert page.startswith("<div><strong>DataStoreView</strong><table>")
    assert "<th style='text-align:left'>sheets</th>" in page and "V1_Exc_L4" in page

    [single] = store.get_analysis_result(identifier="SingleValue")
    assert repr(single) == ("SingleValue(analysis_algorithm='PopulationMean', sheet_name="
                            "'V1_Exc_L4', value_name='Mean(firing rate)', value_units='Hz', "
                            "tags=['summary', 'rates']; value: 4.5)")
    rates = store.get_analysis_result(identifier="PerNeuronValue")[0]
    text = repr(rates)
    assert "stimulus_id=StimulusIdentity(FullfieldDriftingSinusoidalGrating:" in text
    assert "; values: array(6,) from " in text and "ids: array(6,) from 0 to 5" in text
    page = rates._repr_html_()
    assert "<strong>PerNeuronValue</strong>" in page and "array(6,)" in page
