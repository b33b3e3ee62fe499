"""A small store exercising every spike-reading analysis, and its results as flat arrays.

``tests/data/streaming_golden.npz`` holds the results the whole-run code path (before the
analyses read presentation by presentation, issue 25 item 4) computed on this store;
``test_streaming.py`` checks the streaming path gives the same. Regenerate only on purpose:
``python mozaik-analysis/tests/streaming_cases.py OUT.npz``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
from analysis_helpers import StoreBuilder, sort_spikes, stimulus
from mozaik.ads import AnalysisDataStructure
from mozaik.analysis import Analysis
from mozaik.datastore import DataStore, SignalRecording

GOLDEN = Path(__file__).resolve().parent / "data" / "streaming_golden.npz"

DT_MS = 0.5
DURATION_MS = 400.0


def build(root: Path, seed: int = 20261207) -> DataStore:
    """Two sheets (one recording only some neurons), 3 stimuli x 3 trials with a temporal
    frequency, spikes on window and bin edges, gsyn_exc and v of some neurons."""
    rng = np.random.default_rng(seed)
    b = StoreBuilder(root, {"exc": 12, "inh": 5})
    n_samples = int(DURATION_MS / DT_MS)
    for orientation in (0.0, 0.5, 1.0):
        for trial in range(3):
            counts = rng.poisson(20.0 * (1 + orientation) * DURATION_MS / 1000.0, 12)
            neuron = np.repeat(np.arange(12), counts)
            # times on the sample grid (as NEST stamps them), some exactly on 50 ms edges
            times = rng.integers(1, n_samples + 1, counts.sum()) * DT_MS
            times[: len(times) // 7] = 50.0 * rng.integers(1, 8, len(times) // 7)
            exc = sort_spikes(neuron, times)
            keep = np.r_[True, (np.diff(exc[0]) != 0) | (np.diff(exc[1]) != 0)]
            exc = (exc[0][keep], exc[1][keep])
            recorded = np.array([0, 2, 3])  # inh records neurons 0, 2, 3; 1 spikes unlisted
            inh_n = rng.integers(0, 3, 4)
            inh = sort_spikes(np.repeat(np.array([0, 1, 2, 3]), inh_n),
                              rng.integers(1, n_samples + 1, inh_n.sum()) * DT_MS)
            traces = rng.normal(5.0, 1.0, (n_samples, 4))
            signals = [SignalRecording(variable="gsyn_exc", units="nS", t_start=0.0,
                                       sampling_period=DT_MS, neurons=np.array([0, 1, 4, 7]),
                                       values=traces),
                       SignalRecording(variable="gsyn_inh", units="nS", t_start=0.0,
                                       sampling_period=DT_MS, neurons=np.array([0, 1, 4, 7]),
                                       values=2.0 * traces),
                       SignalRecording(variable="v", units="mV", t_start=0.0,
                                       sampling_period=DT_MS, neurons=np.array([0, 1, 4, 7]),
                                       values=-65.0 + traces)]
            b.present(stimulus(orientation=orientation, temporal_frequency=5.0), trial,
                      DURATION_MS, {"exc": exc, "inh": inh}, signals={"exc": signals},
                      recorded={"inh": recorded})
    return b.store


def cases() -> list[tuple[str, Analysis]]:
    """(label, analysis) of every analysis reading recordings, with windows and bins."""
    import mozaik_analysis as ma

    return [
        ("rate", ma.FiringRate(ma.FiringRateParams())),
        ("rate_window", ma.FiringRate(ma.FiringRateParams(start_ms=50.0, stop_ms=300.0))),
        ("trial_rate", ma.TrialAveragedFiringRate(ma.TrialAveragedFiringRateParams())),
        ("trial_rate_window", ma.TrialAveragedFiringRate(
            ma.TrialAveragedFiringRateParams(start_ms=100.0, stop_ms=350.0))),
        ("psth", ma.PSTH(ma.PSTHParams(bin_ms=50.0))),
        ("psth_some", ma.PSTH(ma.PSTHParams(bin_ms=25.0, start_ms=50.0, stop_ms=300.0,
                                           neurons=(1, 3, 5), sheet_names=("exc",)))),
        ("cv", ma.CVISI(ma.CVISIParams())),
        ("cv_window", ma.CVISI(ma.CVISIParams(start_ms=50.0, stop_ms=350.0,
                                              min_isi_count=3))),
        ("fano", ma.FanoFactor(ma.FanoFactorParams())),
        ("fano_windows", ma.FanoFactor(ma.FanoFactorParams(window_ms=50.0, ddof=1))),
        ("corr", ma.SpikeCountCorrelation(ma.SpikeCountCorrelationParams())),
        ("corr_bins", ma.SpikeCountCorrelation(ma.SpikeCountCorrelationParams(
            bin_ms=50.0, max_pairs=10, seed=3))),
        ("modulation", ma.ModulationRatio(ma.ModulationRatioParams())),
        ("modulation_window", ma.ModulationRatio(ma.ModulationRatioParams(start_ms=100.0))),
        ("sta", ma.SpikeTriggeredAverage(ma.SpikeTriggeredAverageParams(
            window_ms=10.0, variables=("gsyn_exc",)))),
        ("vm", ma.TrialAveragedVm(ma.TrialAveragedVmParams())),
        ("conductances", ma.TrialAveragedConductances(
            ma.TrialAveragedConductancesParams())),
        ("moments", ma.SubthresholdMoments(ma.SubthresholdMomentsParams())),
    ]


def flatten(label: str, results: list[AnalysisDataStructure]) -> dict[str, np.ndarray]:
    """The numbers of ``results`` by a key naming the case, result and field."""
    out: dict[str, np.ndarray] = {}
    for i, r in enumerate(results):
        name = getattr(r, "value_name", None) or getattr(r, "y_axis_name", "")
        key = f"{label}/{i}/{type(r).__name__}/{r.sheet_name}/{name}/{r.stimulus_id}"
        fields: dict[str, Any] = {}
        for field in ("values", "ids", "value"):
            if hasattr(r, field):
                fields[field] = getattr(r, field)
        if hasattr(r, "signals"):
            fields["signals"] = np.stack([np.asarray(s.magnitude).ravel() for s in r.signals])
            fields["t_start"] = np.array([float(s.t_start) for s in r.signals])
        for field, value in fields.items():
            out[f"{key}/{field}"] = np.asarray(value, np.float64)
    return out


def compute(root: Path) -> dict[str, np.ndarray]:
    store = build(root)
    out: dict[str, np.ndarray] = {}
    for label, analysis in cases():
        out.update(flatten(label, list(analysis.run(store))))
    return out


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        np.savez_compressed(sys.argv[1], **compute(Path(tmp) / "run"))
