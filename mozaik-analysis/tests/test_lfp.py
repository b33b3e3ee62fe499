"""LFP proxies on stores whose conductances and Vm are known: the proxies match their defining
formulas, results are stored and read back, and bad inputs get errors naming the parameter."""

from __future__ import annotations

import numpy as np
import pytest
import quantities as pq
from analysis_helpers import stimulus
from mozaik import AnalysisError, ConfigError
from mozaik.ads import AnalogSignal
from mozaik.config import structure
from mozaik.datastore import DataStore, SheetRecording, SignalRecording
from mozaik_analysis import (
    MAZZONI_ALPHA,
    MAZZONI_DELAY_MS,
    BandPass,
    BandPassParams,
    ElectrodeLFP,
    ElectrodeLFPParams,
    ElectrodeSignals,
    PopulationLFP,
    PopulationLFPParams,
    PowerSpectrum,
    PowerSpectrumParams,
    SpikeFieldCoherence,
    SpikeFieldCoherenceParams,
)

DT = 0.5  # ms
N = 12


def make_store(tmp_path, rng, *, variables=("v", "gsyn_exc", "gsyn_inh"), trials=2,
               n_samples=400, dt=DT, annotate=True):
    """A sheet of N neurons on a 4 x 3 grid (1000 x 600 um) with random Vm and conductances
    (conductances in nS, to check the unit conversion), reversal potentials varying per
    neuron. Returns the store and the traces written, per presentation."""
    store = DataStore.create(tmp_path / "run", {"config": {"model": "synthetic"}})
    gx, gy = np.meshgrid(np.linspace(-500, 500, 4), np.linspace(-300, 300, 3))
    positions = np.column_stack([gx.ravel(), gy.ravel()])
    e_e = rng.uniform(-5.0, 5.0, N)
    e_i = rng.uniform(-85.0, -70.0, N)
    ann = {"e_rev_E": e_e, "e_rev_I": e_i} if annotate else {}
    store.write_neurons("exc", np.arange(100, 100 + N), positions, ann)
    written = []
    t = 0.0
    for trial in range(trials):
        traces = {"v": rng.uniform(-70.0, -50.0, (n_samples, N)),
                  "gsyn_exc": rng.uniform(0.0, 20.0, (n_samples, N)),  # nS
                  "gsyn_inh": rng.uniform(0.0, 40.0, (n_samples, N))}
        units = {"v": "mV", "gsyn_exc": "nS", "gsyn_inh": "nS"}
        signals = tuple(SignalRecording(variable=v, units=units[v], t_start=t,
                                        sampling_period=dt, neurons=np.arange(N),
                                        values=traces[v]) for v in variables)
        duration = n_samples * dt
        rec = SheetRecording(t_start=t, t_stop=t + duration, spike_neurons=np.empty(0, int),
                             spike_times=np.empty(0), spike_recorded=np.arange(N),
                             signals=signals)
        store.write_presentation_arrays(stimulus("Grating", temporal_frequency=8.0), trial,
                                        {"exc": rec}, t_start=t, t_stop=t + duration)
        written.append(traces)
        t += duration + 100.0
    return store, positions, e_e, e_i, written


def rws(traces, e_e, e_i, weights=None):
    """The RWS proxy written out from its definition (Mazzoni et al. 2015), in nA."""
    i_e = traces["gsyn_exc"] * 1e-3 * (traces["v"] - e_e)  # nS -> uS; uS x mV = nA
    i_i = traces["gsyn_inh"] * 1e-3 * (traces["v"] - e_i)
    lag = round(MAZZONI_DELAY_MS / DT)
    terms = np.abs(i_e[:-lag]) - MAZZONI_ALPHA * np.abs(i_i[lag:])
    return terms.sum(axis=1) if weights is None else terms @ weights.T


def test_population_proxy_matches_its_formula(tmp_path, rng):
    store, _, e_e, e_i, written = make_store(tmp_path, rng)
    out = PopulationLFP(PopulationLFPParams()).run(store)
    assert len(out) == 2 and all(isinstance(r, AnalogSignal) for r in out)
    for r, traces in zip(out, written, strict=True):
        np.testing.assert_allclose(r.signal.magnitude.ravel(), rws(traces, e_e, e_i), rtol=1e-12)
        assert r.signal.units == pq.nA and r.signal.t_start == MAZZONI_DELAY_MS * pq.ms
        assert r.stimulus_id.params["trial"] in (0, 1)


