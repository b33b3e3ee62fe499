"""Optogenetics without NEST: contracts, the light and opsin models, patterns, bad input."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from mozaik import ConfigError, MozaikError
from mozaik.controller import run_study
from mozaik.plugin import get_plugin_manager
from mozaik.study import load_study
from mozaik.testing import ExperimentContract, StimulusContract
from mozaik_visual.perturbation import (
    ChannelRhodopsinParams,
    LightPatternParams,
    LightSpreadParams,
    LightTimingParams,
    frame_profile,
    light_matrix,
    photocurrent_nA,
)
from mozaik_visual.perturbation._light import relative_irradiance

SMALL: dict[str, Any] = {
    "sheet": "exc", "duration_ms": 40.0,
    "sources": {"spacing_um": 50.0, "extent_um": [200.0, 200.0]},
}


class TestOptogeneticStimulation(ExperimentContract):
    name = "OptogeneticStimulation"
    example_params: ClassVar[dict[str, Any]] = {**SMALL, "pattern": {"kind": "hexagonal",
                                                                     "spacing_um": 100.0}}


class TestOptogeneticSpotSize(ExperimentContract):
    name = "OptogeneticSpotSize"
    example_params: ClassVar[dict[str, Any]] = {**SMALL, "radii_um": [30.0, 90.0]}


class TestOptogeneticIntensitySweep(ExperimentContract):
    name = "OptogeneticIntensitySweep"
    example_params: ClassVar[dict[str, Any]] = {**SMALL, "irradiances_mW_per_mm2": [0.0, 5.0],
                                                "transfected_fraction": 0.5, "num_trials": 2}


class TestOptogeneticPulseFrequency(ExperimentContract):
    name = "OptogeneticPulseFrequency"
    example_params: ClassVar[dict[str, Any]] = {**SMALL, "frequencies_hz": [10.0, 40.0],
                                                "timing": {"pulse_width_ms": 5.0}}


class TestOptogeneticWithGrating(ExperimentContract):
    name = "OptogeneticWithGrating"
    example_params: ClassVar[dict[str, Any]] = {**SMALL, "num_orientations": 2}


class TestGratingWithLight(StimulusContract):
    name = "GratingWithLight"
    example_params: ClassVar[dict[str, Any]] = {
        "duration_ms": 100.0, "orientation_rad": 0.5,
        "light": {"pattern": "spot", "irradiance_mW_per_mm2": 5.0}}


def test_grating_with_light_identity_holds_both() -> None:
    from mozaik_visual.perturbation import GratingWithLight, GratingWithLightParams

    stimulus = GratingWithLight(GratingWithLightParams(
        duration_ms=100.0, orientation_rad=0.5, light={"irradiance_mW_per_mm2": 5.0}))
    params = stimulus.identity().params
    assert params["orientation_rad"] == 0.5 and params["light.irradiance_mW_per_mm2"] == 5.0
    with pytest.raises(ValueError, match=r"light\.bad"):
        GratingWithLightParams(duration_ms=10.0, light={"bad": [1, 2]})


# -- models --------------------------------------------------------------------------------------


def test_kubelka_munk_spread_conserves_power_and_attenuates_with_depth() -> None:
    spread = LightSpreadParams()
    r = np.linspace(0.0, 2000.0, 40001)
    powers = []
    for z in (0.0, 100.0, 400.0):
        f = relative_irradiance(spread, 10.0, r, np.full_like(r, z))
        powers.append(np.trapezoid(2 * math.pi * r * f, r))
        assert (np.diff(f) <= 1e-15).all()  # falls with lateral distance
    at_surface = math.pi * 10.0**2  # the emitter's disk at relative irradiance 1
    for z, power in zip((0.0, 100.0, 400.0), powers, strict=True):
        assert power == pytest.approx(at_surface / (11.2 * z / 1000.0 + 1.0), rel=1e-3)


def test_light_matrix_matches_the_dense_computation() -> None:
    rng = np.random.default_rng(0)
    sources = rng.uniform(-300, 300, size=(60, 2))
    neurons = rng.uniform(-300, 300, size=(200, 2))
    neurons[:5] = sources[:5]  # neurons right under an emitter
    spread = LightSpreadParams(cutoff=1e-6)
    matrix = light_matrix(sources, neurons, 150.0, spread, 10.0).toarray()
    distance = np.linalg.norm(neurons[:, None, :] - sources[None, :, :], axis=2)
    dense = relative_irradiance(spread, 10.0, distance, np.full_like(distance, 150.0))
    dense[dense < 1e-6] = 0.0
    np.testing.assert_allclose(matrix, dense, rtol=1e-12, atol=1e-15)


def test_photocurrent_saturates_and_follows_on_off_time_constants() -> None:
    opsin = ChannelRhodopsinParams(max_current_nA=2.0, half_saturation_mW_per_mm2=1.0,
                                   tau_on_ms=2.0, tau_off_ms=15.0)
    dt = 0.1
    light = np.zeros((3, 2000))
    light[:, 100:1100] = np.array([1.0, 10.0, 100.0])[:, None]
    current = photocurrent_nA(light, opsin, dt)
    plateau = current[:, 1099]
    np.testing.assert_allclose(plateau, 2.0 * np.array([0.5, 10 / 11, 100 / 101]), rtol=1e-6)
    # rises with tau_on, falls with tau_off
    assert current[0, 119] == pytest.approx(1.0 * (1 - math.exp(-2.0 / 2.0)), rel=1e-6)
    assert current[0, 1249] == pytest.approx(1.0 * math.exp(-15.0 / 15.0), rel=1e-6)


def test_pulse_train_profile() -> None:
    timing = LightTimingParams(onset_ms=10.0, duration_ms=100.0, pulse_frequency_hz=20.0,
                               pulse_width_ms=5.0)
    profile = frame_profile(timing, 200.0, 1.0)
    on = np.flatnonzero(profile)
    assert on[0] == 10 and on[-1] == 64 and len(on) == 10  # two 5 ms pulses in 100 ms
    assert profile[10:15].all() and profile[60:65].all() and not profile[15:60].any()


# -- bad input -----------------------------------------------------------------------------------

STUDY = """\
name: bad
simulator: {backend: mock, seed: 1}
sheets:
  v1:
    component: Sheet
    params:
      placement: {kind: grid, size_um: [400.0, 400.0], n_neurons: 16}
      recorders: [{variables: [spikes], neurons: all}]
