"""The standard analysis data structures shared by analysis and plot plugins."""

from __future__ import annotations

from typing import Any

import attrs
import neo
import numpy as np
import quantities as pq

from mozaik._errors import AnalysisDataStructureError
from mozaik.ads._base import AnalysisDataStructure, data, parameter, units_parameter
from mozaik.ads._units import parse_units

__all__ = [
    "AnalogSignal",
    "AnalogSignalList",
    "ConductanceSignalList",
    "Connections",
    "PerNeuronPairValue",
    "PerNeuronValue",
    "SingleValue",
]


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _same_length(owner: str, **arrays: Any) -> None:
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        msg = f"{owner}: fields must have equal lengths, got {lengths}"
        raise AnalysisDataStructureError(msg)


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class SingleValue(AnalysisDataStructure):
    """One scalar value, e.g. the mean firing rate of a sheet.

    Parameters
    ----------
    value : float, in ``value_units``
        The value.
    value_name : str
        What the value is, e.g. ``"Mean(firing rate)"``.
    value_units : quantities units
        Units of ``value``; required (``pq.dimensionless`` for unitless values).
    period : float or None, in ``value_units``
        Period of a circular value (e.g. ``pi`` for orientation), None if not circular.
    """

    value: float = data("scalar")
    value_name: str = parameter()
    value_units: pq.Quantity = units_parameter()
    period: float | None = parameter(default=None, converter=_optional_float)


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class PerNeuronValue(AnalysisDataStructure):
    """One scalar per neuron, e.g. trial-averaged firing rates.

    Parameters
    ----------
    values : array of shape (n,), in ``value_units``
        One value per neuron.
    ids : int array of shape (n,)
        Index within the sheet of each neuron.
    value_name : str
        What the values are.
    value_units : quantities units
        Units of ``values``; required.
    period : float or None, in ``value_units``
        Period of a circular value, None if not circular.
    """

    values: np.ndarray = data("array")
    ids: np.ndarray = data("array")
    value_name: str = parameter()
    value_units: pq.Quantity = units_parameter()
    period: float | None = parameter(default=None, converter=_optional_float)

    def _check(self) -> None:
        _same_length(type(self).__name__, values=self.values, ids=self.ids)

    def get_value_by_id(self, ids: Any) -> np.ndarray:
        """Return the values of the neurons with the given sheet indices, in that order."""
        lookup = {int(i): k for k, i in enumerate(self.ids)}
        try:
            return self.values[[lookup[int(i)] for i in np.atleast_1d(ids)]]
        except KeyError as exc:
            msg = f"neuron {exc.args[0]} is not among the {len(self.ids)} ids of {self!r}"
            raise AnalysisDataStructureError(msg) from None


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class PerNeuronPairValue(AnalysisDataStructure):
    """One scalar per pair of neurons, e.g. spike-count correlations.

    Parameters
    ----------
    values : array of shape (n, n), in ``value_units``
        ``values[i, j]`` belongs to the pair ``(ids[i], ids[j])``.
    ids : int array of shape (n,)
        Sheet indices of the neurons along both axes.
    value_name : str
        What the values are.
    value_units : quantities units
        Units of ``values``; required.
    period : float or None, in ``value_units``
        Period of a circular value, None if not circular.
    """

    values: np.ndarray = data("array")
    ids: np.ndarray = data("array")
    value_name: str = parameter()
    value_units: pq.Quantity = units_parameter()
    period: float | None = parameter(default=None, converter=_optional_float)

    def _check(self) -> None:
        n = len(self.ids)
        if self.values.shape != (n, n):
            msg = (
                f"{type(self).__name__}: values has shape {self.values.shape}, expected ({n}, {n}) "
                f"for {n} ids"
            )
            raise AnalysisDataStructureError(msg)


