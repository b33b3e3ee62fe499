"""mozaik-analysis: Analyses for Mozaik. Components register through the `mozaik` entry point.

Every analysis takes a datastore view and returns analysis data structures (ADSs) carrying the
sheet, neuron ids, stimulus, value name, units (period where circular), the analysis name
(``analysis_algorithm``) and tags; the workflow stores them.
"""

from __future__ import annotations

import importlib.metadata as _md
from typing import TYPE_CHECKING

from mozaik.plugin import lazy_exports

if TYPE_CHECKING:
    from mozaik_analysis._collation import TuningCurves, TuningParams, tuning_curves
    from mozaik_analysis._common import SpikeWindowParams
    from mozaik_analysis._correlation import SpikeCountCorrelation, SpikeCountCorrelationParams
    from mozaik_analysis._fits import naka_rushton, von_mises, von_mises_hwhh
    from mozaik_analysis._irregularity import CVISI, CVISIParams, FanoFactor, FanoFactorParams
    from mozaik_analysis._lfp import (
        MAZZONI_ALPHA,
        MAZZONI_DELAY_MS,
        ElectrodeLFP,
        ElectrodeLFPParams,
        ElectrodeSignals,
        ElectrodeValues,
        PopulationLFP,
        PopulationLFPParams,
        SynapticCurrents,
        electrode_grid,
        exponential_kernel,
        synaptic_currents,
    )
    from mozaik_analysis._modulation import ModulationRatio, ModulationRatioParams
    from mozaik_analysis._population import (
        NeuronAnnotations,
        NeuronAnnotationsParams,
        PopulationMean,
        PopulationMeanParams,
    )
    from mozaik_analysis._rates import (
        PSTH,
        FiringRate,
        FiringRateParams,
        PSTHParams,
        TrialAveragedFiringRate,
        TrialAveragedFiringRateParams,
    )
    from mozaik_analysis._spectral import (
        LFPF1,
        BandPass,
        BandPassParams,
        CoherenceSpectra,
        GeneralizedPhase,
        GeneralizedPhaseParams,
        LFPF1Params,
        PlaneWaves,
        PowerSpectra,
        PowerSpectrum,
        PowerSpectrumParams,
        SpikeFieldCoherence,
        SpikeFieldCoherenceParams,
        TravellingWaves,
        TravellingWavesParams,
        band_pass,
        f1_amplitude,
        fit_plane_waves,
        generalized_phase,
        segment_periodograms,
        welch,
    )
    from mozaik_analysis._sta import SpikeTriggeredAverage, SpikeTriggeredAverageParams
    from mozaik_analysis._subthreshold import (
        SubthresholdMoments,
        SubthresholdMomentsParams,
        TrialAveragedConductances,
        TrialAveragedConductancesParams,
        TrialAveragedVm,
        TrialAveragedVmParams,
    )
    from mozaik_analysis._tuning import (
        ContrastResponse,
        ContrastResponseParams,
        PeriodicTuningPreference,
        PeriodicTuningPreferenceParams,
        SizeTuning,
        SizeTuningParams,
        TuningWidth,
        TuningWidthParams,
    )

