"""The model: a simulator set up from configuration, its sheets and its projections."""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np

from mozaik._errors import ConfigError, MozaikError, SimulationError
from mozaik.config import SimulatorConfig, structure
from mozaik.model._build_progress import building, describe_expected, expected_connections
from mozaik.model._connectors import Connector
from mozaik.model._kinds import CONNECTORS, INPUT_SPACES, SENSORY_INPUTS, SHEETS
from mozaik.model._order import connector_order
from mozaik.model._sensory import InputSpace, SensoryInput
from mozaik.model._sheet import Sheet
from mozaik.model._simulator import (
    connection_total,
    drop_stale_samples,
    import_backend,
    keep_window_start_sample,
    make_rng,
    mock_recording_windows,
    setup_simulator,
)
from mozaik.plugin import Registry, get_registry
from mozaik.study import ComponentEntry

if TYPE_CHECKING:
    import neo

    from mozaik.study import Study

__all__ = ["Model", "build_model"]

log = logging.getLogger("mozaik.model")


class Model:
    """A network on a PyNN simulator: sheets of neurons and the projections between them.

    Creating a model imports the backend and calls ``sim.setup`` (time step, delays, threads
    and the simulator seed), so a process holds one live model at a time: creating another
    resets the simulator.

    Parameters
    ----------
    simulator : SimulatorConfig, optional
        Backend, time step, delays, threads and master seed (defaults: NEST, 0.1 ms, seed 0).
    name : str
        The model's name (the study name when built by :func:`build_model`).
    registry : Registry, optional
        Where components named in :meth:`create_sheet`, :meth:`create_connector` and modular
        connector functions are looked up; defaults to the installed plugins (a model
        written in Python is an entry point; :func:`build_model` passes the study's registry).

    Examples
    --------
    The Python API builds what a study file declares::

        model = Model(SimulatorConfig(backend="nest", time_step=0.1, seed=42), name="va")
        exc = model.create_sheet("exc", SheetParams(cell=CellParams(model="IF_cond_exp"),
                                 placement=PlacementParams(n_neurons=3200)))
        model.create_connector("exc_exc", "exc", "exc",
                               FixedProbabilityParams(probability=0.02, weight_uS=0.004,
                                                      delay_ms=0.2),
                               component="FixedProbabilityConnector")
        model.run(1000.0)
        segments = model.collect()

    or with objects: ``model.add_sheet(Sheet("exc", params, model))`` and
    ``model.connect(FixedProbabilityConnector("exc_exc", exc, exc, params, model))``.
    """

    def __init__(self, simulator: SimulatorConfig | None = None, name: str = "model", *,
                 registry: Registry | None = None) -> None:
        self.config = simulator if simulator is not None else SimulatorConfig()
        self.name = name
        self.sim: ModuleType = import_backend(self.config.backend)
        setup_simulator(self.sim, self.config)
        seeds = self.config.seeds
        #: the model stream's seed (network identity); the simulator's noise and the
        #: experiments' draws have their own (:attr:`simulation_seed`, :attr:`experiment_seed`)
        self.seed = int(seeds["model"])
        self.simulation_seed = int(seeds["simulation"])
        self.experiment_seed = int(seeds["experiment"])
        self.rng = make_rng(self.seed, "model")
        self.sheets: dict[str, Sheet] = {}
        self.projections: dict[str, Connector] = {}
        self.input_space: InputSpace | None = None
        self.sensory_input: SensoryInput | None = None
        self._registry = registry
        self._ended = False
        self._nest_simulate_s = 0.0  # NEST times each Simulate call alone: summed here
        self._stale_samples = False  # the first collection after a reset: see collect()

    # -- simulator facts ------------------------------------------------------------------------

    @property
    def backend(self) -> str:
        return self.config.backend

    @property
    def time_step(self) -> float:
        """Integration time step, ms."""
        return float(self.config.time_step)

    @property
    def min_delay(self) -> float:
        """Smallest allowed synaptic delay, ms."""
        return float(self.config.effective_min_delay)

    @property
    def max_delay(self) -> float:
        """Largest allowed synaptic delay, ms."""
        return float(self.config.max_delay)

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = get_registry()
        return self._registry

    def rng_for(self, kind: str, name: str) -> Any:
        """An independent, reproducible NumpyRNG for one component (``kind``: sheet, connector,
        ...), derived from the master seed and ``kind:name``."""
        return make_rng(self.seed, f"{kind}:{name}")

    # -- assembly -------------------------------------------------------------------------------

    def add_sheet(self, sheet: Sheet) -> Sheet:
        """Add a built sheet under ``sheet.name`` and return it."""
        if sheet.name in self.sheets:
            if self.sheets[sheet.name] is sheet:
                return sheet
            msg = f"the model already has a sheet named {sheet.name!r}; sheet names are unique"
            raise ConfigError(msg)
        if sheet.model is not self:
            msg = f"sheet {sheet.name!r} was built for another model"
            raise SimulationError(msg)
        self.sheets[sheet.name] = sheet
        return sheet

    def create_sheet(self, name: str, params: Any, component: str = "Sheet") -> Sheet:
        """Build a sheet of a registered component (params object or mapping) and add it."""
        registered = self.registry[SHEETS][component]
        if isinstance(params, Mapping):
            params = structure(dict(params), registered.config_cls, path=f"sheets.{name}.params")
        entry = ComponentEntry(name=component, registered=registered, params=params,
                               path=f"sheets.{name}")
        sheet = _build(f"sheet {name!r} ({component})", entry.factory, name, params, self)
        return self.add_sheet(registered.built(sheet, Sheet))

    def get_sheet(self, name: str, role: str = "sheet") -> Sheet:
        """The sheet called ``name``; a ConfigError lists the sheets if there is none."""
        try:
            return self.sheets[name]
        except KeyError:
            msg = (f"{role} {name!r} does not exist; sheets are: "
                   f"{', '.join(sorted(self.sheets)) or 'none'}")
            raise ConfigError(msg) from None

    def connect(self, connector: Connector) -> Connector:
        """Add a connector under ``connector.name``, build its projection and return it."""
        if connector.name in self.projections:
            msg = (f"the model already has a projection named {connector.name!r}; projection "
                   "names are unique")
            raise ConfigError(msg)
        for role, sheet in (("source", connector.source), ("target", connector.target)):
            if self.sheets.get(sheet.name) is not sheet:
                msg = (f"connector {connector.name!r}: {role} sheet {sheet.name!r} is not part of "
                       f"this model; add it with model.add_sheet first")
                raise ConfigError(msg)
        _build(f"connector {connector.name!r} ({type(connector).__name__})", connector.connect)
        self.projections[connector.name] = connector
        return connector

    def create_connector(self, name: str, source: str, target: str, params: Any,
                         component: str) -> Connector:
        """Build a connector of a registered component between two sheets (by name)."""
        registered = self.registry[CONNECTORS][component]
        source_sheet = self.get_sheet(source, f"connector {name!r}: source sheet")
        target_sheet = self.get_sheet(target, f"connector {name!r}: target sheet")
        if isinstance(params, Mapping):
            params = structure(dict(params), registered.config_cls,
                               path=f"connectors.{name}.params")
        entry = ComponentEntry(name=component, registered=registered, params=params,
                               path=f"connectors.{name}")
        connector = _build(f"connector {name!r} ({component})", entry.factory, name,
                           source_sheet, target_sheet, params, self)
        return self.connect(registered.built(connector, Connector))

    # -- running --------------------------------------------------------------------------------

    @property
    def time(self) -> float:
        """Current simulation time, ms."""
        return float(self.sim.get_current_time())

    def prepare(self) -> None:
        """Set up recording on every sheet (done automatically before the first run)."""
        for sheet in self.sheets.values():
            sheet.setup_recording()
            if self.sim.__name__ == "pyNN.mock":
                mock_recording_windows(sheet.population)

    def run(self, duration_ms: float) -> float:
        """Advance the simulation by ``duration_ms``; returns the new time in ms."""
        if duration_ms < 0:
            msg = f"cannot run for a negative duration ({duration_ms} ms)"
            raise SimulationError(msg)
        self.prepare()
        try:
            self.sim.run(float(duration_ms))
        except MozaikError:
            raise
        except Exception as exc:
            msg = f"model {self.name!r}: the simulation failed: {type(exc).__name__}: {exc}"
            raise SimulationError(msg) from exc
        if self.sim.__name__ == "pyNN.nest" and duration_ms > 0:
            import nest

            self._nest_simulate_s += float(nest.GetKernelStatus("time_simulate"))
        return self.time

    def simulator_timers(self) -> dict[str, float]:
        """The simulator's own account of where its time went (s), for provenance.

        On NEST, its kernel timers since the network was set up: ``create_s`` (creating
        nodes), ``connect_s`` (``Connect`` calls), ``prepare_connections_s`` (building the
        connection infrastructure: sorting connections, filling the target tables; done before
        the first run and again after any later connection) and ``simulate_s`` (NEST's
        ``time_simulate`` of every run call of this model, summed). Empty on other backends.
        """
        if self.sim.__name__ != "pyNN.nest":
            return {}
        import nest

        keys = {"create_s": "time_construction_create", "connect_s": "time_construction_connect",
                "prepare_connections_s": "time_communicate_prepare"}
        status = nest.GetKernelStatus(list(keys.values()))
        # to the microsecond, NEST's resolution: a small network prepares in under a millisecond
        timers = {name: round(float(np.sum(value)), 6)
                  for name, value in zip(keys, status, strict=True)}
        return {**timers, "simulate_s": round(self._nest_simulate_s, 6)}

    def reset(self) -> None:
        """Return to time 0 and the initial state, keeping connectivity (PyNN ``reset``).

        Collect recordings first: the reset drops what was not collected. NEST cannot rewind its
        kernel, so PyNN simulates a flush period first (``t_flush``); Mozaik uses ``max_delay``
        ms, enough for spikes in flight to arrive before the initial values are applied again,
        lengthened to end on a sample of every analog recorder: NEST samples on a grid of
        absolute kernel times, so the new time 0 must lie on it for samples to keep their
        times.
        """
        state: Any = getattr(getattr(self.sim, "simulator", None), "state", None)
        if self.sim.__name__ == "pyNN.nest" and state is not None:
            state.t_flush = self._aligned_flush_ms(float(state.t_kernel))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Full reset functionality")
            self.sim.reset()
        self._stale_samples = self.sim.__name__ == "pyNN.nest"

    def _aligned_flush_ms(self, kernel_ms: float) -> float:
        """``max_delay``, or a little more so that the flush ends at a kernel time that is a
        whole number of every analog recording interval (counted in time steps)."""
        steps = [max(1, round(float(sheet.population.recorder.sampling_interval)
                              / self.time_step))
                 for sheet in self.sheets.values()
                 if set(sheet.recorded_variables) - {"spikes"}]
        grid = math.lcm(*steps) if steps else 1
        end = round(kernel_ms / self.time_step) + math.ceil(self.max_delay / self.time_step
                                                             - 1e-9)
        return (end + (-end) % grid) * self.time_step - kernel_ms

    def collect(self, clear: bool = True) -> dict[str, neo.Segment]:
        """The latest recording segment of each sheet that records something.

        With the network distributed over MPI ranks, each rank gets its own neurons'
        recordings (nothing is gathered): each rank stores them as its part.

        Analog signals hold the samples at ``t_start + k * sampling_period``, k = 0 .. n, of
        the span since the last collection (both ends): equal spans give equal lengths.

        Parameters
        ----------
        clear : bool
            Drop the returned data from the simulator's buffers (PyNN ``get_data(clear=...)``).
        """
        self.prepare()
        out = {}
        for name, sheet in self.sheets.items():
            if not sheet.recorded_variables:
                continue
            with warnings.catch_warnings():
                # NEST runs one min_delay ahead of PyNN's clock; PyNN leaves spikes in that
                # slice out of this segment with a warning and returns them with the next one,
                # so none is lost (tested: chunked collection equals one long recording)
                warnings.filterwarnings("ignore", message="Recorded at least one spike after")
                block = sheet.population.get_data(clear=clear, gather=False)
            if clear and self.sim.__name__ == "pyNN.nest":
                keep_window_start_sample(sheet.population)
                if self._stale_samples:
                    drop_stale_samples(block.segments[-1], self.time)
            out[name] = block.segments[-1]
        if clear:
            self._stale_samples = False
        return out

    def neuron_table(self, sheet_name: str) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """(PyNN ids, positions (n, 2) in um, annotations) of a sheet; row i is neuron index i
        (the ``source_index`` of its recordings; the id is their ``source_id``)."""
        sheet = self.get_sheet(sheet_name)
        ids = np.asarray(sheet.population.all_cells, dtype=np.int64)
        return ids, sheet.positions_um, sheet.annotations

    def describe(self) -> dict[str, Any]:
        """JSON-able summary of the model (for provenance and logs)."""
        return {
            "name": self.name,
            "simulator": {
                "backend": self.backend,
                "time_step_ms": self.time_step,
                "min_delay_ms": self.min_delay,
                "max_delay_ms": self.max_delay,
                "threads": int(self.config.threads),
                "seed": int(self.config.seed),
                "seeds": {"model": self.seed, "simulation": self.simulation_seed,
                          "experiment": self.experiment_seed},
            },
            "input_space": None if self.input_space is None else self.input_space.describe(),
            "sensory_input": (None if self.sensory_input is None
                              else self.sensory_input.describe()),
            "sheets": {name: sheet.describe() for name, sheet in self.sheets.items()},
            "projections": {name: c.describe() for name, c in self.projections.items()},
            "neurons": sum(sheet.size for sheet in self.sheets.values()),
            "connections": sum(c.size() for c in self.projections.values()),
        }

    def end(self) -> None:
        """Finish the simulation (PyNN ``end``); the model cannot run afterwards."""
        if not self._ended:
            self._ended = True
            self.sim.end()

    def __repr__(self) -> str:
        return (f"Model({self.name!r}, backend={self.backend!r}, sheets={list(self.sheets)}, "
                f"projections={list(self.projections)})")


