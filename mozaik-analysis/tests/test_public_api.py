"""Snapshot of mozaik_analysis's public names: changing them is a deliberate act."""

from __future__ import annotations

import mozaik_analysis

SNAPSHOT = [
    "BandPass", "BandPassParams", "CVISI", "CVISIParams", "CoherenceSpectra", "ContrastResponse",
    "ContrastResponseParams", "ElectrodeLFP", "ElectrodeLFPParams", "ElectrodeSignals",
    "ElectrodeValues", "FanoFactor", "FanoFactorParams", "FiringRate", "FiringRateParams",
    "GeneralizedPhase", "GeneralizedPhaseParams", "LFPF1", "LFPF1Params", "MAZZONI_ALPHA",
    "MAZZONI_DELAY_MS", "ModulationRatio", "ModulationRatioParams", "NeuronAnnotations",
    "NeuronAnnotationsParams", "PSTH", "PSTHParams", "PeriodicTuningPreference",
    "PeriodicTuningPreferenceParams", "PlaneWaves", "PopulationLFP", "PopulationLFPParams",
    "PopulationMean", "PopulationMeanParams", "PowerSpectra", "PowerSpectrum",
    "PowerSpectrumParams", "SizeTuning", "SizeTuningParams", "SpikeCountCorrelation",
    "SpikeCountCorrelationParams", "SpikeFieldCoherence", "SpikeFieldCoherenceParams",
    "SpikeTriggeredAverage", "SpikeTriggeredAverageParams", "SpikeWindowParams",
    "SubthresholdMoments", "SubthresholdMomentsParams", "SynapticCurrents", "TravellingWaves",
    "TravellingWavesParams", "TrialAveragedConductances", "TrialAveragedConductancesParams",
    "TrialAveragedFiringRate", "TrialAveragedFiringRateParams", "TrialAveragedVm",
    "TrialAveragedVmParams", "TuningCurves", "TuningParams", "TuningWidth", "TuningWidthParams",
    "__version__", "band_pass", "electrode_grid", "exponential_kernel", "f1_amplitude",
    "fit_plane_waves", "generalized_phase", "naka_rushton", "segment_periodograms",
    "synaptic_currents", "tuning_curves",
    "von_mises", "von_mises_hwhh", "welch"
]


def test_public_names() -> None:
    assert mozaik_analysis.__all__ == SNAPSHOT
    assert sorted(SNAPSHOT) == SNAPSHOT


def test_every_public_name_exists() -> None:
    for name in mozaik_analysis.__all__:
        assert hasattr(mozaik_analysis, name), name
