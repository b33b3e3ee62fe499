"""Spike-triggered average of analog signals (conductances by default)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import neo
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import quantities as pq
from mozaik import DataStoreError
from mozaik.ads import AnalogSignalList, AnalysisDataStructure, parse_units
from mozaik.analysis import Analysis
from mozaik.config import positive
from mozaik.datastore import AnalogArrays, DataStoreView
from mozaik.stimulus import StimulusIdentity

from mozaik_analysis._common import (
    SpikeWindowParams,
    fail,
    presentations,
    sheets_with,
    spike_sheets,
    spike_stream,
    to_tuple,
)

__all__ = ["SpikeTriggeredAverage", "SpikeTriggeredAverageParams"]




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
            out.extend(self._sheet(view, sheet, variables))
        if not out:
            fail(self.name, f"needs spikes and {list(p.variables)} recorded on one sheet; "
                            f"sheets with spikes: {sheets_with(view, 'spikes')}")
        return out

    def _sheet(self, view: DataStoreView, sheet: str,
               variables: list[str]) -> list[AnalysisDataStructure]:
        """The STAs of one sheet: one pass over its presentations, each one's spikes and
        traces read together and added to its stimulus's sums (nothing else in memory)."""
        pres = presentations(view, sheet)
        stream = spike_stream(view, pres, SpikeWindowParams(), self.name)
        # per variable: its stimuli in order of first presentation, the segments recording it
        traced = {v: presentations(view, sheet, v) for v in variables}
        recorded = {v: set(t.segment_id.tolist()) for v, t in traced.items()}
        sums: dict[tuple[str, str], _Sums] = {}
        seg = view.segment_index
        for spikes in stream:
            i = spikes.row
            segment_id = int(pres.segment_id[i])
            here = [v for v in variables if segment_id in recorded[v]]
            if not here:
                continue
            rows = seg.filter(pc.equal(seg["segment_id"], pa.scalar(segment_id, pa.int64())))
            stimulus = pres.stimuli[pres.group[i]]
            try:
                arrays = view.derive(rows, None).analog_arrays_of(sheet, here)
            except DataStoreError as exc:
                fail(self.name, f"{here!r} of sheet {sheet!r} for {stimulus!r}: {exc}")
            # absolute spike times, as onset + time in the window
            absolute = pres.t_start[i] + spikes.time_ms
            neuron = stream.neurons[spikes.neuron]
            for variable in here:
                key = (variable, stimulus.to_string())
                if key not in sums:
                    sums[key] = _Sums(arrays[variable], self.params.window_ms)
                sums[key].add(arrays[variable], absolute, neuron, variable, stimulus,
                              self.name)
        out: list[AnalysisDataStructure] = []
        for variable in variables:
            for stimulus in traced[variable].stimuli:
                acc = sums.get((variable, stimulus.to_string()))
                if acc is not None:
                    out.append(self._result(sheet, variable, stimulus, acc))
        return out

    def _result(self, sheet: str, variable: str, stimulus: StimulusIdentity,
                acc: _Sums) -> AnalogSignalList:
        with np.errstate(invalid="ignore", divide="ignore"):
            sta = (acc.sums / acc.counts).reshape(len(acc.neurons), len(acc.offsets))
        units = parse_units(acc.units)
        dt = acc.dt
        signals = [neo.AnalogSignal(row, units=units, t_start=-acc.half * dt * pq.ms,
                                    sampling_period=dt * pq.ms, name=f"STA({variable})")
                   for row in sta]
        return AnalogSignalList(
            analysis_algorithm=self.name, sheet_name=sheet, stimulus_id=stimulus,
            signals=signals, ids=acc.neurons, y_axis_name=f"STA({variable})",
            y_axis_units=units, tags=self.params.tags)


class _Sums:
    """Running sums and counts of one variable's samples around the spikes of one stimulus,
    per neuron (with a trace) and offset; neurons are added as presentations bring them."""

    def __init__(self, first: AnalogArrays, window_ms: float) -> None:
        self.dt = first.sampling_period
        self.units = first.units
        self.half = round(window_ms / self.dt)
        self.offsets = np.arange(-self.half, self.half + 1)
        self.neurons = np.empty(0, np.int64)
        self.sums = np.zeros(0)
        self.counts = np.zeros(0)

    def _grow(self, neurons: np.ndarray) -> None:
        union = np.union1d(self.neurons, neurons).astype(np.int64)
        if len(union) == len(self.neurons):
            return
        width = len(self.offsets)
        sums = np.zeros((len(union), width))
        counts = np.zeros((len(union), width))
        at = np.searchsorted(union, self.neurons)
        sums[at] = self.sums.reshape(-1, width)
        counts[at] = self.counts.reshape(-1, width)
        self.neurons, self.sums, self.counts = union, sums.ravel(), counts.ravel()

    def add(self, a: AnalogArrays, absolute: np.ndarray, neuron: np.ndarray, variable: str,
            stimulus: StimulusIdentity, analysis: str) -> None:
        """Add the samples of the traces ``a`` (one presentation) around its spikes (absolute
        times ms, their neurons' sheet indices), in the order of the spikes."""
        if a.sampling_period != self.dt or a.units != self.units:
            fail(analysis, f"{variable!r} of {stimulus!r} was recorded with several sampling "
                           f"periods ({self.dt}, {a.sampling_period} ms) or units "
                           f"({self.units}, {a.units}); narrow the view first")
        self._grow(a.neuron)
        # the trace of each spike's neuron; spikes of neurons without one are skipped
        order = np.argsort(a.neuron)
        pos = np.minimum(np.searchsorted(a.neuron[order], neuron), len(order) - 1)
        has = a.neuron[order][pos] == neuron
        trace = order[pos[has]]
        centre = np.rint((absolute[has] - a.t_start[trace]) / self.dt).astype(np.int64)
        slot = np.searchsorted(self.neurons, a.neuron[trace])
        idx = centre[:, None] + self.offsets[None, :]
        ok = (idx >= 0) & (idx < a.values.shape[1])
        rows = np.broadcast_to(trace[:, None], idx.shape)[ok]
        flat = slot[:, None] * len(self.offsets) + np.arange(len(self.offsets))[None, :]
        flat = np.broadcast_to(flat, idx.shape)[ok]
        np.add.at(self.sums, flat, a.values[rows, idx[ok]])  # in order, as one bincount
        self.counts += np.bincount(flat, minlength=len(self.counts))
