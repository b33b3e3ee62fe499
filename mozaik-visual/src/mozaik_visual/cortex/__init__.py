"""V1 components: cortical sheets with a magnification factor, the Gabor afferent connector,
push-pull and map-dependent connector functions, and orientation maps."""

from __future__ import annotations

from mozaik_visual.cortex._functions import (
    MapDependent,
    MapDependentParams,
    V1PushPull,
    V1PushPullParams,
    circular_distance,
)
from mozaik_visual.cortex._gabor import (
    GABOR_ANNOTATIONS,
    GaborAfferentConnector,
    GaborAfferentParams,
    gabor,
    sample_afferents,
)
from mozaik_visual.cortex._maps import (
    OrientationMap,
    OrientationMapParams,
    PinwheelParams,
    load_orientation_map,
    pinwheel_map,
)
from mozaik_visual.cortex._sheet import (
    VISUAL_X_ANNOTATION,
    VISUAL_Y_ANNOTATION,
    CorticalSheet,
    CorticalSheetParams,
    visual_positions_deg,
)

__all__ = [
    "GABOR_ANNOTATIONS",
    "VISUAL_X_ANNOTATION",
    "VISUAL_Y_ANNOTATION",
    "CorticalSheet",
    "CorticalSheetParams",
    "GaborAfferentConnector",
    "GaborAfferentParams",
    "MapDependent",
    "MapDependentParams",
    "OrientationMap",
    "OrientationMapParams",
    "PinwheelParams",
    "V1PushPull",
    "V1PushPullParams",
    "circular_distance",
    "gabor",
    "load_orientation_map",
    "pinwheel_map",
    "sample_afferents",
    "visual_positions_deg",
]
