"""Conversion between neo and the store: PyNN's segments in, neo Segments out."""

from __future__ import annotations

from typing import Any

import neo
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList

from mozaik._errors import DataStoreError
from mozaik.ads import parse_units
from mozaik.datastore._format import ordered_unique, stack_lists
from mozaik.datastore._writer import SheetRecording, SignalRecording

__all__ = ["attach_spiketrains", "build_segment", "sheet_recording_from_segment"]


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


def _signals(segment: neo.Segment, sheet: str) -> list[SignalRecording]:
    """The analog signals of a PyNN segment as :class:`SignalRecording` (times in ms), sorted
    by variable: PyNN's order of the signals is not reproducible from run to run."""
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
    signals.sort(key=lambda s: s.variable)
    return signals


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
    signals = _signals(segment, sheet)
    starts += [s.t_start for s in signals]
    stops += [_ms(sig.t_stop) for sig in segment.analogsignals]
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


def attach_spiketrains(segment: neo.Segment, trains: list[neo.SpikeTrain]) -> None:
    """Give ``segment`` its SpikeTrains in linear time.

    ``segment.spiketrains.append`` checks each new train against all present ones, which is
    quadratic (minutes for the 10^5 trains of one large sheet); assigning a ready
    ``SpikeTrainList`` is not.
    """
    for st in trains:
        st.segment = segment
    segment.spiketrains = SpikeTrainList(items=trains, parent=segment)


def build_segment(
    row: dict[str, Any],
    spikes: pa.Table | None,
    analog: pa.Table | None,
    ids: np.ndarray | None,
) -> neo.Segment:
    """Build a neo Segment from its index row and its payload rows (already read)."""
    sheet = row["sheet_name"]
    meta = {
        "sheet_name": sheet,
        "stimulus": row["stimulus_id"],
        "stimulus_name": row["stimulus_name"],
        "trial": int(row["trial"]),
    }
    seg = neo.Segment(
        name=f"{sheet} | {row['stimulus_name']} | trial {row['trial']}"
        + (" | null" if row["is_null"] else ""),
    )
    seg.annotate(
        **meta,
        is_null=bool(row["is_null"]),
        segment_id=int(row["segment_id"]),
        presentation_id=int(row["presentation_id"]),
    )
    t_start = row["t_start"] * pq.ms
    t_stop = row["t_stop"] * pq.ms
    if spikes is not None and spikes.num_rows:
        neuron = spikes["neuron"].to_numpy()
        time = spikes["time"]
        valid = (
            np.ones(len(neuron), bool)
            if time.null_count == 0
            else pc.is_valid(time).to_numpy(zero_copy_only=False)
        )
        times = time.to_numpy(zero_copy_only=False)
        order = np.argsort(neuron, kind="stable")
        neuron, times, valid = neuron[order], times[order], valid[order]
        starts = np.flatnonzero(np.r_[True, neuron[1:] != neuron[:-1]])
        stops = np.r_[starts[1:], len(neuron)]
        trains = []
        for a, b in zip(starts, stops, strict=True):
            index = int(neuron[a])
            sel = times[a:b][valid[a:b]]
            st = neo.SpikeTrain(sel, units=pq.ms, t_start=t_start, t_stop=t_stop, copy=None)
            st.annotate(source_population=sheet, source_index=index, **meta)
            if ids is not None and index < len(ids):
                st.annotate(channel_id=int(ids[index]))
            trains.append(st)
        attach_spiketrains(seg, trains)
    if analog is not None and analog.num_rows:
        for variable in ordered_unique(analog["variable"]):
            part = analog.filter(pc.equal(analog["variable"], variable)).sort_by("neuron")
            values = stack_lists(part["values"], f"{variable!r} of {sheet!r}")
            neurons = part["neuron"].to_numpy()
            sig = neo.AnalogSignal(
                values.T,
                units=parse_units(part["units"][0].as_py()),
                t_start=part["t_start"][0].as_py() * pq.ms,
                sampling_period=part["sampling_period"][0].as_py() * pq.ms,
                name=variable,
                array_annotations={"channel_index": neurons.astype(np.int64)},
            )
            sig.annotate(source_population=sheet, **meta)
            if ids is not None and len(neurons) and neurons.max() < len(ids):
                sig.annotate(channel_ids=ids[neurons].astype(np.int64))
            seg.analogsignals.append(sig)
    return seg