experiments:
  - component: OptogeneticSpotSize
    params: {sheet: v1, duration_ms: 20.0, radii_um: [50.0], transfected_fraction: 1.0,
             sources: {spacing_um: 100.0, extent_um: [400.0, 400.0], centre_um: [0.0, 0.0]},
             spread: {table: ""}, pattern: {kind: spot}, timing: {onset_ms: 0.0}}
"""


def _load(tmp_path: Path, *overrides: str) -> Any:
    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    return load_study(path, overrides, registry=get_plugin_manager().registry)


def _run(tmp_path: Path, *overrides: str) -> None:
    run_study(_load(tmp_path, *overrides), tmp_path / "run", progress="off")


@pytest.mark.parametrize(("override", "path", "text"), [
    ("transfected_fraction=1.5", "experiments.0.params.transfected_fraction", "1.5"),
    ("transfected_fraction=-0.1", "experiments.0.params.transfected_fraction", "-0.1"),
    ("timing={pulse_frequency_hz: 100.0, pulse_width_ms: 12.0}",
     "experiments.0.params.timing.pulse_width_ms", "not shorter than the period"),
    ("pattern={kind: image, image: /nonexistent/pattern.png}",
     "experiments.0.params.pattern.image", "does not exist"),
    ("pattern={kind: ring}", "experiments.0.params.pattern.kind", "not a light pattern"),
])
def test_bad_parameters_name_their_path(tmp_path: Path, override: str, path: str,
                                        text: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, f"experiments.0.params.{override}")
    assert path in str(info.value) and text in str(info.value)


def test_pulse_frequency_sweep_checks_every_frequency(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(STUDY.replace("OptogeneticSpotSize", "OptogeneticPulseFrequency")
                    .replace("radii_um: [50.0]", "frequencies_hz: [10.0, 200.0]"))
    with pytest.raises(ConfigError, match=r"experiments\.0\.params\.frequencies_hz\.1"):
        load_study(path, registry=get_plugin_manager().registry)


def test_source_grid_outside_the_sheet(tmp_path: Path) -> None:
    with pytest.raises(MozaikError, match=r"experiments\.0.*sources\.extent_um.*outside sheet "
                                          r"'v1'"):
        _run(tmp_path, "experiments.0.params.sources.centre_um=[150.0, 0.0]")


def test_image_pattern_that_is_not_an_image(tmp_path: Path) -> None:
    fake = tmp_path / "pattern.png"
    fake.write_text("not a png")
    path = tmp_path / "study.yaml"
    path.write_text(STUDY.replace("OptogeneticSpotSize", "OptogeneticStimulation")
                    .replace("radii_um: [50.0], ", ""))
    study = load_study(path, [f"experiments.0.params.pattern={{kind: image, image: {fake}}}"],
                       registry=get_plugin_manager().registry)
    with pytest.raises(MozaikError, match=r"experiments\.0.*pattern\.image.*is not an image"):
        run_study(study, tmp_path / "run", progress="off")


def test_image_pattern_lights_the_bright_half(tmp_path: Path) -> None:
    image = np.zeros((4, 4))
    image[:, 2:] = 1.0  # right half bright
    np.save(tmp_path / "half.npy", image)
    pattern = LightPatternParams(kind="image", image=str(tmp_path / "half.npy"))
    from mozaik_visual.perturbation import pattern_irradiance

    xs = np.array([[-100.0, 0.0], [100.0, 0.0], [-100.0, 50.0], [100.0, 50.0]])
    levels = pattern_irradiance(pattern, xs, sheet=None, where="pattern")  # type: ignore[arg-type]
    assert levels.tolist() == [0.0, 1.0, 0.0, 1.0]


def test_orientation_map_pattern_on_a_sheet_without_a_map(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(STUDY.replace("OptogeneticSpotSize", "OptogeneticOrientationMapPatterns")
                    .replace("radii_um: [50.0]", "num_orientations: 4"))
    study = load_study(path, registry=get_plugin_manager().registry)
    with pytest.raises(MozaikError, match=r"experiments\.0.*needs the orientation map of sheet "
                                          r"'v1'.*gabor_orientation_rad"):
        run_study(study, tmp_path / "run", progress="off")


@pytest.mark.parametrize(("arrays", "text"), [
    ({"radius": np.arange(3.0), "depth": np.arange(2.0), "relative_irradiance": np.ones((3, 2))},
     "lacks radius_um, depth_um"),
    ({"radius_um": np.arange(3.0), "depth_um": np.arange(2.0),
      "relative_irradiance": np.ones((2, 3))}, r"shape \(2, 3\); expected .* = \(3, 2\)"),
])
def test_light_spread_table_of_the_wrong_shape_or_without_units(
        tmp_path: Path, arrays: dict[str, np.ndarray], text: str) -> None:
    np.savez(tmp_path / "spread.npz", **arrays)
    with pytest.raises(MozaikError, match=rf"experiments\.0.*spread\.table.*{text}"):
        _run(tmp_path, f"experiments.0.params.spread.table={tmp_path / 'spread.npz'}")


def test_light_spread_table_is_used(tmp_path: Path) -> None:
    radius = np.array([0.0, 100.0, 200.0])
    depth = np.array([0.0, 500.0])
    table = np.array([[1.0, 0.5], [0.5, 0.25], [0.0, 0.0]])
    np.savez(tmp_path / "spread.npz", radius_um=radius, depth_um=depth,
             relative_irradiance=table)
    spread = LightSpreadParams(table=str(tmp_path / "spread.npz"))
    values = relative_irradiance(spread, 10.0, np.array([50.0, 150.0, 300.0]),
                                 np.array([250.0, 0.0, 0.0]))
    np.testing.assert_allclose(values, [0.5625, 0.25, 0.0])
