"""Sheets: populations of neurons laid out in 2D cortical space (positions in um)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic

import numpy as np
from typing_extensions import TypeVar

from mozaik._errors import ConfigError, SimulationError
from mozaik.config import Distribution
from mozaik.model._params import (
    REVERSAL_POTENTIALS,
    CellParams,
    NeuronSelection,
    NoiseParams,
    RecorderParams,
    SheetBaseParams,
    SheetParams,
)

if TYPE_CHECKING:
    from mozaik.model._model import Model

__all__ = ["Sheet", "draw", "signed_weight"]

_P = TypeVar("_P", bound=SheetBaseParams, covariant=True, default=SheetParams)


def signed_weight(weight: Any, receptor: str, population: Any) -> Any:
    """The weight PyNN expects: PyNN negates inhibitory conductances itself, but wants
    inhibitory weights of current-based cells given negative."""
    if receptor == "inhibitory" and not getattr(population, "conductance_based", True):
        return -weight
    return weight


def draw(value: float | Distribution | Any, n: int, rng: Any) -> Any:
    """``value`` as PyNN wants it: a float stays, a Distribution becomes ``n`` draws from ``rng``.

    Drawing here (instead of handing PyNN a lazy distribution) fixes the order of draws, so a
    sheet's values depend only on its own random stream.
    """
    if isinstance(value, Distribution):
        return np.asarray(value.to_pynn(rng).next(n), dtype=float).reshape(n)
    return value


class Sheet(Generic[_P]):
    """A population of neurons in 2D space, with recorders, annotations and background noise.

    This is the built-in ``Sheet`` component; plugins subclass it (overriding
    :meth:`place` or :meth:`make_cell_type`) or wrap populations they build themselves with
    :meth:`from_population`. A subclass whose parameters class extends :class:`SheetParams`
    names it as the type argument, ``class CorticalSheet(Sheet[CorticalSheetParams])``; one
    with its own parameters class hands core a :class:`SheetParams` (``Sheet[SheetParams]``).

    A sheet whose cells and positions come from elsewhere (a SONATA circuit: the built-in
    ``SonataSheet``) takes parameters derived from :class:`SheetBaseParams` (recorders,
    background noise, annotations: all the base class reads itself) and overrides
    :meth:`place` and :meth:`make_cell_type`, and :meth:`initial_values` if it sets any; the
    defaults read ``params.placement`` and ``params.cell`` of a :class:`SheetParams`.

    Parameters
    ----------
    name : str
        The sheet's name in the model (its key in ``model.sheets``).
    params : SheetBaseParams
        Recorders, background noise and annotations; a :class:`SheetParams` (the default) adds
        the cell model and the placement.
    model : Model
        The model whose simulator builds the population. The sheet is not added to the model:
        call ``model.add_sheet(sheet)``.

    Attributes
    ----------
    name : str
    model : Model
    params : SheetParams (the type argument) or None
        None for a sheet wrapping a population built elsewhere (:meth:`from_population`);
        :attr:`sheet_params` is the same, never None.
    population : pyNN Population
    rng : pyNN.random.NumpyRNG
        This sheet's random stream, derived from the study seed and the sheet name.
    """

    @classmethod
    def expected_size(cls, params: object) -> int | None:
        """Neurons a sheet with ``params`` will have, before it is built (for the size check of
        :func:`mozaik.study.estimate_size`): ``params.placement.size``; None if unknown."""
        size = getattr(getattr(params, "placement", None), "size", None)
        return size if isinstance(size, int) else None

    def __init__(self, name: str, params: _P, model: Model) -> None:
        self.name = name
        self.model = model
        self.params: _P | None = params
        self.rng = model.rng_for("sheet", name)
        self._annotations: dict[str, np.ndarray] = {}
        self._recorders: tuple[RecorderParams, ...] = tuple(params.recorders)
        self._recorded: dict[str, np.ndarray] = {}
        self._recording_ready = False
        self._noise: list[Any] = []
        positions = np.asarray(self.place(), dtype=float)
        n = len(positions)
        celltype = self.make_cell_type(n)
        try:
            self.population = model.sim.Population(n, celltype, label=name)
        except Exception as exc:
            msg = (f"sheet {name!r}: the simulator could not create {n} "
                   f"{type(celltype).__name__} neurons: {type(exc).__name__}: {exc}")
            raise SimulationError(msg) from exc
        self._check_recorders()
        self._set_positions(positions)
        self._initialize(self.initial_values(n))
        self._annotate_reversal_potentials()
        for key, value in params.annotations.items():
            self.annotate(key, draw(value, n, self.rng))
        if params.background_noise is not None:
            self.add_background_noise(params.background_noise)

    @classmethod
    def from_population(cls: type[Sheet[Any]], name: str, model: Model, population: Any,
                        positions_um: np.ndarray,
                        recorders: tuple[RecorderParams, ...] = ()) -> Sheet[SheetParams]:
        """Wrap a population built elsewhere (e.g. by a sensory input) as a sheet.

        Parameters
        ----------
        positions_um : ndarray, shape (n, 2), um
        recorders : tuple of RecorderParams
        """
        sheet: Sheet[SheetParams] = cls.__new__(cls)
        sheet.name = name
        sheet.model = model
        sheet.params = None
        sheet.rng = model.rng_for("sheet", name)
        sheet.population = population
        sheet._annotations = {}
        sheet._recorders = tuple(recorders)
        sheet._recorded = {}
        sheet._recording_ready = False
        sheet._noise = []
        sheet._set_positions(np.asarray(positions_um, dtype=float))
        sheet._check_recorders()
        return sheet

    def _check_recorders(self) -> None:
        """ConfigError if a recorder asks for a variable the built cells cannot record."""
        celltype = self.population.celltype
        recordable = set(celltype.recordable)
        for i, recorder in enumerate(self._recorders):
            for variable in recorder.variables:
                if variable not in recordable:
                    msg = (f"sheet {self.name!r}: recorder {i} asks for {variable!r}, which "
                           f"{type(celltype).__name__} cannot record; it records: "
                           f"{', '.join(sorted(recordable))}; record one of these "
                           f"(sheets.{self.name}.params.recorders.{i}.variables)")
                    raise ConfigError(msg)

    @property
    def sheet_params(self) -> _P:
        """The parameters the sheet was built with.

        Raises
        ------
        mozaik.ConfigError
            For a sheet wrapping a population built elsewhere (:meth:`from_population`),
            which has none.
        """
        if self.params is None:
            msg = (f"sheet {self.name!r} wraps a population built elsewhere and has no sheet "
                   "parameters; read what you need from its population or its builder")
            raise ConfigError(msg)
        return self.params

    # -- construction steps subclasses may override ---------------------------------------------

    def _declared(self) -> SheetParams:
        """The parameters as a :class:`SheetParams`, for the defaults that read its cell model
        and placement; a ConfigError names what to override for other parameters classes."""
        params = self.sheet_params
        if not isinstance(params, SheetParams):
            msg = (f"sheet {self.name!r}: {type(self).__name__} takes "
                   f"{type(params).__name__}, which declares no cell model or placement; "
                   "override place() and make_cell_type() (see mozaik.model.Sheet)")
            raise ConfigError(msg)
        return params

    def place(self) -> np.ndarray:
        """Positions of the neurons, shape (n, 2), in um (uniform random or grid)."""
        placement = self._declared().placement
        n = placement.size
        sx, sy = placement.size_um
        cx, cy = placement.centre_um
        if placement.kind == "uniform":
            xy = np.asarray(self.rng.next(2 * n, "uniform", {"low": -0.5, "high": 0.5}),
                            dtype=float).reshape(n, 2)
            return np.asarray(xy * np.array([sx, sy]) + np.array([cx, cy]))
        nx = max(1, round(np.sqrt(n * sx / sy))) if sy > 0 else n
        ny = -(-n // nx)
        i = np.arange(n)
        x = (i % nx + 0.5) / nx - 0.5
        y = (i // nx + 0.5) / ny - 0.5
        return np.column_stack([x * sx + cx, y * sy + cy])

    def make_cell_type(self, n: int) -> Any:
        """The PyNN cell type instance, its parameters drawn for ``n`` neurons."""
        cell: CellParams = self._declared().cell
        cls = getattr(self.model.sim, cell.model, None)
        if cls is None:
            msg = (f"sheet {self.name!r}: cell model {cell.model!r} is not available with the "
                   f"{self.model.backend!r} backend")
            raise ConfigError(msg)
        return cls(**{key: draw(value, n, self.rng) for key, value in cell.params.items()})

    # -- geometry and annotations ---------------------------------------------------------------

    def _set_positions(self, positions: np.ndarray) -> None:
        if positions.ndim != 2 or positions.shape != (self.population.size, 2):
            msg = (f"sheet {self.name!r}: positions must have shape ({self.population.size}, 2), "
                   f"got {positions.shape}")
            raise SimulationError(msg)
        self._positions = positions
        self._positions.setflags(write=False)
        # PyNN positions are (3, n) in um; distance-dependent PyNN connectors use them.
        self.population.positions = np.vstack([positions.T, np.zeros(len(positions))])

    @property
    def size(self) -> int:
        """Number of neurons."""
        return int(self.population.size)

    @property
    def positions_um(self) -> np.ndarray:
        """Neuron positions, shape (n, 2), um (read-only)."""
        return self._positions

    @property
    def annotations(self) -> dict[str, np.ndarray]:
        """Per-neuron annotations: name -> array of length ``size`` (a copy of the mapping)."""
        return dict(self._annotations)

    def annotate(self, name: str, values: Any) -> None:
        """Set a per-neuron annotation (a scalar is broadcast; arrays need length ``size``).

        Annotations travel with the recordings into the datastore and can select neurons to
        record (``neurons: {annotation: name, value: v}``).
        """
        if isinstance(values, Distribution):
            values = draw(values, self.size, self.rng)
        array = np.asarray(values)
        if array.ndim == 0:
            array = np.full(self.size, array[()])
        if array.shape != (self.size,):
            msg = (f"sheet {self.name!r}: annotation {name!r} needs one value per neuron "
                   f"({self.size}), got shape {array.shape}")
            raise ValueError(msg)
        array = array.copy()
        array.setflags(write=False)
        self._annotations[name] = array

    def _annotate_reversal_potentials(self) -> None:
        """Annotate each neuron with its synaptic reversal potentials (mV), read back from the
        built population, so analyses can turn stored conductances into currents
        (I = g (V - E)) with the values each neuron had, also where they were drawn per neuron."""
        parameters = getattr(self.population.celltype, "default_parameters", {})
        for name in REVERSAL_POTENTIALS:
            if name in parameters:
                self.annotate(name, np.asarray(self.population.get(name, gather=True),
                                               dtype=np.float64))

    # -- state ----------------------------------------------------------------------------------

    def initial_values(self, n: int) -> dict[str, Any]:
        """Initial state of the ``n`` neurons (PyNN names and units: ``v`` in mV, ...): a
        float, or an array of ``n`` values; by default ``params.cell.initial_values``, drawn
        from this sheet's stream."""
        cell = self._declared().cell
        return {key: draw(value, n, self.rng) for key, value in cell.initial_values.items()}

    def _initialize(self, values: Mapping[str, Any]) -> None:
        if not values:
            return
        self.population.initialize(**values)
        self._fix_conductance_units(values)

    def _fix_conductance_units(self, values: Mapping[str, Any]) -> None:
        # PyNN 0.13 hands initial conductances (uS) to NEST without converting them to nS.
        # Read the first neuron back and, only if the conversion was skipped, initialise again
        # with pre-scaled values (so a PyNN that converts correctly is left alone).
        celltype = self.population.celltype
        scale = getattr(celltype, "scale_factors", {})
        native = getattr(celltype, "variable_map", {})
        if not hasattr(self.population, "node_collection"):
            return
        redo = {}
        for key, value in values.items():
            factor = scale.get(key, 1)
            first = float(np.ravel(value)[0]) if np.ndim(value) else float(value)
            if factor == 1 or key not in native or first == 0.0:
                continue
            got = float(np.ravel(self.population.node_collection[0:1].get(native[key]))[0])
            if np.isclose(got, first):  # not converted
                redo[key] = np.asarray(value, dtype=float) / factor
        if redo:
            self.population.initialize(**redo)

    def add_background_noise(self, noise: NoiseParams) -> None:
        """Bombard every neuron with independent excitatory/inhibitory Poisson spike trains."""
        sim = self.model.sim
        delay = noise.delay_ms if noise.delay_ms is not None else self.model.min_delay
        if delay < self.model.min_delay:
            msg = (f"sheet {self.name!r}: background_noise.delay_ms ({delay} ms) is below the "
                   f"simulator's min_delay ({self.model.min_delay} ms)")
            raise ConfigError(msg)
        for receptor, rate, weight in (("excitatory", noise.rate_exc_hz, noise.weight_exc_uS),
                                       ("inhibitory", noise.rate_inh_hz, noise.weight_inh_uS)):
            if rate <= 0 or weight <= 0:
                continue
            if sim.__name__ == "pyNN.nest":
                self._native_noise(receptor, rate, weight, delay)
                continue
            sources = sim.Population(self.size, sim.SpikeSourcePoisson(rate=rate),
                                     label=f"{self.name}.noise_{receptor[:3]}")
            self._noise.append(sim.Projection(
                sources, self.population, sim.OneToOneConnector(),
                sim.StaticSynapse(weight=signed_weight(weight, receptor, self.population),
                                  delay=delay),
                receptor_type=receptor,
                label=f"{self.name}.noise_{receptor[:3]}"))

    def _native_noise(self, receptor: str, rate: float, weight: float, delay: float) -> None:
        # One NEST poisson_generator sends an independent train to each target: no parrot
        # neurons and no per-neuron sources (what a plain NEST script does).
        import nest

        celltype = self.population.celltype
        # uS -> nS (conductance) or nA -> pA (current); NEST models with standard receptors
        # take inhibition as a negative weight, multi-receptor models as a receptor port.
        syn: dict[str, Any] = {"synapse_model": "static_synapse", "weight": weight * 1000.0,
                               "delay": float(delay)}
        if not celltype.standard_receptor_type:
            syn["receptor_type"] = celltype.get_receptor_type(receptor)
        elif receptor == "inhibitory":
            syn["weight"] = -syn["weight"]
        generator = nest.Create("poisson_generator", params={"rate": float(rate)})
        nest.Connect(generator, self.population.node_collection, "all_to_all", syn)
        self._noise.append(generator)

    # -- recording ------------------------------------------------------------------------------

    @property
    def recorders(self) -> tuple[RecorderParams, ...]:
        return self._recorders

    def add_recorder(self, recorder: RecorderParams) -> None:
        """Declare one more recorder (before the first run)."""
        if self._recording_ready:
            msg = f"sheet {self.name!r}: recorders must be added before the simulation runs"
            raise SimulationError(msg)
        recordable = set(self.population.celltype.recordable)
        for variable in recorder.variables:
            if variable not in recordable:
                msg = (f"sheet {self.name!r}: cannot record {variable!r} from "
                       f"{type(self.population.celltype).__name__}; it records: "
                       f"{', '.join(sorted(recordable))}")
                raise ConfigError(msg)
        self._recorders = (*self._recorders, recorder)

    @property
    def recorded_variables(self) -> tuple[str, ...]:
        """Variables recorded from at least one neuron, in the order spikes, v, gsyn_exc, ..."""
        wanted = {v for r in self._recorders for v in r.variables}
        return tuple(v for v in ("spikes", "v", "gsyn_exc", "gsyn_inh") if v in wanted) + tuple(
            sorted(wanted - {"spikes", "v", "gsyn_exc", "gsyn_inh"}))

    def recorded_indices(self, variable: str) -> np.ndarray:
        """Sorted indices (0..size-1) of the neurons recording ``variable``."""
        self.setup_recording()
        return self._recorded.get(variable, np.empty(0, dtype=int))

    def select(self, selection: NeuronSelection) -> np.ndarray | None:
        """Indices chosen by a neuron selection; None means all neurons."""
        n = self.size
        kind = selection.kind
        if kind == "all":
            return None
        if kind == "indices":
            idx = np.unique(np.asarray(selection.indices, dtype=int))
            if idx.size and idx[-1] >= n:
                msg = (f"sheet {self.name!r}: recorder index {idx[-1]} is out of range; the "
                       f"sheet has {n} neurons")
                raise ConfigError(msg)
            return idx
        if kind in ("random_n", "random_percent"):
            amount = float(selection.amount or 0)
            k = int(amount) if kind == "random_n" else round(n * amount / 100.0)
            k = min(k, n)
            keys = np.asarray(self.rng.next(n, "uniform", {"low": 0.0, "high": 1.0}))
            return np.sort(np.argsort(keys, kind="stable")[:k])
        if kind == "grid_step_um":
            step = float(selection.amount or 1.0)
            pos = self._positions
            low = pos.min(axis=0)
            cell = np.floor((pos - low) / step).astype(np.int64)
            centre = low + (cell + 0.5) * step
            dist = np.hypot(*(pos - centre).T)
            cell_id = cell[:, 0] * (cell[:, 1].max() + 1) + cell[:, 1]
            order = np.lexsort((dist, cell_id))
            _, first = np.unique(cell_id[order], return_index=True)
            return np.sort(order[first])
        if kind == "annotation":
            name = selection.annotation or ""
            if name not in self._annotations:
                msg = (f"sheet {self.name!r}: a recorder selects neurons by annotation {name!r}, "
                       f"which the sheet does not have; annotations: "
                       f"{', '.join(self._annotations) or 'none'}")
                raise ConfigError(msg)
            return np.flatnonzero(self._annotations[name] == selection.value)
        msg = f"sheet {self.name!r}: unknown neuron selection {kind!r}"
        raise ConfigError(msg)

    def setup_recording(self) -> None:
        """Tell PyNN what to record (once; called before the first run by the model).

        Done late so that recorders can select neurons by annotations that connectors add.
        """
        if self._recording_ready:
            return
        self._recording_ready = True
        merged: dict[str, np.ndarray | None] = {}
        interval = None
        for recorder in self._recorders:
            chosen = self.select(recorder.neurons)
            if recorder.interval_ms is not None and set(recorder.variables) - {"spikes"}:
                interval = recorder.interval_ms
            for variable in recorder.variables:
                if variable in merged and merged[variable] is None:
                    continue
                if chosen is None or variable not in merged:
                    merged[variable] = chosen
                else:
                    merged[variable] = np.union1d(np.asarray(merged[variable]), chosen)
        if interval is not None:
            steps = interval / self.model.time_step
            if abs(steps - round(steps)) > 1e-9:
                msg = (f"sheet {self.name!r}: recorder interval_ms {interval} is not a multiple "
                       f"of the time step {self.model.time_step} ms")
                raise ConfigError(msg)
        # One record() call per distinct neuron set, as a plain PyNN script would do.
        groups: dict[Any, tuple[list[str], np.ndarray | None]] = {}
        for variable, chosen in merged.items():
            key = None if chosen is None else chosen.tobytes()
            groups.setdefault(key, ([], chosen))[0].append(variable)
        for variables, chosen in groups.values():
            target = self.population if chosen is None else self.population[chosen]
            if chosen is not None and chosen.size == 0:
                continue
            analog = [v for v in variables if v != "spikes"]
            target.record(variables, sampling_interval=interval if analog else None)
        all_idx = np.arange(self.size)
        self._recorded = {v: (all_idx if c is None else c) for v, c in merged.items()}
        for array in self._recorded.values():
            array.setflags(write=False)

    def describe(self) -> dict[str, Any]:
        """JSON-able summary: component, cell model, size and recorded neuron counts."""
        return {
            "component": type(self).__name__,
            "cell": type(self.population.celltype).__name__,
            "size": self.size,
            "recorded": {v: len(self.recorded_indices(v)) for v in self.recorded_variables},
            "annotations": sorted(self._annotations),
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, size={self.size})"