# the submodules are imported on first use (loading the plugin imports no scipy or
# matplotlib until a component needs them)
_EXPORTS = {
    "_collation": ("TuningCurves", "TuningParams", "tuning_curves"),
    "_common": ("SpikeWindowParams",),
    "_correlation": ("SpikeCountCorrelation", "SpikeCountCorrelationParams"),
    "_fits": ("naka_rushton", "von_mises", "von_mises_hwhh"),
    "_irregularity": ("CVISI", "CVISIParams", "FanoFactor", "FanoFactorParams"),
    "_lfp": (
        "ElectrodeLFP",
        "ElectrodeLFPParams",
        "ElectrodeSignals",
        "ElectrodeValues",
        "MAZZONI_ALPHA",
        "MAZZONI_DELAY_MS",
        "PopulationLFP",
        "PopulationLFPParams",
        "SynapticCurrents",
        "electrode_grid",
        "exponential_kernel",
        "synaptic_currents",
    ),
    "_modulation": ("ModulationRatio", "ModulationRatioParams"),
    "_population": (
        "NeuronAnnotations",
        "NeuronAnnotationsParams",
        "PopulationMean",
        "PopulationMeanParams",
    ),
    "_rates": (
        "PSTH",
        "FiringRate",
        "FiringRateParams",
        "PSTHParams",
        "TrialAveragedFiringRate",
        "TrialAveragedFiringRateParams",
    ),
    "_sta": ("SpikeTriggeredAverage", "SpikeTriggeredAverageParams"),
    "_spectral": (
        "CoherenceSpectra",
        "SpikeFieldCoherence",
        "SpikeFieldCoherenceParams",
        "BandPass",
        "BandPassParams",
        "GeneralizedPhase",
        "GeneralizedPhaseParams",
        "LFPF1",
        "LFPF1Params",
        "PlaneWaves",
        "PowerSpectra",
        "PowerSpectrum",
        "PowerSpectrumParams",
        "TravellingWaves",
        "TravellingWavesParams",
        "band_pass",
        "f1_amplitude",
        "fit_plane_waves",
        "generalized_phase",
        "segment_periodograms",
        "welch",
    ),
    "_subthreshold": (
        "SubthresholdMoments",
        "SubthresholdMomentsParams",
        "TrialAveragedConductances",
        "TrialAveragedConductancesParams",
        "TrialAveragedVm",
        "TrialAveragedVmParams",
    ),
    "_tuning": (
        "ContrastResponse",
        "ContrastResponseParams",
        "PeriodicTuningPreference",
        "PeriodicTuningPreferenceParams",
        "SizeTuning",
        "SizeTuningParams",
        "TuningWidth",
        "TuningWidthParams",
    ),
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__version__ = _md.version("mozaik-analysis")

__all__ = [
    "BandPass",
    "BandPassParams",
    "CVISI",
    "CVISIParams",
    "CoherenceSpectra",
    "ContrastResponse",
    "ContrastResponseParams",
    "ElectrodeLFP",
    "ElectrodeLFPParams",
    "ElectrodeSignals",
    "ElectrodeValues",
    "FanoFactor",
    "FanoFactorParams",
    "FiringRate",
    "FiringRateParams",
    "GeneralizedPhase",
    "GeneralizedPhaseParams",
    "LFPF1",
    "LFPF1Params",
    "MAZZONI_ALPHA",
    "MAZZONI_DELAY_MS",
    "ModulationRatio",
    "ModulationRatioParams",
    "NeuronAnnotations",
    "NeuronAnnotationsParams",
    "PSTH",
    "PSTHParams",
    "PeriodicTuningPreference",
    "PeriodicTuningPreferenceParams",
    "PlaneWaves",
    "PopulationLFP",
    "PopulationLFPParams",
    "PopulationMean",
    "PopulationMeanParams",
    "PowerSpectra",
    "PowerSpectrum",
    "PowerSpectrumParams",
    "SizeTuning",
    "SizeTuningParams",
    "SpikeCountCorrelation",
    "SpikeCountCorrelationParams",
    "SpikeFieldCoherence",
    "SpikeFieldCoherenceParams",
    "SpikeTriggeredAverage",
    "SpikeTriggeredAverageParams",
    "SpikeWindowParams",
    "SubthresholdMoments",
    "SubthresholdMomentsParams",
    "SynapticCurrents",
    "TravellingWaves",
    "TravellingWavesParams",
    "TrialAveragedConductances",
    "TrialAveragedConductancesParams",
    "TrialAveragedFiringRate",
    "TrialAveragedFiringRateParams",
    "TrialAveragedVm",
    "TrialAveragedVmParams",
    "TuningCurves",
    "TuningParams",
    "TuningWidth",
    "TuningWidthParams",
    "__version__",
    "band_pass",
    "electrode_grid",
    "exponential_kernel",
    "f1_amplitude",
    "fit_plane_waves",
    "generalized_phase",
    "naka_rushton",
    "segment_periodograms",
    "synaptic_currents",
    "tuning_curves",
    "von_mises",
    "von_mises_hwhh",
    "welch",
]
