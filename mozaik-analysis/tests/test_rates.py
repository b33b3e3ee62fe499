from __future__ import annotations

import elephant.statistics as es
import neo
import numpy as np
import pytest
import quantities as pq
from analysis_helpers import StoreBuilder, poisson, stimulus
from mozaik import AnalysisError
from mozaik.ads import AnalogSignalList, PerNeuronValue
from mozaik_analysis import (
    PSTH,
    FiringRate,
    FiringRateParams,
    PSTHParams,
    TrialAveragedFiringRate,
    TrialAveragedFiringRateParams,
)


def test_rates_equal_elephant(tmp_path, rng):
    b = StoreBuilder(tmp_path / "run", {"exc": 20})
    trains = []
    for trial in range(3):
        neuron, times = poisson(rng, 12.0, 800.0, 20)
        t0 = b.present(stimulus(contrast=50), trial, 800.0, {"exc": (neuron, times)})
        trains.append([neo.SpikeTrain(times[neuron == j] + t0, units="ms", t_start=t0,
                                      t_stop=t0 + 800.0) for j in range(20)])
    results = FiringRate(FiringRateParams()).run(b.store)
    assert [r.stimulus_id["trial"] for r in results] == [0, 1, 2]
    for trial, r in enumerate(results):
        assert isinstance(r, PerNeuronValue) and r.value_units == pq.Hz
        want = [float(es.mean_firing_rate(st).rescale(pq.Hz)) for st in trains[trial]]
        np.testing.assert_allclose(r.values, want, rtol=1e-12)
        np.testing.assert_array_equal(r.ids, np.arange(20))
    (avg,) = TrialAveragedFiringRate(TrialAveragedFiringRateParams(tags=("t",))).run(b.store)
    assert avg.stimulus_id == stimulus(contrast=50)
    assert avg.analysis_algorithm == "TrialAveragedFiringRate" and avg.tags == ("t",)
    assert avg.sheet_name == "exc" and avg.value_name == "Firing rate"
    np.testing.assert_allclose(avg.values, np.mean([r.values for r in results], axis=0))


def test_spikes_on_edges_belong_to_the_span_ending_there(tmp_path):
    """Windows are (start_ms, stop_ms], as segments are (t_start, t_stop]: NEST stamps a spike
    with the end of its time step, so one exactly on an edge counts once, before the edge."""
    b = StoreBuilder(tmp_path / "run", {"exc": 3})
    # neuron 0: spikes exactly at 250 ms and at the offset; 1: one spike; 2: silent
    b.present(stimulus(), 0, 500.0, {"exc": (np.array([0, 0, 1]),
                                             np.array([250.0, 500.0, 100.0]))})
    b.present(stimulus(), 1, 500.0, {"exc": (np.array([0]), np.array([500.0]))})
    results = FiringRate(FiringRateParams()).run(b.store)
    np.testing.assert_allclose(results[0].values, [4.0, 2.0, 0.0])
    np.testing.assert_allclose(results[1].values, [2.0, 0.0, 0.0])
    st = neo.SpikeTrain([250.0, 500.0], units="ms", t_start=0.0, t_stop=500.0)
    assert float(es.mean_firing_rate(st).rescale(pq.Hz)) == 4.0
    first = FiringRate(FiringRateParams(start_ms=0.0, stop_ms=250.0)).run(b.store)
    second = FiringRate(FiringRateParams(start_ms=250.0)).run(b.store)
    np.testing.assert_allclose(first[0].values, [4.0, 4.0, 0.0])  # 250.0 ends (0, 250]
    np.testing.assert_allclose(second[0].values, [4.0, 0.0, 0.0])  # and is not in (250, 500]
    np.testing.assert_allclose(second[1].values, [4.0, 0.0, 0.0])


def test_psth_bins_hold_spikes_on_their_end_edge(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 1})
    b.present(stimulus(), 0, 100.0, {"exc": (np.zeros(4, int), np.array([25.0, 50.0, 75.0,
                                                                         100.0]))})
    (psth,) = PSTH(PSTHParams(bin_ms=25.0)).run(b.store)
    np.testing.assert_allclose(np.asarray(psth.signals[0].magnitude).ravel(), [40.0] * 4)


def test_partially_recorded_sheet_keeps_silent_neurons(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 6})
    b.present(stimulus(), 0, 1000.0, {"exc": (np.array([4, 4]), np.array([1.0, 2.0]))},
              recorded={"exc": np.array([1, 4])})
    (r,) = TrialAveragedFiringRate(TrialAveragedFiringRateParams()).run(b.store)
    np.testing.assert_array_equal(r.ids, [1, 4])
    np.testing.assert_allclose(r.values, [0.0, 2.0])


