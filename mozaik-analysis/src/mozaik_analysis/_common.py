"""What the analyses share: errors, parameter bases, presentations and spikes as arrays.

Everything here works on the datastore's columnar arrays (``DataStoreView.segment_index`` and
``DataStoreView.spike_arrays``); nothing loops over spike trains in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from mozaik import AnalysisError
from mozaik.config import non_negative, positive
from mozaik.datastore import DataStoreView, spike_bin
from mozaik.stimulus import StimulusIdentity

__all__ = [
    "Presentations",
    "SpikeWindowParams",
    "WindowedSpikes",
    "count_matrix",
    "count_moments",
    "fail",
    "int_tuple",
    "presentations",
    "sample_of_spikes",
    "select_neurons",
    "sheets_with",
    "recorded_neurons",
    "spike_sheets",
    "to_tuple",
    "windowed_spikes",
]


def fail(analysis: str, what: str) -> NoReturn:
    """Raise :class:`mozaik.AnalysisError` naming the analysis and what it needs."""
    msg = f"{analysis}: {what}"
    raise AnalysisError(msg)


def to_tuple(value: Any) -> tuple[Any, ...]:
    """attrs converter: a string becomes a 1-tuple, any other iterable a tuple."""
    return (value,) if isinstance(value, str) else tuple(value)


def int_tuple(value: Iterable[Any]) -> tuple[int, ...]:
    """attrs converter: a tuple of ints."""
    return tuple(int(v) for v in value)


@attrs.frozen(kw_only=True)
class SpikeWindowParams:
    """Parameters every spike analysis shares.

    Parameters
    ----------
    sheet_names : sequence of str
        Sheets to analyse; empty (the default): every sheet of the view with spike recordings.
    start_ms : float, ms
        Start of the analysis window, relative to each presentation's onset.
    stop_ms : float or None, ms
        End of the window relative to the onset; None: the presentation's end. The window is
        ``(start_ms, stop_ms]``, open at the start and closed at the end like the segments of
        the store (``(t_start, t_stop]``; :func:`mozaik.datastore.spike_bin`): NEST stamps a
        spike with the end of its time step, so a spike exactly on an edge belongs to the
        span that ends there. The default window holds every stored spike once, and
        consecutive windows (and counting bins) never share a spike.
    tags : sequence of str
        Tags added to every result.
    """

    sheet_names: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    start_ms: float = attrs.field(default=0.0, validator=non_negative)
    stop_ms: float | None = attrs.field(default=None, validator=positive)
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)

    def __attrs_post_init__(self) -> None:
        if self.stop_ms is not None and self.stop_ms <= self.start_ms:
            msg = f"stop_ms ({self.stop_ms}) must be greater than start_ms ({self.start_ms})"
            raise ValueError(msg)


@attrs.frozen(kw_only=True, eq=False)
class Presentations:
    """The non-blank segments of one sheet in a view, as arrays (one entry per segment).

    Attributes
    ----------
    sheet : str
        The sheet.
    segment_id, trial : int64 arrays of shape (n,)
        Segment id and trial number, ascending segment id.
    t_start, t_stop : float64 arrays of shape (n,), ms
        Time span of each presentation (absolute simulation time).
    n_spiketrains : int64 array of shape (n,)
        Number of neurons whose spikes each segment recorded.
    group : int64 array of shape (n,)
        Index into ``stimuli`` of each segment's stimulus.
    stimuli : list of StimulusIdentity
        Distinct stimuli without their ``trial`` parameter, in order of first presentation.
    """

    sheet: str
    segment_id: np.ndarray
    trial: np.ndarray
    t_start: np.ndarray
    t_stop: np.ndarray
    n_spiketrains: np.ndarray
    group: np.ndarray
    stimuli: list[StimulusIdentity]

    @property
    def n(self) -> int:
        return len(self.segment_id)

    def rows_of(self, k: int) -> np.ndarray:
        """Row indices of the presentations of stimulus ``k``."""
        return np.flatnonzero(self.group == k)


def _has_variable(table: pa.Table, variable: str) -> np.ndarray:
    col = table["variables"].combine_chunks()
    flat = pc.list_flatten(col)
    parents = pc.list_parent_indices(col).to_numpy()
    hit = pc.fill_null(pc.equal(flat, variable), False).to_numpy(zero_copy_only=False)
    out = np.zeros(table.num_rows, bool)
    out[parents[hit]] = True
    return out


def _sheet_rows(view: DataStoreView, sheet: str | None, variable: str) -> pa.Table:
    t = view.segment_index
    if t.num_rows == 0:
        return t
    mask = pc.equal(t["is_null"], False)
    if sheet is not None:
        mask = pc.and_(mask, pc.equal(t["sheet_name"], sheet))
    t = t.filter(mask)
    return t.filter(pa.array(_has_variable(t, variable))) if t.num_rows else t


def sheets_with(view: DataStoreView, variable: str) -> list[str]:
    """Sorted sheets of ``view`` with ``variable`` recorded in some non-blank segment."""
    t = _sheet_rows(view, None, variable)
    return sorted(set(t["sheet_name"].to_pylist())) if t.num_rows else []


def spike_sheets(view: DataStoreView, analysis: str, wanted: Sequence[str] = (),
                 variable: str = "spikes") -> list[str]:
    """Sheets of ``view`` with ``variable`` recorded in non-blank segments (``wanted`` only).

    Raises
    ------
    AnalysisError
        If there is none, or a wanted sheet has no such recordings.
    """
    have = sheets_with(view, variable)
    missing = [s for s in wanted if s not in have]
    if missing or not have:
        fail(analysis, f"needs {variable!r} recordings of stimulus presentations (non-blank "
                       f"segments); the view has them for sheets {have or 'none'}"
                       + (f", not for {missing}" if missing else ""))
    return [s for s in have if not wanted or s in wanted]


def presentations(view: DataStoreView, sheet: str, variable: str = "spikes") -> Presentations:
    """The non-blank segments of ``sheet`` in ``view`` that recorded ``variable``."""
    t = _sheet_rows(view, sheet, variable).sort_by("segment_id")
    keys: dict[str, int] = {}
    stimuli: list[StimulusIdentity] = []
    by_text: dict[str, int] = {}
    group = np.empty(t.num_rows, np.int64)
    for i, text in enumerate(t["stimulus_id"].to_pylist()):
        if text not in by_text:  # parse each distinct identity once
            sid = StimulusIdentity.from_string(text).without("trial")
            key = sid.to_string()
            if key not in keys:
                keys[key] = len(stimuli)
                stimuli.append(sid)
            by_text[text] = keys[key]
        group[i] = by_text[text]

    def col(name: str, dtype: Any) -> np.ndarray:
        return np.asarray(t[name].to_numpy(zero_copy_only=False), dtype=dtype)

    return Presentations(
        sheet=sheet, segment_id=col("segment_id", np.int64), trial=col("trial", np.int64),
        t_start=col("t_start", np.float64), t_stop=col("t_stop", np.float64),
        n_spiketrains=col("n_spiketrains", np.int64), group=group, stimuli=stimuli,
    )


def recorded_neurons(view: DataStoreView, pres: Presentations, spiking: np.ndarray) -> np.ndarray:
    """Sheet indices (ascending) of the neurons whose spikes were recorded.

    Silent recorded neurons count (their rate is 0, not missing). When every segment recorded
    the whole sheet this is ``arange(n)``; otherwise the recorded set is read from the segment
    recording the most neurons; segments written without a recorded list give only the neurons
    in ``spiking`` (those that fired).
    """
    n_sheet = len(view.neuron_ids(pres.sheet))
    if pres.n and (pres.n_spiketrains == n_sheet).all():
        return np.arange(n_sheet, dtype=np.int64)
    if pres.n == 0 or pres.n_spiketrains.max() == 0:
        return np.unique(np.asarray(spiking, np.int64))
    best = int(np.argmax(pres.n_spiketrains))
    seg_index = view.segment_index
    row = seg_index.filter(pc.equal(seg_index["segment_id"], int(pres.segment_id[best])))
    segment = view.derive(row, None).get_segments(sheet=pres.sheet)[0]
    listed = [int(st.annotations["source_index"]) for st in segment.spiketrains]
    return np.unique(np.concatenate([np.asarray(listed, np.int64),
                                     np.asarray(spiking, np.int64)]))


@attrs.frozen(kw_only=True, eq=False)
class WindowedSpikes:
    """The spikes of one sheet inside each presentation's analysis window.

    Attributes
    ----------
    row : int64 array of shape (k,)
        Presentation (row of :class:`Presentations`) of each spike.
    neuron : int64 array of shape (k,)
        Position of each spike's neuron in ``neurons``.
    time_ms : float64 array of shape (k,), ms
        Spike time relative to the window's start, in ``(0, duration_ms]``.
    duration_ms : float64 array of shape (n,), ms
        Window length of each presentation.
    neurons : int64 array
        Sheet indices of the recorded neurons.
    """

    row: np.ndarray
    neuron: np.ndarray
    time_ms: np.ndarray
    duration_ms: np.ndarray
    neurons: np.ndarray


def windowed_spikes(view: DataStoreView, pres: Presentations, params: SpikeWindowParams,
                    analysis: str) -> WindowedSpikes:
    """Read the spikes of ``pres`` and keep those inside the analysis window (see params)."""
    spikes = view.spike_arrays(pres.sheet)
    length = pres.t_stop - pres.t_start
    stop = length if params.stop_ms is None else np.full(pres.n, float(params.stop_ms))
    too_long = np.flatnonzero(stop > length + 1e-9)
    if len(too_long):
        k = int(too_long[0])
        fail(analysis, f"stop_ms={params.stop_ms} is beyond the end of the presentation of "
                       f"{pres.stimuli[pres.group[k]]!r} on sheet {pres.sheet!r}, which lasts "
                       f"{length[k]} ms; lower stop_ms")
    if (stop <= params.start_ms).any():
        fail(analysis, f"start_ms={params.start_ms} leaves an empty window for a presentation "
                       f"of sheet {pres.sheet!r} lasting {length.min()} ms; lower start_ms")
    lut = np.full(int(max(pres.segment_id.max(), spikes.segment_id.max(initial=0))) + 1, -1,
                  np.int64)
    lut[pres.segment_id] = np.arange(pres.n)
    pos = lut[spikes.segment_id]
    known = pos >= 0
    if not known.all():
        pos = np.where(known, pos, 0)
    rel = spikes.times - (pres.t_start + params.start_ms)[pos]
    duration = stop - params.start_ms
    inside = known & (spike_bin(rel, duration[pos]) == 0)  # (start_ms, stop_ms]
    neurons = recorded_neurons(view, pres, spikes.neuron)
    every = bool(inside.all())  # the default window holds every stored spike: no copies
    neuron = (spikes.neuron if every else spikes.neuron[inside]).astype(np.int64)
    if len(neurons) and not (neurons[0] == 0 and neurons[-1] == len(neurons) - 1):
        neuron = np.searchsorted(neurons, neuron)
    return WindowedSpikes(
        row=pos if every else pos[inside],
        neuron=neuron,
        time_ms=rel if every else rel[inside],
        duration_ms=duration,
        neurons=neurons,
    )


def sample_of_spikes(spikes: WindowedSpikes, rows: np.ndarray,
                     bin_ms: float | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Counting sample of each spike of the presentations ``rows``.

    A sample is one presentation of ``rows`` (``bin_ms`` None) or one bin of ``bin_ms`` of
    one: every full bin ``(k * bin_ms, (k + 1) * bin_ms]`` of each window (times relative to
    the window's start, :func:`mozaik.datastore.spike_bin`); a remainder shorter than a bin is
    left out.

    Returns
    -------
    sample, neuron : int64 arrays of shape (k,)
        Sample and neuron position of each counted spike.
    n_samples : int
        Number of samples.
    """
    slot = np.full(len(spikes.duration_ms), -1, np.int64)
    slot[rows] = np.arange(len(rows))
    s = slot[spikes.row]
    keep = s >= 0
    if bin_ms is None:
        if keep.all():  # every presentation counted: no copies
            return s, spikes.neuron, len(rows)
        return s[keep], spikes.neuron[keep], len(rows)
    n_bins = np.floor(spikes.duration_ms[rows] / bin_ms + 1e-9).astype(np.int64)
    first = np.concatenate([[0], np.cumsum(n_bins)])
    s, t, neuron = s[keep], spikes.time_ms[keep], spikes.neuron[keep]
    b = spike_bin(t, bin_ms)
    ok = (b >= 0) & (b < n_bins[s])
    return first[s[ok]] + b[ok], neuron[ok], int(first[-1])


