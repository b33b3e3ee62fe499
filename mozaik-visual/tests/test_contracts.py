"""Contract suites of core, for every stimulus, experiment and the input space of the plugin."""

from __future__ import annotations

from typing import Any, ClassVar

from mozaik.testing import ExperimentContract, InputSpaceContract, StimulusContract


class TestVisualSpace(InputSpaceContract):
    name = "VisualSpace"
    example_params: ClassVar[dict[str, Any]] = {"size_deg": [8.0, 6.0], "frame_interval_ms": 5.0}


_STIMULI: dict[str, dict[str, Any]] = {
    "Blank": {"duration_ms": 100.0},
    "FullfieldDriftingSinusoidalGrating": {"duration_ms": 100.0, "orientation_rad": 0.5},
    "FullfieldDriftingSquareGrating": {"duration_ms": 100.0, "contrast_pct": 50.0},
    "DriftingGratingDisk": {"duration_ms": 100.0, "radius_deg": 2.0},
    "DriftingGratingRing": {"duration_ms": 100.0, "inner_radius_deg": 1.0,
                            "outer_radius_deg": 2.0},
    "CentreSurroundGratings": {"duration_ms": 100.0, "surround_orientation_rad": 1.5},
    "FlatDisk": {"duration_ms": 100.0, "radius_deg": 0.5, "luminance_cd_m2": 0.0},
    "FlashedBar": {"duration_ms": 100.0, "flash_duration_ms": 20.0},
    "FullfieldFlatLuminance": {"duration_ms": 100.0, "luminance_cd_m2": 80.0},
    "SparseNoise": {"duration_ms": 100.0, "pattern_duration_ms": 20.0, "seed": 3},
    "DenseNoise": {"duration_ms": 100.0, "pattern_duration_ms": 20.0},
    "NaturalImageWithEyeMovement": {"duration_ms": 100.0, "seed": 2},
}

_EXPERIMENTS: dict[str, dict[str, Any]] = {
    "MeasureSpontaneousActivity": {"duration_ms": 50.0, "num_trials": 2},
    "MeasureOrientationTuningFullfield": {"duration_ms": 50.0, "num_orientations": 4,
                                          "contrasts_pct": [50.0, 100.0], "num_trials": 2},
    "MeasureSizeTuning": {"duration_ms": 50.0, "radii_deg": [0.5, 1.0]},
    "MeasureContrastSensitivity": {"duration_ms": 50.0, "contrasts_pct": [10.0, 100.0]},
    "MeasureSpatialFrequencyTuning": {"duration_ms": 50.0, "spatial_frequencies_cpd": [0.5, 1]},
    "MeasureTemporalFrequencyTuning": {"duration_ms": 50.0, "temporal_frequencies_hz": [2, 8]},
    "MeasureOrientationContrast": {"duration_ms": 50.0, "num_surround_orientations": 2},
    "MeasureNaturalImagesWithEyeMovement": {"duration_ms": 50.0, "num_trials": 2},
    "MeasureSparseNoise": {"duration_ms": 100.0, "num_trials": 2},
    "MeasureDenseNoise": {"duration_ms": 100.0},
    "MeasureFlatLuminanceSensitivity": {"duration_ms": 50.0, "luminances_cd_m2": [0.0, 90.0]},
}


def _suite(base: type, name: str, params: dict[str, Any]) -> type:
    return type(f"Test{name}", (base,), {"name": name, "example_params": params})


for _name, _params in _STIMULI.items():
    globals()[f"Test{_name}"] = _suite(StimulusContract, _name, _params)
for _name, _params in _EXPERIMENTS.items():
    globals()[f"Test{_name}Experiment"] = _suite(ExperimentContract, _name, _params)
