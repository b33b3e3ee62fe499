"""Recordings on their way into the store: plain-array records and conversion from neo."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
import neo
import numpy as np
import pyarrow as pa
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList

from mozaik._errors import DataStoreError
from mozaik.datastore._format import ANALOG_SCHEMA, SPIKES_SCHEMA

__all__ = ["SheetRecording", "SignalRecording", "sheet_recording_from_segment"]


def _int_array(value: object) -> np.ndarray:
    return np.asarray(value, dtype=np.int64).reshape(-1)


def _float_array_2d(value: object) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def _float_array(value: object) -> np.ndarray:
    return np.asarray(value, dtype=np.float64).reshape(-1)


def _optional_int_array(value: object) -> np.ndarray | None:
    return None if value is None else _int_array(value)


@attrs.frozen(kw_only=True)
class SignalRecording:
    """One analog variable of one sheet during one presentation.

    Parameters
    ----------
    variable : str
        Recorded variable as PyNN names it (``"v"``, ``"gsyn_exc"``, ...).
    units : str
        Units of ``values`` as a quantities string (``"mV"``, ``"uS"``).
    t_start : float, ms
        Time of the first sample, absolute simulation time.
    sampling_period : float, ms
        Sampling period.
    neurons : int array of shape (n,)
        Index within the sheet of the neuron of each column of ``values``.
    values : float array of shape (n_samples, n)
        The traces, one column per neuron (neo's layout).
    """

    variable: str
    units: str
    t_start: float
    sampling_period: float
    neurons: np.ndarray = attrs.field(converter=_int_array)
    values: np.ndarray = attrs.field(converter=_float_array_2d)

    def __attrs_post_init__(self) -> None:
        if self.values.ndim != 2 or self.values.shape[1] != len(self.neurons):
            msg = (
                f"signal {self.variable!r}: values has shape {self.values.shape}, expected "
                f"(n_samples, {len(self.neurons)}) for {len(self.neurons)} neurons"
            )
            raise DataStoreError(msg)


def _to_signals(value: Iterable[SignalRecording]) -> tuple[SignalRecording, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class SheetRecording:
    """Everything recorded from one sheet during one presentation, as plain arrays.

    Parameters
    ----------
    t_start, t_stop : float, ms
        Time span of the recording, absolute simulation time.
    spike_neurons : int array of shape (k,)
        Index within the sheet of the neuron of each spike.
    spike_times : float array of shape (k,), ms
        Spike times.
    spike_recorded : int array or None
        Indices of every neuron whose spikes were recorded, silent ones included; None when
        spikes were not recorded. Silent neurons are kept so they get an empty SpikeTrain.
    signals : sequence of SignalRecording
        Analog variables.
    """

    t_start: float
    t_stop: float
    spike_neurons: np.ndarray = attrs.field(
        factory=lambda: np.empty(0, np.int64), converter=_int_array
    )
    spike_times: np.ndarray = attrs.field(factory=lambda: np.empty(0), converter=_float_array)
    spike_recorded: np.ndarray | None = attrs.field(default=None, converter=_optional_int_array)
    signals: Sequence[SignalRecording] = attrs.field(factory=tuple, converter=_to_signals)

    def __attrs_post_init__(self) -> None:
        if len(self.spike_neurons) != len(self.spike_times):
            msg = (
                f"spike_neurons ({len(self.spike_neurons)}) and spike_times "
                f"({len(self.spike_times)}) must have one entry per spike"
            )
            raise DataStoreError(msg)

    @property
    def variables(self) -> list[str]:
        """Recorded variables: ``"spikes"`` if spikes were recorded, then the analog ones."""
        out = ["spikes"] if self.spike_recorded is not None or len(self.spike_times) else []
        return out + [s.variable for s in self.signals]

    def spikes_table(self, segment_id: int) -> pa.Table:
        """Spike rows sorted by neuron, with one null-time row per silent recorded neuron."""
        neurons = self.spike_neurons
        times = self.spike_times
        mask = None
        if self.spike_recorded is not None:
            silent = np.setdiff1d(self.spike_recorded, neurons)
            if len(silent):
                neurons = np.concatenate([neurons, silent])
                times = np.concatenate([times, np.zeros(len(silent))])
                mask = np.zeros(len(neurons), bool)
                mask[-len(silent) :] = True
        if len(neurons) > 1 and (np.diff(neurons) < 0).any():
            order = np.argsort(neurons, kind="stable")
            neurons, times = neurons[order], times[order]
            mask = None if mask is None else mask[order]
        n = len(neurons)
        return pa.Table.from_arrays(
            [
                pa.array(np.full(n, segment_id, np.int64)),
                pa.array(neurons.astype(np.int32)),
                pa.array(times, mask=mask),
            ],
            schema=SPIKES_SCHEMA,
        )

    def analog_table(self, segment_id: int) -> pa.Table:
        """Analog rows: one per (neuron, variable), values as a list column."""
        parts = []
        for s in self.signals:
            n, m = len(s.neurons), s.values.shape[0]
            flat = np.ascontiguousarray(s.values.T).reshape(-1)
            offsets = (
                np.arange(0, (n + 1) * m, m, dtype=np.int64) if m else np.zeros(n + 1, np.int64)
            )
            parts.append(
                pa.Table.from_arrays(
                    [
                        pa.array(np.full(n, segment_id, np.int64)),
                        pa.array(s.neurons.astype(np.int32)),
                        pa.array([s.variable] * n, pa.string()),
                        pa.array([s.units] * n, pa.string()),
                        pa.array(np.full(n, s.t_start, np.float64)),
                        pa.array(np.full(n, s.sampling_period, np.float64)),
                        pa.LargeListArray.from_arrays(pa.array(offsets), pa.array(flat)),
                    ],
                    schema=ANALOG_SCHEMA,
                )
            )
        return pa.concat_tables(parts) if parts else ANALOG_SCHEMA.empty_table()


_FACTORS: dict[str, float] = {}


def _factor_to_ms(units: pq.Quantity) -> float:
    key = units.dimensionality.string
    if key not in _FACTORS:
        _FACTORS[key] = float(pq.Quantity(1.0, units.units).rescale(pq.ms).magnitude)
    return _FACTORS[key]


def _ms(q: pq.Quantity) -> float:
    return float(q.magnitude) * _factor_to_ms(q)


def _flat_spikes(spiketrains: object) -> tuple[np.ndarray, np.ndarray, float, float] | None:
    """(PyNN ids, times in ms, t_start, t_stop) when PyNN handed the spikes over as one flat
    ``SpikeTrainList`` (two arrays), without building a SpikeTrain per neuron; else None."""
    if not isinstance(spiketrains, SpikeTrainList):
        return None
    # a list built from SpikeTrain objects numbers its channels by position, not by PyNN id
    if getattr(spiketrains, "_items", None) is not None:
        return None
    if getattr(spiketrains, "_spike_time_array", None) is None:
        return None
    ids, times = spiketrains.multiplexed
    times_ms = np.asarray(pq.Quantity(times).rescale(pq.ms).magnitude, dtype=np.float64)
    return (np.asarray(ids, dtype=np.int64), times_ms, _ms(spiketrains.t_start),
            _ms(spiketrains.t_stop))


def _indices_of(neuron_ids: np.ndarray, ids: np.ndarray, sheet: str) -> np.ndarray:
    """Index within the sheet of each PyNN id in ``ids`` (``neuron_ids[i]`` is neuron i's id)."""
    order = np.argsort(neuron_ids, kind="stable")
    pos = np.searchsorted(neuron_ids, ids, sorter=order)
    pos = np.minimum(pos, len(neuron_ids) - 1)
    found = order[pos]
    bad = neuron_ids[found] != ids
    if bad.any():
        msg = (f"sheet {sheet!r}: recorded PyNN id {int(ids[bad][0])} is not among the sheet's "
               f"neurons; write the sheet's neurons (write_neurons) with the population's ids")
        raise DataStoreError(msg)
    return found.astype(np.int64)


def sheet_recording_from_segment(segment: neo.Segment, sheet: str,
                                 neuron_ids: np.ndarray | None = None) -> SheetRecording:
    """Convert one PyNN-produced ``neo.Segment`` of one sheet to a :class:`SheetRecording`.

    Neurons are identified by the ``source_index`` annotation of each SpikeTrain and the
    ``channel_index`` array annotation of each AnalogSignal, as PyNN sets them. When PyNN hands
    spikes over as one flat ``SpikeTrainList`` and ``neuron_ids`` (PyNN id of each neuron of the
    sheet, in index order) is given, spikes are taken from its two arrays directly: building
    one SpikeTrain per neuron costs about a second per presentation at 10,000 neurons.
    """
    starts: list[float] = []
    stops: list[float] = []
    neurons: list[np.ndarray] = []
    times: list[np.ndarray] = []
    recorded: list[int] = []
    flat = _flat_spikes(segment.spiketrains) if neuron_ids is not None else None
    recorded_flat: np.ndarray | None = None
    if flat is not None and neuron_ids is not None:
        ids, flat_times, t0, t1 = flat
        starts.append(t0)
        stops.append(t1)
        recorded_flat = _indices_of(np.asarray(neuron_ids, np.int64),
                                    np.asarray(segment.spiketrains.all_channel_ids, np.int64),
                                    sheet)
        if len(ids):
            neurons.append(_indices_of(np.asarray(neuron_ids, np.int64), ids, sheet))
            times.append(flat_times)
    for k, st in enumerate(() if flat is not None else segment.spiketrains):
        index = st.annotations.get("source_index")
        if index is None:
            msg = (
                f"sheet {sheet!r}: spiketrain {k} has no 'source_index' annotation (the index of "
                f"the neuron in its population, which PyNN's get_data() sets); annotate it before "
                f"writing, e.g. st.annotate(source_index=i)"
            )
            raise DataStoreError(msg)
        index = int(index)
        recorded.append(index)
        factor = _factor_to_ms(st.units)
        starts.append(_ms(st.t_start))
        stops.append(_ms(st.t_stop))
        if len(st):
            values = np.asarray(st.magnitude, np.float64)
            times.append(values * factor if factor != 1.0 else values)
            neurons.append(np.full(len(st), index, np.int64))
    signals: list[SignalRecording] = []
    for k, sig in enumerate(segment.analogsignals):
        channels = sig.array_annotations.get("channel_index")
        if channels is None:
            msg = (
                f"sheet {sheet!r}: analog signal {k} ({sig.name!r}) has no 'channel_index' array "
                f"annotation (the index of each column's neuron in its population, which PyNN "
                f"sets); add it with sig.array_annotate(channel_index=...)"
            )
            raise DataStoreError(msg)
        if not sig.name:
            msg = (
                f"sheet {sheet!r}: analog signal {k} has no name; name it after the variable "
                f"(e.g. 'v')"
            )
            raise DataStoreError(msg)
        t0 = _ms(sig.t_start)
        starts.append(t0)
        stops.append(_ms(sig.t_stop))
        signals.append(
            SignalRecording(
                variable=sig.name,
                units=sig.units.dimensionality.string,
                t_start=t0,
                sampling_period=_ms(sig.sampling_period),
                neurons=channels,
                values=np.asarray(sig.magnitude),
            )
        )
    if not starts:
        msg = f"sheet {sheet!r}: the segment holds no spiketrains and no analog signals"
        raise DataStoreError(msg)
    return SheetRecording(
        t_start=min(starts),
        t_stop=max(stops),
        spike_neurons=np.concatenate(neurons) if neurons else np.empty(0, np.int64),
        spike_times=np.concatenate(times) if times else np.empty(0),
        spike_recorded=(recorded_flat if recorded_flat is not None else
                        np.asarray(recorded, np.int64) if segment.spiketrains else None),
        signals=signals,
    )
