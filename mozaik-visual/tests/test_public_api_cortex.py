"""Snapshot of the public API of mozaik_visual.cortex (change it deliberately)."""

from __future__ import annotations

import mozaik_visual.cortex

CORTEX = [
    "GABOR_ANNOTATIONS", "VISUAL_X_ANNOTATION", "VISUAL_Y_ANNOTATION", "CorticalSheet",
    "CorticalSheetParams", "GaborAfferentConnector", "GaborAfferentParams", "MapDependent",
    "MapDependentParams", "OrientationMap", "OrientationMapParams", "PinwheelParams",
    "V1PushPull", "V1PushPullParams", "circular_distance", "gabor", "load_orientation_map",
    "pinwheel_map", "sample_afferents", "visual_positions_deg",
]


def test_cortex_all() -> None:
    assert mozaik_visual.cortex.__all__ == CORTEX
