"""Analog recordings (Vm, conductances) of one sheet and stimulus as arrays."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from mozaik import DataStoreError
from mozaik.datastore import AnalogArrays, DataStoreView
from mozaik.stimulus import StimulusIdentity

from mozaik_analysis._common import Presentations, fail, presentations

__all__ = ["StimulusTraces", "stimulus_traces", "trial_mean"]


@attrs.frozen(kw_only=True, eq=False)
class StimulusTraces:
    """The traces of one variable of one sheet over the presentations of one stimulus.

    Attributes
    ----------
    stimulus : StimulusIdentity
        The stimulus, without ``trial``.
    arrays : AnalogArrays
        The traces (one row per neuron and presentation).
    onset_ms : float64 array of shape (n_traces,), ms
        Onset of the presentation of each trace (absolute time).
    presentations : Presentations
        The sheet's presentations that recorded the variable.
    """

    stimulus: StimulusIdentity
    arrays: AnalogArrays
    onset_ms: np.ndarray
    presentations: Presentations


def stimulus_traces(view: DataStoreView, sheet: str, variable: str,
                    analysis: str) -> Iterator[StimulusTraces]:
    """Yield the traces of ``variable`` of ``sheet``, one stimulus at a time."""
    pres = presentations(view, sheet, variable)
    seg = view.segment_index
    for k, sid in enumerate(pres.stimuli):
        ids = pres.segment_id[pres.rows_of(k)]
        rows = seg.filter(pc.is_in(seg["segment_id"], value_set=pa.array(ids, pa.int64())))
        try:
            arrays = view.derive(rows, None).analog_arrays(sheet, variable)
        except DataStoreError as exc:
            fail(analysis, f"{variable!r} of sheet {sheet!r} for {sid!r}: {exc}")
        onset = pres.t_start[np.searchsorted(pres.segment_id, arrays.segment_id)]
        yield StimulusTraces(stimulus=sid, arrays=arrays, onset_ms=onset, presentations=pres)


def trial_mean(traces: StimulusTraces) -> tuple[np.ndarray, np.ndarray, float]:
    """Trial average per neuron: (neurons ascending, mean of shape (n, n_samples), t0 in ms).

    ``t0`` is the first sample's time relative to the onset (that of the earliest trace).
    """
    a = traces.arrays
    neurons, inverse = np.unique(a.neuron, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(inverse[order]) != 0])
    sums = np.add.reduceat(a.values[order], starts, axis=0)
    counts = np.diff(np.r_[starts, len(order)])
    t0 = float(np.min(a.t_start - traces.onset_ms))
    return neurons.astype(np.int64), sums / counts[:, None], t0
