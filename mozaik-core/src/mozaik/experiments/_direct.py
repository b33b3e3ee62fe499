"""Direct stimulators on PyNN: a Poisson kick onto sheets and a step current into cells."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from mozaik._errors import SimulationError
from mozaik.experiments._base import DirectStimulator, experiment_rng, select_cells, sheet_of

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["PoissonKick", "StepCurrent"]


class PoissonKick(DirectStimulator):
    """Independent Poisson spike trains onto chosen cells of one sheet.

    Every chosen cell gets its own Poisson source, connected one-to-one through an excitatory
    synapse. Sources are silent except in the windows the kick is armed for.

    Parameters
    ----------
    model : Model
        The built network.
    sheet : str
        Name of the target sheet.
    rate : float, Hz
        Rate of each source while active.
    weight : float, uS (conductance-based cells) or nA (current-based cells)
        Synaptic weight of each source.
    delay : float, ms, optional
        Synaptic delay; defaults to the simulator's minimum delay.
    fraction : float
        Fraction of the sheet's cells that are kicked, chosen at random (1.0: all).
    drive_period : float, ms, optional
        How long the kick lasts from the start of a window; defaults to the whole window.
    where : str
        Where the kick is declared, for error messages.
    """

    def __init__(self, model: Model, sheet: str, *, rate: float, weight: float,
                 delay: float | None = None, fraction: float = 1.0,
                 drive_period: float | None = None, where: str = "PoissonKick") -> None:
        target = sheet_of(model, sheet, where)
        sim = model.sim
        self.sheet = sheet
        self.rate = float(rate)
        self.weight = float(weight)
        self.drive_period = drive_period
        rng = experiment_rng(model, "PoissonKick", sheet, repr(fraction))
        self.cells = select_cells(len(target.population), fraction=fraction, rng=rng,
                                  where=where)
        self._sources = None
        if self.cells.size == 0:
            return
        self._sources = sim.Population(
            int(self.cells.size), sim.SpikeSourcePoisson(rate=self.rate, start=0.0,
                                                         duration=0.0),
            label=f"kick:{sheet}")
        targets = target.population[self.cells]
        synapse = sim.StaticSynapse(weight=self.weight,
                                    delay=delay if delay is not None else sim.get_min_delay())
        self._projection = sim.Projection(self._sources, targets, sim.OneToOneConnector(),
                                          synapse, receptor_type="excitatory",
                                          label=f"kick:{sheet}")

    def schedule(self, t_start: float, duration: float) -> None:
        if self._sources is None:
            return
        active = duration if self.drive_period is None else min(duration, self.drive_period)
        self._sources.set(start=float(t_start), duration=float(active))

    def disarm(self) -> None:
        if self._sources is not None:
            self._sources.set(duration=0.0)

    def describe(self) -> dict[str, bool | int | float | str]:
        return {"sheet": self.sheet, "rate": self.rate, "weight": self.weight,
                "cells": int(self.cells.size)}


class StepCurrent(DirectStimulator):
    """A constant current step injected into chosen cells of one sheet.

    Parameters
    ----------
    model : Model
        The built network.
    sheet : str
        Name of the target sheet.
    cells : sequence of int
        Indices of the cells (within the sheet) that receive the current.
    amplitude : float, nA
        Current while armed; :meth:`schedule` may override it per window.
    where : str
        Where the stimulation is declared, for error messages.
    """

    def __init__(self, model: Model, sheet: str, cells: Sequence[int] | np.ndarray, *,
                 amplitude: float = 0.0, where: str = "StepCurrent") -> None:
        target = sheet_of(model, sheet, where)
        self.sheet = sheet
        self.cells = select_cells(len(target.population), cells=list(cells), where=where)
        if self.cells.size == 0:
            msg = f"{where}: no cells chosen for the current injection into sheet {sheet!r}"
            raise SimulationError(msg)
        self.amplitude = float(amplitude)
        self._sim = model.sim
        self._source = self._sim.DCSource(amplitude=0.0, start=0.0, stop=0.0)
        #: The parameters last set (start, stop in ms; amplitude in nA).
        self.window: dict[str, float] = {"start": 0.0, "stop": 0.0, "amplitude": 0.0}
        self._source.inject_into(target.population[self.cells])

    def _time_offset(self) -> float:
        # After a reset, PyNN (0.13) on NEST keeps the kernel clock running and shifts times
        # by an offset, but applies that offset to current sources only while resetting, not
        # in set_parameters: add it here, or a window set after a reset lies in the past.
        if self._sim.__name__ != "pyNN.nest":
            return 0.0
        state = getattr(getattr(self._sim, "simulator", None), "state", None)
        return float(getattr(state, "_time_offset", 0.0) or 0.0)

    def _set(self, **parameters: float) -> None:
        """Set the source's parameters; on PyNN's mock backend, keep them in :attr:`window`.

        Mock has no dynamics and does not implement changing a current source, so the window
        is only recorded there (the contract suites check the protocol without NEST).
        """
        self.window.update(parameters)
        if self._sim.__name__ == "pyNN.mock":
            return
        try:
            self._source.set_parameters(**parameters)
        except NotImplementedError as exc:
            msg = (f"StepCurrent: the {self._sim.__name__} backend cannot change a current "
                   "source's parameters (PyNN's DCSource.set_parameters is not implemented "
                   "there), so current injection cannot run on it; use simulator.backend: nest")
            raise SimulationError(msg) from exc

    def schedule(self, t_start: float, duration: float, amplitude: float | None = None) -> None:
        value = self.amplitude if amplitude is None else float(amplitude)
        start = float(t_start) + self._time_offset()
        # start and stop are checked one at a time (stop >= start): move start out of the
        # way first, so any new window is accepted whatever the previous one was
        self._set(start=0.0)
        self._set(stop=start + float(duration))
        self._set(start=start, amplitude=value)

    def disarm(self) -> None:
        self._set(amplitude=0.0)

    def describe(self) -> dict[str, bool | int | float | str]:
        return {"sheet": self.sheet, "amplitude": self.amplitude, "cells": int(self.cells.size)}
