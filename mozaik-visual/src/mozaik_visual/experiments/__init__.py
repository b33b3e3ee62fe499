"""Visual experiments: spontaneous activity, tuning curves, noise mapping, natural images."""

from __future__ import annotations

from mozaik_visual.experiments._base import VisualExperiment, orientations_rad
from mozaik_visual.experiments._protocols import (
    MeasureContrastSensitivity,
    MeasureContrastSensitivityParams,
    MeasureDenseNoise,
    MeasureFlatLuminanceSensitivity,
    MeasureFlatLuminanceSensitivityParams,
    MeasureNaturalImagesWithEyeMovement,
    MeasureNaturalImagesWithEyeMovementParams,
    MeasureOrientationContrast,
    MeasureOrientationContrastParams,
    MeasureOrientationTuningFullfield,
    MeasureOrientationTuningFullfieldParams,
    MeasureSizeTuning,
    MeasureSizeTuningParams,
    MeasureSparseNoise,
    MeasureSpatialFrequencyTuning,
    MeasureSpatialFrequencyTuningParams,
    MeasureSpontaneousActivity,
    MeasureSpontaneousActivityParams,
    MeasureTemporalFrequencyTuning,
    MeasureTemporalFrequencyTuningParams,
    NoiseMappingParams,
)

__all__ = [
    "MeasureContrastSensitivity",
    "MeasureContrastSensitivityParams",
    "MeasureDenseNoise",
    "MeasureFlatLuminanceSensitivity",
    "MeasureFlatLuminanceSensitivityParams",
    "MeasureNaturalImagesWithEyeMovement",
    "MeasureNaturalImagesWithEyeMovementParams",
    "MeasureOrientationContrast",
    "MeasureOrientationContrastParams",
    "MeasureOrientationTuningFullfield",
    "MeasureOrientationTuningFullfieldParams",
    "MeasureSizeTuning",
    "MeasureSizeTuningParams",
    "MeasureSparseNoise",
    "MeasureSpatialFrequencyTuning",
    "MeasureSpatialFrequencyTuningParams",
    "MeasureSpontaneousActivity",
    "MeasureSpontaneousActivityParams",
    "MeasureTemporalFrequencyTuning",
    "MeasureTemporalFrequencyTuningParams",
    "NoiseMappingParams",
    "VisualExperiment",
    "orientations_rad",
]