def count_matrix(spikes: WindowedSpikes, rows: np.ndarray, bin_ms: float | None) -> np.ndarray:
    """Spike counts of every recorded neuron per sample, shape (n_samples, n_neurons).

    Samples as in :func:`sample_of_spikes`. Dense: restrict the neurons first on large sheets.
    """
    n_neurons = len(spikes.neurons)
    sample, neuron, n_samples = sample_of_spikes(spikes, rows, bin_ms)
    flat = np.bincount(sample * n_neurons + neuron, minlength=n_samples * n_neurons)
    return flat.reshape(n_samples, n_neurons)


def count_moments(spikes: WindowedSpikes, rows: np.ndarray,
                  bin_ms: float | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Sum and sum of squares over samples of each neuron's counts, without a dense matrix.

    Returns ``(sum, sum_of_squares, n_samples)``; memory grows with the spikes, not with
    samples x neurons.
    """
    n_neurons = len(spikes.neurons)
    sample, neuron, n_samples = sample_of_spikes(spikes, rows, bin_ms)
    keys, counts = np.unique(sample * n_neurons + neuron, return_counts=True)
    owner = keys % n_neurons if n_neurons else keys
    total = np.bincount(owner, weights=counts, minlength=n_neurons)
    squares = np.bincount(owner, weights=counts.astype(np.float64) ** 2, minlength=n_neurons)
    return total, squares, n_samples


def select_neurons(spikes: WindowedSpikes, wanted: Sequence[int], analysis: str,
                   sheet: str) -> WindowedSpikes:
    """Keep only the recorded neurons among ``wanted`` (sheet indices); empty: keep all."""
    if not len(wanted):
        return spikes
    want = np.unique(np.asarray(wanted, np.int64))
    missing = np.setdiff1d(want, spikes.neurons)
    if len(missing):
        fail(analysis, f"neurons {missing[:10].tolist()} of sheet {sheet!r} have no spike "
                       f"recordings in the view; choose among the {len(spikes.neurons)} "
                       f"recorded ones")
    keep_neuron = np.isin(spikes.neurons, want)
    new_pos = np.cumsum(keep_neuron) - 1
    keep = keep_neuron[spikes.neuron]
    return WindowedSpikes(row=spikes.row[keep], neuron=new_pos[spikes.neuron[keep]],
                          time_ms=spikes.time_ms[keep], duration_ms=spikes.duration_ms,
                          neurons=spikes.neurons[keep_neuron])
