from __future__ import annotations

import elephant.conversion as ec
import elephant.spike_train_correlation as esc
import neo
import numpy as np
import pytest
import quantities as pq
from analysis_helpers import StoreBuilder, poisson, sort_spikes, stimulus
from mozaik.ads import PerNeuronPairValue, SingleValue
from mozaik_analysis import SpikeCountCorrelation, SpikeCountCorrelationParams
from mozaik_analysis._correlation import sample_neurons


def _shared_input(rng, n, duration_ms, rate_hz, shared):
    """Each neuron copies a common Poisson train with probability ``shared`` + own spikes."""
    common = rng.uniform(0, duration_ms, rng.poisson(rate_hz * duration_ms / 1000))
    neurons, times = [], []
    for j in range(n):
        keep = common[rng.random(len(common)) < shared]
        own = rng.uniform(0, duration_ms, rng.poisson((1 - shared) * rate_hz * duration_ms
                                                      / 1000))
        t = np.concatenate([keep, own])
        neurons.append(np.full(len(t), j))
        times.append(t)
    return sort_spikes(np.concatenate(neurons), np.concatenate(times))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # elephant on quantities 0.16
def test_correlation_equals_elephant(tmp_path, rng):
    b = StoreBuilder(tmp_path / "run", {"exc": 12})
    neuron, times = _shared_input(rng, 12, 5000.0, 20.0, 0.3)
    t0 = b.present(stimulus(), 0, 5000.0, {"exc": (neuron, times)})
    results = SpikeCountCorrelation(SpikeCountCorrelationParams(bin_ms=20.0)).run(b.store)
    pair, mean = results
    assert isinstance(pair, PerNeuronPairValue) and isinstance(mean, SingleValue)
    trains = [neo.SpikeTrain(times[neuron == j] + t0, units="ms", t_start=t0,
                             t_stop=t0 + 5000.0) for j in range(12)]
    binned = ec.BinnedSpikeTrain(trains, bin_size=20.0 * pq.ms)
    want = esc.correlation_coefficient(binned)
    np.testing.assert_allclose(pair.values, want, atol=1e-12)
    assert 0.06 < mean.value < 0.12  # p**2 = 0.09 for a copied fraction p = 0.3
    assert mean.value_name == "Mean(Spike-count correlation)"


def test_independent_trains_are_uncorrelated_and_sampling_is_bounded(tmp_path, rng):
    b = StoreBuilder(tmp_path / "run", {"exc": 300})
    for trial in range(50):
        b.present(stimulus(), trial, 500.0, {"exc": poisson(rng, 10.0, 500.0, 300)})
    params = SpikeCountCorrelationParams(max_pairs=1000, seed=3)
    pair, mean = SpikeCountCorrelation(params).run(b.store)
    assert len(pair.ids) == 45 and 45 * 44 // 2 <= 1000
    np.testing.assert_array_equal(pair.ids, sample_neurons(300, 1000, 3))
    assert abs(mean.value) < 0.02
    again, _ = SpikeCountCorrelation(params).run(b.store)
    np.testing.assert_array_equal(again.ids, pair.ids)


def test_silent_neurons_give_nan_not_a_crash(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 3})
    b.present(stimulus(), 0, 100.0, {"exc": (np.array([0, 1]), np.array([10.0, 20.0]))})
    b.present(stimulus(), 1, 100.0, {"exc": (np.array([0, 0, 1]), np.array([1.0, 2.0, 3.0]))})
    pair, mean = SpikeCountCorrelation(SpikeCountCorrelationParams()).run(b.store)
    assert np.isnan(pair.values[2]).all() and np.isnan(pair.values[:, 2]).all()
    assert np.isnan(pair.values[0, 1])  # neuron 1 fired once in each trial: no variance
    assert np.isnan(mean.value)
