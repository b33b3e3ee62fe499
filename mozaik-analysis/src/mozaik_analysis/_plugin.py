"""The mozaik plugin of mozaik-analysis: registers its analyses through core's hooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mozaik.plugin import ComponentSpec, hookimpl

import mozaik_analysis as ma  # its analyses load lazily, on first attribute access

if TYPE_CHECKING:
    from mozaik.analysis import AnalysisFactory

MOZAIK_HOOK_API = (2, 0)

#: Registered name -> one-line summary, in the order ``mozaik plugins`` lists them.
SUMMARIES = {
    "FiringRate": "firing rate per neuron and presentation (PerNeuronValue, Hz)",
    "TrialAveragedFiringRate": "trial-averaged firing rate per neuron and stimulus (Hz)",
    "PSTH": "trial-averaged peri-stimulus time histogram per neuron (AnalogSignalList, Hz)",
    "CVISI": "coefficient of variation of the inter-spike intervals per neuron",
    "FanoFactor": "Fano factor of spike counts per neuron (across trials or windows)",
    "SpikeCountCorrelation": "pairwise spike-count correlation on a seeded sample, and its mean",
    "PopulationMean": "mean, variance and count of any PerNeuronValue over a sheet (SingleValue)",
    "NeuronAnnotations": "neuron annotations (e.g. assigned orientation) as PerNeuronValues",
    "TrialAveragedVm": "trial-averaged membrane potential per neuron (AnalogSignalList)",
    "TrialAveragedConductances": "trial-averaged excitatory/inhibitory conductances per neuron",
    "SubthresholdMoments": "mean and variance of Vm and conductances per neuron",
    "SpikeTriggeredAverage": "spike-triggered average of conductances (or any analog variable)",
    "PeriodicTuningPreference": "preference and selectivity of a periodic parameter (vector "
                                "average)",
    "TuningWidth": "tuning width (half width at half height) from a von Mises fit",
    "ModulationRatio": "modulation ratio F1/F0 at the stimulus temporal frequency",
    "SizeTuning": "preferred size and suppression index from size tuning curves",
    "ContrastResponse": "Naka-Rushton fit of contrast responses: c50, exponent, maximum",
    "PopulationLFP": "LFP proxy of a sheet: Mazzoni et al. 2015 weighted sum of synaptic "
                     "currents (AnalogSignal, nA)",
    "ElectrodeLFP": "LFP proxy on an electrode array (10 x 10 at 400 um), distance-weighted "
                    "(ElectrodeSignals, nA)",
    "BandPass": "zero-phase Butterworth band-pass of LFP signals",
    "PowerSpectrum": "Welch power spectral density of LFP signals (Elephant)",
    "LFPF1": "F1 amplitude of each electrode's LFP at the stimulus temporal frequency",
    "SpikeFieldCoherence": "coherence of the LFP with the sheet's pooled spikes (Elephant)",
    "GeneralizedPhase": "generalized phase of each electrode's LFP (Davis et al. 2020)",
    "TravellingWaves": "plane travelling waves in phase maps: direction, speed (m/s), fraction "
                       "of time",
}


@hookimpl
def mozaik_analysis_data_structures() -> Iterable[type]:
    return [ma.ElectrodeSignals, ma.ElectrodeValues, ma.PowerSpectra, ma.CoherenceSpectra]


@hookimpl
def mozaik_analyses() -> Iterable[ComponentSpec[Any, AnalysisFactory[Any]]]:
    specs = []
    for name, summary in SUMMARIES.items():
        cls = getattr(ma, name)
        specs.append(ComponentSpec(name=name, config_cls=getattr(ma, f"{name}Params"),
                                   factory=cls, summary=summary))
    return specs
