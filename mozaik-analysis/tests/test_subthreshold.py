from __future__ import annotations

import numpy as np
import pytest
import quantities as pq
from analysis_helpers import StoreBuilder, stimulus
from mozaik import AnalysisError
from mozaik.ads import AnalogSignalList, ConductanceSignalList, PerNeuronValue
from mozaik.datastore import SignalRecording
from mozaik_analysis import (
    SubthresholdMoments,
    SubthresholdMomentsParams,
    TrialAveragedConductances,
    TrialAveragedConductancesParams,
    TrialAveragedVm,
    TrialAveragedVmParams,
)


def _recorded(tmp_path, rng, trials=3):
    b = StoreBuilder(tmp_path / "run", {"exc": 5})
    neurons = np.array([1, 3])
    traces = {"v": [], "gsyn_exc": [], "gsyn_inh": []}
    for trial in range(trials):
        v = -65.0 + rng.normal(0, 1.0, (200, 2)) + np.array([0.0, 5.0])
        ge = np.abs(rng.normal(0.01, 0.002, (200, 2)))
        gi = np.abs(rng.normal(0.03, 0.004, (200, 2)))
        for name, x in (("v", v), ("gsyn_exc", ge), ("gsyn_inh", gi)):
            traces[name].append(x)
        signals = [SignalRecording(variable="v", units="mV", t_start=0.0, sampling_period=0.5,
                                   neurons=neurons, values=v),
                   SignalRecording(variable="gsyn_exc", units="uS", t_start=0.0,
                                   sampling_period=0.5, neurons=neurons, values=ge),
                   SignalRecording(variable="gsyn_inh", units="uS", t_start=0.0,
                                   sampling_period=0.5, neurons=neurons, values=gi)]
        b.present(stimulus(), trial, 100.0, {}, signals={"exc": signals})
    return b, {k: np.array(v) for k, v in traces.items()}


def test_trial_averaged_vm_and_conductances(tmp_path, rng):
    b, traces = _recorded(tmp_path, rng)
    (vm,) = TrialAveragedVm(TrialAveragedVmParams()).run(b.store)
    assert isinstance(vm, AnalogSignalList) and vm.y_axis_units == pq.mV
    np.testing.assert_array_equal(vm.ids, [1, 3])
    np.testing.assert_allclose(vm.signals[1].magnitude.ravel(), traces["v"].mean(axis=0)[:, 1])
    assert vm.signals[0].sampling_period == 0.5 * pq.ms and vm.signals[0].t_start == 0 * pq.ms
    (g,) = TrialAveragedConductances(TrialAveragedConductancesParams()).run(b.store)
    assert isinstance(g, ConductanceSignalList) and g.units == pq.uS
    np.testing.assert_allclose(g.i_con[0].magnitude.ravel(),
                               traces["gsyn_inh"].mean(axis=0)[:, 0])
    b.store.add_analysis_result(g)


def test_subthreshold_moments(tmp_path, rng):
    b, traces = _recorded(tmp_path, rng)
    out = SubthresholdMoments(SubthresholdMomentsParams()).run(b.store)
    by_name = {r.value_name: r for r in out}
    assert set(by_name) == {"Mean(Vm)", "Var(Vm)", "Mean(gsyn_exc)", "Var(gsyn_exc)",
                            "Mean(gsyn_inh)", "Var(gsyn_inh)"}
    assert all(isinstance(r, PerNeuronValue) for r in out)
    pooled = traces["v"].transpose(2, 0, 1).reshape(2, -1)
    np.testing.assert_allclose(by_name["Mean(Vm)"].values, pooled.mean(axis=1))
    np.testing.assert_allclose(by_name["Var(Vm)"].values, pooled.var(axis=1))
    assert by_name["Var(Vm)"].value_units == pq.mV ** 2
    assert by_name["Mean(gsyn_exc)"].value_units == pq.uS


def test_views_without_analog_recordings_are_errors(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 2})
    b.present(stimulus(), 0, 100.0, {"exc": (np.array([0]), np.array([1.0]))})
    with pytest.raises(AnalysisError, match="TrialAveragedVm: needs 'v' recordings"):
        TrialAveragedVm(TrialAveragedVmParams()).run(b.store)
    with pytest.raises(AnalysisError, match="SubthresholdMoments: needs analog recordings"):
        SubthresholdMoments(SubthresholdMomentsParams()).run(b.store)


def test_conductances_in_different_units_are_an_error(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 1})
    signals = [SignalRecording(variable=v, units=u, t_start=0.0, sampling_period=1.0,
                               neurons=np.array([0]), values=np.ones((10, 1)))
               for v, u in (("gsyn_exc", "uS"), ("gsyn_inh", "nS"))]
    b.present(stimulus(), 0, 10.0, {}, signals={"exc": signals})
    with pytest.raises(AnalysisError, match="'gsyn_exc' is in uS but 'gsyn_inh' in nS"):
        TrialAveragedConductances(TrialAveragedConductancesParams()).run(b.store)
