from __future__ import annotations

import numpy as np
import pytest
import quantities as pq
from analysis_helpers import StoreBuilder, stimulus
from mozaik import AnalysisError
from mozaik.datastore import SignalRecording
from mozaik_analysis import SpikeTriggeredAverage, SpikeTriggeredAverageParams


def test_sta_recovers_a_kernel_locked_to_spikes(tmp_path, rng):
    b = StoreBuilder(tmp_path / "run", {"exc": 3})
    dt, n = 0.5, 4000
    kernel = np.exp(-np.abs(np.arange(-20, 21)) / 5.0)  # +-10 ms
    windows = {0: [], 2: []}
    for trial in range(2):
        traces = np.zeros((n, 2))
        neuron, times = [], []
        for col, j in enumerate((0, 2)):
            k = np.sort(rng.choice(np.arange(100, n - 100), 30, replace=False))
            for c in k:
                traces[c - 20:c + 21, col] += kernel
            neuron.append(np.full(len(k), j))
            times.append(k * dt)
            windows[j].append(k)
        # neuron 1 spikes but has no trace; neuron 2's trace is recorded
        neuron.append(np.array([1]))
        times.append(np.array([500.0]))
        ge = SignalRecording(variable="gsyn_exc", units="nS", t_start=0.0, sampling_period=dt,
                             neurons=np.array([0, 2]), values=traces)
        order = np.argsort(np.concatenate(neuron), kind="stable")
        b.present(stimulus(), trial, n * dt,
                  {"exc": (np.concatenate(neuron)[order], np.concatenate(times)[order])},
                  signals={"exc": [ge]})
        for col, j in enumerate((0, 2)):
            windows[j][-1] = [traces[c - 20:c + 21, col] for c in windows[j][-1]]
    params = SpikeTriggeredAverageParams(window_ms=10.0, variables=("gsyn_exc",))
    (sta,) = SpikeTriggeredAverage(params).run(b.store)
    np.testing.assert_array_equal(sta.ids, [0, 2])
    assert sta.y_axis_name == "STA(gsyn_exc)" and sta.y_axis_units == pq.nS
    assert sta.signals[0].t_start == -10.0 * pq.ms
    for sig, j in zip(sta.signals, (0, 2), strict=True):
        want = np.mean([w for trial in windows[j] for w in trial], axis=0)
        np.testing.assert_allclose(sig.magnitude.ravel(), want, rtol=1e-12)
        values = sig.magnitude.ravel()
        assert len(values) == 41
        # the kernel plus the overlap of other spikes' kernels (small, non-negative)
        assert values[20] == pytest.approx(1.0, abs=0.1)
        assert (values >= kernel - 1e-12).all()
        assert np.argmax(values) == 20


def test_sta_needs_the_variable(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 1})
    b.present(stimulus(), 0, 100.0, {"exc": (np.array([0]), np.array([10.0]))})
    want = "SpikeTriggeredAverage: needs spikes and \\['gsyn_exc', 'gsyn_inh'\\]"
    with pytest.raises(AnalysisError, match=want):
        SpikeTriggeredAverage(SpikeTriggeredAverageParams()).run(b.store)
