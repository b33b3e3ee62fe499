from __future__ import annotations

import numpy as np
import pytest
import quantities as pq
from analysis_helpers import StoreBuilder, stimulus
from mozaik import AnalysisError
from mozaik.datastore import param_filter_query
from mozaik_analysis import (
    ContrastResponse,
    ContrastResponseParams,
    PeriodicTuningPreference,
    PeriodicTuningPreferenceParams,
    SizeTuning,
    SizeTuningParams,
    TuningWidth,
    TuningWidthParams,
)
from mozaik_analysis._ads import per_neuron_value
from mozaik_analysis._fits import naka_rushton, von_mises, von_mises_hwhh


def _store(tmp_path, responses, parameter, values, name="Grating", units=pq.Hz, **extra):
    b = StoreBuilder(tmp_path / "run", {"exc": responses.shape[1]})
    for x, row in zip(values, responses, strict=True):
        sid = stimulus(name, **{parameter: float(x)}, **extra)
        b.store.add_analysis_result(per_neuron_value(
            "TrialAveragedFiringRate", "exc", sid, row, np.arange(len(row)), "Firing rate",
            units, ()))
    return b


def _population(rng, n=40, m=16, noise=0.0):
    """Von Mises orientation tuning with known preferences and widths."""
    theta = np.arange(m) * np.pi / m
    pref = rng.uniform(0, np.pi, n)
    kappa = np.linspace(1.0, 5.0, n)
    y = von_mises(theta, np.full(n, 0.5), np.full(n, 20.0), pref, kappa, np.pi)
    return theta, pref, kappa, y + rng.normal(0, noise, y.shape)


def _angle_error(a, b, period):
    d = np.mod(a - b, period)
    return np.minimum(d, period - d)


def test_preferences_and_widths_are_recovered(tmp_path, rng):
    theta, pref, kappa, y = _population(rng, noise=0.3)
    b = _store(tmp_path, y, "orientation", theta, contrast=100.0)
    got_pref, sel = PeriodicTuningPreference(PeriodicTuningPreferenceParams()).run(b.store)
    assert got_pref.value_name == "orientation preference" and got_pref.period == pytest.approx(
        np.pi)
    assert got_pref.value_units == pq.rad and sel.value_units == pq.dimensionless
    assert got_pref.stimulus_id == stimulus("Grating", contrast=100.0)
    assert np.degrees(_angle_error(got_pref.values, pref, np.pi)).max() < 3.0
    quartiles = sel.values.reshape(4, -1).mean(axis=1)  # kappa grows along the neurons
    assert (np.diff(quartiles) > 0.01).all()  # sharper tuning, higher selectivity
    width, fit_pref = TuningWidth(TuningWidthParams()).run(b.store)
    want = von_mises_hwhh(kappa, np.pi)
    finite = np.isfinite(want)
    assert finite.all()
    assert np.degrees(np.abs(width.values - want)).max() < 4.0  # noise 0.3 on a peak of 20
    assert np.degrees(_angle_error(fit_pref.values, pref, np.pi)).max() < 2.0
    assert width.value_name == "orientation tuning width (HWHH)"


def test_noise_free_widths_are_exact(tmp_path, rng):
    theta, _, kappa, y = _population(rng, n=10, m=12)
    b = _store(tmp_path, y, "orientation", theta)
    width, _ = TuningWidth(TuningWidthParams()).run(b.store)
    np.testing.assert_allclose(width.values, von_mises_hwhh(kappa, np.pi), rtol=1e-6)


def test_direction_uses_the_full_circle(tmp_path, rng):
    theta = np.arange(12) * 2 * np.pi / 12
    y = von_mises(theta, np.zeros(3), np.full(3, 10.0), np.array([0.5, 3.5, 6.0]),
                  np.full(3, 2.0), 2 * np.pi)
    b = _store(tmp_path, y, "direction", theta)
    params = PeriodicTuningPreferenceParams(parameter="direction", period=2 * np.pi)
    pref, _ = PeriodicTuningPreference(params).run(b.store)
    np.testing.assert_allclose(pref.values, [0.5, 3.5, 6.0], atol=1e-6)


def test_flat_and_silent_neurons_are_nan_not_a_crash(tmp_path):
    theta = np.arange(8) * np.pi / 8
    y = np.column_stack([np.zeros(8), np.full(8, 5.0)])
    b = _store(tmp_path, y, "orientation", theta)
    pref, sel = PeriodicTuningPreference(PeriodicTuningPreferenceParams()).run(b.store)
    assert np.isnan(sel.values[0]) and sel.values[1] == pytest.approx(0.0, abs=1e-12)
    width, _ = TuningWidth(TuningWidthParams()).run(b.store)
    assert np.isnan(width.values).all()


def test_size_tuning(tmp_path):
    radius = np.array([0.5, 1.0, 2.0, 4.0, 8.0])
    y = np.column_stack([[2, 8, 10, 6, 5], [1, 2, 3, 4, 5], [0, 0, 0, 0, 0]]).astype(float)
    b = _store(tmp_path, y, "radius", radius)
    pref, r_max, si = SizeTuning(SizeTuningParams()).run(b.store)
    np.testing.assert_allclose(pref.values[:2], [2.0, 8.0])
    np.testing.assert_allclose(si.values[:2], [0.5, 0.0])
    assert np.isnan(pref.values[2]) and np.isnan(si.values[2])
    assert pref.value_units == pq.deg and r_max.value_units == pq.Hz


