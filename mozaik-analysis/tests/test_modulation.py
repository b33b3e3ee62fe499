from __future__ import annotations

import numpy as np
import pytest
import quantities as pq
from analysis_helpers import StoreBuilder, sort_spikes, stimulus
from mozaik import AnalysisError
from mozaik_analysis import ModulationRatio, ModulationRatioParams


def _modulated(rng, n, r0, depth, f_hz, duration_ms):
    """Inhomogeneous Poisson spikes at r0 (1 + depth sin(2 pi f t)), by thinning."""
    peak = r0 * (1 + depth)
    neurons, times = [], []
    for j in range(n):
        t = rng.uniform(0, duration_ms, rng.poisson(peak * duration_ms / 1000))
        rate = r0 * (1 + depth * np.sin(2 * np.pi * f_hz * t / 1000))
        t = t[rng.random(len(t)) < rate / peak]
        neurons.append(np.full(len(t), j))
        times.append(t)
    return sort_spikes(np.concatenate(neurons), np.concatenate(times))


def test_sinusoidal_modulation_has_known_f1_over_f0(tmp_path, rng):
    depths = np.array([0.0, 0.4, 0.8, 1.0])
    b = StoreBuilder(tmp_path / "run", {"exc": 4 * 25})
    for trial in range(20):
        parts = [_modulated(rng, 25, 30.0, d, 4.0, 1000.0) for d in depths]
        neuron = np.concatenate([nn + 25 * i for i, (nn, _) in enumerate(parts)])
        times = np.concatenate([t for _, t in parts])
        b.present(stimulus(temporal_frequency=4.0), trial, 1000.0, {"exc": (neuron, times)})
    f0, f1, ratio = ModulationRatio(ModulationRatioParams()).run(b.store)
    assert ratio.value_name == "Modulation ratio (F1/F0)" and f1.value_units == pq.Hz
    means = ratio.values.reshape(4, 25).mean(axis=1)
    np.testing.assert_allclose(means[1:], depths[1:], atol=0.05)
    assert means[0] < 0.12  # noise floor of an unmodulated train
    np.testing.assert_allclose(f0.values.mean(), 30.0, rtol=0.03)


def test_exact_harmonics_and_whole_cycles(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 2})
    # neuron 0: one spike per cycle at the same phase -> F1 = 2 F0; neuron 1: silent;
    # the window (1100 ms) holds 4 whole cycles of 4 Hz: the spike at 1050 ms is left out
    times = np.array([50.0, 300.0, 550.0, 800.0, 1050.0])
    b.present(stimulus(temporal_frequency=4.0), 0, 1100.0, {"exc": (np.zeros(5, int), times)})
    f0, f1, ratio = ModulationRatio(ModulationRatioParams()).run(b.store)
    np.testing.assert_allclose(f0.values[0], 4.0)
    np.testing.assert_allclose(ratio.values[0], 2.0)
    assert np.isnan(ratio.values[1]) and f0.values[1] == 0.0


def test_needs_a_temporal_frequency(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 1})
    b.present(stimulus(), 0, 100.0, {"exc": (np.array([0]), np.array([1.0]))})
    with pytest.raises(AnalysisError, match="ModulationRatio: needs .*'temporal_frequency'"):
        ModulationRatio(ModulationRatioParams()).run(b.store)
    b.present(stimulus(temporal_frequency=2.0), 0, 100.0, {})
    with pytest.raises(AnalysisError, match="no whole cycle"):
        ModulationRatio(ModulationRatioParams()).run(b.store)
