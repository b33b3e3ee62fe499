"""V1 components: cortical sheets, the Gabor afferent connector, push-pull, orientation maps.

Until the retina/LGN lands, LGN ON/OFF sheets are plain core Sheets on a grid whose
``x_deg``/``y_deg`` annotations place them in the visual field, as the retina's sheets do; that
is what the Gabor connector reads (:func:`mozaik_visual.cortex.visual_positions_deg`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mozaik import ConfigError
from mozaik.config import SimulatorConfig, structure
from mozaik.model import Model, ModularSamplingParams, Sheet, SheetParams
from mozaik.testing import SheetContract
from mozaik_visual.cortex import (
    GABOR_ANNOTATIONS,
    CorticalSheetParams,
    GaborAfferentParams,
    OrientationMapParams,
    PinwheelParams,
    circular_distance,
    gabor,
    load_orientation_map,
    pinwheel_map,
    sample_afferents,
)

LGN_SIZE_DEG = 3.0


def lgn_sheet(model: Model, name: str, n_side: int = 24) -> Sheet:
    """A plain sheet on a grid covering LGN_SIZE_DEG x LGN_SIZE_DEG degrees (100 um/deg),
    with the retina/LGN's ``x_deg``/``y_deg`` annotations."""
    side_um = LGN_SIZE_DEG * 100.0
    params = structure({"cell": {"model": "SpikeSourcePoisson"},
                        "placement": {"kind": "grid", "size_um": [side_um, side_um],
                                      "n_neurons": n_side * n_side}}, SheetParams, path=name)
    sheet = model.create_sheet(name, params)
    sheet.annotate("x_deg", sheet.positions_um[:, 0] / 100.0)
    sheet.annotate("y_deg", sheet.positions_um[:, 1] / 100.0)
    return sheet


def cortex(model: Model, name: str = "v1", n: int = 60, size_um: float = 500.0) -> Any:
    params = structure({"cell": {"model": "IF_cond_exp"},
                        "placement": {"size_um": [size_um, size_um], "n_neurons": n},
                        "magnification_factor_um_per_deg": 1000.0}, CorticalSheetParams,
                       path=name)
    return model.create_sheet(name, params, component="CorticalSheet")


def gabor_params(**extra: Any) -> GaborAfferentParams:
    raw = {"off_sheet": "lgn_off", "num_samples": 40, "weight_uS": 0.001, "delay_ms": 1.0,
           "size_deg": 0.3, "frequency_cpd": 1.2, "aspect_ratio": 0.8, **extra}
    return structure(raw, GaborAfferentParams, path="params")


@pytest.fixture
def model() -> Model:
    return Model(SimulatorConfig(backend="nest", seed=5), name="cortex")


def connect_gabor(model: Model, target: str = "v1", name: str = "aff", **extra: Any) -> Any:
    if "lgn_on" not in model.sheets:
        lgn_sheet(model, "lgn_on")
        lgn_sheet(model, "lgn_off")
    return model.create_connector(name, "lgn_on", target, gabor_params(**extra),
                                  component="GaborAfferentConnector")


class TestCorticalSheet(SheetContract):
    name = "CorticalSheet"
    example_params = {"cell": {"model": "IF_cond_exp"},
                      "placement": {"size_um": [1000.0, 500.0], "n_neurons": 30},
                      "magnification_factor_um_per_deg": 5000.0}


def test_visual_position_is_cortical_position_over_magnification(model: Model) -> None:
    params = structure({"placement": {"size_um": [1000.0, 1000.0], "n_neurons": 50,
                                      "centre_um": [500.0, 0.0]},
                        "magnification_factor_um_per_deg": 500.0,
                        "visual_centre_deg": [2.0, -1.0]}, CorticalSheetParams, path="v1")
    sheet = model.create_sheet("v1", params, component="CorticalSheet")
    expected = np.array([2.0, -1.0]) + (sheet.positions_um - [500.0, 0.0]) / 500.0
    np.testing.assert_allclose(sheet.visual_positions_deg, expected)
    np.testing.assert_allclose(sheet.annotations["visual_x_deg"], expected[:, 0])
    assert np.ptp(expected[:, 0]) <= 2.0
    assert sheet.describe()["magnification_factor_um_per_deg"] == 500.0


def test_gabor_formula() -> None:
    # at the centre the Gabor is cos(phase); along the orientation it alternates with period 1/f
    assert gabor(np.array(0.0), np.array(0.0), 0.3, 0.0, 1.0, 0.5, 1.0) == pytest.approx(1.0)
    along = gabor(np.array([0.5 * np.cos(0.3)]), np.array([0.5 * np.sin(0.3)]), 0.3, 0.0,
                  1.0, 10.0, 1.0)
    assert along[0] == pytest.approx(-np.exp(-0.5 * 0.25 / 100.0))
    across = gabor(np.array([-np.sin(0.3)]), np.array([np.cos(0.3)]), 0.3, 0.0, 1.0, 10.0, 1.0)
    assert across[0] > 0.99  # constant along the stripes
    cut = gabor(np.array([2.0]), np.array([0.0]), 0.0, 0.0, 0.0, 0.5, 1.0, extent_sigma=3.0)
    assert cut[0] == 0.0


