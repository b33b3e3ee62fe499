"""Per-neuron current injection: a different time course of current for every chosen cell.

Perturbations (optogenetic photocurrents, microstimulation) drive each neuron with its own
current. :class:`PerNeuronCurrent` injects an array of currents (cells x time) through native
NEST ``step_current_generator`` devices, one per cell, created in one call and set in one
bulk call per window: there is no per-neuron Python loop and no per-neuron PyNN object. What
was injected is kept as an :class:`InjectedCurrent`, which the controller stores with the
presentation's recordings (variable ``injected_current``, nA), so an analysis reads the
stimulus back from the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import neo
import numpy as np
import quantities as pq

from mozaik._errors import SimulationError
from mozaik.experiments._base import DirectStimulator, select_cells, sheet_of

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["INJECTED_CURRENT", "InjectedCurrent", "PerNeuronCurrent"]

#: Name of the stored variable holding what a :class:`PerNeuronCurrent` injected (nA).
INJECTED_CURRENT = "injected_current"


@attrs.frozen(kw_only=True, eq=False)
class InjectedCurrent:
    """What a :class:`PerNeuronCurrent` injected during one window.

    Parameters
    ----------
    sheet : str
        The sheet of the injected cells.
    cells : ndarray of int
        Indices (within the sheet) of the injected cells, one per row of ``values_nA``.
    t_start_ms : float, ms
        Absolute simulation time of the first sample.
    dt_ms : float, ms
        Time between samples; sample k holds from ``t_start_ms + k * dt_ms`` to the next.
    values_nA : ndarray, nA
        Current, shape (cells, samples).
    """

    sheet: str
    cells: np.ndarray
    t_start_ms: float
    dt_ms: float
    values_nA: np.ndarray

    def as_analogsignal(self) -> neo.AnalogSignal:
        """The injected current as a neo signal (one column per cell, ``channel_index`` the
        cells), named :data:`INJECTED_CURRENT`, as the datastore stores recordings."""
        signal = neo.AnalogSignal(self.values_nA.T, units=pq.nA, t_start=self.t_start_ms * pq.ms,
                                  sampling_period=self.dt_ms * pq.ms, name=INJECTED_CURRENT)
        signal.array_annotate(channel_index=np.asarray(self.cells, dtype=np.int64))
        return signal


class PerNeuronCurrent(DirectStimulator):
    """Inject a different current time course into each chosen cell of one sheet.

    Set the waveform with :meth:`set_waveform` before each window is armed; the waveform
    starts at the window's start and the current is zero after its last sample and outside
    armed windows. On NEST, a window armed at the current time (as the controller arms every
    presentation) reaches the cells ``min_delay`` plus two time steps late: PyNN's clock runs
    one ``min_delay`` behind NEST's kernel, which cannot change a device in steps it has
    already simulated, and NEST delivers a device's current with one time step of delay. The
    stored :class:`InjectedCurrent` keeps the nominal times.

    Parameters
    ----------
    model : Model
        The built network.
    sheet : str
        Name of the target sheet.
    cells : sequence of int
        Indices (within the sheet) of the cells that receive a current; empty: every cell.
    where : str
        Where the stimulation is declared, for error messages.
    """

    def __init__(self, model: Model, sheet: str, cells: Sequence[int] | np.ndarray = (), *,
                 where: str = "PerNeuronCurrent") -> None:
        target = sheet_of(model, sheet, where)
        self.sheet = sheet
        self.where = where
        self.cells = select_cells(len(target.population), cells=list(cells), where=where)
        self.time_step_ms = float(getattr(model, "time_step", 0.1) or 0.1)
        self._sim = model.sim
        self._values = np.zeros((self.cells.size, 0))
        self._dt_ms = self.time_step_ms
        self._last: InjectedCurrent | None = None
        self._devices: Any = None
        if self._sim.__name__ == "pyNN.nest" and self.cells.size:
            import nest  # the native device is the point of this class; NEST is loaded here

            self._nest = nest
            targets = target.population[self.cells].node_collection
            self._devices = nest.Create("step_current_generator", int(self.cells.size))
            nest.Connect(self._devices, targets, "one_to_one",
                         syn_spec={"delay": self.time_step_ms})
        elif self._sim.__name__ not in ("pyNN.nest", "pyNN.mock"):
            msg = (f"{where}: per-neuron current injection uses NEST's native "
                   f"step_current_generator; the {self._sim.__name__} backend has none. Use "
                   "simulator.backend: nest")
            raise SimulationError(msg)

    def set_waveform(self, values_nA: np.ndarray, dt_ms: float) -> None:
        """Set the current of each cell for the next armed window.

        Parameters
        ----------
        values_nA : ndarray, nA
            Shape (cells, samples): row i is the current of ``cells[i]``.
        dt_ms : float, ms
            Time between samples: a whole number of simulation time steps.
        """
        values = np.asarray(values_nA, dtype=np.float64)
        if values.ndim != 2 or values.shape[0] != self.cells.size:
            msg = (f"{self.where}: the current waveform has shape {values.shape}; expected "
                   f"({self.cells.size}, samples), one row per injected cell of sheet "
                   f"{self.sheet!r}")
            raise SimulationError(msg)
        if not np.isfinite(values).all():
            msg = f"{self.where}: the current waveform holds non-finite values (NaN or inf)"
            raise SimulationError(msg)
        steps = dt_ms / self.time_step_ms
        if dt_ms <= 0 or abs(steps - round(steps)) > 1e-9:
            msg = (f"{self.where}: dt_ms={dt_ms} must be a positive whole number of simulation "
                   f"time steps ({self.time_step_ms} ms)")
            raise SimulationError(msg)
        self._values = values
        self._dt_ms = float(dt_ms)

    def _time_offset(self) -> float:
        # PyNN on NEST keeps the kernel clock running through a reset and shifts PyNN's times
        # by this offset; native devices see kernel times
        state = getattr(getattr(self._sim, "simulator", None), "state", None)
        return float(getattr(state, "_time_offset", 0.0) or 0.0)

    def schedule(self, t_start: float, duration: float) -> None:
        n = min(self._values.shape[1], int(np.floor(duration / self._dt_ms + 1e-9)))
        values = self._values[:, :n]
        self._last = InjectedCurrent(sheet=self.sheet, cells=self.cells,
                                     t_start_ms=float(t_start), dt_ms=self._dt_ms,
                                     values_nA=values)
        if self._devices is None:
            return
        kernel_start = float(t_start) + self._time_offset()
        times = kernel_start + self._dt_ms * np.arange(n + 1)
        # PyNN's clock runs one min_delay behind NEST's kernel, which has already simulated
        # the first steps of a window armed at the current time: the device cannot change
        # there any more, so the waveform starts at the kernel's next step (tested: dropping
        # those samples instead loses a short pulse at the start of a window)
        earliest = float(self._nest.biological_time) + self.time_step_ms
        times = times + max(0.0, earliest - times[0])
        pA = np.concatenate([values, np.zeros((values.shape[0], 1))], axis=1) * 1000.0
        time_list = times.tolist()
        self._devices.set([{"amplitude_times": time_list, "amplitude_values": row}
                           for row in pA.tolist()])

    def disarm(self) -> None:
        # zero from the kernel's next step: a window cut short (a run stopped mid-presentation)
        # must not leave its current on
        if self._devices is not None:
            zero = {"amplitude_times": [float(self._nest.biological_time) + self.time_step_ms],
                    "amplitude_values": [0.0]}
            self._devices.set([zero] * int(self.cells.size))

    def injected(self) -> InjectedCurrent | None:
        return self._last

    def describe(self) -> dict[str, bool | int | float | str]:
        return {"sheet": self.sheet, "cells": int(self.cells.size)}
