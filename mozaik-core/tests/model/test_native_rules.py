"""Connectors with ``native_rng: true``: NEST's own connection rules in one ``nest.Connect``."""

from __future__ import annotations

import numpy as np
import pytest
from mozaik import ConfigError
from mozaik.model import Sheet

from .test_nest import CELL, nest_connections, one_spike_network

NATIVE = {"weight_uS": 0.004, "delay_ms": 0.5, "native_rng": True}


def connections(connector) -> dict[str, np.ndarray]:
    status = nest_connections(connector.projection).get(["source", "target", "weight", "delay"])
    return {key: np.asarray(value) for key, value in status.items()}


@pytest.mark.nest
@pytest.mark.parametrize(("component", "side", "n"), [("FixedNumberPreConnector", "target", 7),
                                                       ("FixedNumberPostConnector", "source", 5)])
def test_every_cell_gets_exactly_n(nest_model, component: str, side: str, n: int) -> None:
    model = nest_model()
    model.create_sheet("a", {"cell": CELL, "placement": {"n_neurons": 40}})
    model.create_sheet("b", {"cell": CELL, "placement": {"n_neurons": 30}})
    connector = model.create_connector("c", "a", "b", {**NATIVE, "n": n}, component=component)
    found = connections(connector)
    cells = model.sheets["b" if side == "target" else "a"].population.all_cells
    degree = {int(cell): 0 for cell in cells}
    for cell in found[side]:
        degree[int(cell)] += 1
    assert set(degree.values()) == {n}
    assert connector.size() == len(found["source"]) == n * len(cells)
    assert len(connector.projection) == connector.size()  # PyNN sees them as its own
    # no pair twice (with_replacement: false) and only this projection's cells
    pairs = set(zip(found["source"].tolist(), found["target"].tolist(), strict=True))
    assert len(pairs) == len(found["source"])
    assert set(found["source"]) <= {int(c) for c in model.sheets["a"].population.all_cells}
    assert np.all(found["weight"] == 4.0) and np.all(found["delay"] == 0.5)  # nS, ms
    # PyNN's own queries of the projection work on the light bookkeeping
    weights = connector.projection.get("weight", format="array")
    assert np.nansum(weights) == pytest.approx(0.004 * len(pairs))
    connector.projection.set(weight=0.002)
    assert np.all(connections(connector)["weight"] == 2.0)


@pytest.mark.nest
def test_inhibitory_weights_are_negative_in_nest(nest_model) -> None:
    model = nest_model()
    model.create_sheet("a", {"cell": CELL, "placement": {"n_neurons": 20}})
    connector = model.create_connector(
        "c", "a", "a", {**NATIVE, "weight_uS": 0.051, "n": 3, "receptor": "inhibitory",
                        "allow_self_connections": False},
        component="FixedNumberPreConnector")
    found = connections(connector)
    assert np.all(found["weight"] == -51.0)  # nS, negative: NEST's sign for inhibition
    assert not np.any(found["source"] == found["target"])  # no autapses
    listed = connector.projection.get("weight", format="list")
    assert len(listed) == 60
    assert all(w == pytest.approx(0.051) for _, _, w in listed)  # positive through PyNN


@pytest.mark.nest
@pytest.mark.parametrize("component", ["FixedNumberPreConnector", "FixedProbabilityConnector"])
def test_native_sign_convention_and_delay(nest_model, component: str) -> None:
    """One spike through a native connection: excitation raises gsyn_exc, inhibition gsyn_inh
    (positive in uS, hyperpolarising), both after the delay."""
    model = nest_model()
    one_spike_network(model)
    model.create_sheet("tgt2", {"cell": CELL, "placement": {"n_neurons": 2}, "recorders": [
        {"variables": ["v", "gsyn_exc", "gsyn_inh"], "interval_ms": 0.1}]})
    rule = {"n": 1} if component == "FixedNumberPreConnector" else {"probability": 1.0}
    params = {**rule, "weight_uS": 0.01, "delay_ms": 3.0, "native_rng": True}
    model.create_connector("e", "src", "tgt", params, component=component)
    model.create_connector("i", "src", "tgt2", {**params, "receptor": "inhibitory"},
                           component=component)
    model.run(40.0)
    data = model.collect()
    t = np.arange(401) * 0.1
    for sheet, rising, other in (("tgt", "gsyn_exc", "gsyn_inh"),
                                 ("tgt2", "gsyn_inh", "gsyn_exc")):
        signals = {a.name: np.asarray(a.magnitude)[:, 0] for a in data[sheet].analogsignals}
        assert np.all(signals[other] == 0.0)
        assert np.all(signals[rising][t <= 13.0 - 0.05] == 0.0)
        assert signals[rising].max() == pytest.approx(0.01, rel=0.05)
        assert t[np.argmax(signals[rising])] == pytest.approx(13.1, abs=0.15)
    v_exc = np.asarray(data["tgt"].filter(name="v")[0].magnitude)[:, 0]
    v_inh = np.asarray(data["tgt2"].filter(name="v")[0].magnitude)[:, 0]
    assert v_exc.max() > -59.5 and v_inh.min() < -60.5


