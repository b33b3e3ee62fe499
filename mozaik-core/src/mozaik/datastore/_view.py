"""DataStoreView: a filtered index over a datastore; payloads load on access."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, overload

import neo
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mozaik._errors import DataStoreError
from mozaik.ads import AnalysisDataStructure
from mozaik.datastore._format import ADS_COLUMNS, SEGMENT_COLUMNS, ordered_unique, stack_lists
from mozaik.datastore._query import param_filter_query
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

    def _overview(self) -> list[tuple[str, str]]:
        """(label, text) lines of the reprs, from the index tables only (nothing loaded)."""
        seg = self.segment_index
        real = seg.filter(pc.invert(seg["is_null"])) if seg.num_rows else seg
        sheets = []
        for sheet in sorted(set(real["sheet_name"].to_pylist())) if real.num_rows else []:
            part = real.filter(pc.equal(real["sheet_name"], sheet))
            most = pc.max(part["n_spiketrains"]).as_py() if part.num_rows else 0
            sheets.append(f"{sheet} ({most} neurons recorded)")
        names = Counter(name for _, name in {*zip(real["presentation_id"].to_pylist(),
                                                  real["stimulus_name"].to_pylist(),
                                                  strict=True)})
        presentations = len(pc.unique(real["presentation_id"])) if real.num_rows else 0
        ads = Counter(self.analysis_index["identifier"].to_pylist()) if (
            self.n_analysis_results) else Counter()
        status = self._store.manifest.get("status") or "unknown"
        return [
            ("run", f"{self._store.root} ({status})"),
            ("sheets", ", ".join(sheets) or "none"),
            ("stimuli", ", ".join(f"{n} x{k}" for n, k in sorted(names.items())) or "none"),
            ("presentations", f"{presentations} ({self.n_segments} segments, blank ones "
                              "included)"),
            ("analysis results", f"{self.n_analysis_results}" + (
                f" ({', '.join(f'{n} x{k}' for n, k in sorted(ads.items()))})" if ads
                else "")),
        ]

    def __repr__(self) -> str:
        lines = self._overview()
        width = max(len(label) for label, _ in lines)
        body = "\n".join(f"  {label:<{width}} : {text}" for label, text in lines)
        return f"<{type(self).__name__}\n{body}>"

    def _repr_html_(self) -> str:
        """The same facts as a table (Jupyter shows it for a store or view)."""
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
                       f"<td style='text-align:left'>{html.escape(text)}</td></tr>"
                       for label, text in self._overview())
        return f"<div><strong>{type(self).__name__}</strong><table>{rows}</table></div>"

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
        return [StimulusIdentity.from_string(s) for s in ordered_unique(t["stimulus_id"])]

    def presentations(self, *, null: bool = False) -> list[tuple[StimulusIdentity, int]]:
        """Distinct (stimulus, trial) presentations in this view, in order of presentation."""
        t = self._segments(null=null).sort_by("presentation_id")
        pairs = zip(t["stimulus_id"].to_pylist(), t["trial"].to_pylist(), strict=True)
        seen: dict[tuple[str, int], None] = dict.fromkeys(pairs)
        return [(StimulusIdentity.from_string(s), int(tr)) for s, tr in seen]

    # ------------------------------------------------------------------ neurons
    def neuron_ids(self, sheet: str) -> np.ndarray:
        """PyNN ids (int64) of the neurons of ``sheet``, indexed by position within the sheet."""
        return np.asarray(self._store.reader.neurons(sheet)["id"].to_numpy())

    def neuron_positions(self, sheet: str) -> np.ndarray:
        """Positions of the neurons of ``sheet``, shape (n, 2) or (n, 3), in um."""
        t = self._store.reader.neurons(sheet)
        cols = ["x", "y"] if t["z"].null_count == t.num_rows else ["x", "y", "z"]
        return np.column_stack([t[c].to_numpy(zero_copy_only=False) for c in cols])

    def neuron_annotations(self, sheet: str) -> dict[str, np.ndarray]:
        """Per-neuron annotations of ``sheet`` (e.g. orientation preference), by name."""
        t = self._store.reader.neurons(sheet)
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
        return self._spike_arrays_of(rows)

    def iter_spike_arrays(self, sheet: str, *,
                          null: bool = False) -> Iterator[tuple[int, SpikeArrays]]:
        """The spikes of ``sheet`` one segment (sheet x presentation) at a time.

        The streaming form of :meth:`spike_arrays`: each step reads only that segment's row
        groups (of every part's file for a segment written in parts) and nothing is kept
        between steps, so memory is bounded by the largest presentation, not by the run.
        Concatenating what it yields gives :meth:`spike_arrays`.

        Parameters
        ----------
        sheet : str
            The sheet.
        null : bool
            True: the blank (null) segments instead of those of real presentations.

        Yields
        ------
        segment_id : int
            The segment, in ascending order; every segment of the sheet in the view, one
            without spikes with empty arrays.
        spikes : SpikeArrays
            Its spikes, as :meth:`spike_arrays` gives them.
        """
        rows = self._segments(sheet=sheet, null=null).sort_by("segment_id")
        for i in range(rows.num_rows):
            one = rows.slice(i, 1)
            yield int(one["segment_id"][0].as_py()), self._spike_arrays_of(one)

    def _spike_arrays_of(self, rows: pa.Table) -> SpikeArrays:
        table = self._store.reader.read_payload(rows, "spikes", ["segment_id", "neuron", "time"])
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
        return self.analog_arrays_of(sheet, (variable,), null=null)[variable]

    def analog_arrays_of(self, sheet: str, variables: Sequence[str], *,
                         null: bool = False) -> dict[str, AnalogArrays]:
        """:meth:`analog_arrays` of several variables, their files read once (e.g. Vm and both
        conductances for synaptic currents).

        Raises
        ------
        DataStoreError
            If a variable has no recordings of ``sheet`` in this view (naming those it has),
            or was recorded with several sampling periods or units.
        """
        rows = self._segments(sheet=sheet, null=null).sort_by("segment_id")
        table = self._store.reader.read_payload(
            rows,
            "analog",
            ["segment_id", "neuron", "variable", "units", "t_start", "sampling_period", "values"],
        )
        out = {}
        for variable in variables:
            part = table.filter(pc.equal(table["variable"], variable))
            if part.num_rows == 0:
                msg = (
                    f"no {variable!r} recordings of sheet {sheet!r} in this view; recorded "
                    f"variables: {', '.join(self._variables(sheet)) or 'none'}"
                )
                raise DataStoreError(msg)
            periods = pc.unique(part["sampling_period"]).to_pylist()
            units = pc.unique(part["units"]).to_pylist()
            if len(periods) != 1 or len(units) != 1:
                msg = (
                    f"{variable!r} of sheet {sheet!r} was recorded with several sampling "
                    f"periods {periods} or units {units}; narrow the view first "
                    f"(param_filter_query)"
                )
                raise DataStoreError(msg)
            values = stack_lists(part["values"], f"{variable!r} of sheet {sheet!r}")
            out[variable] = AnalogArrays(
                _np(part["segment_id"]),
                _np(part["neuron"]),
                values,
                _np(part["t_start"]),
                float(periods[0]),
                str(units[0]),
            )
            del part
        return out

    def _variables(self, sheet: str) -> list[str]:
        t = self._segments(sheet=sheet, null=None)
        if t.num_rows == 0:
            return []
        return sorted(set(pc.list_flatten(t["variables"]).to_pylist()))

    # ------------------------------------------------------------------ analysis results
    def analysis_results(self) -> list[AnalysisDataStructure]:
        """The analysis results of this view, payloads loaded now, in order of storage."""
        t = self.analysis_index.sort_by("ads_id")
        return [self._store.reader.analysis_result(row) for row in t.to_pylist()]

    def get_analysis_result(self, **kwargs: Any) -> list[AnalysisDataStructure]:
        """Shortcut for ``param_filter_query(self, **kwargs).analysis_results()``."""
        return param_filter_query(self, **kwargs).analysis_results()


def _np(col: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(col.to_numpy())



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
        return self._store.reader.segment(self.rows.slice(index, 1).to_pylist()[0])

    def __iter__(self) -> Iterator[neo.Segment]:
        for row in self.rows.to_pylist():
            yield self._store.reader.segment(row)

    def __repr__(self) -> str:
        return f"<SegmentList of {len(self)} segments (loaded on access)>"
