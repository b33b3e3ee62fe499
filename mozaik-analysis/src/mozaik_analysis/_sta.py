"""Spike-triggered average of analog signals (conductances by default)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import neo
import numpy as np
import quantities as pq
from mozaik.ads import AnalogSignalList, AnalysisDataStructure, parse_units
from mozaik.analysis import Analysis
from mozaik.config import positive
from mozaik.datastore import DataStoreView

from mozaik_analysis._common import (
    SpikeWindowParams,
    WindowedSpikes,
    fail,
    presentations,
    sheets_with,
    spike_sheets,
    to_tuple,
    windowed_spikes,
)
from mozaik_analysis._signals import StimulusTraces, stimulus_traces

__all__ = ["SpikeTriggeredAverage", "SpikeTriggeredAverageParams"]

_CHUNK = 1 << 16



@attrs.frozen(kw_only=True)
class SpikeTriggeredAverageParams:
    """Parameters of :class:`SpikeTriggeredAverage`.

    Parameters
    ----------
    window_ms : float, ms
        The average spans ``[-window_ms, +window_ms]`` around each spike.
    variables : sequence of str
        Recorded analog variables to average (default the two conductances).
    sheet_names : sequence of str
        Sheets; empty (the default): every sheet with spikes and the variables recorded.
    tags : sequence of str
        Tags added to every result.
    """

    window_ms: float = attrs.field(default=50.0, validator=positive)
    variables: tuple[str, ...] = attrs.field(default=("gsyn_exc", "gsyn_inh"),
                                             converter=to_tuple)
    sheet_names: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class SpikeTriggeredAverage(Analysis[SpikeTriggeredAverageParams]):
    """Average of each neuron's own analog signal around its spikes, per stimulus.

    Returns one AnalogSignalList per sheet, stimulus and variable (``y_axis_name``
    "STA(<variable>)", the signal's units, time from ``-window_ms`` relative to the spike), one
    signal per neuron with the variable recorded. A sample a spike's window reaches outside its
    trace is left out of that offset's average; a neuron without spikes gets NaN.
    """

    name = "SpikeTriggeredAverage"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for sheet in spike_sheets(view, self.name, p.sheet_names):
            variables = [v for v in p.variables if sheet in sheets_with(view, v)]
            if not variables:
                if p.sheet_names:
                    fail(self.name, f"needs {list(p.variables)} recorded on sheet {sheet!r}")
                continue
            pres = presentations(view, sheet)
            spikes = windowed_spikes(view, pres, SpikeWindowParams(), self.name)
            absolute = pres.t_start[spikes.row] + spikes.time_ms
            for variable in variables:
                for tr in stimulus_traces(view, sheet, variable, self.name):
                    out.append(self._one(sheet, variable, tr, spikes, absolute,
                                         pres.segment_id))
        if not out:
            fail(self.name, f"needs spikes and {list(p.variables)} recorded on one sheet; "
                            f"sheets with spikes: {sheets_with(view, 'spikes')}")
        return out

    def _one(self, sheet: str, variable: str, tr: StimulusTraces, spikes: WindowedSpikes,
             absolute: np.ndarray, segment_ids: np.ndarray) -> AnalogSignalList:
        a = tr.arrays
        dt = a.sampling_period
        half = round(self.params.window_ms / dt)
        offsets = np.arange(-half, half + 1)
        neurons = np.unique(a.neuron).astype(np.int64)
        # trace of each (segment, neuron); spikes of neurons/segments without one are skipped
        trace_key = a.segment_id * (1 << 32) + a.neuron
        order = np.argsort(trace_key)
        spike_key = segment_ids[spikes.row] * (1 << 32) + spikes.neurons[spikes.neuron]
        pos = np.minimum(np.searchsorted(trace_key[order], spike_key), len(order) - 1)
        has = trace_key[order][pos] == spike_key
        trace = order[pos[has]]
        centre = np.rint((absolute[has] - a.t_start[trace]) / dt).astype(np.int64)
        slot = np.searchsorted(neurons, a.neuron[trace])
        sums = np.zeros(len(neurons) * len(offsets))
        counts = np.zeros_like(sums)
        n_samples = a.values.shape[1]
        for lo in range(0, len(trace), _CHUNK):
            idx = centre[lo:lo + _CHUNK, None] + offsets[None, :]
            ok = (idx >= 0) & (idx < n_samples)
            rows = np.broadcast_to(trace[lo:lo + _CHUNK, None], idx.shape)[ok]
            flat = (slot[lo:lo + _CHUNK, None] * len(offsets)
                    + np.arange(len(offsets))[None, :])
            flat = np.broadcast_to(flat, idx.shape)[ok]
            sums += np.bincount(flat, weights=a.values[rows, idx[ok]], minlength=len(sums))
            counts += np.bincount(flat, minlength=len(sums))
        with np.errstate(invalid="ignore", divide="ignore"):
            sta = (sums / counts).reshape(len(neurons), len(offsets))
        units = parse_units(a.units)
        signals = [neo.AnalogSignal(row, units=units, t_start=-half * dt * pq.ms,
                                    sampling_period=dt * pq.ms, name=f"STA({variable})")
                   for row in sta]
        return AnalogSignalList(
            analysis_algorithm=self.name, sheet_name=sheet, stimulus_id=tr.stimulus,
            signals=signals, ids=neurons, y_axis_name=f"STA({variable})", y_axis_units=units,
            tags=self.params.tags)
