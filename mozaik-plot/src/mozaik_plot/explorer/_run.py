"""What the run page shows, as JSON: overview, neuron maps, raster windows, queries, figures."""

from __future__ import annotations

import json
import math
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from mozaik import MozaikError
from mozaik.ads import PerNeuronValue, SingleValue
from mozaik.datastore import (
    DataStore,
    DataStoreView,
    QueryWarning,
    check_store,
    param_filter_query,
    read_run_file,
    summary_data,
)
from mozaik.stimulus import Frames, StimulusIdentity

from mozaik_plot._report import figure_files
from mozaik_plot.explorer._raster import SpikeIndex, raster_window
from mozaik_plot.explorer._scan import read_manifest, run_status
from mozaik_plot.explorer._stimulus import stimulus_frames, stimulus_movie

__all__ = ["QueryError", "RunData", "parse_query"]

#: Largest figure served (bytes).
MAX_FIGURE_BYTES = 64 << 20
#: Most rows a query answers with.
MAX_QUERY_ROWS = 500
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,200}$")
_IMAGE_TYPES = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml"}


def quiet_query(view: DataStoreView, **kwargs: Any) -> DataStoreView:
    # a store without results of a kind is no news here: its page says "none"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QueryWarning)
        return param_filter_query(view, **kwargs)


class QueryError(MozaikError):
    """A query form's text that is not ``key = value`` lines of known shape."""


def _scalar(text: str) -> Any:
    # JSON numbers, true/false/null, quoted strings and lists of those; anything else is text.
    # Parsed, never evaluated.
    try:
        value = json.loads(text)
    except ValueError:
        return text
    ok = (str, int, float, bool, type(None))
    if isinstance(value, list) and all(isinstance(v, ok) for v in value):
        return value
    return value if isinstance(value, ok) else text


def parse_query(text: str) -> dict[str, Any]:
    """``param_filter_query`` keywords from a query form: one ``key = value`` per line (or
    separated by ``;``), e.g. ``sheet_name = exc`` or ``st_orientation = [0, 1.5708]``.

    Raises
    ------
    QueryError
        Naming the line, for a line without ``=`` or a key that is not a parameter name.
    """
    out: dict[str, Any] = {}
    for n, line in enumerate(re.split(r"[;\n]", text), 1):
        line = line.strip()
        if not line:
            continue
        key, eq, value = line.partition("=")
        key = key.strip()
        if not eq or not _KEY.match(key) or key in ("ads_unique", "rec_unique", "dsv"):
            msg = (f"query line {n} {line[:80]!r}: write `parameter = value` (e.g. "
                   f"`sheet_name = exc`, `st_name = InternalStimulus`, `trial = [0, 1]`)")
            raise QueryError(msg)
        out[key] = _scalar(value.strip())
    return out


