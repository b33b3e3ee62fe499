"""Model assembly on PyNN's mock backend: structure, selection, seeds (no NEST needed)."""

from __future__ import annotations

import json

import mozaik.model
import numpy as np
import pytest
from mozaik.model import (
    CONNECTOR_FUNCTIONS,
    CONNECTORS,
    SHEETS,
    CellParams,
    FixedProbabilityConnector,
    FixedProbabilityParams,
    Model,
    PlacementParams,
    RecorderParams,
    Sheet,
    SheetParams,
    build_model,
    derive_seed,
)

from .conftest import study_text

INTERFACE = ("Model", "build_model", "Sheet", "Connector", "ModularConnector", "SheetParams",
             "FixedProbabilityConnector", "ConnectorFunction", "PairBlock")


def test_public_names_are_sorted_and_complete() -> None:
    names = mozaik.model.__all__
    assert names == sorted(names)
    for name in INTERFACE:
        assert name in names
        assert hasattr(mozaik.model, name)


def test_builtin_components_are_registered(registry) -> None:
    assert "Sheet" in registry[SHEETS]
    assert {"AllToAllConnector", "OneToOneConnector", "FixedProbabilityConnector",
            "FixedNumberPreConnector", "FixedNumberPostConnector", "FromListConnector",
            "DistanceDependentProbabilityConnector", "ModularSamplingConnector",
            "ModularBernoulliConnector"} <= set(registry[CONNECTORS])
    assert {"Constant", "RandomValue", "GaussianDistance", "ExponentialDistance",
            "LinearDistance", "HyperbolicDistance"} <= set(registry[CONNECTOR_FUNCTIONS])


def test_build_study_on_mock(load, registry) -> None:
    model = build_model(load(study_text()), registry=registry)
    assert model.name == "va_small"
    assert model.seed == 42
    assert model.sim.__name__ == "pyNN.mock"
    assert set(model.sheets) == {"exc", "inh"}
    exc, inh = model.sheets["exc"], model.sheets["inh"]
    assert (exc.size, inh.size) == (160, 40)
    assert exc.population.size == 160
    assert exc.positions_um.shape == (160, 2)
    assert np.all(np.abs(exc.positions_um) <= 200.0)
    # grid placement: distinct, regularly spaced positions
    assert len({tuple(p) for p in inh.positions_um}) == 40
    assert exc.recorded_variables == ("spikes", "v", "gsyn_exc", "gsyn_inh")
    assert len(exc.recorded_indices("spikes")) == 160
    assert len(exc.recorded_indices("v")) == 5
    assert len(inh.recorded_indices("spikes")) == 20
    assert inh.recorded_variables == ("spikes",)
    assert set(model.projections) == {"exc_exc", "exc_inh", "inh_exc", "inh_inh"}
    assert all(c.projection is not None for c in model.projections.values())
    assert 0 < model.projections["exc_exc"].size() < 160 * 160
    description = model.describe()
    json.dumps(description)
    assert description["sheets"]["exc"]["size"] == 160
    assert description["neurons"] == 200
    ids, positions, annotations = model.neuron_table("exc")
    assert ids.dtype.kind == "i" and len(ids) == 160 and positions.shape == (160, 2)
    assert model.time == 0.0
    model.run(20.0)
    assert model.time == pytest.approx(20.0)
    segments = model.collect()
    assert set(segments) == {"exc", "inh"}
    assert len(segments["exc"].spiketrains) == 160
    assert len(segments["inh"].spiketrains) == 20
    model.reset()
    assert model.time == 0.0
    model.end()


def test_density_gives_neuron_count(load, registry) -> None:
    text = study_text().replace("n_neurons: 160", "density_per_mm2: 1250.0")
    model = build_model(load(text), registry=registry)
    assert model.sheets["exc"].size == 200  # 1250 / mm^2 * 0.16 mm^2


def test_same_seed_same_draws_other_seed_other_draws(load, registry) -> None:
    def draws(seed: int) -> tuple[np.ndarray, list, np.ndarray]:
        model = build_model(load(study_text(seed=seed)), registry=registry)
        conns = model.projections["exc_exc"].projection.get(["weight"], format="list")
        return (model.sheets["exc"].positions_um.copy(), sorted(conns),
                model.sheets["exc"].recorded_indices("v").copy())

    a, b, c = draws(7), draws(7), draws(8)
    assert np.array_equal(a[0], b[0]) and a[1] == b[1] and np.array_equal(a[2], b[2])
    assert not np.array_equal(a[0], c[0])
    assert a[1] != c[1]


def test_derived_seeds_are_stable_and_independent() -> None:
    assert derive_seed(1, "sheet:exc") == derive_seed(1, "sheet:exc")
    assert derive_seed(1, "sheet:exc") != derive_seed(1, "sheet:inh")
    assert derive_seed(1, "sheet:exc") != derive_seed(2, "sheet:exc")
    assert 1 <= derive_seed(0, "simulator") < 2**31


def test_adding_a_sheet_does_not_change_other_sheets(load, registry) -> None:
    base = build_model(load(study_text(seed=5)), registry=registry)
    before = base.sheets["exc"].positions_um.copy()
    text = study_text(seed=5).replace("sheets:\n", "sheets:\n  extra: {component: Sheet, params: "
                                      "{placement: {n_neurons: 10}}}\n", 1)
    other = build_model(load(text), registry=registry)
    assert np.array_equal(before, other.sheets["exc"].positions_um)


