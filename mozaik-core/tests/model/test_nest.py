"""Behaviour on NEST: sign convention, delays, units, seeds, noise, short-term plasticity."""

from __future__ import annotations

import numpy as np
import pytest
from mozaik.config import SimulatorConfig
from mozaik.model import Model, RecorderParams, Sheet, build_model

from .conftest import study_text

# deselect with -m "not nest" where NEST is absent; never skipped silently
pytestmark = [pytest.mark.nest]

CELL = {"model": "IF_cond_exp",
        "params": {"v_rest": -60.0, "v_thresh": -50.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0,
                   "e_rev_E": 0.0, "e_rev_I": -80.0, "cm": 0.2, "tau_m": 20.0},
        "initial_values": {"v": -60.0}}


def nest_connections(projection):
    """The NEST connections of a PyNN projection (its own model, and its label if it has one)."""
    import nest

    return nest.GetConnections(synapse_model=projection.nest_synapse_model,
                               synapse_label=projection.nest_synapse_label)


def one_spike_network(model, spike_ms: float = 10.0):
    """A source sheet firing once at ``spike_ms`` and a recorded target sheet of 2 neurons."""
    sim = model.sim
    source = model.add_sheet(Sheet.from_population(
        "src", model, sim.Population(1, sim.SpikeSourceArray(spike_times=[spike_ms])),
        np.zeros((1, 2))))
    target = model.create_sheet("tgt", {
        "cell": CELL, "placement": {"n_neurons": 2},
        "recorders": [{"variables": ["v", "gsyn_exc", "gsyn_inh"], "interval_ms": 0.1}]})
    return source, target


def traces(model, sheet: str = "tgt") -> dict[str, np.ndarray]:
    segment = model.collect()[sheet]
    return {a.name: np.asarray(a.magnitude) for a in segment.analogsignals}


@pytest.mark.parametrize("component", ["FixedProbabilityConnector",
                                       "ModularBernoulliConnector"])
def test_sign_convention_and_delay(nest_model, component: str) -> None:
    """Excitation raises gsyn_exc and depolarises, inhibition raises gsyn_inh (positive, in uS)
    and hyperpolarises, both after the synaptic delay. PyNN's path and Mozaik's vectorised
    path (modular connector) must agree."""
    model = nest_model()
    one_spike_network(model)
    if component == "FixedProbabilityConnector":
        params = {"probability": 1.0, "weight_uS": 0.01, "delay_ms": 3.0}
    else:
        params = {"base_weight_uS": 0.01, "delay_expression": 3.0,
                  "weight_functions": {"f": {"component": "Constant"}}, "weight_expression": "f"}
    exc = dict(params)
    inh = {**params, "receptor": "inhibitory"}
    model.create_sheet("tgt2", {"cell": CELL, "placement": {"n_neurons": 2}, "recorders": [
        {"variables": ["v", "gsyn_exc", "gsyn_inh"], "interval_ms": 0.1}]})
    model.create_connector("e", "src", "tgt", exc, component=component)
    model.create_connector("i", "src", "tgt2", inh, component=component)
    model.run(40.0)
    data = model.collect()
    t = np.arange(401) * 0.1
    for sheet, rising, other, sign in (("tgt", "gsyn_exc", "gsyn_inh", 1),
                                       ("tgt2", "gsyn_inh", "gsyn_exc", -1)):
        signals = {a.name: np.asarray(a.magnitude)[:, 0] for a in data[sheet].analogsignals}
        g = signals[rising]
        assert np.all(signals[other] == 0.0)
        assert np.all(g[t <= 13.0 - 0.05] == 0.0)  # nothing before spike time + delay
        assert g.max() == pytest.approx(0.01, rel=0.05)  # uS, positive for both receptors
        assert t[np.argmax(g)] == pytest.approx(13.1, abs=0.15)
        v = signals["v"]
        if sign > 0:
            assert v.max() > -59.5
        else:
            assert v.min() < -60.5
    # inhibitory weights are stored negative in NEST, positive through PyNN
    projection = model.projections["i"].projection
    native = nest_connections(projection)
    assert np.all(np.asarray(native.get("weight")) == -10.0)  # nS, negative
    assert projection.get("weight", format="list") == [(0, 0, 0.01), (0, 1, 0.01)]


def test_distributions_and_initial_conductances_reach_nest(nest_model) -> None:
    model = nest_model()
    sheet = model.create_sheet("s", {
        "cell": {"model": "IF_cond_exp",
                 "params": {"tau_m": {"distribution": "normal", "mu": 20.0, "sigma": 2.0}},
                 "initial_values": {"gsyn_exc": 0.01,
                                    "v": {"distribution": "uniform", "low": -60.0,
                                          "high": -50.0}}},
        "placement": {"n_neurons": 200}})
    nodes = sheet.population.node_collection
    tau_m = np.asarray(sheet.population.get("tau_m"))  # read back from NEST (C_m / g_L)
    assert 19.0 < tau_m.mean() < 21.0 and 1.5 < tau_m.std() < 2.5
    assert len(set(np.asarray(nodes.get("g_L")).round(9))) > 100
    v = np.asarray(nodes.get("V_m"))
    assert v.min() >= -60.0 and v.max() <= -50.0 and v.std() > 2.0
    assert np.allclose(nodes.get("g_ex"), 10.0)  # 0.01 uS = 10 nS
    model.reset()
    assert np.allclose(nodes.get("g_ex"), 10.0)