def test_sampling_draws_in_proportion_to_weights() -> None:
    weights = np.array([[1.0, 3.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    uniform = np.random.default_rng(0).uniform(size=(2, 4000))
    rows, columns, counts = sample_afferents(weights, 4000, uniform)
    assert set(rows.tolist()) == {0}  # a row of zeros draws nothing
    share = counts[columns == 1].sum() / counts.sum()
    assert share == pytest.approx(0.75, abs=0.03)
    assert 2 not in columns.tolist()


def test_gabor_connector_on_where_positive_off_where_negative(model: Model) -> None:
    v1 = cortex(model)
    connector = connect_gabor(model)
    fields = {key: v1.annotations[a] for key, a in GABOR_ANNOTATIONS.items()}
    assert np.all((fields["orientation_rad"] >= 0) & (fields["orientation_rad"] < np.pi))
    np.testing.assert_allclose(fields["size_deg"], 0.3)
    on, off = connector.projection, connector.off_projection
    assert on.pre is model.sheets["lgn_on"].population
    assert off.pre is model.sheets["lgn_off"].population
    total = 0.0
    for projection, sign, sheet in ((on, 1.0, "lgn_on"), (off, -1.0, "lgn_off")):
        pre, post, weight = np.array(projection.get(["weight"], format="list")).T
        pre, post = pre.astype(int), post.astype(int)
        lgn = model.sheets[sheet]
        dx = lgn.annotations["x_deg"][pre] - v1.visual_positions_deg[post, 0]
        dy = lgn.annotations["y_deg"][pre] - v1.visual_positions_deg[post, 1]
        values = gabor(dx, dy, *(fields[key][post] for key in GABOR_ANNOTATIONS))
        assert np.all(sign * values > 0)
        total += weight.sum()
    # every sample of every target became weight: num_samples x weight_uS per neuron
    assert total == pytest.approx(v1.size * 40 * 0.001)
    assert connector.size() == on.size() + off.size()
    assert connector.describe()["off_sheet"] == "lgn_off"


def test_gabor_connector_is_reproducible_and_reuses_fields() -> None:
    def build() -> tuple[np.ndarray, np.ndarray]:
        model = Model(SimulatorConfig(backend="nest", seed=11), name="r")
        v1 = cortex(model, n=20)
        connect_gabor(model)
        orientation = v1.annotations["gabor_orientation_rad"]
        second = connect_gabor(model, name="aff2")
        assert np.array_equal(v1.annotations["gabor_orientation_rad"], orientation)
        assert second.size() > 0
        return orientation, np.array(model.projections["aff"].projection.get(
            "weight", format="list"))

    first, weights = build()
    again, weights_again = build()
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(weights, weights_again)


def test_orientation_from_map(model: Model, tmp_path: Path) -> None:
    values = np.tile(np.linspace(0.0, np.pi, 10, endpoint=False), (10, 1))
    np.save(tmp_path / "map.npy", values)
    v1 = cortex(model)
    connect_gabor(model, orientation_map={"file": str(tmp_path / "map.npy"),
                                          "size_um": [500.0, 500.0]})
    column = np.clip(np.floor((v1.positions_um[:, 0] / 500.0 + 0.5) * 10), 0, 9).astype(int)
    np.testing.assert_allclose(v1.annotations["gabor_orientation_rad"], values[0, column])


def test_pinwheel_map_is_seeded_and_has_all_orientations() -> None:
    params = PinwheelParams(seed=3, period_um=400.0, resolution_um=10.0)
    first = pinwheel_map(params, (1000.0, 1000.0))
    assert first.shape == (100, 100)
    np.testing.assert_array_equal(first, pinwheel_map(params, (1000.0, 1000.0)))
    assert not np.array_equal(first, pinwheel_map(PinwheelParams(seed=4, period_um=400.0,
                                                                 resolution_um=10.0),
                                                  (1000.0, 1000.0)))
    counts, _ = np.histogram(first, bins=6, range=(0.0, np.pi))
    assert counts.min() > 0.05 * first.size  # every orientation present
    # smooth: neighbouring pixels differ by much less than random orientations (pi/4 on average)
    step = circular_distance(first[:, 1:], first[:, :-1], np.pi).mean()
    assert step < 0.15


def test_map_file_of_wrong_shape_is_named(model: Model, tmp_path: Path) -> None:
    np.save(tmp_path / "bad.npy", np.zeros((4, 4, 3)))
    cortex(model)
    with pytest.raises(ConfigError, match=r"orientation_map\.file: .*bad\.npy.*2-D float array"
                       r".*shape \(4, 4, 3\)"):
        connect_gabor(model, orientation_map={"file": str(tmp_path / "bad.npy")})
    np.save(tmp_path / "ints.npy", np.zeros((4, 4), dtype=np.int64))
    params = OrientationMapParams(file=str(tmp_path / "ints.npy"))
    with pytest.raises(ConfigError, match=r"dtype int64"):
        load_orientation_map(params)
    with pytest.raises(ConfigError, match="does not exist"):
        load_orientation_map(OrientationMapParams(file=str(tmp_path / "missing.npy")))


def test_receptive_field_larger_than_lgn_is_named(model: Model) -> None:
    cortex(model)
    with pytest.raises(ConfigError, match=r"connectors\.aff\.params\.size_deg: .*receptive field "
                       r"is 7.5 deg across.*cover only 2\.88 x 2\.88 deg"):
        connect_gabor(model, size_deg=1.0)


def test_missing_off_sheet_and_visual_positions_are_named(model: Model) -> None:
    cortex(model)
    with pytest.raises(ConfigError, match=r"off_sheet: sheet 'nowhere' does not exist"):
        connect_gabor(model, off_sheet="nowhere")
    plain = structure({"placement": {"n_neurons": 4}}, SheetParams, path="p")
    model.create_sheet("plain", plain)
    with pytest.raises(ConfigError, match=r"sheet 'plain' has no visual-field positions"):
        model.create_connector("aff_plain", "plain", "v1",
                               gabor_params(off_sheet="lgn_off"),
                               component="GaborAfferentConnector")


def test_push_pull_connects_like_to_like(model: Model) -> None:
    exc = cortex(model, "exc", n=200, size_um=300.0)
    connect_gabor(model, target="exc")
    orientation = exc.annotations["gabor_orientation_rad"]
    phase = exc.annotations["gabor_phase_rad"]
    means = {}
    for synapses in ("excitatory", "inhibitory"):
        params = structure({
            "weight_functions": {"f1": {"component": "V1PushPull", "params": {
                "orientation_sigma_rad": 0.26, "phase_sigma_rad": 0.52,
                "target_synapses": synapses}}},
            "weight_expression": "f1", "delay_expression": "1", "base_weight_uS": 0.001,
            "num_samples": 50}, ModularSamplingParams, path="pp")
        connector = model.create_connector(f"pp_{synapses}", "exc", "exc", params,
                                           component="ModularSamplingConnector")
        pre, post = np.array(connector.projection.get("weight", format="list"))[:, :2].T
        pre, post = pre.astype(int), post.astype(int)
        d_or = circular_distance(orientation[pre], orientation[post], np.pi)
        d_ph = circular_distance(phase[pre], phase[post], 2 * np.pi)
        assert d_or.mean() < 0.35  # random pairs: pi/4 = 0.79
        means[synapses] = d_ph.mean()
    assert means["excitatory"] < 1.0 < np.pi - 1.0 < means["inhibitory"]


def test_map_dependent_prefers_similar_map_orientation(model: Model) -> None:
    exc = cortex(model, "exc", n=200, size_um=1000.0)
    orientation_map = {"generate": {"seed": 2, "period_um": 500.0}, "size_um": [1000.0, 1000.0]}
    params = structure({
        "weight_functions": {"m": {"component": "MapDependent", "params": {
            "orientation_map": orientation_map, "sigma_rad": 0.2}}},
        "weight_expression": "m", "base_weight_uS": 0.001, "num_samples": 30},
        ModularSamplingParams, path="md")
    connector = model.create_connector("md", "exc", "exc", params,
                                       component="ModularSamplingConnector")
    pre, post = np.array(connector.projection.get("weight", format="list"))[:, :2].T
    values = load_orientation_map(structure(orientation_map, OrientationMapParams, path="m")
                                  ).orientation_at(exc.positions_um)
    d = circular_distance(values[pre.astype(int)], values[post.astype(int)], np.pi)
    assert d.mean() < 0.3


def test_push_pull_without_receptive_fields_is_named(model: Model) -> None:
    cortex(model, "exc", n=10)
    params = structure({"weight_functions": {"f1": {"component": "V1PushPull"}},
                        "weight_expression": "f1", "base_weight_uS": 0.001, "num_samples": 5},
                       ModularSamplingParams, path="pp")
    with pytest.raises(ConfigError, match=r"sheet 'exc' has no annotation "
                       r"'gabor_orientation_rad'.*GaborAfferentConnector"):
        model.create_connector("pp", "exc", "exc", params, component="ModularSamplingConnector")
