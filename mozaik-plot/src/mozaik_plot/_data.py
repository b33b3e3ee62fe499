"""Reading what plots draw from a datastore view, as numpy arrays grouped by stimulus."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from mozaik.ads import AnalysisDataStructure
from mozaik.datastore import param_filter_query

if TYPE_CHECKING:
    from mozaik.datastore import DataStoreView

__all__ = ["StimulusSegments", "StimulusSpikes", "analog_neurons", "narrow_to", "results_of",
           "stimulus_segments", "stimulus_spikes", "stimulus_traces"]


@attrs.frozen
class StimulusSegments:
    """The real (non-blank) segments of one sheet showing one stimulus, by trial.

    ``segment_id``, ``trial`` and ``t_start`` (ms) are arrays ordered by trial;
    ``duration_ms`` is the longest segment; ``n_neurons`` the sheet's size.
    """

    stimulus: str
    sheet: str
    segment_id: np.ndarray
    trial: np.ndarray
    t_start: np.ndarray
    duration_ms: float
    n_neurons: int


@attrs.frozen
class StimulusSpikes:
    """Spikes of one sheet during one stimulus: ``neuron``, ``trial_index`` (0..n_trials-1)
    and ``time_ms`` relative to each presentation's onset."""

    segments: StimulusSegments
    neuron: np.ndarray
    trial_index: np.ndarray
    time_ms: np.ndarray


def stimulus_segments(view: DataStoreView, sheet: str) -> list[StimulusSegments]:
    """Segments of ``sheet`` in ``view`` grouped by stimulus, in order of first presentation."""
    t = view.segment_index
    if t.num_rows == 0:
        return []
    t = t.filter(pc.and_(pc.equal(t["sheet_name"], sheet), pc.invert(t["is_null"])))
    if t.num_rows == 0:
        return []
    t = t.sort_by([("segment_id", "ascending")])
    stim = np.asarray(t["stimulus_id"].to_pylist(), dtype=object)
    seg = t["segment_id"].to_numpy()
    trial = t["trial"].to_numpy()
    start = t["t_start"].to_numpy()
    stop = t["t_stop"].to_numpy()
    n = int(np.max(t["n_spiketrains"].to_numpy(zero_copy_only=False)))
    out = []
    for name in dict.fromkeys(stim.tolist()):
        m = np.flatnonzero(stim == name)
        m = m[np.argsort(trial[m], kind="stable")]
        out.append(StimulusSegments(str(name), sheet, seg[m], trial[m], start[m],
                                    float(np.max(stop[m] - start[m])), n))
    return out


def stimulus_spikes(view: DataStoreView, sheet: str) -> list[StimulusSpikes]:
    """Spikes of ``sheet`` per stimulus (one read of the sheet's spikes, grouped in numpy)."""
    groups = stimulus_segments(view, sheet)
    if not groups:
        return []
    arrays = view.spike_arrays(sheet)
    if not len(arrays.times):
        return [StimulusSpikes(g, arrays.neuron, np.empty(0, np.int64), arrays.times)
                for g in groups]
    # segment id -> (group, trial position): one gather over the spikes, no search
    top = int(max(arrays.segment_id.max(), max(int(g.segment_id.max()) for g in groups))) + 1
    group_of = np.full(top, -1, np.int64)
    trial_of = np.zeros(top, np.int64)
    for k, g in enumerate(groups):
        group_of[g.segment_id] = k
        trial_of[g.segment_id] = np.arange(len(g.segment_id))
    spike_group = group_of[arrays.segment_id]
    out = []
    for k, g in enumerate(groups):
        if len(groups) == 1 and (spike_group == 0).all():
            neuron, seg, times = arrays.neuron, arrays.segment_id, arrays.times
        else:
            hit = spike_group == k
            neuron, seg, times = arrays.neuron[hit], arrays.segment_id[hit], arrays.times[hit]
        index = trial_of[seg]
        start = g.t_start[0] if len(g.t_start) == 1 else g.t_start[index]
        out.append(StimulusSpikes(g, neuron, index, times - start))
    return out


def stimulus_traces(view: DataStoreView, group: StimulusSegments, variable: str,
                    neuron: int) -> tuple[np.ndarray, np.ndarray, str] | None:
    """Traces of ``variable`` of one neuron over the trials of ``group``.

    Returns ``(time_ms, traces (n_trials, n_samples), units)`` with time relative to onset,
    or None if that neuron's variable is not recorded there.
    """
    view = narrow_to(view, group)
    if variable not in _variables(view, group.sheet):
        return None
    arrays = view.analog_arrays(group.sheet, variable)
    keep = np.isin(arrays.segment_id, group.segment_id) & (arrays.neuron == neuron)
    if not keep.any():
        return None
    rows = np.flatnonzero(keep)
    order = np.argsort(np.searchsorted(group.segment_id, arrays.segment_id[rows]))
    rows = rows[order]
    first = int(np.flatnonzero(group.segment_id == arrays.segment_id[rows[0]])[0])
    offset = float(arrays.t_start[rows[0]] - group.t_start[first])
    n = arrays.values.shape[1]
    time = offset + np.arange(n) * arrays.sampling_period
    return time, arrays.values[rows], arrays.units


def _variables(view: DataStoreView, sheet: str) -> set[str]:
    t = view.segment_index
    t = t.filter(pc.equal(t["sheet_name"], sheet))
    return set(pc.list_flatten(t["variables"]).to_pylist()) if t.num_rows else set()


def narrow_to(view: DataStoreView, group: StimulusSegments) -> DataStoreView:
    """``view`` reduced to the segments of ``group`` (and no analysis results)."""
    t = view.segment_index
    keep = pc.is_in(t["segment_id"], value_set=pa.array(group.segment_id, pa.int64()))
    return view.derive(t.filter(keep), view.analysis_index.slice(0, 0))


def analog_neurons(view: DataStoreView, sheet: str, variable: str) -> np.ndarray:
    """Sorted neuron indices of ``sheet`` with ``variable`` recorded during its first stimulus."""
    groups = stimulus_segments(view, sheet)
    if not groups:
        return np.empty(0, np.int64)
    view = narrow_to(view, groups[0])
    if variable not in _variables(view, sheet):
        return np.empty(0, np.int64)
    return np.unique(view.analog_arrays(sheet, variable).neuron)


def results_of(view: DataStoreView, identifier: str,
               **query: Any) -> Sequence[AnalysisDataStructure]:
    """Results of ADS class ``identifier`` in ``view`` matching ``query`` (storage order)."""
    if view.n_analysis_results == 0:
        return []
    ids = set(view.analysis_index["identifier"].to_pylist())
    if identifier not in ids:
        return []
    return param_filter_query(view, identifier=identifier, **query).analysis_results()
