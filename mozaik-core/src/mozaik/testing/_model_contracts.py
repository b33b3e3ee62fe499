"""Contract suites for model components: sheets and connectors.

A plugin that registers a sheet or a connector subclasses the matching suite and gives one valid
parameter tree; the suite builds it on PyNN's mock backend (no NEST needed) the way
``build_model`` would, and checks what the controller and the datastore rely on::

    class TestBarrelSheet(SheetContract):
        name = "BarrelSheet"
        example_params = {"n_barrels": 4, "cell": {"model": "IF_cond_exp"}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from mozaik.config import SimulatorConfig, structure
from mozaik.model import CONNECTORS, SHEETS, Connector, Model, Sheet, SheetParams
from mozaik.testing._contracts import ComponentContract

__all__ = ["ConnectorContract", "SheetContract"]


class _ModelContract(ComponentContract):
    backend: ClassVar[str] = "mock"

    def model(self, seed: int = 1) -> Any:
        return Model(SimulatorConfig(backend=self.backend, seed=seed), name="contract",
                     registry=self.registry())


class SheetContract(_ModelContract):
    """Contract of a registered sheet: a population in 2D space with annotations."""

    kind: ClassVar[str] = "sheets"

    def build(self, seed: int = 1) -> Sheet:
        model = self.model(seed)
        component = self.registry()[SHEETS][self.name]
        params: Any = structure(dict(self.example_params), component.config_cls, path="params")
        sheet = component.built(component.factory(self.name.lower(), params, model), Sheet)
        model.add_sheet(sheet)
        return sheet

    def test_population_matches_positions(self) -> None:
        sheet = self.build()
        assert sheet.size > 0
        assert sheet.population.size == sheet.size
        positions = np.asarray(sheet.positions_um)
        assert positions.shape == (sheet.size, 2), "positions_um must be (n, 2) in um"
        assert np.isfinite(positions).all()

    def test_annotations_are_per_neuron(self) -> None:
        sheet = self.build()
        sheet.annotate("contract_value", np.arange(sheet.size, dtype=float))
        values = sheet.annotations["contract_value"]
        assert len(values) == sheet.size and values[-1] == sheet.size - 1

    def test_same_seed_same_layout(self) -> None:
        first = np.asarray(self.build(seed=5).positions_um).copy()
        again = np.asarray(self.build(seed=5).positions_um)
        np.testing.assert_array_equal(first, again)

    def test_recorded_variables_are_recordable(self) -> None:
        sheet = self.build()
        recordable = set(sheet.population.celltype.recordable)
        assert set(sheet.recorded_variables) <= recordable | {"spikes"}


class ConnectorContract(_ModelContract):
    """Contract of a registered connector, built between two small sheets.

    Class attributes to set besides ``name`` and ``example_params``
    ----------------------------------------------------------------
    sheet_params : mapping
        Parameters of the built-in ``Sheet`` used as source and target.
    """

    kind: ClassVar[str] = "connectors"
    sheet_params: ClassVar[Mapping[str, Any]] = {
        "cell": {"model": "IF_cond_exp"},
        "placement": {"kind": "grid", "size_um": [200.0, 200.0], "n_neurons": 25},
    }

    def build(self, seed: int = 1) -> Connector:
        model = self.model(seed)
        sheet_params = structure(dict(self.sheet_params), SheetParams, path="sheet")
        source = model.create_sheet("source", sheet_params)
        target = model.create_sheet("target", sheet_params)
        component = self.registry()[CONNECTORS][self.name]
        params: Any = structure(dict(self.example_params), component.config_cls, path="params")
        connector = component.built(component.factory("contract", source, target, params, model),
                                    Connector)
        model.connect(connector)
        return connector

    def test_builds_a_projection(self) -> None:
        connector = self.build()
        assert connector.projection is not None
        assert connector.size() >= 0
        description = connector.describe()
        assert isinstance(description, dict)

    def test_same_seed_same_connections(self) -> None:
        first = self.build(seed=9).size()
        assert self.build(seed=9).size() == first

    def test_size_estimate_is_not_below_the_build(self) -> None:
        """The estimate the size check uses before building (the factory's optional
        ``expected_connections(params, n_source, n_target)``; without it every pair) is not
        far below what the connector builds (a statistical margin for random rules)."""
        connector = self.build()
        method = getattr(self.registry()[CONNECTORS][self.name].factory,
                         "expected_connections", None)
        n_source, n_target = connector.source.size, connector.target.size
        expected = method(connector.params, n_source, n_target) if method else None
        bound = float(n_source * n_target) if expected is None else float(expected)
        assert connector.size() <= 1.5 * bound + 10, (connector.size(), bound)