def test_electrode_proxy_matches_its_formula_and_is_stored(tmp_path, rng):
    store, positions, e_e, e_i, written = make_store(tmp_path, rng)
    params = ElectrodeLFPParams(grid_shape=(3, 2), spacing_um=300.0, length_constant_um=200.0)
    out = ElectrodeLFP(params).run(store)
    electrodes = params.electrodes()
    d = np.hypot(*(electrodes[:, None, :] - positions[None, :, :]).transpose(2, 0, 1))
    weights = np.exp(-d / 200.0)
    for r, traces in zip(out, written, strict=True):
        assert isinstance(r, ElectrodeSignals) and r.signal.shape[1] == 6
        np.testing.assert_allclose(r.signal.magnitude, rws(traces, e_e, e_i, weights),
                                   rtol=1e-12)
        np.testing.assert_array_equal(r.positions_um, electrodes)
        store.add_analysis_result(r)
    back = [r for r in store.get_analysis_result(identifier="ElectrodeSignals")
            if r.stimulus_id.params["trial"] == 1]
    assert len(back) == 1
    np.testing.assert_allclose(back[0].signal.magnitude, out[1].signal.magnitude)
    np.testing.assert_array_equal(back[0].positions_um, electrodes)


def test_band_pass_and_spectrum_of_stored_lfp(tmp_path, rng):
    store, *_ = make_store(tmp_path, rng, n_samples=4000)
    for r in ElectrodeLFP(ElectrodeLFPParams(grid_shape=(2, 2), spacing_um=300.0)).run(store):
        store.add_analysis_result(r)
    filtered = BandPass(BandPassParams(band_hz=(20.0, 80.0))).run(store)
    assert [r.y_axis_name for r in filtered] == ["LFP (RWS proxy) 20-80 Hz"] * 2
    spectra = PowerSpectrum(PowerSpectrumParams(frequency_resolution_hz=4.0)).run(store)
    assert spectra[0].power.shape == (4, len(spectra[0].frequencies_hz))
    assert spectra[0].frequencies_hz[1] == pytest.approx(4.0)


# -- bad input ------------------------------------------------------------------------------------


def test_electrode_outside_the_sheet(tmp_path, rng):
    store, *_ = make_store(tmp_path, rng)
    with pytest.raises(AnalysisError, match=r"electrode \d+ at .* lies outside sheet 'exc'.*"
                                            r"spacing_um"):
        ElectrodeLFP(ElectrodeLFPParams()).run(store)  # 10 x 10 at 400 um: 3.6 mm wide
    with pytest.raises(AnalysisError, match=r"electrode 1 at \(900, 0\) um .*positions_um"):
        ElectrodeLFP(ElectrodeLFPParams(positions_um=[(0.0, 0.0), (900.0, 0.0)])).run(store)


def test_sheet_without_the_needed_recordings(tmp_path, rng):
    store, *_ = make_store(tmp_path, rng, variables=("v", "gsyn_exc"))
    with pytest.raises(AnalysisError, match=r"no 'gsyn_inh' recordings.*sheets\.exc\.params\."
                                            r"recorders\.N\.variables"):
        PopulationLFP(PopulationLFPParams(sheet_names=["exc"])).run(store)


def test_sheet_without_reversal_potentials(tmp_path, rng):
    store, *_ = make_store(tmp_path, rng, annotate=False)
    with pytest.raises(AnalysisError, match="e_rev_E, e_rev_I"):
        PopulationLFP(PopulationLFPParams()).run(store)


def test_band_edge_above_nyquist(tmp_path, rng):
    store, *_ = make_store(tmp_path, rng)
    for r in PopulationLFP(PopulationLFPParams()).run(store):
        store.add_analysis_result(r)
    # sampled every 0.5 ms: Nyquist is 1000 Hz
    with pytest.raises(AnalysisError, match=r"band_hz = \[300.0, 1000.0\].*Nyquist frequency "
                                            r"1000 Hz"):
        BandPass(BandPassParams(band_hz=(300.0, 1000.0), source="PopulationLFP")).run(store)


def test_sampling_interval_the_recording_does_not_have(tmp_path, rng):
    store, *_ = make_store(tmp_path, rng)
    with pytest.raises(AnalysisError, match=r"sampling_interval_ms = 0.1 ms.*recorded every "
                                            r"0.5 ms"):
        PopulationLFP(PopulationLFPParams(sampling_interval_ms=0.1)).run(store)


@pytest.mark.parametrize("value", [0.0, -100.0])
def test_kernel_length_must_be_positive(value):
    with pytest.raises(ConfigError, match=r"analyses\.0\.params\.length_constant_um"):
        structure({"length_constant_um": value}, ElectrodeLFPParams, path="analyses.0.params")


