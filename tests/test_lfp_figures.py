"""The LFP chain from stored analog recordings to figures, across mozaik-analysis and
mozaik-plot (which meet only through the store): ElectrodeLFP -> PowerSpectrum, LFPF1 ->
figures; a planted plane wave stored as ElectrodeSignals -> GeneralizedPhase ->
TravellingWaves (recovered through the store) -> the phase-map movie with its direction."""

from __future__ import annotations

import json
import math

import neo
import numpy as np
import pytest
import quantities as pq
from mozaik.datastore import DataStore, SheetRecording, SignalRecording
from mozaik.stimulus import StimulusIdentity
from mozaik_analysis import (
    LFPF1,
    ElectrodeLFP,
    ElectrodeLFPParams,
    ElectrodeSignals,
    GeneralizedPhase,
    GeneralizedPhaseParams,
    LFPF1Params,
    PowerSpectrum,
    PowerSpectrumParams,
    TravellingWaves,
    TravellingWavesParams,
    electrode_grid,
)
from mozaik_plot import (
    ElectrodeMapParams,
    ElectrodeMapPlot,
    LFPArrayParams,
    LFPArrayPlot,
    PhaseMovie,
    PhaseMovieParams,
    SpectrumParams,
    SpectrumPlot,
)
from PIL import Image

N = 16


def _store(tmp_path):
    rng = np.random.default_rng(7)
    store = DataStore.create(tmp_path / "run", {"config": {"model": "synthetic"}})
    positions = electrode_grid((4, 4), 250.0, (0.0, 0.0))
    store.write_neurons("exc", np.arange(N), positions,
                        {"e_rev_E": np.zeros(N), "e_rev_I": np.full(N, -80.0)})
    t = np.arange(1000) / 1000.0
    drive = 1.0 + 0.5 * np.sin(2 * np.pi * 4.0 * t)  # a 4 Hz modulated input
    traces = {"v": -65.0 + rng.normal(0, 1, (1000, N)),
              "gsyn_exc": 0.01 * drive[:, None] * rng.uniform(0.5, 1.5, (1000, N)),
              "gsyn_inh": 0.02 * rng.uniform(0.5, 1.5, (1000, N))}
    signals = tuple(SignalRecording(variable=v, units="mV" if v == "v" else "uS", t_start=0.0,
                                    sampling_period=1.0, neurons=np.arange(N), values=x)
                    for v, x in traces.items())
    sid = StimulusIdentity("Grating", {"temporal_frequency": 4.0})
    rec = SheetRecording(t_start=0.0, t_stop=1000.0, spike_neurons=np.empty(0, int),
                         spike_times=np.empty(0), spike_recorded=np.arange(N), signals=signals)
    store.write_presentation_arrays(sid, 0, {"exc": rec}, t_start=0.0, t_stop=1000.0)
    return store


def _add(store, results):
    for r in results:
        store.add_analysis_result(r, replace=True)
    return results


def test_lfp_figures(tmp_path):
    store = _store(tmp_path)
    _add(store, ElectrodeLFP(ElectrodeLFPParams(grid_shape=(3, 3), spacing_um=300.0)).run(store))
    _add(store, PowerSpectrum(PowerSpectrumParams(frequency_resolution_hz=4.0)).run(store))
    (f1,) = _add(store, LFPF1(LFPF1Params()).run(store))
    assert f1.values.shape == (9,) and np.all(f1.values > 0)
    for plot, name in ((LFPArrayPlot(LFPArrayParams()), "array"),
                       (SpectrumPlot(SpectrumParams()), "spectrum"),
                       (ElectrodeMapPlot(ElectrodeMapParams()), "map")):
        files = plot.draw(store.full_view(), tmp_path / f"{name}.png")
        png = [f for f in files if f.suffix == ".png"]
        assert png and Image.open(png[0]).size[0] > 100, (name, files)


def test_planted_wave_through_the_store_and_the_movie(tmp_path):
    store = _store(tmp_path)
    positions = electrode_grid((10, 10), 400.0, (0.0, 0.0))
    t = np.arange(1500) / 1000.0
    speed, direction = 0.25, 60.0  # m/s, deg
    k = 2 * np.pi * 10.0 / (speed * 1e6) * np.array([math.cos(math.radians(direction)),
                                                     math.sin(math.radians(direction))])
    lfp = np.cos(2 * np.pi * 10.0 * t[:, None] - positions @ k)
    lfp += 0.2 * np.random.default_rng(1).standard_normal(lfp.shape)
    sid = StimulusIdentity("Grating", {"temporal_frequency": 4.0, "trial": 0})
    store.add_analysis_result(ElectrodeSignals(
        analysis_algorithm="ElectrodeLFP", sheet_name="exc", stimulus_id=sid,
        signal=neo.AnalogSignal(lfp, units=pq.nA, sampling_period=1.0 * pq.ms),
        positions_um=positions, y_axis_name="LFP (RWS proxy)"))
    _add(store, GeneralizedPhase(GeneralizedPhaseParams()).run(store))
    out = _add(store, TravellingWaves(TravellingWavesParams()).run(store))
    values = {r.value_name: r.value for r in out if hasattr(r, "value")}
    assert values["wave speed"] == pytest.approx(speed, rel=0.05)
    assert abs((values["wave direction"] - direction + 180) % 360 - 180) < 5.0
    assert values["wave fraction"] > 0.9
    files = PhaseMovie(PhaseMovieParams(step=50, max_frames=10)).draw(store.full_view(),
                                                                       tmp_path / "phase.png")
    gif = [f for f in files if f.suffix == ".gif"]
    assert gif and Image.open(gif[0]).n_frames == 10
    sidecar = json.loads(gif[0].with_suffix(".json").read_text())
    assert sidecar["plot"] == "PhaseMovie" and sidecar["frames"] == 10


def test_spectrum_band_across_time_segments(tmp_path):
    """``PowerSpectrum`` with ``rows: segments`` -> SpectrumPlot: the band is across the
    presentation's 0.25 s segments, and its legend says so."""
    import matplotlib.pyplot as plt

    store = _store(tmp_path)
    _add(store, ElectrodeLFP(ElectrodeLFPParams(grid_shape=(2, 2), spacing_um=300.0)).run(store))
    (spectra,) = _add(store, PowerSpectrum(PowerSpectrumParams(
        frequency_resolution_hz=4.0, rows="segments")).run(store))
    assert spectra.power.shape[0] == 3  # 994 ms of LFP: three 250 ms segments
    layout, _ = SpectrumPlot(SpectrumParams()).tree(store.full_view())
    (panel,) = layout.children
    fig, ax = plt.subplots()
    try:
        panel.draw(ax)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
    finally:
        plt.close(fig)
    assert labels == ["95% CI of the mean (3 segments)"]