def _signal_units(owner: str, field: str, signals: list[neo.AnalogSignal], units: Any) -> Any:
    """Default units to the signals' own and check every signal can be expressed in them."""
    if units is None and signals:
        units = signals[0].units
    if units is None:
        return None
    target = units if isinstance(units, pq.Quantity) else parse_units(units)
    for i, sig in enumerate(signals):
        try:
            sig.units.rescale(target.units)
        except ValueError:
            msg = (
                f"{owner}: {field}[{i}] is in {sig.units.dimensionality.string}, which cannot be "
                f"expressed in {target.dimensionality.string}"
            )
            raise AnalysisDataStructureError(msg) from None
    return units


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class AnalogSignal(AnalysisDataStructure):
    """One analog signal, e.g. a population-averaged PSTH.

    Parameters
    ----------
    signal : neo.AnalogSignal
        The signal (carries its own units, t_start and sampling period).
    y_axis_name : str
        What the signal is.
    y_axis_units : quantities units
        Units of the signal; default: the signal's own.
    """

    signal: neo.AnalogSignal = data("signal")
    y_axis_name: str = parameter()
    y_axis_units: pq.Quantity = units_parameter()

    def __attrs_post_init__(self) -> None:
        if self.y_axis_units is None and isinstance(self.signal, neo.AnalogSignal):
            self.y_axis_units = self.signal.units
        super().__attrs_post_init__()

    def _check(self) -> None:
        _signal_units(type(self).__name__, "signal", [self.signal], self.y_axis_units)


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class AnalogSignalList(AnalysisDataStructure):
    """One analog signal per neuron, e.g. per-neuron PSTHs.

    Parameters
    ----------
    signals : list of neo.AnalogSignal
        One signal per neuron.
    ids : int array of shape (n,)
        Sheet index of the neuron of each signal.
    y_axis_name : str
        What the signals are.
    y_axis_units : quantities units
        Units of the signals; default: the first signal's own.
    """

    signals: list[neo.AnalogSignal] = data("signals")
    ids: np.ndarray = data("array")
    y_axis_name: str = parameter()
    y_axis_units: pq.Quantity = units_parameter()

    def __attrs_post_init__(self) -> None:
        self.y_axis_units = _signal_units(
            type(self).__name__, "signals", list(self.signals), self.y_axis_units
        )
        super().__attrs_post_init__()

    def _check(self) -> None:
        _same_length(type(self).__name__, signals=self.signals, ids=self.ids)


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class ConductanceSignalList(AnalysisDataStructure):
    """Excitatory and inhibitory conductance signals per neuron, e.g. trial averages.

    Parameters
    ----------
    e_con : list of neo.AnalogSignal
        Excitatory conductance of each neuron.
    i_con : list of neo.AnalogSignal
        Inhibitory conductance of each neuron.
    ids : int array of shape (n,)
        Sheet index of the neuron of each pair of signals.
    units : quantities units
        Conductance units; default: those of the first signal. Must be a conductance.
    """

    e_con: list[neo.AnalogSignal] = data("signals")
    i_con: list[neo.AnalogSignal] = data("signals")
    ids: np.ndarray = data("array")
    units: pq.Quantity = units_parameter()

    def __attrs_post_init__(self) -> None:
        owner = type(self).__name__
        signals = [*self.e_con, *self.i_con]
        units = _signal_units(owner, "e_con/i_con", signals, self.units)
        if units is not None:
            q = units if isinstance(units, pq.Quantity) else parse_units(units)
            try:
                q.rescale(pq.uS)
            except ValueError:
                msg = (
                    f"{owner}: units {q.dimensionality.string} are not a conductance (e.g. nS, uS)"
                )
                raise AnalysisDataStructureError(msg) from None
        self.units = units
        super().__attrs_post_init__()

    def _check(self) -> None:
        _same_length(type(self).__name__, e_con=self.e_con, i_con=self.i_con, ids=self.ids)


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class Connections(AnalysisDataStructure):
    """The connections of one projection.

    Parameters
    ----------
    proj_name : str
        Name of the projection.
    source_name, target_name : str
        Source and target sheets.
    source_index, target_index : int arrays of shape (n,)
        Sheet indices of the pre- and postsynaptic neuron of each connection.
    weights : array of shape (n,), in ``weight_units``
        Synaptic weights.
    delays : array of shape (n,), in ``delay_units``
        Synaptic delays.
    weight_units, delay_units : quantities units
        Required (e.g. ``pq.uS`` and ``pq.ms``).
    """

    proj_name: str = parameter()
    source_name: str = parameter()
    target_name: str = parameter()
    source_index: np.ndarray = data("array")
    target_index: np.ndarray = data("array")
    weights: np.ndarray = data("array")
    delays: np.ndarray = data("array")
    weight_units: pq.Quantity = units_parameter()
    delay_units: pq.Quantity = units_parameter()

    def _check(self) -> None:
        _same_length(
            type(self).__name__,
            source_index=self.source_index,
            target_index=self.target_index,
            weights=self.weights,
            delays=self.delays,
        )
