"""Contract suites of core, for every stimulus, experiment and the input space of the plugin."""

from __future__ import annotations

from typing import Any, ClassVar

from mozaik.testing import ExperimentContract, InputSpaceContract, StimulusContract


class TestVisualSpace(InputSpaceContract):
    name = "VisualSpace"
    example_params: ClassVar[dict[str, Any]] = {"size_deg": [8.0, 6.0], "frame_interval_ms": 5.0}
    pictured_stimuli: ClassVar[list[tuple[str, dict[str, Any]]]] = [
        ("FullfieldDriftingSinusoidalGrating", {"duration_ms": 50.0, "orientation_rad": 0.5}),
        ("Null", {"duration_ms": 20.0})]


class TestBlank(StimulusContract):
    name = "Blank"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0}


class TestFullfieldDriftingSinusoidalGrating(StimulusContract):
    name = "FullfieldDriftingSinusoidalGrating"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0, "orientation_rad": 0.5}


class TestFullfieldDriftingSquareGrating(StimulusContract):
    name = "FullfieldDriftingSquareGrating"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0, "contrast_pct": 50.0}


class TestDriftingGratingDisk(StimulusContract):
    name = "DriftingGratingDisk"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0, "radius_deg": 2.0}


class TestDriftingGratingRing(StimulusContract):
    name = "DriftingGratingRing"
    example_params: ClassVar[dict[str, Any]] = {
        "duration_ms": 100.0,
        "inner_radius_deg": 1.0,
        "outer_radius_deg": 2.0,
    }


class TestCentreSurroundGratings(StimulusContract):
    name = "CentreSurroundGratings"
    example_params: ClassVar[dict[str, Any]] = {
        "duration_ms": 100.0,
        "surround_orientation_rad": 1.5,
    }


class TestFlatDisk(StimulusContract):
    name = "FlatDisk"
    example_params: ClassVar[dict[str, Any]] = {
        "duration_ms": 100.0,
        "radius_deg": 0.5,
        "luminance_cd_m2": 0.0,
    }


class TestFlashedBar(StimulusContract):
    name = "FlashedBar"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0, "flash_duration_ms": 20.0}


class TestFullfieldFlatLuminance(StimulusContract):
    name = "FullfieldFlatLuminance"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0, "luminance_cd_m2": 80.0}


class TestSparseNoise(StimulusContract):
    name = "SparseNoise"
    example_params: ClassVar[dict[str, Any]] = {
        "duration_ms": 100.0,
        "pattern_duration_ms": 20.0,
        "seed": 3,
    }


class TestDenseNoise(StimulusContract):
    name = "DenseNoise"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0, "pattern_duration_ms": 20.0}


class TestNaturalImageWithEyeMovement(StimulusContract):
    name = "NaturalImageWithEyeMovement"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0, "seed": 2}


class TestMeasureSpontaneousActivityExperiment(ExperimentContract):
    name = "MeasureSpontaneousActivity"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 50.0, "num_trials": 2}


class TestMeasureOrientationTuningFullfieldExperiment(ExperimentContract):
    name = "MeasureOrientationTuningFullfield"
    example_params: ClassVar[dict[str, Any]] = {
        "duration_ms": 50.0,
        "num_orientations": 4,
        "contrasts_pct": [50.0, 100.0],
        "num_trials": 2,
    }


class TestMeasureSizeTuningExperiment(ExperimentContract):
    name = "MeasureSizeTuning"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 50.0, "radii_deg": [0.5, 1.0]}


class TestMeasureContrastSensitivityExperiment(ExperimentContract):
    name = "MeasureContrastSensitivity"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 50.0, "contrasts_pct": [10.0, 100.0]}


class TestMeasureSpatialFrequencyTuningExperiment(ExperimentContract):
    name = "MeasureSpatialFrequencyTuning"
    example_params: ClassVar[dict[str, Any]] = {
        "duration_ms": 50.0,
        "spatial_frequencies_cpd": [0.5, 1],
    }


class TestMeasureTemporalFrequencyTuningExperiment(ExperimentContract):
    name = "MeasureTemporalFrequencyTuning"
    example_params: ClassVar[dict[str, Any]] = {
        "duration_ms": 50.0,
        "temporal_frequencies_hz": [2, 8],
    }


class TestMeasureOrientationContrastExperiment(ExperimentContract):
    name = "MeasureOrientationContrast"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 50.0, "num_surround_orientations": 2}


class TestMeasureNaturalImagesWithEyeMovementExperiment(ExperimentContract):
    name = "MeasureNaturalImagesWithEyeMovement"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 50.0, "num_trials": 2}


class TestMeasureSparseNoiseExperiment(ExperimentContract):
    name = "MeasureSparseNoise"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0, "num_trials": 2}


class TestMeasureDenseNoiseExperiment(ExperimentContract):
    name = "MeasureDenseNoise"
    example_params: ClassVar[dict[str, Any]] = {"duration_ms": 100.0}


class TestMeasureFlatLuminanceSensitivityExperiment(ExperimentContract):
    name = "MeasureFlatLuminanceSensitivity"
    example_params: ClassVar[dict[str, Any]] = {
        "duration_ms": 50.0,
        "luminances_cd_m2": [0.0, 90.0],
    }
