"""Driving the LGN's PyNN cells: step currents (NEST devices in bulk) or spike trains."""

from __future__ import annotations

from typing import Any

import numpy as np
from mozaik import SimulationError

__all__ = ["CurrentDrive", "SpikeDrive", "draw_poisson_spikes", "spike_source_type"]

_INJECTORS: dict[str, Any] = {}


def spike_source_type(sim: Any) -> Any:
    """The PyNN cell type of the LGN's ``poisson`` cells on simulator module ``sim``.

    On NEST: the native ``spike_train_injector``, a node that emits the spike times it is given
    as a neuron does (recorded and connected like one, one node per cell; PyNN's
    ``SpikeSourceArray`` needs a ``spike_generator`` and a relaying ``parrot_neuron`` per cell,
    twice the nodes NEST updates every step). Elsewhere (PyNN's mock): ``SpikeSourceArray``.
    """
    if sim.__name__ != "pyNN.nest":
        return sim.SpikeSourceArray()
    if "nest" not in _INJECTORS:
        from pyNN.standardmodels import build_translations

        native = sim.native_cell_type("spike_train_injector")
        # the trains are set per presentation; PyNN would pass its empty defaults, which NEST
        # refuses for the list-valued parameters
        defaults = {k: v for k, v in native.default_parameters.items()
                    if k not in ("spike_times", "spike_multiplicities")}
        _INJECTORS["nest"] = type("SpikeTrainInjector", (native,), {
            "default_parameters": defaults,
            "translations": build_translations(*[(k, k) for k in defaults])})
    return _INJECTORS["nest"]()


class _Drive:
    """What both drives share: the simulator, the sheet's name and size, the last window, and
    whether NEST runs (False on PyNN's mock backend, which has no dynamics: windows are only
    kept in :attr:`last`); any other backend is refused, naming the output."""

    output = ""

    def __init__(self, model: Any, population: Any, *, where: str) -> None:
        self.sim = model.sim
        self.where = where
        self.size = int(population.size)
        self.last: dict[str, np.ndarray] = {}
        self._generators: Any = None
        backend = self.sim.__name__
        self.on_nest = backend == "pyNN.nest"
        if backend not in ("pyNN.mock", "pyNN.nest"):
            msg = (f"{where}: the retina/LGN's {self.output}; backend {backend!r} is not "
                   "supported, use simulator.backend: nest")
            raise SimulationError(msg)

    def _offset(self) -> float:
        """NEST's time minus PyNN's clock (ms): PyNN's clock is offset after a reset."""
        state = getattr(getattr(self.sim, "simulator", None), "state", None)
        return float(getattr(state, "_time_offset", 0.0) or 0.0)


class CurrentDrive(_Drive):
    """One step current per cell, set for one window at a time.

    On NEST: one native ``step_current_generator`` per cell (connected one-to-one) whose
    amplitudes are replaced in one bulk call per presentation (the noise is part of the
    amplitudes: a NEST ``noise_generator`` on every cell doubled the simulation time). Each window's
    steps start ``min_delay + dt`` after the requested time (NEST runs ``min_delay`` ahead of
    PyNN and ignores steps it has passed): a lag of a fraction of a ms.

    On PyNN's mock backend (no dynamics) the last window is only kept in :attr:`last`.

    Parameters
    ----------
    model : Model
    population : PyNN Population
    where : str
        Name of the sheet, for errors.
    """

    output = "current output drives its cells with NEST's native current generators"

    def __init__(self, model: Any, population: Any, *, where: str) -> None:
        #: :attr:`last`: the window's times (ms, PyNN time) and amplitudes (cells, steps) in nA.
        super().__init__(model, population, where=where)
        if not self.on_nest:
            return
        import nest

        self._nest = nest
        nodes = population.node_collection
        delay = float(self.sim.get_min_delay())
        self._generators = nest.Create("step_current_generator", self.size)
        nest.Connect(self._generators, nodes, "one_to_one", {"delay": delay})
        self._shift = delay + float(self.sim.get_time_step())

    def set_window(self, times_ms: np.ndarray, amplitudes_nA: np.ndarray) -> None:
        """Step currents: cell i carries ``amplitudes_nA[i, k]`` from ``times_ms[k]`` on."""
        self.last = {"times_ms": np.asarray(times_ms), "amplitudes_nA": amplitudes_nA}
        if self._generators is None:
            return
        step = float(self.sim.get_time_step())
        nest_times = np.round((np.asarray(times_ms) + self._offset() + self._shift) / step) * step
        times = nest_times.tolist()
        values = (1000.0 * np.asarray(amplitudes_nA, dtype=np.float64)).tolist()
        self._generators.set([{"amplitude_times": times, "amplitude_values": v}
                              for v in values])