def test_python_api_builds_the_same(mock_model: Model) -> None:
    model = mock_model
    params = SheetParams(cell=CellParams(model="IF_cond_exp", params={"tau_m": 15.0}),
                         placement=PlacementParams(n_neurons=30, size_um=(100.0, 100.0)),
                         recorders=(RecorderParams(variables=("spikes",)),))
    exc = model.add_sheet(Sheet("exc", params, model))
    created = model.create_sheet("inh", {"placement": {"n_neurons": 10}})
    assert created is model.sheets["inh"]
    conn = model.connect(FixedProbabilityConnector(
        "exc_exc", exc, exc, FixedProbabilityParams(probability=0.5, weight_uS=0.01,
                                                    delay_ms=1.0), model))
    assert model.projections["exc_exc"] is conn and conn.size() > 0
    other = model.create_connector("exc_inh", "exc", "inh",
                                   {"probability": 1.0, "weight_uS": 0.01},
                                   component="FixedProbabilityConnector")
    assert other.size() == 300
    assert exc.population.get("tau_m") == 15.0
    model.run(5.0)
    assert model.collect().keys() == {"exc"}


def test_annotations(mock_model: Model) -> None:
    model = mock_model
    sheet = model.create_sheet("s", {"placement": {"n_neurons": 6},
                                     "annotations": {"layer": 4.0}})
    assert list(sheet.annotations["layer"]) == [4.0] * 6
    sheet.annotate("orientation", np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0]))
    # a conductance-based cell also carries its reversal potentials (mV)
    assert set(sheet.annotations) == {"layer", "orientation", "e_rev_E", "e_rev_I"}
    with pytest.raises(ValueError, match="one value per neuron"):
        sheet.annotate("bad", [1.0, 2.0])
    sheet.add_recorder(RecorderParams(variables=("v",),
                                      neurons={"annotation": "orientation", "value": 1.0}))
    assert list(sheet.recorded_indices("v")) == [1, 3, 5]
    _, _, annotations = model.neuron_table("s")
    assert list(annotations["orientation"]) == [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]


@pytest.mark.parametrize(("neurons", "expected"), [
    ("all", 100), ({"random_n": 7}, 7), ({"random_percent": 25}, 25),
    ({"indices": [3, 1, 3]}, 2),
])
def test_neuron_selections(mock_model: Model, neurons, expected) -> None:
    sheet = mock_model.create_sheet("s", {"placement": {"n_neurons": 100},
                                          "recorders": [{"variables": ["spikes"],
                                                         "neurons": neurons}]})
    assert len(sheet.recorded_indices("spikes")) == expected


def test_grid_selection_picks_one_neuron_per_square(mock_model: Model) -> None:
    sheet = mock_model.create_sheet("s", {
        "placement": {"n_neurons": 400, "size_um": [400.0, 400.0]},
        "recorders": [{"variables": ["spikes"], "neurons": {"grid_step_um": 100.0}}]})
    chosen = sheet.recorded_indices("spikes")
    squares = {tuple(np.floor((sheet.positions_um[i] + 200.0) / 100.0)) for i in chosen}
    assert len(chosen) == len(squares) <= 16
    assert len(chosen) >= 14  # 400 random neurons leave few squares empty


def test_background_noise_on_mock_uses_poisson_sources(mock_model: Model) -> None:
    sheet = mock_model.create_sheet("s", {"placement": {"n_neurons": 5},
                                          "background_noise": {"rate_exc_hz": 100.0,
                                                               "weight_exc_uS": 0.001}})
    assert len(sheet._noise) == 1 and len(sheet._noise[0]) == 5


def test_a_sheet_supplying_its_own_cells_needs_no_cell_or_placement(
        mock_model: Model) -> None:
    """A provider (a SONATA circuit, a sensory model) hands core parameters without ``cell``
    or ``placement`` (``SheetBaseParams``) and supplies cells, positions and initial values
    by overriding ``place``, ``make_cell_type`` and ``initial_values``; core still applies the
    recorders, noise and annotations, and checks the recorders against the built cells."""
    import attrs
    from mozaik import ConfigError
    from mozaik.model import RecorderParams, Sheet, SheetBaseParams

    @attrs.frozen(kw_only=True)
    class FileParams(SheetBaseParams):
        rows: int = 3

    class FileSheet(Sheet[FileParams]):
        def place(self) -> np.ndarray:
            return np.column_stack([np.arange(self.sheet_params.rows) * 10.0,
                                    np.zeros(self.sheet_params.rows)])

        def make_cell_type(self, n: int) -> object:
            return self.model.sim.IF_cond_exp(tau_m=np.linspace(10.0, 20.0, n))

        def initial_values(self, n: int) -> dict[str, object]:
            return {"v": -61.0}

    params = FileParams(rows=4, recorders=(RecorderParams(variables=["spikes", "v"]),),
                        annotations={"depth": 2.0})
    sheet = mock_model.add_sheet(FileSheet("file", params, mock_model))
    assert sheet.size == 4
    assert sheet.positions_um[:, 0].tolist() == [0.0, 10.0, 20.0, 30.0]
    assert np.allclose(sheet.population.get("tau_m"), np.linspace(10.0, 20.0, 4))
    assert sheet.annotations["depth"].tolist() == [2.0] * 4
    bad = FileParams(recorders=(RecorderParams(variables=["gsyn_exc"]),))

    class CurrentSheet(FileSheet):
        def make_cell_type(self, n: int) -> object:
            return self.model.sim.SpikeSourcePoisson(rate=5.0)

    with pytest.raises(ConfigError, match=r"recorder 0 asks for 'gsyn_exc'.*SpikeSourcePoisson"):
        CurrentSheet("poisson", bad, mock_model)
