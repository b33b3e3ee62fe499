"""The Experiment and DirectStimulator base classes.

An experiment is a stimulation protocol. It says which stimuli are presented (each with its
trial number) and, optionally, what it does to the network directly while a stimulus is shown
(a Poisson kick, a current injection): its *direct stimulation*. The controller owns the
timeline; an experiment only arms its direct stimulators for the window it is told about.

Writing an experiment::

    @attrs.frozen(kw_only=True)
    class FlashParams:
        duration_ms: float
        num_trials: int = 1

    class Flash(Experiment[FlashParams]):
        def stimuli(self):
            params = InternalStimulusParams(duration_ms=self.params.duration_ms,
                                            protocol="Flash")
            return [InternalStimulus(params, trial=t) for t in range(self.params.num_trials)]

registered as ``ComponentSpec(name="Flash", config_cls=FlashParams, factory=Flash)``: the
factory signature of experiments is ``factory(params, model) -> Experiment``.
"""

from __future__ import annotations

import zlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic

import numpy as np
from typing_extensions import TypeVar

from mozaik._errors import SimulationError
from mozaik.stimulus import Stimulus

if TYPE_CHECKING:
    from mozaik.experiments._injection import InjectedCurrent
    from mozaik.model import Model, Sheet

__all__ = ["DirectStimulator", "Experiment", "experiment_rng", "select_cells", "sheet_of"]

_P = TypeVar("_P", covariant=True, default=object)


#: The seed streams (``simulator.model_seed``, ``simulation_seed``, ``experiment_seed``).
_STREAMS = {"model": "seed", "simulation": "simulation_seed", "experiment": "experiment_seed"}


def experiment_rng(model: Model, *labels: str, stream: str = "experiment"
                   ) -> np.random.Generator:
    """A random generator for an experiment's own draws (e.g. which cells receive a current).

    It derives from the seed of ``stream`` and ``labels`` only, so a protocol draws the same
    cells whatever else the model or other experiments draw, and in a resumed run. ``stream``
    is ``experiment`` (``simulator.experiment_seed``: what is presented), ``model``
    (``simulator.model_seed``: the network's identity, e.g. where input cells sit) or
    ``simulation`` (``simulator.simulation_seed``: noise); each defaults to
    ``simulator.seed``, so a study giving only that draws what it drew before the split.

    Raises
    ------
    ValueError
        For an unknown ``stream``.
    """
    if stream not in _STREAMS:
        msg = f"stream must be one of {', '.join(_STREAMS)}, got {stream!r}"
        raise ValueError(msg)
    seed = getattr(model, _STREAMS[stream], getattr(model, "seed", 0))
    keys = [int(seed)] + [zlib.crc32(label.encode()) for label in labels]
    return np.random.default_rng(keys)


def sheet_of(model: Model, name: str, where: str) -> Sheet:
    """The model's sheet ``name``; a helpful error naming ``where`` if it does not exist."""
    sheets: dict[str, Sheet] = getattr(model, "sheets", {})
    if name not in sheets:
        msg = (f"{where}: sheet {name!r} does not exist in model "
               f"{getattr(model, 'name', '?')!r}; its sheets are: "
               f"{', '.join(sorted(sheets)) or 'none'}")
        raise SimulationError(msg)
    return sheets[name]


def select_cells(size: int, *, cells: Sequence[int] = (), fraction: float | None = None,
                 number: int | None = None, rng: np.random.Generator | None = None,
                 where: str = "") -> np.ndarray:
    """Indices (sorted, within a sheet of ``size`` neurons) of the cells a stimulator acts on.

    Exactly one way of choosing applies: explicit ``cells``; else ``number`` random cells; else
    a random ``fraction`` of the sheet (1.0, the default, means every cell, in order).
    """
    if len(cells):
        chosen = np.asarray(sorted(set(int(c) for c in cells)), dtype=np.int64)
        bad = chosen[(chosen < 0) | (chosen >= size)]
        if bad.size:
            msg = (f"{where}: cell indices {bad.tolist()} are outside the sheet (0..{size - 1}); "
                   "cells are indices into the sheet's population")
            raise SimulationError(msg)
        return chosen
    if number is None:
        fraction = 1.0 if fraction is None else fraction
        if fraction >= 1.0:
            return np.arange(size, dtype=np.int64)
        number = round(fraction * size)
    if number > size:
        msg = f"{where}: cannot choose {number} cells from a sheet of {size}; lower the number"
        raise SimulationError(msg)
    rng = rng or np.random.default_rng(0)
    return np.sort(rng.choice(size, size=number, replace=False)).astype(np.int64)


class DirectStimulator(ABC):
    """Something an experiment does to the network itself, outside any sensory input.

    Stimulators create their simulator devices once, when built (before the first
    presentation, so a resumed run builds the same network), and are then armed for one window
    at a time. They are inactive outside the windows they are armed for.
    """

    @abstractmethod
    def schedule(self, t_start: float, duration: float) -> None:
        """Be active from ``t_start`` for ``duration``.

        Parameters
        ----------
        t_start : float, ms
            Absolute simulation time (``model.time``) at which to start.
        duration : float, ms
            How long to stay active.
        """

    @abstractmethod
    def disarm(self) -> None:
        """Become inactive (called after every presentation, also before a network reset)."""

    def describe(self) -> dict[str, bool | int | float | str]:
        """Scalar description of the stimulation, for the stimulus identity."""
        return {}

    def injected(self) -> InjectedCurrent | None:
        """The per-neuron current injected in the window last armed, to be stored with the
        presentation's recordings; None (the default) for stimulators that inject none."""
        return None


class Experiment(ABC, Generic[_P]):
    """Base class of experiments (stimulation protocols).

    Parameters
    ----------
    params : attrs instance
        The experiment's structured parameters (its registered ``config_cls``), the type
        argument: ``class Flash(Experiment[FlashParams])``.
    model : Model
        The built network; experiments that stimulate it directly create their devices here.

    Attributes
    ----------
    direct_stimulation : sequence of DirectStimulator
        Stimulators armed for every stimulus of the experiment by the default :meth:`prepare`.
    """

    params: _P

    def __init__(self, params: _P, model: Model) -> None:
        self.params = params
        self.model = model
        self.direct_stimulation: Sequence[DirectStimulator] = ()

    @abstractmethod
    def stimuli(self) -> list[Stimulus]:
        """Every stimulus the protocol presents, in order, each with its trial number."""

    def prepare(self, stimulus: Stimulus, t_start: float) -> None:
        """Arm the direct stimulation for ``stimulus`` shown from ``t_start`` (ms, absolute).

        The default arms every stimulator of :attr:`direct_stimulation` for the whole stimulus.
        """
        for stimulator in self.direct_stimulation:
            stimulator.schedule(t_start, stimulus.duration_ms)

    def finish(self, stimulus: Stimulus) -> None:
        """Disarm the direct stimulation after ``stimulus`` was presented."""
        for stimulator in self.direct_stimulation:
            stimulator.disarm()

    def injected_currents(self) -> list[InjectedCurrent]:
        """The per-neuron currents injected while the last stimulus was shown; the controller
        stores them with its recordings. The default gathers :meth:`DirectStimulator.injected`
        of every stimulator of :attr:`direct_stimulation`."""
        found = (s.injected() for s in self.direct_stimulation)
        return [current for current in found if current is not None]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"
