"""Turning a presentation's neo segments into the datastore's plain-array records, fast.

PyNN hands spikes over as a neo ``SpikeTrainList`` that holds two flat arrays (neuron id and
time of every spike). Iterating it builds one ``neo.SpikeTrain`` per neuron, which for 10,000
neurons costs about a second per presentation, more than writing the data. When the list still
holds its flat arrays, the spikes are taken from them directly (``multiplexed``); everything
else (analog signals, spike trains built one by one) goes through the datastore's own
:func:`~mozaik.datastore.sheet_recording_from_segment`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import neo
import numpy as np
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList

from mozaik.datastore import SheetRecording, sheet_recording_from_segment

__all__ = ["segments_to_recordings"]


def _ms(value: Any) -> float:
    return float(pq.Quantity(value).rescale(pq.ms).magnitude)


def _flat_spikes(spiketrains: Any) -> tuple[np.ndarray, np.ndarray, float, float] | None:
    """(ids, times in ms, t_start, t_stop) if ``spiketrains`` still holds flat arrays."""
    if not isinstance(spiketrains, SpikeTrainList):
        return None
    # only a list built from arrays (as PyNN builds it) maps spikes to PyNN ids; one built
    # from SpikeTrain objects numbers its channels by position instead
    if getattr(spiketrains, "_items", None) is not None:
        return None
    if getattr(spiketrains, "_spike_time_array", None) is None:
        return None
    ids, times = spiketrains.multiplexed
    times_ms = np.asarray(pq.Quantity(times).rescale(pq.ms).magnitude, dtype=np.float64)
    return (np.asarray(ids, dtype=np.int64), times_ms, _ms(spiketrains.t_start),
            _ms(spiketrains.t_stop))


def segments_to_recordings(segments: Mapping[str, neo.Segment],
                           id_to_index: Callable[[str, np.ndarray], np.ndarray],
                           ) -> dict[str, SheetRecording]:
    """Convert one presentation's segments (sheet name -> neo.Segment) to SheetRecordings.

    Parameters
    ----------
    segments : mapping of str to neo.Segment
        What ``model.collect()`` returned.
    id_to_index : callable
        ``id_to_index(sheet, pynn_ids) -> indices``: the neuron's index within its sheet.
    """
    out = {}
    for sheet, segment in segments.items():
        flat = _flat_spikes(segment.spiketrains)
        if flat is None:
            out[sheet] = sheet_recording_from_segment(segment, sheet)
            continue
        ids, times, t_start, t_stop = flat
        recorded = id_to_index(sheet, np.asarray(segment.spiketrains.all_channel_ids,
                                                 dtype=np.int64))
        neurons = id_to_index(sheet, ids) if len(ids) else np.empty(0, np.int64)
        spikes = {"spike_neurons": neurons, "spike_times": times, "spike_recorded": recorded}
        if segment.analogsignals:
            signals_only = neo.Segment()
            signals_only.analogsignals = list(segment.analogsignals)
            base = sheet_recording_from_segment(signals_only, sheet)
            out[sheet] = attrs.evolve(base, t_start=min(base.t_start, t_start),
                                      t_stop=max(base.t_stop, t_stop), **spikes)
        else:
            out[sheet] = SheetRecording(t_start=t_start, t_stop=t_stop, **spikes)
    return out