@pytest.mark.nest
@pytest.mark.parametrize("component", ["FixedNumberPreConnector", "FixedNumberPostConnector",
                                       "FixedProbabilityConnector"])
def test_same_seed_same_connections(nest_model, component: str) -> None:
    def pairs(seed: int) -> list[tuple[int, int]]:
        model = nest_model(seed=seed)
        model.create_sheet("a", {"placement": {"n_neurons": 50}})
        rule = {"probability": 0.1} if component == "FixedProbabilityConnector" else {"n": 5}
        connector = model.create_connector("c", "a", "a", {**NATIVE, **rule},
                                           component=component)
        found = connections(connector)
        return sorted(zip(found["source"].tolist(), found["target"].tolist(), strict=True))

    first = pairs(1)
    assert len(first) > 100
    assert first == pairs(1)
    assert first != pairs(2)


@pytest.mark.nest
def test_tsodyks_markram_through_a_native_rule(nest_model) -> None:
    model = nest_model()
    sim = model.sim
    model.add_sheet(Sheet.from_population(
        "src", model, sim.Population(3, sim.SpikeSourceArray(spike_times=[10.0])),
        np.zeros((3, 2))))
    model.create_sheet("tgt", {"cell": CELL, "placement": {"n_neurons": 4}})
    synapse = {"model": "tsodyks_markram", "U": 0.3, "tau_rec_ms": 500.0}
    connector = model.create_connector(
        "c", "src", "tgt", {**NATIVE, "n": 2, "synapse": synapse, "receptor": "inhibitory"},
        component="FixedNumberPreConnector")
    conns = nest_connections(connector.projection)
    assert len(conns) == 8
    assert conns.get("U") == pytest.approx([0.3] * 8)
    assert set(conns.get("tau_rec")) == {500.0}
    assert set(conns.get("tau_psc")) == {10.0}  # the inhibitory synaptic time constant


@pytest.mark.parametrize(("component", "rule"), [("FixedNumberPreConnector", {"n": 2}),
                                                 ("FixedNumberPostConnector", {"n": 2}),
                                                 ("FixedProbabilityConnector",
                                                  {"probability": 0.5})])
def test_native_rng_off_nest_is_a_config_error(mock_model, component: str, rule: dict) -> None:
    mock_model.create_sheet("a", {"placement": {"n_neurons": 10}})
    with pytest.raises(ConfigError, match=r"connectors\.c\.params\.native_rng: .*'mock'.*"
                                          r"native_rng: false"):
        mock_model.create_connector("c", "a", "a", {**NATIVE, **rule}, component=component)


@pytest.mark.nest
def test_native_rng_needs_constant_weights(nest_model) -> None:
    model = nest_model()
    model.create_sheet("a", {"placement": {"n_neurons": 10}})
    params = {**NATIVE, "n": 2, "weight_uS": {"distribution": "uniform", "low": 0.001,
                                               "high": 0.002}}
    with pytest.raises(ConfigError, match=r"connectors\.c\.params\.weight_uS: .*constant"):
        model.create_connector("c", "a", "a", params, component="FixedNumberPreConnector")


def test_too_many_distinct_sources_is_a_config_error(mock_model) -> None:
    mock_model.create_sheet("a", {"placement": {"n_neurons": 10}})
    mock_model.create_sheet("b", {"placement": {"n_neurons": 3}})
    with pytest.raises(ConfigError, match=r"connectors\.c\.params\.n: .*12 distinct sources.*"
                                          r"'a' has 10 neurons"):
        mock_model.create_connector("c", "a", "b", {"n": 12},
                                    component="FixedNumberPreConnector")


def test_all_other_cells_without_self_connections_is_the_most_a_sheet_allows(mock_model
                                                                             ) -> None:
    # onto its own sheet without self-connections each cell has size - 1 candidates: asking
    # for size made NEST's fixed_indegree search for a missing source forever
    mock_model.create_sheet("a", {"placement": {"n_neurons": 10}})
    with pytest.raises(ConfigError, match=r"connectors\.c\.params\.n: .*10 distinct other "
                                          r"sources.*'a' has 10 neurons, so 9 are available"):
        mock_model.create_connector("c", "a", "a", {"n": 10, "allow_self_connections": False},
                                    component="FixedNumberPreConnector")
    mock_model.create_connector("c", "a", "a", {"n": 9, "allow_self_connections": False},
                                component="FixedNumberPreConnector")


