"""Experiments: stimulation protocols, and the direct stimulators they act on the network with.

Core ships three protocols that need no sensory input: :class:`NoStimulation` (spontaneous
activity), :class:`PoissonNetworkKick` (a Poisson drive that kicks the network into activity)
and :class:`CurrentInjection` (a current step into selected cells). Sensory experiments (e.g.
gratings) come with plugins such as mozaik-visual.
"""

from __future__ import annotations

from mozaik.experiments._base import (
    DirectStimulator,
    Experiment,
    experiment_rng,
    select_cells,
    sheet_of,
)
from mozaik.experiments._direct import PoissonKick, StepCurrent
from mozaik.experiments._injection import INJECTED_CURRENT, InjectedCurrent, PerNeuronCurrent
from mozaik.experiments._kind import (
    EXPERIMENTS,
    ExperimentFactory,
)
from mozaik.experiments._protocols import (
    CurrentInjection,
    CurrentInjectionParams,
    NoStimulation,
    NoStimulationParams,
    PoissonNetworkKick,
    PoissonNetworkKickParams,
)

__all__ = [
    "CurrentInjection",
    "CurrentInjectionParams",
    "DirectStimulator",
    "EXPERIMENTS",
    "Experiment",
    "ExperimentFactory",
    "INJECTED_CURRENT",
    "InjectedCurrent",
    "NoStimulation",
    "NoStimulationParams",
    "PerNeuronCurrent",
    "PoissonKick",
    "PoissonNetworkKick",
    "PoissonNetworkKickParams",
    "StepCurrent",
    "experiment_rng",
    "select_cells",
    "sheet_of",
]
