"""Snapshot of mozaik_analysis's public names: changing them is a deliberate act."""

from __future__ import annotations

import mozaik_analysis

SNAPSHOT = [
    "CVISI", "CVISIParams", "ContrastResponse", "ContrastResponseParams", "FanoFactor",
    "FanoFactorParams", "FiringRate", "FiringRateParams", "ModulationRatio",
    "ModulationRatioParams", "NeuronAnnotations", "NeuronAnnotationsParams", "PSTH", "PSTHParams",
    "PeriodicTuningPreference", "PeriodicTuningPreferenceParams", "PopulationMean",
    "PopulationMeanParams", "SizeTuning", "SizeTuningParams", "SpikeCountCorrelation",
    "SpikeCountCorrelationParams", "SpikeTriggeredAverage", "SpikeTriggeredAverageParams",
    "SpikeWindowParams", "SubthresholdMoments", "SubthresholdMomentsParams",
    "TrialAveragedConductances", "TrialAveragedConductancesParams", "TrialAveragedFiringRate",
    "TrialAveragedFiringRateParams", "TrialAveragedVm", "TrialAveragedVmParams", "TuningCurves",
    "TuningParams", "TuningWidth", "TuningWidthParams", "__version__", "naka_rushton",
    "tuning_curves", "von_mises", "von_mises_hwhh",
]


def test_public_names() -> None:
    assert mozaik_analysis.__all__ == SNAPSHOT
    assert sorted(SNAPSHOT) == SNAPSHOT


def test_every_public_name_exists() -> None:
    for name in mozaik_analysis.__all__:
        assert hasattr(mozaik_analysis, name), name
