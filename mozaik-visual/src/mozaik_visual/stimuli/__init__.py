"""Visual stimuli rendered with numpy: gratings, spots, bars, noise and natural images."""

from __future__ import annotations

from mozaik_visual.stimuli._base import VisualStimulus
from mozaik_visual.stimuli._gratings import (
    CentreSurroundGratings,
    CentreSurroundGratingsParams,
    DriftingGratingDisk,
    DriftingGratingDiskParams,
    DriftingGratingRing,
    DriftingGratingRingParams,
    FullfieldDriftingSinusoidalGrating,
    FullfieldDriftingSquareGrating,
    GratingParams,
    grating_luminance,
)
from mozaik_visual.stimuli._natural import (
    TEST_IMAGE,
    NaturalImageWithEyeMovement,
    NaturalImageWithEyeMovementParams,
    existing_file,
    eye_path,
    load_image,
)
from mozaik_visual.stimuli._noise import DenseNoise, NoiseParams, SparseNoise
from mozaik_visual.stimuli._simple import (
    Blank,
    BlankParams,
    FlashedBar,
    FlashedBarParams,
    FlatDisk,
    FlatDiskParams,
    FullfieldFlatLuminance,
    FullfieldFlatLuminanceParams,
)

__all__ = [
    "Blank",
    "BlankParams",
    "CentreSurroundGratings",
    "CentreSurroundGratingsParams",
    "DenseNoise",
    "DriftingGratingDisk",
    "DriftingGratingDiskParams",
    "DriftingGratingRing",
    "DriftingGratingRingParams",
    "FlashedBar",
    "FlashedBarParams",
    "FlatDisk",
    "FlatDiskParams",
    "FullfieldDriftingSinusoidalGrating",
    "FullfieldDriftingSquareGrating",
    "FullfieldFlatLuminance",
    "FullfieldFlatLuminanceParams",
    "GratingParams",
    "NaturalImageWithEyeMovement",
    "NaturalImageWithEyeMovementParams",
    "NoiseParams",
    "SparseNoise",
    "TEST_IMAGE",
    "VisualStimulus",
    "existing_file",
    "eye_path",
    "grating_luminance",
    "load_image",
]
