"""Injecting the LGN's currents into its PyNN cells: NEST devices in bulk, or a record on mock."""

from __future__ import annotations

from typing import Any

import numpy as np
from mozaik import SimulationError

__all__ = ["CurrentDrive"]


class CurrentDrive:
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

    def __init__(self, model: Any, population: Any, *, where: str) -> None:
        self.sim = model.sim
        self.where = where
        self.size = int(population.size)
        #: The last window set: times (ms, PyNN time) and amplitudes (cells, steps) in nA.
        self.last: dict[str, np.ndarray] = {}
        self._generators: Any = None
        backend = self.sim.__name__
        if backend == "pyNN.mock":
            return
        if backend != "pyNN.nest":
            msg = (f"{where}: the retina/LGN drives its cells with NEST's native current "
                   f"generators; backend {backend!r} is not supported, use simulator.backend: "
                   "nest")
            raise SimulationError(msg)
        import nest

        self._nest = nest
        nodes = population.node_collection
        delay = float(self.sim.get_min_delay())
        self._generators = nest.Create("step_current_generator", self.size)
        nest.Connect(self._generators, nodes, "one_to_one", {"delay": delay})
        self._shift = delay + float(self.sim.get_time_step())

    def _offset(self) -> float:
        state = getattr(getattr(self.sim, "simulator", None), "state", None)
        return float(getattr(state, "_time_offset", 0.0) or 0.0)

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
