"""Analog recordings (Vm, conductances) of one sheet and stimulus, read one presentation at a
time and reduced as they are read."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from mozaik import DataStoreError
from mozaik.datastore import AnalogArrays, DataStoreView

from mozaik_analysis._common import Presentations, fail, presentations

__all__ = ["StimulusTraces", "stimulus_traces", "trial_mean"]


class StimulusTraces:
    """The traces of one variable of one sheet over the presentations of one stimulus.

    Iterating reads them one presentation at a time (an :class:`~mozaik.datastore.AnalogArrays`
    of that presentation's traces each), so only one presentation's traces are in memory.

    Attributes
    ----------
    stimulus : StimulusIdentity
        The stimulus, without ``trial``.
    presentations : Presentations
        The sheet's presentations that recorded the variable.
    rows : int64 array
        The rows of ``presentations`` of this stimulus, in order.
    """

    def __init__(self, view: DataStoreView, sheet: str, variable: str, analysis: str,
                 pres: Presentations, k: int) -> None:
        self.stimulus = pres.stimuli[k]
        self.presentations = pres
        self.rows = pres.rows_of(k)
        self._view, self._sheet, self._variable, self._analysis = view, sheet, variable, analysis

    def __iter__(self) -> Iterator[tuple[AnalogArrays, float]]:
        """Yield (traces, onset ms) of each presentation, in order."""
        seg = self._view.segment_index
        first: AnalogArrays | None = None
        for row in self.rows:
            sid = int(self.presentations.segment_id[row])
            rows = seg.filter(pc.equal(seg["segment_id"], pa.scalar(sid, pa.int64())))
            try:
                arrays = self._view.derive(rows, None).analog_arrays(self._sheet, self._variable)
            except DataStoreError as exc:
                fail(self._analysis, f"{self._variable!r} of sheet {self._sheet!r} for "
                                     f"{self.stimulus!r}: {exc}")
            if first is None:
                first = arrays
            elif (arrays.sampling_period != first.sampling_period
                  or arrays.units != first.units
                  or arrays.values.shape[1] != first.values.shape[1]):
                fail(self._analysis, f"{self._variable!r} of sheet {self._sheet!r} for "
                                     f"{self.stimulus!r} was recorded with several sampling "
                                     f"periods ({first.sampling_period}, "
                                     f"{arrays.sampling_period} ms), units ({first.units}, "
                                     f"{arrays.units}) or trace lengths "
                                     f"({first.values.shape[1]}, {arrays.values.shape[1]}); "
                                     f"narrow the view first (param_filter_query)")
            yield arrays, float(self.presentations.t_start[row])


def stimulus_traces(view: DataStoreView, sheet: str, variable: str,
                    analysis: str) -> Iterator[StimulusTraces]:
    """Yield the traces of ``variable`` of ``sheet``, one stimulus at a time (each read one
    presentation at a time as it is iterated)."""
    pres = presentations(view, sheet, variable)
    for k in range(len(pres.stimuli)):
        yield StimulusTraces(view, sheet, variable, analysis, pres, k)


class NeuronSums:
    """Per-neuron running sums of rows of equal width, neurons added as they come."""

    def __init__(self, width: int) -> None:
        self.neurons = np.empty(0, np.int64)
        self.sums = np.zeros((0, width))
        self.counts = np.zeros(0, np.int64)

    def slots(self, neurons: np.ndarray) -> np.ndarray:
        """Rows of ``neurons`` (sheet indices), new ones added with zero sums."""
        union = np.union1d(self.neurons, neurons).astype(np.int64)
        if len(union) != len(self.neurons):
            sums = np.zeros((len(union), self.sums.shape[1]))
            counts = np.zeros(len(union), np.int64)
            at = np.searchsorted(union, self.neurons)
            sums[at], counts[at] = self.sums, self.counts
            self.neurons, self.sums, self.counts = union, sums, counts
        return np.searchsorted(self.neurons, neurons)


def trial_mean(traces: StimulusTraces) -> tuple[np.ndarray, np.ndarray, float, AnalogArrays]:
    """Trial average per neuron: (neurons ascending, mean of shape (n, n_samples), t0 in ms,
    the first presentation's traces (for units and sampling period)).

    Each neuron's traces are summed as ``np.add.reduceat`` over all of them in order of
    presentation sums them (the first trace plus the running sum of the others), so the mean
    is the one of the whole-stimulus computation, bit for bit. ``t0`` is the first sample's
    time relative to the onset (that of the earliest trace).
    """
    first: NeuronSums | None = None
    rest: NeuronSums | None = None
    head: AnalogArrays | None = None
    t0 = np.inf
    for a, onset in traces:
        if first is None or rest is None:
            first, rest, head = NeuronSums(a.values.shape[1]), NeuronSums(a.values.shape[1]), a
        slot = first.slots(a.neuron)
        rest.slots(a.neuron)  # the same neurons, hence the same rows
        seen = first.counts[slot] > 0
        if len(np.unique(slot)) != len(slot):  # a neuron twice in one presentation
            for j, s in enumerate(slot):
                _add_trace(first, rest, int(s), a.values[j])
        else:
            new, old = slot[~seen], slot[seen]
            first.sums[new] = a.values[~seen]
            rest.sums[old] += a.values[seen]
            first.counts[slot] += 1
        t0 = min(t0, float(np.min(a.t_start - onset)))
    assert first is not None and rest is not None and head is not None  # a presentation each
    return first.neurons, (first.sums + rest.sums) / first.counts[:, None], t0, head


def _add_trace(first: NeuronSums, rest: NeuronSums, slot: int, values: np.ndarray) -> None:
    if first.counts[slot] == 0:
        first.sums[slot] = values
    else:
        rest.sums[slot] += values
    first.counts[slot] += 1
