"""The mozaik plugin of mozaik-visual: visual space, stimuli, retina/LGN and visual experiments.

(The cortical components register through the second entry point, ``visual_cortex``.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mozaik.plugin import ComponentSpec, hookimpl

if TYPE_CHECKING:
    from mozaik.experiments import ExperimentFactory
    from mozaik.model import InputSpaceFactory, SensoryInputFactory
    from mozaik.stimulus import StimulusFactory

MOZAIK_HOOK_API = (2, 0)


@hookimpl
def mozaik_input_spaces() -> list[ComponentSpec[Any, InputSpaceFactory[Any]]]:
    from mozaik_visual.space import VisualSpace, VisualSpaceParams

    return [ComponentSpec(name="VisualSpace", config_cls=VisualSpaceParams, factory=VisualSpace,
                          summary="the visual field in degrees, rendered into luminance frames")]


@hookimpl
def mozaik_sensory_inputs() -> list[ComponentSpec[Any, SensoryInputFactory[Any]]]:
    from mozaik_visual.retina import RetinaLGN, RetinaLGNParams

    return [ComponentSpec(name="RetinaLGN", config_cls=RetinaLGNParams, factory=RetinaLGN,
                          summary="ON and OFF LGN X cells: DoG x biphasic filter, injected "
                                  "current plus noise (or Poisson spikes: output poisson)")]


_STIMULI = {
    "Blank": ("BlankParams", "the blank screen at the background luminance"),
    "FullfieldDriftingSinusoidalGrating": ("GratingParams", "full-field drifting sine grating"),
    "FullfieldDriftingSquareGrating": ("GratingParams", "full-field drifting square grating"),
    "DriftingGratingDisk": ("DriftingGratingDiskParams", "drifting grating in a disk"),
    "DriftingGratingRing": ("DriftingGratingRingParams", "drifting grating in an annulus"),
    "CentreSurroundGratings": ("CentreSurroundGratingsParams",
                               "centre grating disk in a surround grating annulus"),
    "FlatDisk": ("FlatDiskParams", "a disk of uniform luminance (light or dark spot)"),
    "FlashedBar": ("FlashedBarParams", "a bar flashed at the start of the presentation"),
    "FullfieldFlatLuminance": ("FullfieldFlatLuminanceParams", "a uniform full field"),
    "SparseNoise": ("NoiseParams", "one white or black square at a time (seeded)"),
    "DenseNoise": ("NoiseParams", "every square white or black at random (seeded)"),
    "NaturalImageWithEyeMovement": ("NaturalImageWithEyeMovementParams",
                                    "an image viewed with drift and saccades"),
}


@hookimpl
def mozaik_stimuli() -> list[ComponentSpec[Any, StimulusFactory[Any]]]:
    from mozaik_visual import stimuli

    return [ComponentSpec(name=name, config_cls=getattr(stimuli, params),
                          factory=getattr(stimuli, name), summary=summary)
            for name, (params, summary) in _STIMULI.items()]


_EXPERIMENTS = {
    "MeasureSpontaneousActivity": ("MeasureSpontaneousActivityParams",
                                   "spontaneous activity on the blank screen"),
    "MeasureOrientationTuningFullfield": ("MeasureOrientationTuningFullfieldParams",
                                          "orientations x contrasts of full-field gratings"),
    "MeasureSizeTuning": ("MeasureSizeTuningParams", "drifting grating disks of several radii"),
    "MeasureContrastSensitivity": ("MeasureContrastSensitivityParams",
                                   "full-field gratings of several contrasts"),
    "MeasureSpatialFrequencyTuning": ("MeasureSpatialFrequencyTuningParams",
                                      "full-field gratings of several spatial frequencies"),
    "MeasureTemporalFrequencyTuning": ("MeasureTemporalFrequencyTuningParams",
                                       "full-field gratings of several temporal frequencies"),
    "MeasureOrientationContrast": ("MeasureOrientationContrastParams",
                                   "centre grating with surrounds of several orientations"),
    "MeasureNaturalImagesWithEyeMovement": ("MeasureNaturalImagesWithEyeMovementParams",
                                            "a natural image with eye movements"),
    "MeasureSparseNoise": ("NoiseMappingParams", "sparse-noise receptive-field mapping"),
    "MeasureDenseNoise": ("NoiseMappingParams", "dense-noise receptive-field mapping"),
    "MeasureFlatLuminanceSensitivity": ("MeasureFlatLuminanceSensitivityParams",
                                        "uniform fields of several luminances"),
}


@hookimpl
def mozaik_experiments() -> list[ComponentSpec[Any, ExperimentFactory[Any]]]:
    from mozaik_visual import experiments

    return [ComponentSpec(name=name, config_cls=getattr(experiments, params),
                          factory=getattr(experiments, name), summary=summary)
            for name, (params, summary) in _EXPERIMENTS.items()]
