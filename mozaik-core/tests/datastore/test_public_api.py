from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["mozaik.datastore", "mozaik.ads", "mozaik.stimulus"])
def test_all_is_sorted_and_importable(package: str) -> None:
    mod = importlib.import_module(package)
    assert mod.__all__ == sorted(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), name


def test_datastore_interface_names() -> None:
    import mozaik.datastore as ds

    for name in ("DataStore", "DataStoreView", "param_filter_query", "tag_based_query"):
        assert name in ds.__all__
    for method in (
        "create",
        "open",
        "write_neurons",
        "set_neuron_annotation",
        "write_presentation",
        "has_presentation",
        "presentations",
        "update_manifest",
        "add_analysis_result",
        "full_view",
        "get_segments",
        "get_spiketrains",
        "spike_arrays",
        "sheets",
        "neuron_ids",
        "neuron_positions",
        "neuron_annotations",
        "stimuli",
        "analysis_results",
        "manifest",
    ):
        assert hasattr(ds.DataStore, method), method