def test_naka_rushton_parameters_are_recovered(tmp_path, rng):
    contrast = np.array([1.0, 2.0, 5.0, 10.0, 20.0, 40.0, 60.0, 80.0, 100.0])
    truth = [(30.0, 15.0, 2.0), (50.0, 40.0, 3.5), (10.0, 5.0, 1.2)]
    y = np.column_stack([naka_rushton(contrast, *t) for t in truth])
    b = _store(tmp_path, y + rng.normal(0, 0.05, y.shape), "contrast", contrast)
    c50, n, r_max = ContrastResponse(ContrastResponseParams()).run(b.store)
    np.testing.assert_allclose(r_max.values, [t[0] for t in truth], rtol=0.03)
    np.testing.assert_allclose(c50.values, [t[1] for t in truth], rtol=0.05)
    np.testing.assert_allclose(n.values, [t[2] for t in truth], rtol=0.08)
    assert c50.value_units == pq.dimensionless and c50.value_name == "c50"
    with pytest.raises(AnalysisError, match="cannot be stored and read back"):
        ContrastResponse(ContrastResponseParams(parameter_units="percent")).run(b.store)


def test_bad_views(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 2})
    with pytest.raises(AnalysisError, match="PeriodicTuningPreference: needs PerNeuronValue"):
        PeriodicTuningPreference(PeriodicTuningPreferenceParams()).run(b.store)
    for name in ("Grating", "Bar"):
        for ori in (0.0, 1.0):
            b.store.add_analysis_result(per_neuron_value(
                "R", "exc", stimulus(name, orientation=ori), [1.0, 2.0], [0, 1],
                "Firing rate", pq.Hz, ()))
    with pytest.raises(AnalysisError, match="mixes stimulus types \\['Bar', 'Grating'\\]"):
        PeriodicTuningPreference(PeriodicTuningPreferenceParams()).run(b.store)
    with pytest.raises(AnalysisError, match="with a 'radius' parameter"):
        SizeTuning(SizeTuningParams()).run(b.store)


def test_mismatched_units_are_an_error(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 2})
    for ori, units in ((0.0, pq.Hz), (1.0, pq.mV)):
        b.store.add_analysis_result(per_neuron_value(
            "R", "exc", stimulus(orientation=ori), [1.0, 2.0], [0, 1], "Firing rate", units, ()))
    with pytest.raises(AnalysisError, match="different units"):
        PeriodicTuningPreference(PeriodicTuningPreferenceParams()).run(b.store)


def test_per_trial_rates_beside_trial_averages_need_a_query(tmp_path, rng):
    """Per-trial rates (FiringRate, stimuli with a trial) beside their trial averages: the
    tuning analysis names the clash and the query that resolves it; with the query, one
    preference per sheet from the averages, as without the per-trial results."""
    theta, pref, _, y = _population(rng, n=6, m=8)
    b = _store(tmp_path, y, "orientation", theta)
    for trial in range(2):
        for x, row in zip(theta, y, strict=True):
            sid = stimulus("Grating", orientation=float(x), trial=trial)
            b.store.add_analysis_result(per_neuron_value(
                "FiringRate", "exc", sid, row + trial, np.arange(len(row)), "Firing rate",
                pq.Hz, ()))
    analysis = PeriodicTuningPreference(PeriodicTuningPreferenceParams())
    with pytest.raises(AnalysisError, match=r"sheet 'exc' has both per-trial 'Firing rate' "
                       r"results \(of \['FiringRate'\].*analysis_algorithm: "
                       r"TrialAveragedFiringRate"):
        analysis.run(b.store)
    view = param_filter_query(b.store, analysis_algorithm="TrialAveragedFiringRate")
    got_pref, _ = analysis.run(view)
    assert got_pref.stimulus_id == stimulus("Grating")
    assert np.degrees(_angle_error(got_pref.values, pref, np.pi)).max() < 3.0
    per_trial = analysis.run(param_filter_query(b.store, analysis_algorithm="FiringRate"))
    assert len(per_trial) == 4  # preference and selectivity of each trial's curves


def test_a_singular_system_gives_a_zero_step_not_a_failed_batch():
    from mozaik_analysis._fits import solve_steps

    regular = np.diag([2.0, 3.0, 4.0, 5.0])
    singular = np.array([[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0],
                         [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    a = np.stack([regular, singular, regular + 1.0])
    b = np.arange(12.0).reshape(3, 4, 1)
    with pytest.raises(np.linalg.LinAlgError):  # what TuningWidth died of on 40,000 neurons
        np.linalg.solve(a, b)
    out = solve_steps(a, b)
    np.testing.assert_array_equal(out[[0, 2]], np.linalg.solve(a[[0, 2]], b[[0, 2]]))
    assert (out[1] == 0).all()
