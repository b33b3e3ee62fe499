"""Visual space, regions, rendering, and bad input named by its parameter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mozaik import ConfigError
from mozaik.stimulus import NullStimulus, NullStimulusParams
from mozaik_visual.space import VisualRegion, VisualSpace, VisualSpaceParams
from mozaik_visual.stimuli import (
    DriftingGratingDisk,
    DriftingGratingDiskParams,
    FlatDisk,
    FlatDiskParams,
    FullfieldDriftingSinusoidalGrating,
    FullfieldFlatLuminance,
    FullfieldFlatLuminanceParams,
    GratingParams,
    NaturalImageWithEyeMovement,
    NaturalImageWithEyeMovementParams,
    eye_path,
)

SPACE = VisualSpace(VisualSpaceParams(size_deg=(4.0, 4.0), pixel_size_deg=0.1))


def test_region_intersection_and_containment() -> None:
    a = VisualRegion(width_deg=2.0, height_deg=2.0)
    b = VisualRegion(x_deg=1.5, y_deg=0.5, width_deg=2.0, height_deg=2.0)
    both = a.intersection(b)
    assert both is not None
    assert (both.left, both.right, both.bottom, both.top) == (0.5, 1.0, -0.5, 1.0)
    assert a.intersection(VisualRegion(x_deg=5.0, width_deg=1.0, height_deg=1.0)) is None
    assert a.contains(VisualRegion(width_deg=1.0, height_deg=1.0)) and not a.contains(b)


def test_pixel_grid_conversion() -> None:
    region = SPACE.region
    assert region.pixel_shape(0.1) == (40, 40)
    x, y = region.pixel_centres(0.1)
    assert x[0] == pytest.approx(-1.95) and y[0] == pytest.approx(1.95)
    row, col = region.to_pixel(np.array([-1.95, 0.05]), np.array([1.95, -0.05]), 0.1)
    assert row.tolist() == [0, 20] and col.tolist() == [0, 20]


def test_grating_frames_drift_at_the_temporal_frequency() -> None:
    grating = FullfieldDriftingSinusoidalGrating(GratingParams(
        duration_ms=500.0, temporal_frequency_hz=2.0, contrast_pct=50.0))
    frames = SPACE.render(grating)
    assert frames.dtype == np.float32 and frames.shape == (50, 40, 40)
    assert frames.mean() == pytest.approx(50.0, abs=0.5)
    assert frames.max() == pytest.approx(75.0, abs=0.1)
    # one temporal period is 500 ms = 50 frames: frame 0 and frame 25 are in antiphase
    np.testing.assert_allclose(frames[0] - 50, -(frames[25] - 50), atol=1e-3)


def test_scene_paints_stimuli_in_order_over_the_background() -> None:
    disk = FlatDisk(FlatDiskParams(duration_ms=20.0, radius_deg=0.5, luminance_cd_m2=90.0))
    ring = DriftingGratingDisk(DriftingGratingDiskParams(duration_ms=20.0, radius_deg=0.2,
                                                         contrast_pct=0.0))
    frames = SPACE.render([disk, ring])
    assert frames[0, 20, 20] == 50.0  # the small zero-contrast disk on top
    assert frames[0, 20, 24] == 90.0 and frames[0, 0, 0] == 50.0
    blank = SPACE.render(NullStimulus(NullStimulusParams(duration_ms=30.0)))
    assert np.all(blank == 50.0) and blank.shape[0] == 3


def test_natural_image_moves_with_the_eye() -> None:
    params = NaturalImageWithEyeMovementParams(duration_ms=200.0, size_deg=3.0, seed=1,
                                               saccade_rate_hz=20.0)
    frames = SPACE.render(NaturalImageWithEyeMovement(params))
    assert not np.allclose(frames[0], frames[-1])
    path = eye_path(params, np.arange(20) * 10.0)
    assert np.array_equal(path, eye_path(params, np.arange(20) * 10.0))


def test_eye_path_from_a_file(tmp_path: Path) -> None:
    file = tmp_path / "path.npy"
    np.save(file, np.array([[0.0, 0.0, 0.0], [100.0, 1.0, -1.0]]))
    params = NaturalImageWithEyeMovementParams(duration_ms=100.0, eye_path_path=str(file))
    np.testing.assert_allclose(eye_path(params, np.array([0.0, 50.0])), [[0, 0], [0.5, -0.5]])


def test_png_image(tmp_path: Path) -> None:
    import matplotlib.image

    file = tmp_path / "im.png"
    matplotlib.image.imsave(file, np.linspace(0, 1, 64).reshape(8, 8), cmap="gray")
    params = NaturalImageWithEyeMovementParams(duration_ms=20.0, image_path=str(file), size_deg=4.0,
                                               saccade_rate_hz=0.0, drift_diffusion_deg2_s=0.0)
    frames = SPACE.render(NaturalImageWithEyeMovement(params))
    assert frames.min() < 15 and frames.max() > 85


# -- bad input ---------------------------------------------------------------------------------


def test_stimulus_larger_than_the_visual_field() -> None:
    disk = DriftingGratingDisk(DriftingGratingDiskParams(duration_ms=20.0, radius_deg=3.0))
    with pytest.raises(ConfigError, match="DriftingGratingDisk.*larger than.*size_deg"):
        SPACE.render(disk)


def test_luminance_outside_the_allowed_range() -> None:
    bright = FullfieldFlatLuminance(FullfieldFlatLuminanceParams(duration_ms=20.0,
                                                                 luminance_cd_m2=150.0))
    with pytest.raises(ConfigError, match="luminance_cd_m2.*max_luminance_cd_m2"):
        SPACE.render(bright)
    with pytest.raises(ValueError, match="contrast_pct"):
        GratingParams(duration_ms=20.0, contrast_pct=120.0)
    with pytest.raises(ValueError, match="background_luminance_cd_m2"):
        VisualSpaceParams(background_luminance_cd_m2=200.0, max_luminance_cd_m2=100.0)


def test_missing_image_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="image_path.*does not exist"):
        NaturalImageWithEyeMovementParams(duration_ms=20.0, image_path=str(tmp_path / "no.png"))


def test_frame_interval_that_does_not_divide_the_duration() -> None:
    grating = FullfieldDriftingSinusoidalGrating(GratingParams(duration_ms=25.0))
    with pytest.raises(ConfigError, match="duration_ms=25.0.*frame_interval_ms=10.0"):
        SPACE.render(grating)