def draw_poisson_spikes(rates_hz: np.ndarray, frame_ms: float, dt_ms: float,
                        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Poisson spikes of cells whose rates are constant within each frame, on a time grid.

    The count of every cell and frame is Poisson with mean ``rate * frame_ms / 1000``, its
    spikes fall uniformly on the frame's ``frame_ms / dt_ms`` grid steps; two spikes of a cell in
    one step are one (a spike generator sends one event per step and cell).

    Parameters
    ----------
    rates_hz : array (cells, frames), Hz
        Non-negative rates.
    frame_ms, dt_ms : float, ms
        Frame duration and the simulator's time step (``frame_ms`` a multiple of it).
    rng : numpy Generator
        The draws' stream.

    Returns
    -------
    cells, steps : int arrays
        The spikes' cell and grid step (from the window's start), sorted by cell then step.
    """
    rates = np.asarray(rates_hz, dtype=np.float64)
    n_cells, n_frames = rates.shape
    per_frame = round(frame_ms / dt_ms)
    counts = rng.poisson(rates * (frame_ms / 1000.0)).ravel()
    slot = np.repeat(np.arange(counts.size), counts)  # cell * n_frames + frame, per spike
    steps = (slot % n_frames) * per_frame + rng.integers(0, per_frame, size=slot.size)
    cells = slot // n_frames
    key = np.unique(cells * (n_frames * per_frame) + steps)  # sorted, one per cell and step
    return key // (n_frames * per_frame), key % (n_frames * per_frame)


class SpikeDrive(_Drive):
    """Spike trains handed to a population of :func:`spike_source_type` cells, one window at a
    time.

    On NEST each cell is a ``spike_train_injector``: it sends one event per spike, not one per
    time step, to every target (as an LGN relay cell does). Each window's spikes are replaced
    in one bulk call per presentation. NEST has already simulated the next ``min_delay`` when
    PyNN's clock reads ``t``, so a window's trains are shifted by :attr:`lag_ms`
    (``min_delay + dt``, a fraction of a ms); the spikes the shift carries past the window's end
    are sent before the next window replaces the trains.

    On PyNN's mock backend the last window is only kept in :attr:`last`.

    Parameters
    ----------
    model : Model
    population : PyNN Population of ``SpikeSourceArray``
    where : str
        Name of the sheet, for errors.
    """

    output = "poisson output uses NEST's spike_train_injector"

    def __init__(self, model: Any, population: Any, *, where: str) -> None:
        #: :attr:`last`: the window's ``cells``, grid ``steps`` and ``times_ms`` (PyNN time) of
        #: its spikes, sorted by cell.
        super().__init__(model, population, where=where)
        if self.on_nest:
            self._generators = population.node_collection

    @property
    def lag_ms(self) -> float:
        """Shift of every window's spikes (ms): ``min_delay + dt``."""
        return float(self.sim.get_min_delay()) + float(self.sim.get_time_step())

    def set_window(self, t_start_ms: float, cells: np.ndarray, steps: np.ndarray) -> None:
        """Cell ``cells[k]`` spikes at ``t_start_ms + lag_ms + steps[k] dt`` (sorted by cell)."""
        step = float(self.sim.get_time_step())
        first = round((t_start_ms + self.lag_ms) / step)
        times = (first + np.asarray(steps)) * step
        self.last = {"cells": np.asarray(cells), "steps": np.asarray(steps), "times_ms": times}
        if self._generators is None:
            return
        # NEST's time: PyNN's clock is offset after a reset
        native = np.round(times + self._offset(), 6)
        per_cell = np.split(native, np.searchsorted(cells, np.arange(1, self.size)))
        self._generators.set([{"spike_times": times.tolist()} for times in per_cell])
