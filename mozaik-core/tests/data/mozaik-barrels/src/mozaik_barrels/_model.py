"""Model components of mozaik-barrels: whisker space, whisker pad, barrel sheet, connectors."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import structure
from mozaik.model import (
    CellParams,
    Connector,
    ConnectorFunction,
    InputSpace,
    Model,
    PairBlock,
    PlacementParams,
    ProjectionParams,
    RecorderParams,
    SensoryInput,
    Sheet,
    SheetParams,
    project_arrays,
)

if TYPE_CHECKING:
    from mozaik.stimulus import Stimulus


@attrs.frozen(kw_only=True)
class WhiskerSpaceParams:
    """n_whiskers : int, the whiskers of the pad (one per barrel)."""

    n_whiskers: int = 4


class WhiskerSpace(InputSpace[WhiskerSpaceParams]):
    """The whisker pad as the world stimuli act on."""

    def describe(self) -> dict[str, bool | int | float | str]:
        return {"n_whiskers": self.params.n_whiskers}


@attrs.frozen(kw_only=True)
class WhiskerPadParams:
    """populations : the name of the afferent sheet (one); rates in Hz."""

    populations: tuple[str, ...] = ("whiskers",)
    baseline_rate_hz: float = 20.0
    deflection_rate_hz: float = 200.0


class WhiskerPad(SensoryInput[WhiskerPadParams]):
    """One Poisson afferent per whisker of the input space, as the sheet ``populations[0]``."""

    @property
    def sheet(self) -> str:
        return self.params.populations[0]

    def __init__(self, name: str, params: WhiskerPadParams, model: Model) -> None:
        super().__init__(name, params, model)
        space = model.input_space
        if not isinstance(space, WhiskerSpace):
            msg = f"sensory input {name!r}: WhiskerPad needs the WhiskerSpace input space"
            raise ConfigError(msg)
        n = space.params.n_whiskers
        sim = model.sim
        population = sim.Population(n, sim.SpikeSourcePoisson(rate=params.baseline_rate_hz),
                                    label=self.sheet)
        positions = np.column_stack([np.arange(n) * 100.0, np.zeros(n)])
        recorders = (structure({"variables": ["spikes"], "neurons": "all"}, RecorderParams),)
        self.sheets[self.sheet] = Sheet.from_population(self.sheet, model, population,
                                                        positions, recorders)

    def present(self, stimulus: Stimulus, t_start_ms: float) -> None:
        # the controller shows every stimulus, blanks included: only deflections move whiskers
        whisker = getattr(stimulus.params, "whisker", None)
        if whisker is None:
            self.rest()
            return
        rates = np.full(self.sheets[self.sheet].size, self.params.baseline_rate_hz)
        rates[whisker] = self.params.deflection_rate_hz
        self.sheets[self.sheet].population.set(rate=rates)

    def rest(self) -> None:
        """Every whisker back at its baseline rate."""
        self.sheets[self.sheet].population.set(rate=self.params.baseline_rate_hz)


@attrs.frozen(kw_only=True)
class BarrelSheetParams:
    """Barrels on a square grid; distances in um."""

    cell: CellParams = attrs.field(factory=CellParams)
    n_barrels: int = 4
    neurons_per_barrel: int = 10
    barrel_spacing_um: float = 300.0
    barrel_radius_um: float = 100.0
    recorders: tuple[RecorderParams, ...] = ()


class BarrelSheet(Sheet[SheetParams]):
    """Layer 4 neurons in discs ("barrels") on a square grid; annotation ``barrel``."""

    def __init__(self, name: str, params: BarrelSheetParams, model: Model) -> None:
        self.barrels = params
        side = math.ceil(math.sqrt(params.n_barrels)) * params.barrel_spacing_um
        n = params.n_barrels * params.neurons_per_barrel
        placement = PlacementParams(kind="uniform", size_um=(side, side), n_neurons=n)
        super().__init__(name, SheetParams(cell=params.cell, placement=placement,
                                           recorders=params.recorders), model)
        self.annotate("barrel", np.repeat(np.arange(params.n_barrels), params.neurons_per_barrel))

    def place(self) -> np.ndarray:
        p = self.barrels
        side = math.ceil(math.sqrt(p.n_barrels))
        centres = np.array([(i % side, i // side) for i in range(p.n_barrels)], dtype=float)
        n = p.n_barrels * p.neurons_per_barrel
        draws = np.asarray(self.rng.next(2 * n, "uniform", {"low": 0.0, "high": 1.0}),
                           dtype=float).reshape(n, 2)
        radius = p.barrel_radius_um * np.sqrt(draws[:, 0])
        angle = 2 * np.pi * draws[:, 1]
        offsets = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
        centred = np.repeat(centres * p.barrel_spacing_um, p.neurons_per_barrel, axis=0)
        return np.asarray(centred + offsets)


@attrs.frozen(kw_only=True)
class WhiskerToBarrelParams(ProjectionParams):
    """Whisker i to every neuron of barrel i (weight in uS, delay in ms)."""


class WhiskerToBarrel(Connector[WhiskerToBarrelParams]):
    """Each afferent of the whisker pad drives the neurons of its own barrel."""

    def build(self) -> object:
        barrel = self.target.annotations.get("barrel")
        if barrel is None or int(barrel.max()) >= self.source.size:
            msg = (f"{self.path}: the target needs a 'barrel' annotation with one barrel per "
                   f"source neuron ({self.source.size})")
            raise ConfigError(msg)
        post = np.arange(self.target.size)
        n = len(post)
        return project_arrays(self, barrel.astype(np.int64), post,
                              np.full(n, float(self.params.weight_uS)),  # type: ignore[arg-type]
                              np.full(n, float(self.params.delay_ms)))  # type: ignore[arg-type]


@attrs.frozen(kw_only=True)
class SameBarrelParams:
    """Values for pairs inside one barrel and across barrels."""

    inside: float = 1.0
    outside: float = 0.1


class SameBarrel(ConnectorFunction[SameBarrelParams]):
    """``inside`` for pairs of neurons of one barrel, ``outside`` otherwise."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        source = pairs.source.annotations["barrel"][pairs.source_indices]
        target = pairs.target.annotations["barrel"][pairs.target_indices]
        return np.where(source == target, self.params.inside, self.params.outside)