@pytest.mark.nest
def test_building_does_not_make_nest_prepare_its_connections(nest_model) -> None:
    # any connection query before the first run makes NEST sort all connections and fill its
    # target tables, and again at Simulate: the native route must not query at build time
    import nest

    model = nest_model()
    model.create_sheet("a", {"cell": CELL, "placement": {"n_neurons": 30}})
    for name, component in (("pre", "FixedNumberPreConnector"),
                            ("post", "FixedNumberPostConnector")):
        model.create_connector(name, "a", "a", {**NATIVE, "n": 4}, component=component)
    assert np.sum(nest.GetKernelStatus("time_communicate_prepare")) == 0.0
    connector = model.projections["pre"]
    connector.projection.set(weight=0.002)  # PyNN identifies common properties now
    assert np.all(connections(connector)["weight"] == 2.0)
    assert np.sum(nest.GetKernelStatus("time_communicate_prepare")) > 0.0


@pytest.mark.nest
def test_setting_weights_when_the_first_sources_have_no_connection(nest_model) -> None:
    model = nest_model()
    model.create_sheet("a", {"cell": CELL, "placement": {"n_neurons": 200}})
    model.create_sheet("b", {"cell": CELL, "placement": {"n_neurons": 1}})
    connector = model.create_connector("c", "a", "b", {**NATIVE, "n": 2},
                                       component="FixedNumberPreConnector")
    assert len(connections(connector)["source"]) == 2  # most of the 200 sources have none
    connector.projection.set(weight=0.003)
    assert np.all(connections(connector)["weight"] == 3.0)


@pytest.mark.nest
def test_each_native_projection_has_its_own_unlabelled_synapse_model(nest_model) -> None:
    # a model of its own tells the projection's connections apart without PyNN's label, which
    # costs 8 bytes per connection and, given in Connect, NEST's slow path
    import nest

    model = nest_model()
    model.create_sheet("a", {"cell": CELL, "placement": {"n_neurons": 30}})
    first = model.create_connector("e", "a", "a", {**NATIVE, "n": 3},
                                   component="FixedNumberPreConnector").projection
    second = model.create_connector("i", "a", "a", {**NATIVE, "n": 2, "receptor": "inhibitory"},
                                    component="FixedNumberPreConnector").projection
    assert first.nest_synapse_model != second.nest_synapse_model
    plain = nest.GetDefaults("static_synapse")["sizeof"]
    assert plain < nest.GetDefaults("static_synapse_lbl")["sizeof"]
    for projection, n in ((first, 3), (second, 2)):
        assert projection.nest_synapse_model.startswith("static_synapse_mozaik")
        assert projection.nest_synapse_label is None
        assert nest.GetDefaults(projection.nest_synapse_model)["sizeof"] == plain
        found = nest.GetConnections(synapse_model=projection.nest_synapse_model)
        assert len(found) == 30 * n == len(projection)  # PyNN counts exactly these
    assert len(nest.GetConnections()) == 30 * 5  # nothing else was connected
    # PyNN's own queries find each projection's connections, and only them
    assert len(first.get("weight", format="list")) == 90
    second.set(weight=0.006)
    assert set(nest_connections(second).get("weight")) == {-6.0}  # nS, inhibition negative
    assert set(nest_connections(first).get("weight")) == {4.0}


@pytest.mark.nest
def test_own_synapse_model_keeps_the_parameters_pynn_set(nest_model) -> None:
    # PyNN sets the homogeneous parameters on the shared labelled model; the projection's copy
    # of the unlabelled model must carry them, and a later projection must not change them
    import nest

    model = nest_model()
    model.create_sheet("a", {"cell": CELL, "placement": {"n_neurons": 20}})
    projections = [model.create_connector(
        name, "a", "a", {**NATIVE, "n": 2, "synapse": {"model": "tsodyks_markram", "U": u,
                                                       "tau_rec_ms": tau}},
        component="FixedNumberPreConnector").projection
        for name, u, tau in (("p", 0.3, 500.0), ("q", 0.6, 100.0))]
    for projection, u, tau in zip(projections, (0.3, 0.6), (500.0, 100.0), strict=True):
        assert projection.nest_synapse_model.startswith("tsodyks_synapse_mozaik")
        defaults = nest.GetDefaults(projection.nest_synapse_model)
        assert (defaults["U"], defaults["tau_rec"]) == pytest.approx((u, tau))
        conns = nest_connections(projection)
        assert len(conns) == 40
        assert conns.get("U") == pytest.approx([u] * 40)
