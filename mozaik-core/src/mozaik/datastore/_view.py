"""DataStoreView: a filtered index over a datastore; payloads load on access."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, overload

import neo
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList

from mozaik._errors import DataStoreError
from mozaik.ads import AnalysisDataStructure, ads_class, parse_units
from mozaik.datastore._format import ADS_COLUMNS, SEGMENT_COLUMNS, read_table
from mozaik.stimulus import StimulusIdentity

if TYPE_CHECKING:
    from mozaik.datastore._store import DataStore

__all__ = ["AnalogArrays", "DataStoreView", "SegmentList", "SpikeArrays"]


class SpikeArrays(NamedTuple):
    """Spikes of one sheet over the segments of a view, as flat arrays (one entry per spike).

    Attributes
    ----------
    neuron : int32 array
        Index of the neuron within its sheet.
    times : float64 array, ms
        Spike time in absolute simulation time.
    segment_id : int64 array
        Segment (row of the segment index) the spike belongs to.
    """

    neuron: np.ndarray
    times: np.ndarray
    segment_id: np.ndarray


class AnalogArrays(NamedTuple):
    """One recorded variable of one sheet over the segments of a view.

    Attributes
    ----------
    segment_id : int64 array of shape (n,)
        Segment of each trace.
    neuron : int32 array of shape (n,)
        Index within the sheet of the neuron of each trace.
    values : float64 array of shape (n, n_samples), in ``units``
        The traces (all traces of a variable in a view must have equal length).
    t_start : float64 array of shape (n,), ms
        Time of the first sample of each trace.
    sampling_period : float, ms
        Sampling period.
    units : str
        Units of ``values`` as a quantities string.
    """

    segment_id: np.ndarray
    neuron: np.ndarray
    values: np.ndarray
    t_start: np.ndarray
    sampling_period: float
    units: str


def _empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


class DataStoreView:
    """A read-only subset of a datastore's recordings and analysis results.

    A view holds two small Arrow tables: rows of the segment index (one per sheet x stimulus
    presentation) and rows of the ADS index. Queries (:func:`param_filter_query` and friends)
    return new views; nothing is read from the payload files until a method asks for data.
    """

    def __init__(
        self, store: DataStore, segments: pa.Table | None, analysis: pa.Table | None
    ) -> None:
        self._store = store
        self._segments_table = segments if segments is not None else _empty(SEGMENT_COLUMNS)
        self._analysis_table = analysis if analysis is not None else _empty(ADS_COLUMNS)

    # ------------------------------------------------------------------ index
    @property
    def store(self) -> DataStore:
        """The datastore this view belongs to."""
        return self._store

    @property
    def segment_index(self) -> pa.Table:
        """The rows of the segment index in this view (see ``docs/datastore-format.md``)."""
        return self._segments_table

    @property
    def analysis_index(self) -> pa.Table:
        """The rows of the ADS index in this view."""
        return self._analysis_table

    def derive(self, segments: pa.Table | None, analysis: pa.Table | None) -> DataStoreView:
        """Return a view of the same store with the given index rows."""
        return DataStoreView(self._store, segments, analysis)

    def full_view(self) -> DataStoreView:
        """Return a view of the same rows (a store returns a snapshot of everything)."""
        return self.derive(self.segment_index, self.analysis_index)

    @property
    def n_segments(self) -> int:
        """Number of segments (sheet x presentation), blank ones included."""
        return int(self.segment_index.num_rows)

    @property
    def n_analysis_results(self) -> int:
        """Number of analysis results."""
        return int(self.analysis_index.num_rows)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} of {self._store.root}: {self.n_segments} segments, "
            f"{self.n_analysis_results} analysis results>"
        )

    def _segments(self, *, sheet: str | None = None, null: bool | None = False) -> pa.Table:
        t = self.segment_index
        mask = None
        if null is not None:
            mask = pc.equal(t["is_null"], null)
        if sheet is not None:
            m = pc.equal(t["sheet_name"], sheet)
            mask = m if mask is None else pc.and_(mask, m)
        return t if mask is None else t.filter(mask)

    def sheets(self) -> list[str]:
        """Sorted names of the sheets with recordings or results in this view."""
        names = set(pc.unique(self.segment_index["sheet_name"]).to_pylist())
        names |= (
            set(pc.unique(self.analysis_index["sheet_name"]).to_pylist())
            if ("sheet_name" in self.analysis_index.column_names)
            else set()
        )
        return sorted(n for n in names if n is not None)

    def stimuli(self, *, null: bool = False) -> list[StimulusIdentity]:
        """Distinct stimuli presented in this view, in order of first presentation.

        Parameters
        ----------
        null : bool
            True: the stimuli of blank (null) segments instead of those of real presentations.
        """
        t = self._segments(null=null).sort_by("segment_id")
        return [StimulusIdentity.from_string(s) for s in _ordered_unique(t["stimulus_id"])]

    def presentations(self, *, null: bool = False) -> list[tuple[StimulusIdentity, int]]:
        """Distinct (stimulus, trial) presentations in this view, in order of presentation."""
        t = self._segments(null=null).sort_by("presentation_id")
        pairs = zip(t["stimulus_id"].to_pylist(), t["trial"].to_pylist(), strict=True)
        seen: dict[tuple[str, int], None] = dict.fromkeys(pairs)
        return [(StimulusIdentity.from_string(s), int(tr)) for s, tr in seen]

    # ------------------------------------------------------------------ neurons
    def neuron_ids(self, sheet: str) -> np.ndarray:
        """PyNN ids (int64) of the neurons of ``sheet``, indexed by position within the sheet."""
        return np.asarray(self._store._neurons(sheet)["id"].to_numpy())

    def neuron_positions(self, sheet: str) -> np.ndarray:
        """Positions of the neurons of ``sheet``, shape (n, 2) or (n, 3), in um."""
        t = self._store._neurons(sheet)
        cols = ["x", "y"] if t["z"].null_count == t.num_rows else ["x", "y", "z"]
        return np.column_stack([t[c].to_numpy(zero_copy_only=False) for c in cols])

    def neuron_annotations(self, sheet: str) -> dict[str, np.ndarray]:
        """Per-neuron annotations of ``sheet`` (e.g. orientation preference), by name."""
        t = self._store._neurons(sheet)
        fixed = {"sheet_name", "index", "id", "x", "y", "z"}
        return {
            name: t[name].to_numpy(zero_copy_only=False)
            for name in t.column_names
            if name not in fixed
        }

    # ------------------------------------------------------------------ recordings
    def get_segments(self, *, null: bool = False, sheet: str | None = None) -> SegmentList:
        """The recordings of this view as neo Segments, built one at a time on access.

        Parameters
        ----------
        null : bool
            True: the blank (null) segments instead of those of real presentations.
        sheet : str, optional
            Only segments of this sheet.

        Returns
        -------
        SegmentList
            A sequence of ``neo.Segment`` (one per sheet x presentation) whose elements are read
            from disk when indexed. Segment, SpikeTrain and AnalogSignal annotations carry
            ``sheet_name``, ``stimulus`` (identity string), ``stimulus_name`` and ``trial``.
        """
        rows = self._segments(sheet=sheet, null=null).sort_by("segment_id")
        return SegmentList(self._store, rows)

    def get_spiketrains(
        self, *, sheet: str | None = None, null: bool = False
    ) -> list[neo.SpikeTrain]:
        """Every SpikeTrain of the view's segments (one per recorded neuron and segment)."""
        out: list[neo.SpikeTrain] = []
        for seg in self.get_segments(null=null, sheet=sheet):
            out.extend(seg.spiketrains)
        return out

    def spike_arrays(self, sheet: str, *, null: bool = False) -> SpikeArrays:
        """All spikes of ``sheet`` in this view as flat numpy arrays, in segment order.

        Reads only the row groups of the selected segments.
        """
        rows = self._segments(sheet=sheet, null=null).sort_by("segment_id")
        table = self._store._read_payload(rows, "spikes", ["segment_id", "neuron", "time"])
        if table.num_rows == 0:
            return SpikeArrays(
                np.empty(0, np.int32), np.empty(0, np.float64), np.empty(0, np.int64)
            )
        time = table["time"]
        if time.null_count:
            table = table.filter(pc.is_valid(time))
        return SpikeArrays(_np(table["neuron"]), _np(table["time"]), _np(table["segment_id"]))

    def analog_arrays(self, sheet: str, variable: str, *, null: bool = False) -> AnalogArrays:
        """All traces of ``variable`` (e.g. ``"v"``) of ``sheet`` in this view as one 2-D array."""
        rows = self._segments(sheet=sheet, null=null).sort_by("segment_id")
        table = self._store._read_payload(
            rows,
            "analog",
            ["segment_id", "neuron", "variable", "units", "t_start", "sampling_period", "values"],
        )
        table = table.filter(pc.equal(table["variable"], variable))
        if table.num_rows == 0:
            msg = (
                f"no {variable!r} recordings of sheet {sheet!r} in this view; recorded variables: "
                f"{', '.join(self._variables(sheet)) or 'none'}"
            )
            raise DataStoreError(msg)
        periods = pc.unique(table["sampling_period"]).to_pylist()
        units = pc.unique(table["units"]).to_pylist()
        if len(periods) != 1 or len(units) != 1:
            msg = (
                f"{variable!r} of sheet {sheet!r} was recorded with several sampling periods "
                f"{periods} or units {units}; narrow the view first (param_filter_query)"
            )
            raise DataStoreError(msg)
        values = _stack_lists(table["values"], f"{variable!r} of sheet {sheet!r}")
        return AnalogArrays(
            _np(table["segment_id"]),
            _np(table["neuron"]),
            values,
            _np(table["t_start"]),
            float(periods[0]),
            str(units[0]),
        )

    def _variables(self, sheet: str) -> list[str]:
        t = self._segments(sheet=sheet, null=None)
        if t.num_rows == 0:
            return []
        return sorted(set(pc.list_flatten(t["variables"]).to_pylist()))

    # ------------------------------------------------------------------ analysis results
    def analysis_results(self) -> list[AnalysisDataStructure]:
        """The analysis results of this view, payloads loaded now, in order of storage."""
        t = self.analysis_index.sort_by("ads_id")
        return [self._store._load_ads(row) for row in t.to_pylist()]

    def get_analysis_result(self, **kwargs: Any) -> list[AnalysisDataStructure]:
        """Shortcut for ``param_filter_query(self, **kwargs).analysis_results()``."""
        from mozaik.datastore._query import param_filter_query

        return param_filter_query(self, **kwargs).analysis_results()


