"""Storing a projection's connections as a Connections ADS (built on PyNN's mock backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import quantities as pq
from mozaik._errors import SimulationError
from mozaik.ads import Connections
from mozaik.datastore import DataStore
from mozaik.model import (
    FixedProbabilityConnector,
    FixedProbabilityParams,
    build_model,
    connections_ads,
)

from .conftest import study_text


def test_connections_of_a_built_projection_round_trip(load, registry, tmp_path: Path) -> None:
    model = build_model(load(study_text(n_exc=40, n_inh=10)), registry=registry)
    connector = model.projections["exc_exc"]
    ads = connections_ads(connector)
    assert isinstance(ads, Connections)
    assert (ads.proj_name, ads.source_name, ads.target_name) == ("exc_exc", "exc", "exc")
    assert len(ads.weights) == connector.size() > 0
    assert ads.weight_units == pq.uS and ads.delay_units == pq.ms
    assert ads.source_index.max() < 40 and ads.target_index.max() < 40
    assert np.all(ads.weights > 0) and np.all(ads.delays >= 0.1)
    inhibitory = connections_ads(model.projections["inh_exc"])
    assert np.all(inhibitory.weights > 0)  # magnitudes: the receptor gives the sign
    store = DataStore.create(tmp_path / "run")
    store.add_analysis_result(ads, replace=True)
    (back,) = store.get_analysis_result(identifier="Connections", proj_name="exc_exc")
    np.testing.assert_array_equal(back.source_index, ads.source_index)
    np.testing.assert_allclose(back.weights, ads.weights)
    store.close()


def test_an_unbuilt_connector_is_named(load, registry) -> None:
    model = build_model(load(study_text(n_exc=40, n_inh=10)), registry=registry)
    exc = model.sheets["exc"]
    unbuilt = FixedProbabilityConnector("later", exc, exc,
                                        FixedProbabilityParams(probability=0.1), model)
    with pytest.raises(SimulationError, match="connector 'later' has no projection yet"):
        connections_ads(unbuilt)