_A = ParamSpec("_A")
_R = TypeVar("_R")


def _build(what: str, factory: Callable[_A, _R], *args: _A.args, **kwargs: _A.kwargs) -> _R:
    try:
        return factory(*args, **kwargs)
    except MozaikError:
        raise
    except Exception as exc:
        msg = f"{what} failed to build: {type(exc).__name__}: {exc}"
        raise SimulationError(msg) from exc


def _not_a(base: str, what: str, value: object) -> ConfigError:
    msg = (f"{what}: its factory returned {type(value).__name__}, not a {base}; derive the "
           f"component from mozaik.model.{base}")
    return ConfigError(msg)


def build_model(study: Study, registry: Registry | None = None) -> Model:
    """Build the model a study declares: simulator, input space, sensory input, sheets (in
    declaration order) and connectors (in declaration order, except that a connector reading a
    neuron annotation another connector sets is built after it: see
    :func:`~mozaik.model._order.connector_order`).

    Every factory is called with its kind's arguments (``entry.of(SHEETS).factory(name,
    params, model)``); what a function factory returns is checked to be of its kind. Each
    step is logged (logger ``mozaik.model``) with what it built: neurons per sheet,
    connections per connector.

    Parameters
    ----------
    study : Study
        From :func:`mozaik.study.load_study`.
    registry : Registry, optional
        Where its components are looked up; defaults to the registry the study was loaded
        with (:attr:`Study.registry`).

    Notes
    -----
    An input space's factory is called as ``factory(params)`` and must return an
    :class:`InputSpace`; a sensory input's as ``factory(name, params, model)`` and must return a
    :class:`SensoryInput`, whose ``sheets`` (name -> Sheet) are added to the model unless it
    added them itself.
    """
    model = Model(study.simulator, name=study.name, registry=registry or study.registry)
    if study.input_space is not None:
        entry = study.input_space
        space = _build(f"input space {entry.name!r}", entry.of(INPUT_SPACES).factory,
                       entry.params)
        if not isinstance(space, InputSpace):
            raise _not_a("InputSpace", f"input space {entry.name!r}", space)
        model.input_space = space
    if study.sensory_input is not None:
        entry = study.sensory_input
        sensory = _build(f"sensory input {entry.name!r}", entry.of(SENSORY_INPUTS).factory,
                         entry.name, entry.params, model)
        if not isinstance(sensory, SensoryInput):
            raise _not_a("SensoryInput", f"sensory input {entry.name!r}", sensory)
        model.sensory_input = sensory
        for sheet in sensory.sheets.values():
            model.add_sheet(sheet)
    n_sheets, n_connectors = len(study.sheets), len(study.connectors)
    for k, (name, entry) in enumerate(study.sheets.items(), 1):
        start = time.perf_counter()
        log.info("building sheet %d/%d %r (%s)", k, n_sheets, name, entry.name)
        sheet = _build(f"sheet {name!r} ({entry.name})", entry.of(SHEETS).factory, name,
                       entry.params, model)
        model.add_sheet(entry.registered.built(sheet, Sheet))
        log.info("sheet %r: %d neurons in %.2f s", name, sheet.size,
                 time.perf_counter() - start)
    order = connector_order(study.connectors, model.sheets, model.registry)
    if order != list(study.connectors):
        log.info("connectors are built in the order %s (declared: %s), so that each is built "
                 "after those setting the neuron annotations it reads", ", ".join(order),
                 ", ".join(study.connectors))
    for k, name in enumerate(order, 1):
        entry = study.connectors[name]
        start = time.perf_counter()
        source = model.get_sheet(entry.source, f"{entry.path}.source: sheet")
        target = model.get_sheet(entry.target, f"{entry.path}.target: sheet")
        expected = expected_connections(entry.registered.factory, entry.params, source.size,
                                        target.size)
        log.info("building connector %d/%d %r (%s, %s -> %s)%s", k, n_connectors, name,
                 entry.name, entry.source, entry.target, describe_expected(expected))
        before = connection_total(model.sim)

        def made(before: int | None = before) -> int | None:
            now = connection_total(model.sim)
            return None if now is None or before is None else now - before

        with building(f"connector {name!r}", expected, made=made):
            connector = _build(f"connector {name!r} ({entry.name})",
                               entry.of(CONNECTORS).factory, name, source, target,
                               entry.params, model)
            model.connect(entry.registered.built(connector, Connector))
        log.info("connector %r: %d connections in %.2f s", name, connector.size(),
                 time.perf_counter() - start)
    return model