def _np(col: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(col.to_numpy())


def _ordered_unique(col: pa.ChunkedArray) -> list[Any]:
    return list(dict.fromkeys(col.to_pylist()))


def _stack_lists(col: pa.ChunkedArray, what: str) -> np.ndarray:
    """Stack a list<float64> column of equal-length lists into an (n, m) array."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    n = len(col)
    if n == 0:
        return np.empty((0, 0))
    lengths = pc.list_value_length(col).to_numpy(zero_copy_only=False)
    if (lengths != lengths[0]).any():
        msg = (
            f"traces of {what} have different lengths {sorted(set(lengths.tolist()))}; "
            f"narrow the view"
        )
        raise DataStoreError(msg)
    flat = pc.list_flatten(col).to_numpy(zero_copy_only=False)
    return np.asarray(flat).reshape(n, int(lengths[0]))


class SegmentList(Sequence[neo.Segment]):
    """A lazy sequence of ``neo.Segment``: each element is read from disk when indexed.

    ``rows`` is the segment-index table, so metadata is available without loading anything.
    """

    def __init__(self, store: DataStore, rows: pa.Table) -> None:
        self._store = store
        self.rows = rows

    def __len__(self) -> int:
        return int(self.rows.num_rows)

    @overload
    def __getitem__(self, index: int) -> neo.Segment: ...
    @overload
    def __getitem__(self, index: slice) -> SegmentList: ...
    def __getitem__(self, index: int | slice) -> neo.Segment | SegmentList:
        if isinstance(index, slice):
            idx = range(len(self))[index]
            return SegmentList(self._store, self.rows.take(pa.array(list(idx), pa.int64())))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._store._build_segment(self.rows.slice(index, 1).to_pylist()[0])

    def __iter__(self) -> Iterator[neo.Segment]:
        for row in self.rows.to_pylist():
            yield self._store._build_segment(row)

    def __repr__(self) -> str:
        return f"<SegmentList of {len(self)} segments (loaded on access)>"


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
        for variable in _ordered_unique(analog["variable"]):
            part = analog.filter(pc.equal(analog["variable"], variable)).sort_by("neuron")
            values = _stack_lists(part["values"], f"{variable!r} of {sheet!r}")
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


def load_ads(root: Path, row: dict[str, Any]) -> AnalysisDataStructure:
    """Rebuild one ADS from its index row, reading its payload file."""
    writer = row.get("ads_distribution")
    if writer and row.get("ads_distribution_version"):
        writer = f"{writer} {row['ads_distribution_version']}"
    cls = ads_class(row["identifier"], written_by=writer)
    payload = read_table(root / row["payload_file"])
    return cls.from_stored(json.loads(row["parameters"]), list(row["tags"] or []), payload)
