"""The tonotopic sheet, the connector that keeps tonotopy, and the tone sweep experiment."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import positive
from mozaik.experiments import Experiment
from mozaik.model import (
    CellParams,
    Connector,
    PlacementParams,
    ProjectionParams,
    RecorderParams,
    Sheet,
    SheetParams,
    project_arrays,
)

from mozaik_tonotopy._space import Cochlea, PureTone, PureToneParams, best_frequencies_hz

if TYPE_CHECKING:
    from mozaik.model import Model
    from mozaik.stimulus import Stimulus

__all__ = ["TonotopicConnector", "TonotopicConnectorParams", "TonotopicSheet",
           "TonotopicSheetParams", "ToneSweep", "ToneSweepParams"]


@attrs.frozen(kw_only=True)
class TonotopicSheetParams:
    """Parameters of :class:`TonotopicSheet`.

    Parameters
    ----------
    cell : CellParams
        Neuron model and parameters (PyNN units).
    n_neurons : int
        Number of neurons.
    length_um, width_um : float, um
        Size of the strip; x runs along the tonotopic axis.
    low_hz, high_hz : float, Hz
        Best frequency at x = 0 and at x = length_um (log-spaced in between).
    recorders : list of RecorderParams
        What is recorded, as for core's Sheet.
    """

    cell: CellParams = attrs.field(factory=CellParams)
    n_neurons: int = 64
    length_um: float = attrs.field(default=1600.0, validator=positive)
    width_um: float = attrs.field(default=200.0, validator=positive)
    low_hz: float = attrs.field(default=200.0, validator=positive)
    high_hz: float = attrs.field(default=8000.0, validator=positive)
    recorders: tuple[RecorderParams, ...] = ()


class TonotopicSheet(Sheet[SheetParams]):
    """A strip of auditory cortex: neurons evenly spaced along x (random y), each annotated
    with its best frequency ``best_frequency_hz``."""

    def __init__(self, name: str, params: TonotopicSheetParams, model: Model) -> None:
        self.strip = params
        placement = PlacementParams(kind="uniform", size_um=(params.length_um, params.width_um),
                                    n_neurons=params.n_neurons)
        super().__init__(name, SheetParams(cell=params.cell, placement=placement,
                                           recorders=params.recorders), model)
        p = params
        self.annotate("best_frequency_hz", best_frequencies_hz(
            self.positions_um[:, 0], p.length_um, p.low_hz, p.high_hz))

    def place(self) -> np.ndarray:
        p = self.strip
        x = (np.arange(p.n_neurons) + 0.5) * p.length_um / p.n_neurons
        y = np.asarray(self.rng.next(p.n_neurons, "uniform", {"low": 0.0, "high": p.width_um}),
                       dtype=float)
        return np.column_stack([x, y])


@attrs.frozen(kw_only=True)
class TonotopicConnectorParams(ProjectionParams):
    """Parameters of :class:`TonotopicConnector`, besides core's projection parameters
    (``weight_uS`` in uS and ``delay_ms`` in ms, numbers here; ``receptor``; ``synapse``).

    Parameters
    ----------
    bandwidth_um : float, um
        A source reaches every target within this distance along the tonotopic axis (x).
    """

    bandwidth_um: float = attrs.field(default=150.0, validator=positive)


class TonotopicConnector(Connector[TonotopicConnectorParams]):
    """Each source drives the targets at the same place of the tonotopic axis."""

    def build(self) -> object:
        p = self.params
        if not isinstance(p.weight_uS, int | float) or not isinstance(p.delay_ms, int | float):
            msg = f"{self.path}: weight_uS and delay_ms must be numbers for TonotopicConnector"
            raise ConfigError(msg)
        sx = self.source.positions_um[:, 0]
        tx = self.target.positions_um[:, 0]
        post, pre = np.nonzero(np.abs(tx[:, None] - sx[None, :]) <= p.bandwidth_um)
        n = len(pre)
        return project_arrays(self, pre, post, np.full(n, float(p.weight_uS)),
                              np.full(n, float(p.delay_ms)))


@attrs.frozen(kw_only=True)
class ToneSweepParams:
    """Parameters of :class:`ToneSweep`.

    Parameters
    ----------
    frequencies_hz : list of float, Hz
        One pure tone per frequency.
    duration_ms : float, ms
        Length of each tone.
    num_trials : int
        Repetitions of the sweep.
    """

    frequencies_hz: tuple[float, ...] = attrs.field(default=(500.0, 2000.0), converter=tuple)
    duration_ms: float = attrs.field(default=200.0, validator=positive)
    num_trials: int = 1


class ToneSweep(Experiment[ToneSweepParams]):
    """Plays every tone of ``frequencies_hz`` in turn to the model's Cochlea."""

    def stimuli(self) -> list[Stimulus]:
        p = self.params
        return [PureTone(PureToneParams(frequency_hz=f, duration_ms=p.duration_ms), trial=t)
                for t in range(p.num_trials) for f in p.frequencies_hz]

    def _cochlea(self) -> Cochlea | None:
        sensory = getattr(self.model, "sensory_input", None)
        return sensory if isinstance(sensory, Cochlea) else None

    def prepare(self, stimulus: Stimulus, t_start: float) -> None:
        cochlea = self._cochlea()
        if cochlea is not None:
            cochlea.present(stimulus, t_start)

    def finish(self, stimulus: Stimulus) -> None:
        cochlea = self._cochlea()
        if cochlea is not None:
            cochlea.rest()
