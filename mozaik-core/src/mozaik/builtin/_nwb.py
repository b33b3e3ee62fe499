"""The NWB exporter: a run as one NWB 2 file written by pynwb (extra ``mozaik-core[nwb]``).

Mapping (times in seconds, as NWB requires; the store keeps ms):

- every presentation -> a row of the TimeIntervals table ``presentations`` (stimulus name,
  identity, trial, blank or not, every stimulus parameter as a typed column);
- every neuron with recorded spikes -> a row of the Units table (sheet, neuron index, PyNN id,
  position in um and every neuron annotation as columns); ``spike_times`` written block by
  block from per-presentation spills (:class:`_SheetSpikes`), so memory is bounded by one
  presentation;
- every recorded analog variable of a sheet -> a TimeSeries ``<sheet>_<variable>`` in
  acquisition, data (samples x neurons) in the stored units with the SI ``conversion``,
  explicit timestamps, written through hdmf's DataChunkIterator one presentation at a time;
- analysis results -> the processing module ``mozaik_analysis``: a PerNeuronValue as a
  DynamicTable (neuron id, value), a SingleValue as a one-row DynamicTable, each described by
  its analysis, parameters, stimulus, workflow declaration and the export's query;
- electrode signals with positions (an LFP on an array) -> ElectricalSeries in the processing
  module ``ecephys`` (``LFP``), on rows of the electrodes table holding the positions (um);
- provenance (versions, plugins, study, config, seed) and the export's query -> ``notes``
  (JSON), ``source_script`` and ``data_collection``.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import quantities as pq

from mozaik.ads import PerNeuronValue, SingleValue
from mozaik.builtin._exporters import _require
from mozaik.config import finite, positive
from mozaik.datastore import DataStoreView
from mozaik.export import Exporter
from mozaik.stimulus import StimulusIdentity

__all__ = ["NwbExporter", "NwbParams"]

_SI = {"V": "volts", "S": "siemens", "A": "amperes"}
_ST = "st_"


@attrs.frozen(kw_only=True)
class NwbParams:
    """Parameters of the NWB export.

    Parameters
    ----------
    analysis : bool
        Export analysis results (PerNeuronValue and SingleValue) to the processing module
        ``mozaik_analysis``.
    compression : bool
        gzip-compress (with HDF5's shuffle filter) spike times and signals: a smaller file,
        a slower write.
    species : str or None
        The modelled animal's species, as DANDI asks for it (e.g. ``"Felis catus"``);
        nwbinspector reports a missing species as critical.
    age : str or None
        The modelled animal's ISO 8601 age (e.g. ``"P1Y"``); nwbinspector reports a missing
        age as critical.
    sex : str
        The modelled animal's sex as DANDI codes it (``"U"``: unknown).
    lfp_ohm : float or None, ohm
        Transfer resistance that turns an LFP proxy stored as a current (mozaik-analysis's
        RWS proxy, nA) into volts, for an NWB ElectricalSeries (whose unit is volts); without
        it such a proxy is written as a TimeSeries in its own unit. An LFP stored in volts
        needs none.
    """

    analysis: bool = True
    compression: bool = True
    species: str | None = None
    age: str | None = None
    sex: str = "U"
    lfp_ohm: float | None = attrs.field(default=None, validator=[finite, positive])


def _si(units: str) -> tuple[str, float]:
    """NWB's unit name and conversion factor to it for a quantities string: mV -> volts, 1e-3."""
    try:
        q = pq.Quantity(1.0, units).simplified
    except (LookupError, ValueError):
        return units, 1.0
    dim = q.dimensionality.string
    for symbol, name in _SI.items():
        if pq.Quantity(1.0, symbol).simplified.dimensionality.string == dim:
            return name, float(q.magnitude)
    return units, 1.0


def _typed_columns(raw: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Stimulus parameter columns as NWB columns of one type each: numbers (NaN where a row's
    stimulus has no such parameter) or text ("" where none). A text column whose values are
    JSON objects (a structured parameter) becomes one column per key, ``<column>_<key>``."""
    out: dict[str, list[Any]] = {}
    for column, values in raw.items():
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, str) for v in present):
            try:
                parsed = [None if v is None else json.loads(v) for v in values]
            except ValueError:
                parsed = []
            if parsed and all(isinstance(v, dict) for v in parsed if v is not None):
                keys = sorted({k for v in parsed if v is not None for k in v})
                out.update(_typed_columns({
                    f"{column}_{k}": [None if v is None or k not in v else
                                      (json.dumps(v[k]) if isinstance(v[k], (dict, list))
                                       else v[k]) for v in parsed]
                    for k in keys}))
                continue
            out[column] = ["" if v is None else v for v in values]
        elif all(isinstance(v, (bool, int, float)) for v in present):
            out[column] = [np.nan if v is None else float(v) for v in values]
        else:
            out[column] = ["" if v is None else (v if isinstance(v, str) else json.dumps(v))
                           for v in values]
    return out


def _annotation(values: np.ndarray | None, n: int, text: bool) -> str | float:
    """Annotation of neuron ``n`` as its column's type: "" or NaN where the sheet has none."""
    if values is None or values[n] is None:
        return "" if text else np.nan
    return str(values[n]) if text else float(values[n])


class NwbExporter(Exporter[NwbParams]):
    """An NWB 2 file (pynwb) ready for DANDI: spikes as Units, presentations as TimeIntervals,
    analog recordings as TimeSeries, analysis results in a processing module."""

    suffix = ".nwb"
    needs = ("spikes",)
    extra = "pip install 'mozaik-core[nwb]'"

    def check(self, view: DataStoreView) -> None:
        _require("pynwb", "NWB", self.extra)
        super().check(view)

    def write(self, view: DataStoreView, path: Path) -> None:
        from pynwb import NWBHDF5IO

        nwbfile = self._file(view)
        self._intervals(view, nwbfile)
        # the spikes, sorted per presentation, wait in a scratch folder next to the output
        # until the Units table is written (see _UnitSpikes)
        with tempfile.TemporaryDirectory(prefix=".nwb-spikes-", dir=path.parent) as scratch:
            self._units(view, nwbfile, Path(scratch))
            self._signals(view, nwbfile)
            if self.params.analysis:
                self._analysis(view, nwbfile)
            with NWBHDF5IO(str(path), mode="w") as io:
                io.write(nwbfile)

    # ------------------------------------------------------------------ parts
    def _file(self, view: DataStoreView) -> Any:
        from pynwb import NWBFile
        from pynwb.file import Subject

        manifest = view.store.manifest
        start = manifest.get("start_time")
        try:
            when = dt.datetime.fromisoformat(start) if start else None
        except ValueError:
            when = None
        if when is None:
            when = dt.datetime.now(dt.UTC)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        config = manifest.get("config") or {}
        provenance = {
            "study": manifest.get("study"),
            "simulator": manifest.get("simulator"),
            "seed": config.get("seed") if isinstance(config, dict) else None,
            "provenance": manifest.get("provenance", {}),
            "config": config,
            "config_file": manifest.get("config_file"),
            "export_query": self.query,
        }
        name = view.store.root.name
        return NWBFile(
            session_description=(f"Simulated activity of the Mozaik run {name!r} (study "
                                 f"{manifest.get('study')!r}), exported from its datastore"),
            identifier=str(uuid.uuid5(uuid.NAMESPACE_URL, str(view.store.root.resolve()))),
            session_start_time=when,
            session_id=name,
            experiment_description="Spiking network simulation (Mozaik, PyNN)",
            notes=json.dumps(provenance, default=str),
            data_collection=(
                "exported by mozaik export from the run's datastore; "
                + (f"the query (param_filter_query) {json.dumps(self.query, default=str)} "
                   "selected the exported data" if self.query else
                   "the whole run (no query)")),
            source_script=json.dumps(provenance["provenance"], default=str),
            source_script_file_name="mozaik",
            keywords=["simulation", "spiking network", "Mozaik", "PyNN"],
            subject=Subject(subject_id=f"model:{manifest.get('study') or name}",
                            description="a simulated spiking network model of this animal",
                            species=self.params.species, age=self.params.age,
                            sex=self.params.sex),
        )

    def _intervals(self, view: DataStoreView, nwbfile: Any) -> None:
        from pynwb.epoch import TimeIntervals

        index = view.segment_index.sort_by("presentation_id")
        ids = index["presentation_id"].to_numpy()
        first = np.unique(ids, return_index=True)[1]
        rows = index.take(pa.array(first))
        table = TimeIntervals(name="presentations",
                              description="one row per stimulus presentation (blanks included)")
        fixed = {"presentation_id": "presentation number in the store",
                 "stimulus_name": "registered stimulus class",
                 "trial": "trial number", "is_null": "blank (null) presentation"}
        params = [c for c in rows.column_names if c.startswith(_ST)]
        for column, description in fixed.items():
            table.add_column(name=column, description=description)
        columns = _typed_columns({c: rows[c].to_pylist() for c in params})
        params = list(columns)
        for column in params:
            table.add_column(name=column, description=(
                f"stimulus parameter {column[len(_ST):]!r} (NaN or empty: not a parameter of "
                "the row's stimulus)"))
        data = rows.select(["t_start", "t_stop", *fixed]).to_pylist()
        for i, row in enumerate(data):
            table.add_row(start_time=row.pop("t_start") / 1000.0,
                          stop_time=row.pop("t_stop") / 1000.0,
                          **row, **{c: columns[c][i] for c in params})
        nwbfile.add_time_intervals(table)

    def _units(self, view: DataStoreView, nwbfile: Any, scratch: Path) -> None:
        from hdmf.backends.hdf5.h5_utils import H5DataIO
        from hdmf.common import VectorData, VectorIndex
        from pynwb.misc import Units

        step = _time_step(view.store.manifest)
        sheets = sorted(set(view.segment_index["sheet_name"].to_pylist()))
        textual: dict[str, bool] = {}  # annotation name -> a text column (else float)
        for s in sheets:
            for a, values in view.neuron_annotations(s).items():
                textual[a] = textual.get(a, False) or np.asarray(values).dtype.kind in "OUS"
        spills: list[_SheetSpikes] = []
        columns: dict[str, list[Any]] = {
            "sheet": [], "neuron_index": [], "pynn_id": [], "position_x": [], "position_y": [],
            "position_z": [], **{name: [] for name in sorted(textual)}}
        counts: list[np.ndarray] = []
        for sheet in sheets:
            spill = _SheetSpikes.spill(view, sheet, scratch)
            if spill is None:
                continue
            spills.append(spill)
            recorded = spill.recorded
            counts.append(spill.totals[recorded])
            positions = view.neuron_positions(sheet)[recorded]
            annotations = view.neuron_annotations(sheet)
            columns["sheet"].extend([sheet] * len(recorded))
            columns["neuron_index"].append(recorded.astype(np.int64))
            columns["pynn_id"].append(view.neuron_ids(sheet)[recorded].astype(np.int64))
            for k, axis in enumerate("xyz"):
                columns[f"position_{axis}"].append(
                    positions[:, k].astype(np.float64) if positions.shape[1] > k
                    else np.zeros(len(recorded)))
            for name, text in textual.items():
                annotation = annotations.get(name)
                columns[name].append(np.array(
                    [_annotation(annotation, int(n), text) for n in recorded],
                    dtype=object if text else np.float64))
        total = int(sum(int(c.sum()) for c in counts))
        times: Any = (_spike_times(spills, total) if total
                      else np.empty(0, np.float64))
        spike_times = VectorData(
            name="spike_times", description="spike times (s)",
            data=times if not total else H5DataIO(
                times, compression="gzip" if self.params.compression else None,
                shuffle=self.params.compression))
        index = VectorIndex(name="spike_times_index", target=spike_times,
                            data=np.cumsum(np.concatenate(counts)) if counts
                            else np.empty(0, np.int64))
        described = {"sheet": "Mozaik sheet of the neuron",
                     "neuron_index": "index of the neuron within its sheet",
                     "pynn_id": "PyNN id of the neuron",
                     **{f"position_{a}": f"{a} position in the sheet (um)" for a in "xyz"},
                     **{name: f"neuron annotation {name!r}" for name in textual}}
        vectors = [VectorData(name=name, description=described[name],
                              data=values if name == "sheet" else
                              (np.concatenate(values) if values else np.empty(0)))
                   for name, values in columns.items()]
        n_units = len(columns["sheet"])
        nwbfile.units = Units(
            name="units", description="spikes of every recorded neuron (one unit per neuron)",
            # the index before its target: hdmf drops a column written by an iterator from
            # its length check as it meets it, then misses it for the index
            id=list(range(n_units)), columns=[index, spike_times, *vectors],
            resolution=step / 1000.0 if step else None)

    def _signals(self, view: DataStoreView, nwbfile: Any) -> None:
        from hdmf.backends.hdf5.h5_utils import H5DataIO
        from hdmf.data_utils import DataChunkIterator
        from pynwb import TimeSeries

        index = view.segment_index
        for sheet in sorted(set(index["sheet_name"].to_pylist())):
            rows = index.filter(pc.equal(index["sheet_name"], sheet)).sort_by("t_start")
            variables = sorted({v for vs in rows["variables"].to_pylist() for v in vs or ()}
                               - {"spikes"})
            for variable in variables:
                first = next(got for k in range(rows.num_rows)
                             if (got := _segment_signal(view, rows, k, variable)) is not None)
                units, neurons, _, _ = first
                unit, conversion = _si(units)

                data = DataChunkIterator(data=_samples(view, rows, variable, 2),
                                         buffer_size=4096)
                timestamps = DataChunkIterator(data=_samples(view, rows, variable, 3),
                                               buffer_size=4096)
                gzip = "gzip" if self.params.compression else None
                nwbfile.add_acquisition(TimeSeries(
                    name=f"{sheet}_{variable}".replace("/", "_"),
                    description=(f"{variable!r} of sheet {sheet!r}, neurons (columns) "
                                 f"{neurons.tolist()} (indices within the sheet), every "
                                 "presentation in time order"),
                    data=H5DataIO(data, compression=gzip, shuffle=bool(gzip)), unit=unit,
                    conversion=conversion,
                    timestamps=H5DataIO(timestamps, compression=gzip, shuffle=bool(gzip))))

    def _analysis(self, view: DataStoreView, nwbfile: Any) -> None:
        from hdmf.common import DynamicTable

        index = view.analysis_index.sort_by("ads_id")
        if index.num_rows == 0:
            return
        onsets = _onsets(view)
        tables = []
        lfp: dict[tuple[Any, ...], _LfpSeries] = {}
        counts: dict[str, int] = {}
        for row in index.to_pylist():
            result = view.store.reader.analysis_result(row)
            about = self._about(result, row)
            if _electrode_signals(result):
                signals: Any = result  # duck-typed: signal and positions_um
                onset = onsets.get((str(result.sheet_name), _identity(result.stimulus_id)))
                key = (result.sheet_name, result.analysis_algorithm, row.get("workflow_step"),
                       getattr(result, "y_axis_name", None),
                       np.asarray(signals.positions_um, np.float64).tobytes(), onset is None)
                series = lfp.setdefault(key, _LfpSeries(
                    about=about, units=str(signals.signal.units.dimensionality),
                    positions_um=np.asarray(signals.positions_um, np.float64),
                    placed=onset is not None))
                series.entries.append((0.0 if onset is None else onset, row))
                continue
            if not isinstance(result, (PerNeuronValue, SingleValue)):
                continue
            base = f"{result.analysis_algorithm}_{result.value_name}".replace("/", "_")
            counts[base] = counts.get(base, 0) + 1
            name = f"{base}_{counts[base]}"
            table = DynamicTable(name=name, description=json.dumps(about, default=str))
            units = str(result.value_units.dimensionality)
            if isinstance(result, PerNeuronValue):
                table.add_column(name="neuron_id", description="PyNN id of the neuron")
                table.add_column(name="value", description=f"{result.value_name} ({units})")
                for nid, value in zip(result.ids, result.values, strict=True):
                    table.add_row(neuron_id=int(nid), value=float(value))
            else:
                table.add_column(name="value", description=f"{result.value_name} ({units})")
                table.add_row(value=float(result.value))
            tables.append(table)
        if tables:
            module = nwbfile.create_processing_module(
                name="mozaik_analysis", description="Mozaik analysis results of the run")
            for table in tables:
                module.add(table)
        if lfp:
            self._lfp(view, nwbfile, list(lfp.values()))

    def _about(self, result: Any, row: dict[str, Any]) -> dict[str, Any]:
        """What made an analysis result: its analysis, parameters, stimulus, the workflow step
        and its declaration (component, parameters, query), and the export's query."""
        declared = row.get("analysis_params")
        try:
            declaration = json.loads(declared) if declared else None
        except ValueError:
            declaration = declared
        return {"analysis": result.analysis_algorithm, "type": type(result).__name__,
                "parameters": result.parameters(),
                "stimulus": (result.stimulus_id.to_string()
                             if result.stimulus_id is not None else None),
                "workflow_step": row.get("workflow_step"), "declaration": declaration,
                "export_query": self.query}

    def _lfp(self, view: DataStoreView, nwbfile: Any, groups: list[_LfpSeries]) -> None:
        """Electrode signals (LFP) as ElectricalSeries in the processing module ``ecephys``
        (an ``LFP`` container): derived from the recorded currents, not acquired."""
        from hdmf.backends.hdf5.h5_utils import H5DataIO
        from hdmf.data_utils import DataChunkIterator
        from pynwb import TimeSeries
        from pynwb.ecephys import LFP, ElectricalSeries

        module = nwbfile.create_processing_module(
            name="ecephys", description=(
                "LFP proxies computed by Mozaik analyses from the recorded synaptic currents "
                "of point neurons on virtual electrodes (simulated, not acquired)"))
        container = LFP(name="LFP")
        device = None
        names: dict[str, int] = {}
        for series in groups:
            about = series.about
            sheet = about["parameters"].get("sheet_name")
            base = f"{sheet}_{about['analysis']}".replace("/", "_")
            names[base] = names.get(base, 0) + 1
            name = base if names[base] == 1 else f"{base}_{names[base]}"
            series.entries.sort(key=lambda entry: entry[0])
            unit, conversion = _si(series.units)
            if unit != "volts" and self.params.lfp_ohm is not None:
                amperes, to_a = _si(series.units)
                if amperes == "amperes":
                    unit, conversion = "volts", to_a * self.params.lfp_ohm
            step = about.get("declaration")
            filtering = (
                f"no hardware filter: computed by the Mozaik analysis {about['analysis']} "
                f"({_plain(step) if step else 'no workflow declaration'}) from the recorded "
                "signals at their sampling interval")
            when = ("times are the simulation's, in s" if series.placed else
                    "NOT placed in the run: no presentation matches the result's stimulus, "
                    "so times are relative to the stimulus onset")
            description = (f"{about['analysis']} of sheet {sheet!r} on "
                           f"{len(series.positions_um)} virtual electrodes, every presentation "
                           f"in time order ({when}). {json.dumps(about, default=str)}")
            gzip = "gzip" if self.params.compression else None
            data = H5DataIO(DataChunkIterator(data=series.samples(view, 0), buffer_size=4096),
                            compression=gzip, shuffle=bool(gzip))
            stamps = H5DataIO(DataChunkIterator(data=series.samples(view, 1),
                                                buffer_size=4096),
                              compression=gzip, shuffle=bool(gzip))
            if unit != "volts":
                module.add(TimeSeries(
                    name=name, data=data, timestamps=stamps, unit=series.units,
                    description=(f"{description} Not a potential ({series.units}): written as "
                                 "a TimeSeries; give the exporter parameter lfp_ohm (a "
                                 "transfer resistance) to write it as an ElectricalSeries "
                                 "in volts"),
                    comments=filtering))
                continue
            if device is None:
                device = nwbfile.create_device(
                    name="mozaik_virtual_electrodes", description=(
                        "virtual electrodes of a Mozaik simulation (no hardware): points on a "
                        "sheet where an LFP proxy is computed"))
            group = nwbfile.create_electrode_group(
                name=name, device=device, location=f"Mozaik sheet {sheet!r} (simulated)",
                description=(f"the electrode array of {about['analysis']} on sheet {sheet!r}; "
                             "x, y: position on the sheet in um, z: 0 (the sheet's plane)"))
            first = len(nwbfile.electrodes) if nwbfile.electrodes is not None else 0
            for x, y, *z in series.positions_um:
                nwbfile.add_electrode(x=float(x), y=float(y), z=float(z[0]) if z else 0.0,
                                      location=f"Mozaik sheet {sheet!r} (simulated)",
                                      filtering=filtering, group=group)
            region = nwbfile.create_electrode_table_region(
                region=list(range(first, first + len(series.positions_um))),
                description=f"the electrodes of {name}")
            extra = ("" if self.params.lfp_ohm is None or series.units_are_volts() else
                     f" Stored in {series.units}, converted to volts through the transfer "
                     f"resistance lfp_ohm = {self.params.lfp_ohm} ohm.")
            container.add_electrical_series(ElectricalSeries(
                name=name, data=data, timestamps=stamps, electrodes=region,
                conversion=conversion, filtering=filtering,
                description=description + extra))
        if container.electrical_series:
            module.add(container)


@attrs.define(kw_only=True, eq=False)
class _LfpSeries:
    """The results (one per presentation) that make one ElectricalSeries."""

    about: dict[str, Any]
    units: str
    positions_um: np.ndarray
    placed: bool
    entries: list[tuple[float, dict[str, Any]]] = attrs.field(factory=list)

    def units_are_volts(self) -> bool:
        return _si(self.units)[0] == "volts"

    def samples(self, view: DataStoreView, part: int) -> Iterator[Any]:
        """Rows of the data (part 0: samples x electrodes, in the stored units) or the
        timestamps (part 1, s), one result in memory at a time."""
        for onset, row in self.entries:
            result: Any = view.store.reader.analysis_result(row)
            signal = result.signal
            if part == 0:
                yield from np.asarray(signal.magnitude, np.float64)
            else:
                yield from (onset + np.asarray(signal.times.rescale("ms").magnitude,
                                               np.float64)) / 1000.0


def _plain(value: Any) -> str:
    """A declaration as text without braces (nwbinspector flags dictionaries in strings):
    ``component=BandPass; params=(band_hz=[5.0, 40.0]; order=4)``."""
    if isinstance(value, dict):
        return "; ".join(f"{k}=" + (f"({_plain(v)})" if isinstance(v, dict) else _plain(v))
                         for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)


def _electrode_signals(result: Any) -> bool:
    """An analysis result of signals on electrodes with positions (an LFP on an array):
    a ``signal`` (samples x electrodes) and ``positions_um`` (electrodes x 2 or 3)."""
    signal = getattr(result, "signal", None)
    positions = getattr(result, "positions_um", None)
    if signal is None or positions is None or not hasattr(signal, "times"):
        return False
    positions = np.asarray(positions)
    return (positions.ndim == 2 and positions.shape[1] in (2, 3)
            and np.ndim(signal) == 2 and np.shape(signal)[1] == len(positions))


def _identity(stimulus: Any) -> str | None:
    return None if stimulus is None else str(stimulus.to_string())


def _onsets(view: DataStoreView) -> dict[tuple[str, str | None], float]:
    """(sheet, stimulus identity with its trial) -> the presentation's onset (ms); a
    presentation's stimulus segment before its blank one."""
    out: dict[tuple[str, str | None], float] = {}
    index = view.segment_index.sort_by([("is_null", "ascending"), ("segment_id", "ascending")])
    for row in index.select(["sheet_name", "stimulus_id", "trial", "t_start"]).to_pylist():
        try:
            identity = StimulusIdentity.from_string(row["stimulus_id"])
        except (ValueError, TypeError):
            continue
        for key in {identity.replace(trial=row["trial"]).to_string(), identity.to_string()}:
            out.setdefault((row["sheet_name"], key), float(row["t_start"]))
    return out


@attrs.frozen(kw_only=True, eq=False)
class _SheetSpikes:
    """A sheet's spikes spilled to a scratch folder, one presentation at a time.

    The store is presentation-major (a segment holds every neuron's spikes of one
    presentation), NWB's Units table unit-major (``spike_times`` holds unit 0's spikes of the
    whole run, then unit 1's...). :meth:`spill` reads one segment at a time, sorts its spikes
    by (neuron, time) and appends them (in s) to ``times`` and the segment's per-neuron
    offsets (``n + 1`` int64) to ``offsets``; :meth:`blocks` then reads, for a range of
    neurons, that range's slice of every segment (contiguous in the file) and interleaves them
    by neuron. Segments are in time order, so each unit's spikes come out in time order, and
    a block holds about as many spikes as the largest segment: memory is bounded by one
    presentation, not by the run.
    """

    sheet: str
    n: int
    times: Path
    offsets: Path
    starts: np.ndarray  # first spike of each segment in ``times``
    totals: np.ndarray  # spikes per neuron over the run
    recorded: np.ndarray  # sheet indices with spikes recorded (firing or not), ascending
    largest: int  # spikes of the largest segment

    @classmethod
    def spill(cls, view: DataStoreView, sheet: str, scratch: Path) -> _SheetSpikes | None:
        index = view.segment_index
        rows = index.filter(pc.equal(index["sheet_name"], sheet)).sort_by(
            [("t_start", "ascending"), ("segment_id", "ascending")])
        n = len(view.neuron_ids(sheet))
        recorded = np.zeros(n, bool)
        totals = np.zeros(n, np.int64)
        starts: list[int] = []
        largest = position = 0
        stem = scratch / f"{len(list(scratch.iterdir()))}"
        times_path, offsets_path = stem.with_suffix(".times"), stem.with_suffix(".offsets")
        with times_path.open("wb") as times_file, offsets_path.open("wb") as offsets_file:
            for k in range(rows.num_rows):
                table = view.store.reader.read_payload(rows.slice(k, 1), "spikes",
                                                       ["neuron", "time"])
                neuron = table["neuron"].to_numpy().astype(np.int64)
                times = table["time"].to_numpy(zero_copy_only=False).astype(np.float64)
                del table
                recorded[neuron] = True
                keep = ~np.isnan(times)
                neuron, times = neuron[keep], times[keep]
                order = np.lexsort((times, neuron))
                (times[order] / 1000.0).tofile(times_file)
                per_neuron = np.bincount(neuron, minlength=n)
                offsets = np.zeros(n + 1, np.int64)
                np.cumsum(per_neuron, out=offsets[1:])
                offsets.tofile(offsets_file)
                totals += per_neuron
                starts.append(position)
                position += len(times)
                largest = max(largest, len(times))
        if not recorded.any():
            return None
        return cls(sheet=sheet, n=n, times=times_path, offsets=offsets_path,
                   starts=np.asarray(starts, np.int64), totals=totals,
                   recorded=np.flatnonzero(recorded), largest=largest)

    def blocks(self, budget: int) -> Iterator[np.ndarray]:
        """The sheet's spike times (s) unit-major, in blocks of whole neurons of about
        ``budget`` spikes (more only for a neuron that alone has more)."""
        cumulative = np.cumsum(self.totals)
        width = self.n + 1
        with self.times.open("rb") as times_file, self.offsets.open("rb") as offsets_file:
            first = 0
            while first < self.n:
                before = int(cumulative[first - 1]) if first else 0
                last = int(np.searchsorted(cumulative, before + budget, side="right"))
                last = min(max(last, first + 1), self.n)
                times, neurons = [], []
                for k, start in enumerate(self.starts):
                    offsets_file.seek((k * width + first) * 8)
                    offsets = np.fromfile(offsets_file, np.int64, last - first + 1)
                    lo, hi = int(offsets[0]), int(offsets[-1])
                    if hi == lo:
                        continue
                    times_file.seek((int(start) + lo) * 8)
                    times.append(np.fromfile(times_file, np.float64, hi - lo))
                    neurons.append(np.repeat(np.arange(first, last), np.diff(offsets)))
                if times:
                    neuron = np.concatenate(neurons)
                    yield np.concatenate(times)[np.argsort(neuron, kind="stable")]
                first = last


def _spike_times(spills: list[_SheetSpikes], total: int) -> Any:
    """An hdmf data-chunk iterator writing the Units table's ``spike_times`` (``total``
    spikes) block by block from the sheets' spills."""
    from hdmf.data_utils import AbstractDataChunkIterator, DataChunk

    budget = max([1 << 16, *(s.largest for s in spills)])

    def chunks() -> Iterator[Any]:
        position = 0
        for spill in spills:
            for block in spill.blocks(budget):
                yield DataChunk(data=block, selection=np.s_[position:position + len(block)])
                position += len(block)

    class SpikeTimes(AbstractDataChunkIterator):  # type: ignore[misc]
        def __init__(self) -> None:
            self._chunks = chunks()

        def __iter__(self) -> SpikeTimes:
            return self

        def __next__(self) -> Any:
            return next(self._chunks)

        def recommended_chunk_shape(self) -> None:
            return None

        def recommended_data_shape(self) -> tuple[int]:
            return (total,)

        @property
        def dtype(self) -> np.dtype[Any]:
            return np.dtype(np.float64)

        @property
        def maxshape(self) -> tuple[int]:
            return (total,)

    return SpikeTimes()


def _segment_signal(view: DataStoreView, rows: pa.Table, k: int, variable: str
                    ) -> tuple[str, np.ndarray, np.ndarray, np.ndarray] | None:
    """(units, neurons, samples x neurons, timestamps in s) of segment ``k`` of ``rows``."""
    table = view.store.reader.read_payload(
        rows.slice(k, 1), "analog",
        ["neuron", "variable", "units", "t_start", "sampling_period", "values"])
    table = table.filter(pc.equal(table["variable"], variable))
    if table.num_rows == 0:
        return None
    values = np.array(table["values"].to_pylist(), dtype=np.float64)
    t0 = float(table["t_start"][0].as_py())
    period = float(table["sampling_period"][0].as_py())
    stamps = (t0 + period * np.arange(values.shape[1])) / 1000.0
    return (str(table["units"][0].as_py()), table["neuron"].to_numpy(), values.T, stamps)


def _samples(view: DataStoreView, rows: pa.Table, variable: str, part: int
             ) -> Iterator[Any]:
    """The rows of part ``part`` (2: samples, 3: timestamps) of every segment, one segment in
    memory at a time."""
    for k in range(rows.num_rows):
        got = _segment_signal(view, rows, k, variable)
        if got is not None:
            yield from got[part]


def _time_step(manifest: dict[str, Any]) -> float | None:
    """The simulation time step (ms) of the run's configuration, if it names one."""
    config = manifest.get("config")
    simulator = config.get("simulator") if isinstance(config, dict) else None
    step = simulator.get("time_step") if isinstance(simulator, dict) else None
    return float(step) if isinstance(step, (int, float)) else None