def test_same_seed_same_spikes(load, registry) -> None:
    def spikes(seed: int) -> list[np.ndarray]:
        model = build_model(load(study_text(backend="nest", seed=seed)), registry=registry)
        model.run(100.0)
        segment = model.collect()["exc"]
        return [np.asarray(st.magnitude) for st in segment.spiketrains]

    first, second, other = spikes(11), spikes(11), spikes(12)
    assert sum(len(s) for s in first) > 50
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_background_noise_drives_the_sheet(nest_model) -> None:
    model = nest_model()
    sheet = model.create_sheet("s", {
        "cell": CELL, "placement": {"n_neurons": 20},
        "recorders": [{"variables": ["spikes", "gsyn_exc", "gsyn_inh"], "interval_ms": 1.0}],
        "background_noise": {"rate_exc_hz": 5000.0, "weight_exc_uS": 0.002,
                             "rate_inh_hz": 1000.0, "weight_inh_uS": 0.002}})
    model.run(200.0)
    segment = model.collect()["s"]
    signals = {a.name: np.asarray(a.magnitude) for a in segment.analogsignals}
    assert signals["gsyn_exc"].mean() > 0 and signals["gsyn_inh"].mean() > 0
    assert sum(len(st) for st in segment.spiketrains) > 0
    # independent trains: neurons do not fire in lockstep
    counts = {len(st) for st in segment.spiketrains}
    assert len(counts) > 1 or sheet.size == 1


@pytest.mark.parametrize("component", ["FixedProbabilityConnector",
                                       "ModularSamplingConnector"])
def test_tsodyks_markram_synapses(nest_model, component: str) -> None:
    model = nest_model()
    sim = model.sim
    model.add_sheet(Sheet.from_population(
        "src", model, sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 20.0, 30.0])),
        np.zeros((1, 2))))
    model.create_sheet("tgt", {"cell": CELL, "placement": {"n_neurons": 1},
                               "recorders": [{"variables": ["gsyn_exc"], "interval_ms": 0.1}]})
    synapse = {"model": "tsodyks_markram", "U": 0.5, "tau_rec_ms": 800.0}
    if component == "FixedProbabilityConnector":
        params = {"probability": 1.0, "weight_uS": 0.01, "delay_ms": 1.0, "synapse": synapse}
    else:
        params = {"base_weight_uS": 0.01, "delay_expression": 1.0, "num_samples": 1,
                  "weight_functions": {"f": {"component": "Constant"}}, "weight_expression": "f",
                  "synapse": synapse}
    connector = model.create_connector("c", "src", "tgt", params, component=component)
    conns = nest_connections(connector.projection)
    assert conns.get("U") == pytest.approx(0.5) and conns.get("tau_rec") == 800.0
    assert conns.get("tau_psc") == pytest.approx(5.0)
    model.run(40.0)
    g = np.asarray(model.collect()["tgt"].analogsignals[0].magnitude)[:, 0]
    t = np.arange(len(g)) * 0.1
    peaks = [g[(t > s) & (t < s + 5.0)].max() - g[(t > s - 0.5) & (t <= s + 1.0)].min()
             for s in (11.0, 21.0, 31.0)]
    assert peaks[0] > peaks[1] > peaks[2] > 0  # depression


def test_reset_keeps_connectivity_and_starts_a_new_segment(load, registry) -> None:
    model = build_model(load(study_text(backend="nest", seed=3)), registry=registry)
    before = model.describe()["connections"]
    model.run(50.0)
    first = model.collect()
    model.reset()
    assert model.time == 0.0
    model.run(50.0)
    second = model.collect()
    assert model.describe()["connections"] == before > 0
    assert len(second["exc"].spiketrains) == len(first["exc"].spiketrains)
    assert max(st.t_stop for st in second["exc"].spiketrains).magnitude == pytest.approx(50.0)


def test_connection_counts_match_nest(load, registry) -> None:
    model = build_model(load(study_text(backend="nest", seed=4)), registry=registry)
    for connector in model.projections.values():
        assert connector.size() == len(connector.projection)


def test_recorder_added_in_python_is_recorded(nest_model) -> None:
    model = nest_model()
    sheet = model.create_sheet("s", {"cell": CELL, "placement": {"n_neurons": 10}})
    sheet.add_recorder(RecorderParams(variables=("v",), neurons={"indices": [2, 5]}))
    model.run(5.0)
    segment = model.collect()["s"]
    assert segment.analogsignals[0].shape[1] == 2
    assert list(sheet.recorded_indices("v")) == [2, 5]