def test_spike_field_coherence_finds_phase_locked_spikes(tmp_path):
    """Excitatory conductances modulated at 20 Hz and spikes locked to them: the coherence of
    the LFP proxy with the pooled spikes peaks at 20 Hz; with spikes at random times it is
    low there."""
    rng = np.random.default_rng(3)
    store = DataStore.create(tmp_path / "run", {"config": {"model": "synthetic"}})
    store.write_neurons("exc", np.arange(N), np.zeros((N, 2)),
                        {"e_rev_E": np.zeros(N), "e_rev_I": np.full(N, -80.0)})
    n, dt = 4000, 1.0
    t = np.arange(n) * dt
    drive = 1.0 + 0.8 * np.sin(2 * np.pi * 20.0 * t / 1000.0)
    traces = {"v": np.full((n, N), -65.0),
              "gsyn_exc": 0.01 * drive[:, None] * rng.uniform(0.8, 1.2, (n, N)),
              "gsyn_inh": np.full((n, N), 0.01)}
    signals = tuple(SignalRecording(variable=v, units="mV" if v == "v" else "uS", t_start=0.0,
                                    sampling_period=dt, neurons=np.arange(N), values=x)
                    for v, x in traces.items())
    locked = rng.random((n, N)) < 0.02 * drive[:, None]
    random = rng.random((n, N)) < 0.02
    for trial, spikes in enumerate((locked, random)):
        step, neuron = np.nonzero(spikes)
        onset = trial * (n * dt + 100.0)
        rec = SheetRecording(
            t_start=onset, t_stop=onset + n * dt, spike_neurons=neuron,
            spike_times=onset + t[step] + 0.5, spike_recorded=np.arange(N),
            signals=tuple(SignalRecording(variable=s.variable, units=s.units, t_start=onset,
                                          sampling_period=dt, neurons=s.neurons,
                                          values=s.values) for s in signals))
        store.write_presentation_arrays(stimulus("Grating"), trial, {"exc": rec},
                                        t_start=onset, t_stop=onset + n * dt)
    for r in PopulationLFP(PopulationLFPParams()).run(store):
        store.add_analysis_result(r)
    out = SpikeFieldCoherence(SpikeFieldCoherenceParams(frequency_resolution_hz=4.0)).run(store)
    by_trial = {r.stimulus_id.params["trial"]: r for r in out}
    f = by_trial[0].frequencies_hz
    at = int(np.argmin(np.abs(f - 20.0)))
    assert by_trial[0].coherence[0, at] > 0.5
    assert by_trial[1].coherence[0, at] < 0.1
    assert int(np.argmax(by_trial[0].coherence[0, 1:])) + 1 == at


def test_spectrum_rows_across_segments_give_a_band_for_one_signal(tmp_path, rng):
    """``rows: segments``: a population LFP (one signal, so no band across electrodes) gets one
    periodogram per non-overlapping segment; their mean is Welch's PSD without overlap, and
    the row kind survives the store."""
    from scipy.signal import welch as scipy_welch

    store, *_ = make_store(tmp_path, rng, n_samples=4000, trials=1)  # 2 s at 2 kHz
    for r in PopulationLFP(PopulationLFPParams()).run(store):
        store.add_analysis_result(r)
    params = PowerSpectrumParams(frequency_resolution_hz=4.0, source="PopulationLFP",
                                 rows="segments")
    (spectra,) = PowerSpectrum(params).run(store)
    (lfp,) = store.get_analysis_result(identifier="AnalogSignal")
    x = np.asarray(lfp.signal.magnitude)[:, 0]
    n_segments = len(x) // 500  # 0.25 s segments at 2 kHz
    assert spectra.power.shape == (n_segments, 251) and n_segments == 7
    f, expected = scipy_welch(x, fs=2000.0, window="hann", nperseg=500, noverlap=0,
                              detrend="constant", scaling="density")
    np.testing.assert_allclose(spectra.frequencies_hz, f)
    np.testing.assert_allclose(spectra.power.mean(axis=0), expected, rtol=1e-10)
    assert np.all(spectra.power.std(axis=0)[1:] > 0)  # a spread across segments to band
    store.add_analysis_result(spectra)
    (back,) = store.get_analysis_result(identifier="PowerSpectra")
    assert back.rows == "segments"
    (default,) = PowerSpectrum(PowerSpectrumParams(frequency_resolution_hz=4.0,
                                                   source="PopulationLFP")).run(store)
    assert default.rows == "signals" and default.power.shape == (1, 251)


def test_spectrum_rows_across_segments_need_two_segments(tmp_path, rng):
    store, *_ = make_store(tmp_path, rng, n_samples=400, trials=1)  # 0.2 s
    for r in PopulationLFP(PopulationLFPParams()).run(store):
        store.add_analysis_result(r)
    params = PowerSpectrumParams(frequency_resolution_hz=8.0, source="PopulationLFP",
                                 rows="segments")
    with pytest.raises(AnalysisError, match="frequency_resolution_hz = 8.0 Hz.*two segments"):
        PowerSpectrum(params).run(store)
    with pytest.raises(ConfigError, match=r"analyses\.1\.params\.rows"):
        structure({"rows": "trials"}, PowerSpectrumParams, path="analyses.1.params")
