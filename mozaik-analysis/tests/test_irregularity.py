from __future__ import annotations

import elephant.statistics as es
import neo
import numpy as np
from analysis_helpers import StoreBuilder, poisson, stimulus
from mozaik_analysis import CVISI, CVISIParams, FanoFactor, FanoFactorParams


def test_poisson_trains_have_cv_and_fano_near_one(tmp_path, rng):
    b = StoreBuilder(tmp_path / "run", {"exc": 200})
    for trial in range(40):
        b.present(stimulus(), trial, 1000.0, {"exc": poisson(rng, 20.0, 1000.0, 200)})
    (cv,) = CVISI(CVISIParams()).run(b.store)
    (ff,) = FanoFactor(FanoFactorParams()).run(b.store)
    assert cv.value_name == "CV of ISI" and ff.value_name == "Fano factor"
    assert abs(np.mean(cv.values) - 1.0) < 0.03
    assert abs(np.mean(ff.values) - 1.0) < 0.05
    (ff_windows,) = FanoFactor(FanoFactorParams(window_ms=100.0)).run(b.store)
    assert abs(np.mean(ff_windows.values) - 1.0) < 0.05


def test_regular_trains_have_cv_near_zero(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 5})
    times = np.arange(5.0, 1000.0, 10.0)
    neuron = np.repeat(np.arange(5), len(times))
    b.present(stimulus(), 0, 1000.0, {"exc": (neuron, np.tile(times, 5))})
    b.present(stimulus(), 1, 1000.0, {"exc": (neuron, np.tile(times, 5))})
    (cv,) = CVISI(CVISIParams()).run(b.store)
    np.testing.assert_allclose(cv.values, 0.0, atol=1e-12)
    (ff,) = FanoFactor(FanoFactorParams()).run(b.store)
    np.testing.assert_allclose(ff.values, 0.0)


def test_cv_and_fano_equal_elephant(tmp_path, rng):
    b = StoreBuilder(tmp_path / "run", {"exc": 30})
    per_trial = []
    for trial in range(6):
        neuron, times = poisson(rng, 15.0, 900.0, 30)
        t0 = b.present(stimulus(), trial, 900.0, {"exc": (neuron, times)})
        per_trial.append([neo.SpikeTrain(times[neuron == j] + t0, units="ms", t_start=t0,
                                         t_stop=t0 + 900.0) for j in range(30)])
    view = b.store
    first = view.derive(view.segment_index.slice(0, 1), None)
    (cv,) = CVISI(CVISIParams()).run(first)
    want = [es.cv(es.isi(st.magnitude)) if len(st) > 2 else np.nan for st in per_trial[0]]
    np.testing.assert_allclose(cv.values, want, rtol=1e-10)
    # the default is Elephant's (and the textbook's) variance over the number of counts
    (ff,) = FanoFactor(FanoFactorParams()).run(view)
    want = [es.fanofactor([trials[j] for trials in per_trial]) for j in range(30)]
    np.testing.assert_allclose(ff.values, want, rtol=1e-12)
    (unbiased,) = FanoFactor(FanoFactorParams(ddof=1)).run(view)
    np.testing.assert_allclose(unbiased.values, np.asarray(want) * 6 / 5, rtol=1e-12)


def test_fano_counts_spikes_on_edges_in_the_window_ending_there(tmp_path):
    """Counting windows are (a, a + window_ms], as segments are (t_start, t_stop]; the
    per-trial counts equal Elephant's fanofactor of trains ending on a spike."""
    b = StoreBuilder(tmp_path / "run", {"exc": 2})
    per_trial = []
    for trial, last in enumerate((100.0, 99.9, 100.0)):
        # neuron 0 fires exactly on every 25 ms edge; neuron 1 once per window, off the edges
        neuron = np.array([0, 0, 0, 0, 1, 1, 1, 1])
        times = np.array([25.0, 50.0, 75.0, last, 10.0, 30.0, 60.0, 80.0])
        t0 = b.present(stimulus(), trial, 100.0, {"exc": (neuron, times)})
        per_trial.append([neo.SpikeTrain(times[neuron == j] + t0, units="ms", t_start=t0,
                                         t_stop=t0 + 100.0) for j in range(2)])
    (windows,) = FanoFactor(FanoFactorParams(window_ms=25.0)).run(b.store)
    np.testing.assert_allclose(windows.values, [0.0, 0.0])  # one spike in every window
    (trials,) = FanoFactor(FanoFactorParams()).run(b.store)
    want = [es.fanofactor([t[j] for t in per_trial]) for j in range(2)]
    np.testing.assert_allclose(trials.values, want, rtol=1e-12)


def test_neurons_with_few_spikes_are_nan_not_a_crash(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 4})
    # 0, 1, 2 and 3 spikes; neuron 3's last spike is exactly at the presentation's end
    neuron = np.array([1, 2, 2, 3, 3, 3])
    times = np.array([10.0, 10.0, 30.0, 0.1, 40.0, 100.0])
    b.present(stimulus(), 0, 100.0, {"exc": (neuron, times)})
    (cv,) = CVISI(CVISIParams()).run(b.store)
    assert np.isnan(cv.values[:3]).all()
    np.testing.assert_allclose(cv.values[3], np.std([39.9, 60.0]) / 49.95)
    (cv1,) = CVISI(CVISIParams(min_isi_count=1)).run(b.store)
    np.testing.assert_allclose(cv1.values[2], 0.0)
    assert np.isnan(cv1.values[:2]).all()
    (ff,) = FanoFactor(FanoFactorParams()).run(b.store)  # one trial: variance undefined
    assert np.isnan(ff.values).all()
    (ff0,) = FanoFactor(FanoFactorParams(window_ms=50.0)).run(b.store)
    assert np.isnan(ff0.values[0])  # silent: mean 0
    np.testing.assert_allclose(ff0.values[1], 0.25 / 0.5)  # counts [1, 0]
    np.testing.assert_allclose(ff0.values[3], 0.25 / 1.5)  # counts [2, 1]: 100.0 ends bin 2
