"""Every analysis on one synthetic run, chained through the store as the workflow does."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import StoreBuilder, poisson, stimulus
from mozaik.ads import ConductanceSignalList, PerNeuronPairValue, PerNeuronValue
from mozaik.datastore import DataStore, SignalRecording, param_filter_query
from mozaik_analysis import _plugin
from mozaik_analysis._fits import von_mises

ORIENTATIONS = np.arange(8) * np.pi / 8


def _run(tmp_path, rng):
    n = 30
    pref = np.linspace(0, np.pi, n, endpoint=False)
    gx, gy = np.meshgrid(np.arange(6) * 100.0 - 250.0, np.arange(5) * 100.0 - 200.0)
    b = StoreBuilder(tmp_path / "run", {"exc": n, "inh": 5},
                     {"exc": {"orientation_preference": pref, "e_rev_E": np.zeros(n),
                              "e_rev_I": np.full(n, -80.0)}},
                     positions={"exc": np.column_stack([gx.ravel(), gy.ravel()])})
    for contrast in (10.0, 100.0):
        rates = von_mises(ORIENTATIONS, np.full(n, 2.0), np.full(n, contrast / 5),
                          pref, np.full(n, 2.0), np.pi)
        for ori, r in zip(ORIENTATIONS, rates, strict=True):
            sid = stimulus(orientation=float(ori), contrast=contrast, temporal_frequency=2.0)
            for trial in range(3):
                counts = rng.poisson(r)
                neuron = np.repeat(np.arange(n), counts)
                times = rng.uniform(0, 1000.0, counts.sum())
                order = np.lexsort((times, neuron))
                signals = [SignalRecording(variable=v, units=u, t_start=0.0, sampling_period=1.0,
                                           neurons=np.array([0, 1]),
                                           values=rng.normal(m, 0.1 * abs(m), (1000, 2)))
                           for v, u, m in (("v", "mV", -60.0), ("gsyn_exc", "nS", 5.0),
                                           ("gsyn_inh", "nS", 20.0))]
                b.present(sid, trial, 1000.0,
                          {"exc": (neuron[order], times[order]),
                           "inh": poisson(rng, 10.0, 1000.0, 5)}, signals={"exc": signals})
    return b


def test_every_analysis_chained_through_the_store(tmp_path, rng):
    import mozaik_analysis as ma

    b = _run(tmp_path, rng)
    store = b.store
    order = ["TrialAveragedFiringRate", "FiringRate", "PSTH", "CVISI", "FanoFactor",
             "SpikeCountCorrelation", "NeuronAnnotations", "TrialAveragedVm",
             "TrialAveragedConductances", "SubthresholdMoments", "SpikeTriggeredAverage",
             "ModulationRatio", "PeriodicTuningPreference", "TuningWidth", "ContrastResponse",
             "PopulationMean", "PopulationLFP", "ElectrodeLFP", "BandPass", "PowerSpectrum",
             "LFPF1", "SpikeFieldCoherence", "GeneralizedPhase", "TravellingWaves"]
    special = {"ElectrodeLFP": {"grid_shape": (3, 3), "spacing_um": 100.0},
               "LFPF1": {"temporal_frequency_param": "temporal_frequency"},
               "TravellingWaves": {"n_shuffles": 2}}
    assert set(order) == set(_plugin.SUMMARIES) - {"SizeTuning"}
    made = {}
    for name in order:
        cls, params_cls = getattr(ma, name), getattr(ma, f"{name}Params")
        view = store
        if name in ("PeriodicTuningPreference", "TuningWidth"):
            view = param_filter_query(store, analysis_algorithm="TrialAveragedFiringRate")
        if name == "ContrastResponse":
            view = param_filter_query(store, analysis_algorithm="TrialAveragedFiringRate",
                                      st_orientation=0.0)
        if name == "PopulationMean":
            view = param_filter_query(store, analysis_algorithm="CVISI")
        results = cls(params_cls(tags=("chain",), **special.get(name, {}))).run(view)
        assert results, name
        for r in results:  # no two results of one analysis collide in the store
            store.add_analysis_result(r)
        made[name] = len(results)
    store.close()
    reopened = DataStore.open(tmp_path / "run")
    loaded = reopened.analysis_results()
    assert len(loaded) == sum(made.values())
    for r in loaded:
        assert r.analysis_algorithm in made and r.tags[0] == "chain"
        assert r.sheet_name in ("exc", "inh")
        if isinstance(r, PerNeuronValue | PerNeuronPairValue | ConductanceSignalList):
            assert len(r.ids)
        if r.analysis_algorithm != "NeuronAnnotations":
            assert r.stimulus_id is not None and r.stimulus_id.name == "Grating"
    (pref,) = reopened.get_analysis_result(value_name="orientation preference",
                                           sheet_name="exc", st_contrast=100.0)
    assert pref.period == pytest.approx(np.pi)
    truth = reopened.get_analysis_result(value_name="orientation_preference")[0]
    err = np.mod(pref.values - truth.values, np.pi)
    assert np.degrees(np.minimum(err, np.pi - err)).mean() < 10.0
