"""Built-in workflow components: stimuli, experiments and the local backend.

Imported only when the registry is first built; nothing here imports a simulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mozaik.plugin import ComponentSpec

if TYPE_CHECKING:
    from mozaik.backends import BackendFactory
    from mozaik.experiments import ExperimentFactory
    from mozaik.stimulus import StimulusFactory


def stimuli() -> list[ComponentSpec[Any, StimulusFactory[Any]]]:
    from mozaik.stimulus import (
        InternalStimulus,
        InternalStimulusParams,
        NullStimulus,
        NullStimulusParams,
    )

    return [
        ComponentSpec(name=NullStimulus.name, config_cls=NullStimulusParams,
                      factory=NullStimulus, summary="blank between stimuli (null segments)"),
        ComponentSpec(name=InternalStimulus.name, config_cls=InternalStimulusParams,
                      factory=InternalStimulus,
                      summary="no sensory input: spontaneous activity or direct stimulation"),
    ]


def experiments() -> list[ComponentSpec[Any, ExperimentFactory[Any]]]:
    from mozaik.experiments import (
        CurrentInjection,
        CurrentInjectionParams,
        NoStimulation,
        NoStimulationParams,
        PoissonNetworkKick,
        PoissonNetworkKickParams,
    )

    return [
        ComponentSpec(name="NoStimulation", config_cls=NoStimulationParams,
                      factory=NoStimulation, summary="spontaneous activity, no input"),
        ComponentSpec(name="PoissonNetworkKick", config_cls=PoissonNetworkKickParams,
                      factory=PoissonNetworkKick,
                      summary="Poisson drive onto sheets, then the network's own activity"),
        ComponentSpec(name="CurrentInjection", config_cls=CurrentInjectionParams,
                      factory=CurrentInjection,
                      summary="current steps (nA) into selected cells of a sheet"),
    ]


def backends() -> list[ComponentSpec[Any, BackendFactory[Any]]]:
    from mozaik.backends import LocalBackend, LocalBackendParams

    return [
        ComponentSpec(name="LocalBackend", config_cls=LocalBackendParams, factory=LocalBackend,
                      summary="run one study in this process", aliases=("local",)),
    ]