def _finite(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _rows(table: pa.Table, columns: list[str], limit: int) -> list[dict[str, Any]]:
    keep = [c for c in columns if c in table.column_names]
    return [{k: _finite(v) for k, v in r.items()} for r in
            table.select(keep).slice(0, limit).to_pylist()]


class RunData:
    """Reads one run directory for the explorer, read-only; caches its sheets' spike indexes
    while the run's files are unchanged."""

    def __init__(self, root: Path, rel: str) -> None:
        self.root = root
        self.rel = rel
        self._lock = threading.Lock()
        self._spikes: dict[str, tuple[tuple[int, ...], SpikeIndex]] = {}
        self._building: dict[str, threading.Lock] = {}

    def _stamp(self) -> tuple[int, ...]:
        stamps = []
        for name in ("manifest.json", "segments.parquet", "segments"):
            try:
                stamps.append(os.lstat(self.root / name).st_mtime_ns)
            except OSError:
                stamps.append(0)
        return tuple(stamps)

    def open(self) -> DataStore:
        return DataStore.open(self.root, "r")

    def damaged(self, exc: BaseException) -> dict[str, Any]:
        """The page of a store that cannot be opened: the error and ``mozaik check``'s
        findings."""
        problems = [str(p) for p in check_store(self.root, quick=True)]
        return {"rel": self.rel, "status": "damaged", "error": str(exc), "problems": problems}

    def overview(self) -> dict[str, Any]:
        """Summary, model, experiments, figures, analysis results, provenance."""
        manifest = read_manifest(self.root)
        with self.open() as store:
            view = store.full_view()
            summary = summary_data(view)
            for stimulus in summary["stimuli"]:
                stimulus["id"] = StimulusIdentity(stimulus["name"],
                                                  stimulus["params"]).to_string()
            ads = view.analysis_index
            results = _rows(ads, ["ads_id", "identifier", "analysis_algorithm", "sheet_name",
                                  "value_name", "value_units", "stimulus_name", "parameters",
                                  "tags"], 2000)
            values = []
            for r in quiet_query(view, identifier="SingleValue").analysis_results():
                if isinstance(r, SingleValue):
                    values.append({"sheet": r.sheet_name, "value_name": r.value_name,
                                   "value": _finite(float(r.value)),
                                   "units": str(r.value_units.dimensionality),
                                   "analysis": r.analysis_algorithm})
        config = manifest.get("config") if isinstance(manifest.get("config"), Mapping) else {}
        status = run_status(self.root, manifest)
        return {
            "rel": self.rel, "name": (config or {}).get("name") or self.root.name,
            "status": status, "summary": summary, "config": config,
            "provenance": manifest.get("provenance") or {}, "seeds": manifest.get("seeds"),
            "sessions": manifest.get("sessions") or [], "figures": figure_files(manifest),
            "results": results, "values": values,
        }

    def spike_index(self, sheet: str) -> SpikeIndex:
        """The sheet's spikes over the whole run, sorted by time (cached; built once even
        when asked for by two requests at a time)."""
        with self._lock:
            building = self._building.setdefault(sheet, threading.Lock())
        with building:
            stamp = self._stamp()
            cached = self._spikes.get(sheet)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            index = self._build_index(sheet)
            self._spikes[sheet] = (stamp, index)
            return index

    def _build_index(self, sheet: str) -> SpikeIndex:
        with self.open() as store:
            if sheet not in store.sheets():
                msg = (f"no sheet {sheet!r} in {self.rel}; its sheets: "
                       f"{', '.join(store.sheets())}")
                raise MozaikError(msg)
            times, neurons = _all_spikes(store, sheet)
            seg = store.segment_index
            t0 = float(pc.min(seg["t_start"]).as_py() or 0.0) if seg.num_rows else 0.0
            t1 = float(pc.max(seg["t_stop"]).as_py() or 1.0) if seg.num_rows else 1.0
            return SpikeIndex.build(times, neurons, len(store.neuron_ids(sheet)), t0, t1)

    def raster(self, sheet: str, t0: float | None, t1: float | None,
               width: int) -> dict[str, Any]:
        return raster_window(self.spike_index(sheet), t0, t1, width)

    def neuron_map(self, sheet: str, ads_id: int | None) -> dict[str, Any]:
        """Positions and annotations of a sheet's neurons, with the values of one stored
        PerNeuronValue (``ads_id``) and the list of those available."""
        with self.open() as store:
            view = store.full_view()
            if sheet not in store.sheets():
                msg = f"no sheet {sheet!r} in {self.rel}; its sheets: {', '.join(store.sheets())}"
                raise MozaikError(msg)
            pos = np.asarray(store.neuron_positions(sheet), np.float64)
            ids = np.asarray(store.neuron_ids(sheet))
            notes = {k: [_finite(x) for x in np.asarray(v).tolist()]
                     for k, v in store.neuron_annotations(sheet).items()}
            pnv = quiet_query(view, identifier="PerNeuronValue", sheet_name=sheet)
            index = pnv.analysis_index
            choices = _rows(index, ["ads_id", "value_name", "analysis_algorithm",
                                    "stimulus_id"], 500)
            values = None
            chosen = ads_id if ads_id is not None else (choices[0]["ads_id"] if choices
                                                        else None)
            if chosen is not None:
                one = index.filter(pc.equal(index["ads_id"], int(chosen)))
                for r in pnv.derive(pnv.segment_index.slice(0, 0), one).analysis_results():
                    if isinstance(r, PerNeuronValue):
                        full = np.full(len(pos), np.nan)
                        k = np.asarray(r.ids, np.int64)
                        ok = (k >= 0) & (k < len(pos))
                        full[k[ok]] = np.asarray(r.values, np.float64)[ok]
                        values = {"ads_id": int(chosen), "name": r.value_name,
                                  "units": str(r.value_units.dimensionality),
                                  "values": [_finite(float(v)) for v in full]}
        return {"sheet": sheet, "x": pos[:, 0].tolist() if len(pos) else [],
                "y": pos[:, 1].tolist() if len(pos) else [], "ids": ids.tolist(),
                "annotations": notes, "choices": choices, "values": values}

    def query(self, text: str) -> dict[str, Any]:
        """Segments and results matching a query form's ``param_filter_query`` keywords."""
        kwargs = parse_query(text)
        with self.open() as store:
            import warnings

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                view: DataStoreView = param_filter_query(store.full_view(), **kwargs)
            seg, ads = view.segment_index, view.analysis_index
            return {
                "query": kwargs, "warnings": [str(w.message) for w in caught],
                "n_segments": seg.num_rows, "n_results": ads.num_rows,
                "segments": _rows(seg, ["segment_id", "sheet_name", "stimulus_id", "trial",
                                        "is_null", "t_start", "t_stop", "n_spikes"],
                                  MAX_QUERY_ROWS),
                "results": _rows(ads, ["ads_id", "identifier", "analysis_algorithm",
                                       "sheet_name", "value_name", "stimulus_id"],
                                 MAX_QUERY_ROWS)}

    def stimulus_frames(self, stimulus_id: str) -> Frames:
        """A stored stimulus as the run's input space pictures it."""
        config = read_manifest(self.root).get("config")
        with self.open() as store:
            known = set(store.segment_index["stimulus_id"].to_pylist())
            if stimulus_id not in known:
                msg = f"no presentation of {stimulus_id[:200]!r} in {self.rel}"
                raise MozaikError(msg)
            registry = store.registry
        return stimulus_frames(config if isinstance(config, Mapping) else {}, stimulus_id,
                               registry)

    def stimulus(self, stimulus_id: str) -> bytes:
        """A GIF of a stored stimulus as the run's input space pictures it."""
        return stimulus_movie(self.stimulus_frames(stimulus_id))

    def stimulus_info(self, stimulus_id: str) -> dict[str, Any]:
        """What the movie shows: :meth:`mozaik.stimulus.Frames.describe`."""
        return self.stimulus_frames(stimulus_id).describe()

    def figure(self, rel: str) -> tuple[bytes, str]:
        """The bytes and media type of a figure the run's plot steps recorded."""
        manifest = read_manifest(self.root)
        if rel not in figure_files(manifest) or Path(rel).suffix not in _IMAGE_TYPES:
            msg = f"{rel!r} is not a figure recorded in {self.rel}'s manifest"
            raise FileNotFoundError(msg)
        data = read_run_file(self.root, rel, "the explorer", MAX_FIGURE_BYTES)
        return data, _IMAGE_TYPES[Path(rel).suffix]


def _all_spikes(store: DataStore, sheet: str) -> tuple[np.ndarray, np.ndarray]:
    """Spikes of every segment of ``sheet`` (presentations and blanks), absolute times."""
    parts = [store.spike_arrays(sheet, null=False), store.spike_arrays(sheet, null=True)]
    return (np.concatenate([p.times for p in parts]),
            np.concatenate([p.neuron for p in parts]))