def test_psth_of_a_step(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 2})
    for trial in range(4):
        # neuron 0 fires once in each 10 ms bin of the second half; neuron 1 never
        times = np.arange(50.0, 100.0, 10.0) + 5.0
        b.present(stimulus(), trial, 100.0, {"exc": (np.zeros(len(times), int), times)})
    (r,) = PSTH(PSTHParams(bin_ms=10.0)).run(b.store)
    assert isinstance(r, AnalogSignalList) and r.y_axis_units == pq.Hz
    np.testing.assert_allclose(r.signals[0].magnitude.ravel(), [0] * 5 + [100.0] * 5)
    np.testing.assert_allclose(r.signals[1].magnitude.ravel(), 0.0)
    assert r.signals[0].sampling_period == 10.0 * pq.ms
    (one,) = PSTH(PSTHParams(bin_ms=25.0, neurons=(0,))).run(b.store)
    # bins (50, 75] and (75, 100]: the spike at 75 ms ends the third
    np.testing.assert_allclose(one.signals[0].magnitude.ravel(), [0.0, 0.0, 120.0, 80.0])
    np.testing.assert_array_equal(one.ids, [0])
    b.store.add_analysis_result(r)


def test_rates_need_spike_recordings(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 2})
    with pytest.raises(AnalysisError, match="TrialAveragedFiringRate: needs 'spikes'"):
        TrialAveragedFiringRate(TrialAveragedFiringRateParams()).run(b.store)
    b.present(stimulus(), 0, 100.0, {})
    with pytest.raises(AnalysisError, match="not for \\['inh'\\]"):
        FiringRate(FiringRateParams(sheet_names=("inh",))).run(b.store)
    with pytest.raises(AnalysisError, match="beyond the end"):
        FiringRate(FiringRateParams(stop_ms=200.0)).run(b.store)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # elephant on quantities 0.16
def test_psth_equals_elephant_time_histogram(tmp_path, rng):
    b = StoreBuilder(tmp_path / "run", {"exc": 6})
    per_trial = []
    for trial in range(5):
        neuron, times = poisson(rng, 40.0, 300.0, 6)
        t0 = b.present(stimulus(), trial, 300.0, {"exc": (neuron, times)})
        per_trial.append([neo.SpikeTrain(times[neuron == j] + t0, units="ms", t_start=t0,
                                         t_stop=t0 + 300.0) for j in range(6)])
    (psth,) = PSTH(PSTHParams(bin_ms=20.0)).run(b.store)
    for j in range(6):
        # elephant aligns trials by their own t_start: shift each to start at 0
        aligned = [neo.SpikeTrain(trial[j].magnitude - trial[j].t_start.magnitude, units="ms",
                                  t_start=0.0, t_stop=300.0) for trial in per_trial]
        want = es.time_histogram(aligned, bin_size=20.0 * pq.ms, output="rate")
        np.testing.assert_allclose(psth.signals[j].magnitude.ravel(),
                                   want.rescale(pq.Hz).magnitude.ravel(), rtol=1e-12)


def test_rates_of_neo_segments_written_as_pynn_returns_them(tmp_path, rng):
    from mozaik.datastore import DataStore

    store = DataStore.create(tmp_path / "run", {"config": {}})
    store.write_neurons("exc", np.arange(50, 58), np.zeros((8, 2)))
    trains_by_trial = []
    for trial in range(2):
        t0 = trial * 600.0
        seg = neo.Segment()
        for i in range(0, 8, 2):  # every other neuron recorded; neuron 4 silent
            k = 0 if i == 4 else int(rng.integers(1, 20))
            st = neo.SpikeTrain(np.sort(rng.uniform(t0, t0 + 500.0, k)), units="ms",
                                t_start=t0 * pq.ms, t_stop=(t0 + 500.0) * pq.ms)
            st.annotate(source_population="exc", source_index=np.int64(i),
                        channel_id=np.int64(50 + i))
            seg.spiketrains.append(st)
        store.write_presentation(stimulus(), trial, {"exc": seg})
        trains_by_trial.append(seg.spiketrains)
    results = FiringRate(FiringRateParams()).run(store)
    for r, trains in zip(results, trains_by_trial, strict=True):
        np.testing.assert_array_equal(r.ids, [0, 2, 4, 6])
        want = [float(es.mean_firing_rate(st).rescale(pq.Hz)) for st in trains]
        np.testing.assert_allclose(r.values, want, rtol=1e-12)