def test_native_rng_is_reproducible(nest_model) -> None:
    def pairs(seed: int) -> list:
        model = nest_model(seed=seed)
        model.create_sheet("a", {"placement": {"n_neurons": 50}})
        connector = model.create_connector("c", "a", "a", {"probability": 0.2, "weight_uS": 0.001,
                                                            "native_rng": True},
                                           component="FixedProbabilityConnector")
        return sorted(connector.projection.get("weight", format="list"))

    first = pairs(1)
    assert 300 < len(first) < 700
    assert first == pairs(1)
    assert first != pairs(2)


def test_collecting_in_chunks_loses_no_spike(load, registry) -> None:
    """Presentations are collected one by one: together they hold exactly the spikes of one
    uninterrupted recording, including spikes in the slice NEST runs ahead of PyNN's clock."""

    def spikes(chunks: int) -> np.ndarray:
        model = build_model(load(study_text(backend="nest", seed=5)), registry=registry)
        times = []
        for _ in range(chunks):
            model.run(120.0 / chunks)
            segment = model.collect()["exc"]
            times += [np.asarray(st.rescale("ms").magnitude) for st in segment.spiketrains]
        model.end()
        return np.sort(np.concatenate(times))

    whole, chunked = spikes(1), spikes(12)
    assert len(whole) > 100
    np.testing.assert_array_equal(whole, chunked)


@pytest.mark.parametrize(("interval_ms", "min_delay_ms"),
                         [(0.1, 0.1), (0.5, 0.1), (2.0, 0.1), (0.5, 1.0)])
def test_collecting_in_chunks_keeps_every_sample_at_its_time(registry, interval_ms,
                                                             min_delay_ms) -> None:
    """Every collected window holds the samples at t_start + k * interval, k = 0 .. n, with
    their true values: those of one uninterrupted recording (PyNN alone loses the sample after
    each window's start and labels the rest one interval early). After a reset the window
    starts again from the initial value, on the same sampling grid (the flush before it ends
    on a sample) and without the flush's last samples, which NEST delivers one min_delay
    late."""

    def ramp():
        model = Model(SimulatorConfig(backend="nest", seed=1, time_step=0.1,
                                      min_delay=min_delay_ms, max_delay=5.0),
                      name="ramp", registry=registry)
        cell = {"model": "IF_cond_exp", "params": {"i_offset": 0.3, "v_thresh": 100.0},
                "initial_values": {"v": -65.0}}
        model.create_sheet("s", {"cell": cell, "placement": {"n_neurons": 1}, "recorders": [
            {"variables": ["v"], "interval_ms": interval_ms}]})
        return model

    def window(model):
        sig = model.collect()["s"].analogsignals[0]
        return float(sig.t_start.rescale("ms")), np.asarray(sig.magnitude)[:, 0]

    model = ramp()
    model.run(12.0)
    t0, whole = window(model)
    model.end()
    per = round(4.0 / interval_ms)
    assert t0 == 0.0 and len(whole) == 3 * per + 1
    model = ramp()
    for k in range(3):
        model.run(4.0)
        start, values = window(model)
        assert start == pytest.approx(4.0 * k)
        np.testing.assert_array_equal(values, whole[k * per: (k + 1) * per + 1])
    for _ in range(2):
        model.reset()
        model.run(4.0)
        start, values = window(model)
        assert start == 0.0
        np.testing.assert_array_equal(values, whole[: per + 1])
    model.end()


def test_simulator_timers_add_up_every_run_call(nest_model) -> None:
    # NEST times each Simulate call alone; the model sums them over its run calls
    model = nest_model()
    model.create_sheet("s", {"cell": CELL, "placement": {"n_neurons": 400},
                             "background_noise": {"rate_exc_hz": 5000.0,
                                                  "weight_exc_uS": 0.002}})
    assert model.simulator_timers()["simulate_s"] == 0.0
    model.run(200.0)
    once = model.simulator_timers()
    for _ in range(3):
        model.run(200.0)
    four = model.simulator_timers()
    assert set(four) == {"create_s", "connect_s", "prepare_connections_s", "simulate_s"}
    assert once["simulate_s"] > 0.0
    assert four["simulate_s"] > 2.5 * once["simulate_s"]
    assert four["connect_s"] == once["connect_s"]  # no connection was made in between


def test_reversal_potentials_are_annotated_per_neuron(nest_model) -> None:
    """Each neuron carries the reversal potentials it was built with (drawn per neuron here),
    as the annotations ``e_rev_E`` / ``e_rev_I`` that travel into the store: analyses turn
    stored conductances into currents with them."""
    model = nest_model()
    cell = {**CELL, "params": {**CELL["params"],
                               "e_rev_I": {"distribution": "uniform", "low": -85.0,
                                           "high": -70.0}}}
    sheet = model.create_sheet("s", {"cell": cell, "placement": {"n_neurons": 5}})
    built = np.asarray(sheet.population.node_collection.get("E_in"))  # NEST's own values
    e_i = sheet.annotations["e_rev_I"]
    assert len(set(e_i)) == 5 and np.allclose(e_i, built)
    assert np.all(sheet.annotations["e_rev_E"] == 0.0)
