"""What the analyses share: errors, parameter bases, presentations and spikes as arrays.

Everything here works on the datastore's columnar arrays (``DataStoreView.segment_index`` and
``DataStoreView.iter_spike_arrays``); nothing loops over spike trains in Python, and spikes are
read one presentation at a time (:class:`SpikeStream`), so an analysis's memory is bounded by
the largest presentation, not by the run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Sequence
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
    "PresentationSpikes",
    "Presentations",
    "SpikeStream",
    "SpikeWindowParams",
    "bin_counts",
    "count_moments",
    "fail",
    "int_tuple",
    "n_full_bins",
    "presentations",
    "recorded_neurons",
    "sheets_with",
    "spike_sheets",
    "spike_stream",
    "to_tuple",
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


def recorded_neurons(view: DataStoreView, pres: Presentations,
                     spiking: Callable[[], np.ndarray]) -> np.ndarray:
    """Sheet indices (ascending) of the neurons whose spikes were recorded.

    Silent recorded neurons count (their rate is 0, not missing). When every segment recorded
    the whole sheet this is ``arange(n)``; otherwise the recorded set is read from the segment
    recording the most neurons; segments written without a recorded list give only the neurons
    that fired. ``spiking()`` returns those (any order, repeats allowed); it is called, and the
    spikes read, only in those cases.
    """
    n_sheet = len(view.neuron_ids(pres.sheet))
    if pres.n and (pres.n_spiketrains == n_sheet).all():
        return np.arange(n_sheet, dtype=np.int64)
    if pres.n == 0 or pres.n_spiketrains.max() == 0:
        return np.unique(np.asarray(spiking(), np.int64))
    best = int(np.argmax(pres.n_spiketrains))
    seg_index = view.segment_index
    row = seg_index.filter(pc.equal(seg_index["segment_id"], int(pres.segment_id[best])))
    segment = view.derive(row, None).get_segments(sheet=pres.sheet)[0]
    listed = [int(st.annotations["source_index"]) for st in segment.spiketrains]
    return np.unique(np.concatenate([np.asarray(listed, np.int64),
                                     np.asarray(spiking(), np.int64)]))


@attrs.frozen(kw_only=True, eq=False)
class PresentationSpikes:
    """The spikes of one presentation inside its analysis window.

    Attributes
    ----------
    row : int
        The presentation (row of :class:`Presentations`).
    neuron : int64 array of shape (k,)
        Position of each spike's neuron in :attr:`SpikeStream.neurons`.
    time_ms : float64 array of shape (k,), ms
        Spike time relative to the window's start, in ``(0, duration_ms]``.
    """

    row: int
    neuron: np.ndarray
    time_ms: np.ndarray


class SpikeStream:
    """The spikes of one sheet inside each presentation's analysis window, read from the store
    one presentation at a time (:meth:`mozaik.datastore.DataStoreView.iter_spike_arrays`).

    Iterating yields a :class:`PresentationSpikes` per presentation, in the order of
    :class:`Presentations`; each iteration reads the store again and keeps nothing, so an
    analysis reducing presentation by presentation needs memory for one presentation's
    spikes, not the run's.

    Attributes
    ----------
    presentations : Presentations
        The presentations.
    duration_ms : float64 array of shape (n,), ms
        Window length of each presentation.
    neurons : int64 array
        Sheet indices of the recorded neurons (ascending).
    """

    def __init__(self, view: DataStoreView, pres: Presentations, params: SpikeWindowParams,
                 analysis: str) -> None:
        length = pres.t_stop - pres.t_start
        stop = length if params.stop_ms is None else np.full(pres.n, float(params.stop_ms))
        too_long = np.flatnonzero(stop > length + 1e-9)
        if len(too_long):
            k = int(too_long[0])
            fail(analysis, f"stop_ms={params.stop_ms} is beyond the end of the presentation "
                           f"of {pres.stimuli[pres.group[k]]!r} on sheet {pres.sheet!r}, which "
                           f"lasts {length[k]} ms; lower stop_ms")
        if (stop <= params.start_ms).any():
            fail(analysis, f"start_ms={params.start_ms} leaves an empty window for a "
                           f"presentation of sheet {pres.sheet!r} lasting {length.min()} ms; "
                           f"lower start_ms")
        self.presentations = pres
        self.duration_ms = stop - params.start_ms
        self._start = pres.t_start + params.start_ms
        seg = view.segment_index
        mask = pc.and_(pc.equal(seg["sheet_name"], pres.sheet),
                       pc.is_in(seg["segment_id"], value_set=pa.array(pres.segment_id,
                                                                     pa.int64())))
        self._view = view.derive(seg.filter(mask), None)
        self._row = {int(s): i for i, s in enumerate(pres.segment_id)}
        sheet_view = view.derive(_sheet_segments(view, pres.sheet), None)
        self.neurons = recorded_neurons(view, pres, lambda: _spiking(sheet_view, pres.sheet))
        self._all = self.neurons  # every recorded neuron; select() keeps a subset
        self._keep: np.ndarray | None = None

    def select(self, wanted: Sequence[int], analysis: str) -> SpikeStream:
        """Keep only the recorded neurons among ``wanted`` (sheet indices); empty: keep all.

        Returns a new stream (this one is unchanged); positions in :class:`PresentationSpikes`
        are then positions among the kept neurons.

        Raises
        ------
        AnalysisError
            If a wanted neuron has no spike recordings in the view.
        """
        if not len(wanted):
            return self
        want = np.unique(np.asarray(wanted, np.int64))
        missing = np.setdiff1d(want, self.neurons)
        if len(missing):
            fail(analysis, f"neurons {missing[:10].tolist()} of sheet "
                           f"{self.presentations.sheet!r} have no spike recordings in the "
                           f"view; choose among the {len(self.neurons)} recorded ones")
        out = copy.copy(self)
        out._keep = np.isin(self._all, want)
        out.neurons = self._all[out._keep]
        return out

    def __iter__(self) -> Iterator[PresentationSpikes]:
        every_neuron = self._all
        contiguous = not len(every_neuron) or bool(
            every_neuron[0] == 0 and every_neuron[-1] == len(every_neuron) - 1)
        new_pos = None if self._keep is None else np.cumsum(self._keep) - 1
        for segment_id, spikes in self._view.iter_spike_arrays(self.presentations.sheet):
            i = self._row[segment_id]
            rel = spikes.times - self._start[i]
            inside = spike_bin(rel, self.duration_ms[i]) == 0  # (start_ms, stop_ms]
            every = bool(inside.all())  # the default window holds every spike: no copies
            neuron = (spikes.neuron if every else spikes.neuron[inside]).astype(np.int64)
            time_ms = rel if every else rel[inside]
            del spikes, rel, inside
            if not contiguous:
                neuron = np.searchsorted(every_neuron, neuron)
            if self._keep is not None:
                assert new_pos is not None
                keep = self._keep[neuron]
                neuron, time_ms = new_pos[neuron[keep]], time_ms[keep]
            yield PresentationSpikes(row=i, neuron=neuron, time_ms=time_ms)


def _sheet_segments(view: DataStoreView, sheet: str) -> pa.Table:
    seg = view.segment_index
    return seg.filter(pc.and_(pc.equal(seg["sheet_name"], sheet),
                              pc.equal(seg["is_null"], False)))


def _spiking(view: DataStoreView, sheet: str) -> np.ndarray:
    """The neurons that fired in the non-blank segments of ``sheet`` (read one at a time)."""
    found = [np.unique(s.neuron) for _, s in view.iter_spike_arrays(sheet)]
    return np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)


def spike_stream(view: DataStoreView, pres: Presentations, params: SpikeWindowParams,
                 analysis: str) -> SpikeStream:
    """The spikes of ``pres`` inside the analysis window (see params), read presentation by
    presentation as the stream is iterated."""
    return SpikeStream(view, pres, params, analysis)


def n_full_bins(duration_ms: Any, bin_ms: float) -> Any:
    """Number of whole bins of ``bin_ms`` in a window (an int, or an int64 array for an array
    of windows)."""
    out = np.floor(np.asarray(duration_ms) / bin_ms + 1e-9).astype(np.int64)
    return int(out) if out.ndim == 0 else out


def bin_counts(spikes: PresentationSpikes, n_neurons: int, duration_ms: float,
               bin_ms: float | None) -> np.ndarray:
    """Spike counts of one presentation per sample and neuron, shape (n_samples, n_neurons).

    A sample is the whole window (``bin_ms`` None: one row) or each full bin
    ``(k * bin_ms, (k + 1) * bin_ms]`` of it (:func:`mozaik.datastore.spike_bin`); a remainder
    shorter than a bin is left out. Dense: restrict the neurons first on large sheets.
    """
    if bin_ms is None:
        return np.bincount(spikes.neuron, minlength=n_neurons).reshape(1, n_neurons)
    n_bins = n_full_bins(duration_ms, bin_ms)
    b = spike_bin(spikes.time_ms, bin_ms)
    ok = (b >= 0) & (b < n_bins)
    flat = np.bincount(b[ok] * n_neurons + spikes.neuron[ok], minlength=n_bins * n_neurons)
    return flat.reshape(n_bins, n_neurons)


def count_moments(spikes: PresentationSpikes, n_neurons: int, duration_ms: float,
                  bin_ms: float | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Sum and sum of squares over one presentation's samples (as :func:`bin_counts`) of each
    neuron's counts, without a dense matrix: ``(sum, sum_of_squares, n_samples)``.

    Memory grows with the presentation's spikes, not with samples x neurons. The sums are of
    whole numbers, so adding those of several presentations is exact in any order.
    """
    if bin_ms is None:
        sample, neuron, n_samples = np.zeros(len(spikes.neuron), np.int64), spikes.neuron, 1
    else:
        n_samples = n_full_bins(duration_ms, bin_ms)
        b = spike_bin(spikes.time_ms, bin_ms)
        ok = (b >= 0) & (b < n_samples)
        sample, neuron = b[ok], spikes.neuron[ok]
    keys, counts = np.unique(sample * n_neurons + neuron, return_counts=True)
    owner = keys % n_neurons if n_neurons else keys
    total = np.bincount(owner, weights=counts, minlength=n_neurons)
    squares = np.bincount(owner, weights=counts.astype(np.float64) ** 2, minlength=n_neurons)
    return total, squares, n_samples
