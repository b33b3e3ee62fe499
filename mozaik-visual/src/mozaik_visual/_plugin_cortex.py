"""The ``visual_cortex`` plugin of mozaik-visual: V1 sheets, connectors and connector functions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mozaik.plugin import ComponentSpec, SheetAnnotations, hookimpl

if TYPE_CHECKING:
    from mozaik.experiments import ExperimentFactory
    from mozaik.model import ConnectorFactory, ConnectorFunctionFactory, SheetFactory
    from mozaik.stimulus import StimulusFactory

MOZAIK_HOOK_API = (2, 0)


@hookimpl
def mozaik_sheets() -> Iterable[ComponentSpec[Any, SheetFactory[Any]]]:
    from mozaik_visual.cortex import CorticalSheet, CorticalSheetParams

    return [ComponentSpec(name="CorticalSheet", config_cls=CorticalSheetParams,
                          factory=CorticalSheet,
                          summary="cortical sheet with a magnification factor (um/deg)")]


@hookimpl
def mozaik_connectors() -> Iterable[ComponentSpec[Any, ConnectorFactory[Any]]]:
    from mozaik_visual.cortex import (
        GABOR_ANNOTATIONS,
        GaborAfferentConnector,
        GaborAfferentParams,
    )

    return [ComponentSpec(name="GaborAfferentConnector", config_cls=GaborAfferentParams,
                          factory=GaborAfferentConnector,
                          summary="Gabor-shaped afferents from LGN ON/OFF sheets",
                          provides_annotations=SheetAnnotations(
                              target=tuple(GABOR_ANNOTATIONS.values())))]


@hookimpl
def mozaik_connector_functions() -> Iterable[ComponentSpec[Any, ConnectorFunctionFactory[Any]]]:
    from mozaik_visual.cortex import (
        GABOR_ANNOTATIONS,
        MapDependent,
        MapDependentParams,
        V1PushPull,
        V1PushPullParams,
    )

    # push-pull reads the orientation and phase a GaborAfferentConnector assigns to both sheets
    gabor = (GABOR_ANNOTATIONS["orientation_rad"], GABOR_ANNOTATIONS["phase_rad"])

    return [
        ComponentSpec(name="MapDependent", config_cls=MapDependentParams,
                      factory=MapDependent, summary="orientation-map similarity"),
        ComponentSpec(name="V1PushPull", config_cls=V1PushPullParams, factory=V1PushPull,
                      summary="push-pull: same orientation, same or opposite phase",
                      requires_annotations=SheetAnnotations(source=gabor, target=gabor)),
    ]


_PERTURBATIONS = {
    "OptogeneticStimulation": ("OptogeneticParams",
                               "patterned light on a cortical sheet (ChR2 photocurrent)"),
    "OptogeneticSpotSize": ("OptogeneticSpotSizeParams", "a light spot of several radii"),
    "OptogeneticIntensitySweep": ("OptogeneticIntensitySweepParams",
                                  "a light pattern at several irradiances"),
    "OptogeneticPulseFrequency": ("OptogeneticPulseFrequencyParams",
                                  "light pulse trains at several frequencies"),
    "OptogeneticOrientationMapPatterns": ("OptogeneticOrientationMapPatternsParams",
                                          "light patterned on the orientation map "
                                          "(prosthesis protocol)"),
    "OptogeneticWithGrating": ("OptogeneticWithGratingParams",
                               "light and a drifting grating in one presentation"),
    "MicrostimulationAmplitudeSweep": ("MicrostimulationAmplitudeSweepParams",
                                       "microstimulation pulse trains of several amplitudes"),
    "MicrostimulationFrequencySweep": ("MicrostimulationFrequencySweepParams",
                                       "microstimulation pulse trains at several frequencies"),
}


@hookimpl
def mozaik_experiments() -> Iterable[ComponentSpec[Any, ExperimentFactory[Any]]]:
    from mozaik_visual import perturbation

    return [ComponentSpec(name=name, config_cls=getattr(perturbation, params),
                          factory=getattr(perturbation, name), summary=summary)
            for name, (params, summary) in _PERTURBATIONS.items()]


@hookimpl
def mozaik_stimuli() -> Iterable[ComponentSpec[Any, StimulusFactory[Any]]]:
    from mozaik_visual.perturbation import GratingWithLight, GratingWithLightParams

    return [ComponentSpec(name="GratingWithLight", config_cls=GratingWithLightParams,
                          factory=GratingWithLight,
                          summary="a drifting grating shown with light (both in its identity)")]
