"""Recordings on their way into the store: plain-array records and their index rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np
import pyarrow as pa

from mozaik._errors import DataStoreError, DuplicatePresentationError
from mozaik.ads import AnalysisDataStructure, ads_provider
from mozaik.datastore._format import (
    ADS_COLUMNS,
    ANALOG,
    ANALOG_SCHEMA,
    SPIKES,
    SPIKES_SCHEMA,
    ST_PREFIX,
    presentation_file,
    write_table_atomic,
)
from mozaik.plugin import Registry
from mozaik.stimulus import StimulusIdentity

__all__ = [
    "ADS_WORKFLOW_COLUMNS",
    "ADS_WRITER_COLUMNS",
    "SheetRecording",
    "SignalRecording",
    "ads_index_row",
    "check_ads_parameters",
    "presentation_index",
    "presentation_key",
    "scalar_column",
    "stimulus_columns",
    "write_payload",
]


def _int_array(value: object) -> np.ndarray:
    return np.asarray(value, dtype=np.int64).reshape(-1)


def _float_array_2d(value: object) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def _float_array(value: object) -> np.ndarray:
    return np.asarray(value, dtype=np.float64).reshape(-1)


def _optional_int_array(value: object) -> np.ndarray | None:
    return None if value is None else _int_array(value)


@attrs.frozen(kw_only=True)
class SignalRecording:
    """One analog variable of one sheet during one presentation.

    Parameters
    ----------
    variable : str
        Recorded variable as PyNN names it (``"v"``, ``"gsyn_exc"``, ...).
    units : str
        Units of ``values`` as a quantities string (``"mV"``, ``"uS"``).
    t_start : float, ms
        Time of the first sample, absolute simulation time.
    sampling_period : float, ms
        Sampling period.
    neurons : int array of shape (n,)
        Index within the sheet of the neuron of each column of ``values``.
    values : float array of shape (n_samples, n)
        The traces, one column per neuron (neo's layout).
    """

    variable: str
    units: str
    t_start: float
    sampling_period: float
    neurons: np.ndarray = attrs.field(converter=_int_array)
    values: np.ndarray = attrs.field(converter=_float_array_2d)

    def __attrs_post_init__(self) -> None:
        if self.values.ndim != 2 or self.values.shape[1] != len(self.neurons):
            msg = (
                f"signal {self.variable!r}: values has shape {self.values.shape}, expected "
                f"(n_samples, {len(self.neurons)}) for {len(self.neurons)} neurons"
            )
            raise DataStoreError(msg)


def _to_signals(value: Iterable[SignalRecording]) -> tuple[SignalRecording, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class SheetRecording:
    """Everything recorded from one sheet during one presentation, as plain arrays.

    Parameters
    ----------
    t_start, t_stop : float, ms
        Time span of the recording, absolute simulation time.
    spike_neurons : int array of shape (k,)
        Index within the sheet of the neuron of each spike.
    spike_times : float array of shape (k,), ms
        Spike times.
    spike_recorded : int array or None
        Indices of every neuron whose spikes were recorded, silent ones included; None when
        spikes were not recorded. Silent neurons are kept so they get an empty SpikeTrain.
    signals : sequence of SignalRecording
        Analog variables.
    """

    t_start: float
    t_stop: float
    spike_neurons: np.ndarray = attrs.field(
        factory=lambda: np.empty(0, np.int64), converter=_int_array
    )
    spike_times: np.ndarray = attrs.field(factory=lambda: np.empty(0), converter=_float_array)
    spike_recorded: np.ndarray | None = attrs.field(default=None, converter=_optional_int_array)
    signals: Sequence[SignalRecording] = attrs.field(factory=tuple, converter=_to_signals)

    def __attrs_post_init__(self) -> None:
        if len(self.spike_neurons) != len(self.spike_times):
            msg = (
                f"spike_neurons ({len(self.spike_neurons)}) and spike_times "
                f"({len(self.spike_times)}) must have one entry per spike"
            )
            raise DataStoreError(msg)

    @property
    def variables(self) -> list[str]:
        """Recorded variables: ``"spikes"`` if spikes were recorded, then the analog ones."""
        out = ["spikes"] if self.spike_recorded is not None or len(self.spike_times) else []
        return out + [s.variable for s in self.signals]

    @property
    def variable_neurons(self) -> list[int]:
        """Number of neurons recorded for each of :attr:`variables`, in the same order."""
        out = []
        if self.spike_recorded is not None or len(self.spike_times):
            recorded = self.spike_neurons if self.spike_recorded is None else self.spike_recorded
            out.append(len(np.unique(recorded)))
        return out + [len(np.unique(s.neurons)) for s in self.signals]

    def spikes_table(self, segment_id: int) -> pa.Table:
        """Spike rows sorted by neuron, with one null-time row per silent recorded neuron."""
        neurons = self.spike_neurons
        times = self.spike_times
        mask = None
        if self.spike_recorded is not None:
            silent = np.setdiff1d(self.spike_recorded, neurons)
            if len(silent):
                neurons = np.concatenate([neurons, silent])
                times = np.concatenate([times, np.zeros(len(silent))])
                mask = np.zeros(len(neurons), bool)
                mask[-len(silent) :] = True
        if len(neurons) > 1 and (np.diff(neurons) < 0).any():
            order = np.argsort(neurons, kind="stable")
            neurons, times = neurons[order], times[order]
            mask = None if mask is None else mask[order]
        n = len(neurons)
        return pa.Table.from_arrays(
            [
                pa.array(np.full(n, segment_id, np.int64)),
                pa.array(neurons.astype(np.int32)),
                pa.array(times, mask=mask),
            ],
            schema=SPIKES_SCHEMA,
        )

    def payload_table(self, kind: str, segment_id: int) -> pa.Table:
        """:meth:`spikes_table` (``kind`` ``"spikes"``) or :meth:`analog_table` (``"analog"``)."""
        return self.spikes_table(segment_id) if kind == SPIKES else self.analog_table(segment_id)

    def analog_table(self, segment_id: int) -> pa.Table:
        """Analog rows: one per (neuron, variable), values as a list column."""
        parts = []
        for s in self.signals:
            n, m = len(s.neurons), s.values.shape[0]
            flat = np.ascontiguousarray(s.values.T).reshape(-1)
            offsets = (
                np.arange(0, (n + 1) * m, m, dtype=np.int64) if m else np.zeros(n + 1, np.int64)
            )
            parts.append(
                pa.Table.from_arrays(
                    [
                        pa.array(np.full(n, segment_id, np.int64)),
                        pa.array(s.neurons.astype(np.int32)),
                        pa.array([s.variable] * n, pa.string()),
                        pa.array([s.units] * n, pa.string()),
                        pa.array(np.full(n, s.t_start, np.float64)),
                        pa.array(np.full(n, s.sampling_period, np.float64)),
                        pa.LargeListArray.from_arrays(pa.array(offsets), pa.array(flat)),
                    ],
                    schema=ANALOG_SCHEMA,
                )
            )
        return pa.concat_tables(parts) if parts else ANALOG_SCHEMA.empty_table()


def stimulus_columns(sid: StimulusIdentity | None, n: int) -> dict[str, pa.Array]:
    """The ``st_<param>`` index columns of ``n`` rows of stimulus ``sid`` (none if None)."""
    if sid is None:
        return {}
    return {ST_PREFIX + k: scalar_column(v, n) for k, v in sid.params.items()}


def scalar_column(value: object, n: int) -> pa.Array:
    """A column of ``n`` copies of ``value`` (nulls for None), typed from the value."""
    if value is None:
        return pa.nulls(n)
    return pa.array([value] * n)


def typed_column(value: object, arrow_type: pa.DataType | None) -> pa.Array:
    """A one-row column of ``value`` with the declared ``arrow_type`` (None: from the value)."""
    if arrow_type is None:
        return scalar_column(value, 1)
    try:
        return pa.array([value], arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return scalar_column(value, 1)  # not what was declared: stored as it is


def presentation_index(
    stimulus: StimulusIdentity,
    trial: int,
    is_null: bool,
    ids: tuple[int, list[int]],
    recordings: Mapping[str, SheetRecording],
    span: tuple[float | None, float | None],
    payloads: Mapping[str, tuple[str | None, list[tuple[int, int]]]],
) -> pa.Table:
    """The segment-index fragment of one presentation: one row per sheet.

    Parameters
    ----------
    stimulus, trial, is_null
        What was presented.
    ids : (int, list of int)
        The presentation id and the segment id of each sheet (in ``recordings`` order).
    recordings : mapping of str to SheetRecording
        Sheet name to its recording.
    span : (float or None, float or None), ms
        ``t_start``, ``t_stop`` of the presentation; None: the span of each sheet's data.
    payloads : mapping
        ``spikes``/``analog`` to (file or None, per sheet (first row group, row groups)).
    """
    pid, seg_ids = ids
    sheets = list(recordings)
    recs = [recordings[s] for s in sheets]
    n = len(sheets)
    t_start, t_stop = span
    spikes_file, spike_spans = payloads[SPIKES]
    analog_file, analog_spans = payloads[ANALOG]
    columns: dict[str, pa.Array] = {
        "segment_id": pa.array(seg_ids, pa.int64()),
        "presentation_id": pa.array([pid] * n, pa.int64()),
        "sheet_name": pa.array(sheets, pa.string()),
        "stimulus_name": pa.array([stimulus.name] * n, pa.string()),
        "stimulus_id": pa.array([stimulus.to_string()] * n, pa.string()),
        "trial": pa.array([int(trial)] * n, pa.int64()),
        "is_null": pa.array([bool(is_null)] * n, pa.bool_()),
        "t_start": pa.array(
            [float(t_start) if t_start is not None else r.t_start for r in recs], pa.float64()
        ),
        "t_stop": pa.array(
            [float(t_stop) if t_stop is not None else r.t_stop for r in recs], pa.float64()
        ),
        "variables": pa.array([r.variables for r in recs], pa.list_(pa.string())),
        "variable_neurons": pa.array([r.variable_neurons for r in recs], pa.list_(pa.int64())),
        "n_spiketrains": pa.array(
            [0 if r.spike_recorded is None else len(np.unique(r.spike_recorded)) for r in recs],
            pa.int64(),
        ),
        "n_spikes": pa.array([len(r.spike_times) for r in recs], pa.int64()),
        "spikes_file": pa.array([spikes_file] * n, pa.string()),
        "spikes_row_group": pa.array([s[0] for s in spike_spans], pa.int32()),
        "spikes_row_groups": pa.array([s[1] for s in spike_spans], pa.int32()),
        "analog_file": pa.array([analog_file] * n, pa.string()),
        "analog_row_group": pa.array([s[0] for s in analog_spans], pa.int32()),
        "analog_row_groups": pa.array([s[1] for s in analog_spans], pa.int32()),
        **stimulus_columns(stimulus, n),
    }
    return pa.table(columns)


def presentation_key(
    stimulus: StimulusIdentity,
    trial: int,
    recordings: Mapping[str, SheetRecording],
    is_null: bool,
    presented: set[tuple[str, int, bool]],
    root: Path,
) -> tuple[str, int, bool]:
    """Check a presentation about to be written to ``root``; return its (stimulus, trial,
    null) key. ``presented`` holds the keys already stored."""
    if not isinstance(stimulus, StimulusIdentity):
        msg = f"stimulus must be a StimulusIdentity, got {type(stimulus).__name__}"
        raise DataStoreError(msg)
    if "name" in stimulus.params:
        msg = (
            f"stimulus {stimulus.name!r} has a parameter called 'name', which clashes with the "
            f"stimulus name in queries (st_name); rename the parameter"
        )
        raise DataStoreError(msg)
    if "trial" in stimulus.params and stimulus.params["trial"] != trial:
        msg = (
            f"stimulus {stimulus!r} has trial={stimulus.params['trial']!r} but the "
            f"presentation is written as trial {trial}; pass the same trial"
        )
        raise DataStoreError(msg)
    if not recordings:
        msg = f"presentation of {stimulus!r} trial {trial} has no sheets to write"
        raise DataStoreError(msg)
    key = (stimulus.to_string(), int(trial), bool(is_null))
    if key in presented:
        kind = "blank segment" if is_null else "presentation"
        msg = (
            f"{kind} of {stimulus!r} trial {trial} is already stored in {root}; check "
            f"has_presentation() before presenting, or use a new run directory"
        )
        raise DuplicatePresentationError(msg)
    return key


def write_payload(
    root: Path, kind: str, pid: int, parts: list[pa.Table], writer_part: int | None = None
) -> tuple[str | None, list[tuple[int, int]]]:
    """Write the ``kind`` payload file of presentation ``pid``, one row-group run per sheet's
    table in ``parts`` (of the presentation's part ``writer_part`` if given).

    Returns the file (relative to ``root``; None if every table is empty) and, per table, its
    first row group and number of row groups.
    """
    if not any(p.num_rows for p in parts):
        return None, [(0, 0)] * len(parts)
    schema = SPIKES_SCHEMA if kind == SPIKES else ANALOG_SCHEMA
    rel = presentation_file(kind, pid, writer_part)
    return rel, write_table_atomic(schema.empty_table(), root / rel, row_group_tables=parts)


#: ADS index columns naming the distribution (and its version) that provides a result's class,
#: so that a reader without that distribution can say what to install.
ADS_WRITER_COLUMNS = ("ads_distribution", "ads_distribution_version")

#: ADS index columns the workflow fills (``add_analysis_result(..., provenance=...)``): the
#: step that made a result (``analyses/PopulationMean``) and the JSON of that step's declaration
#: (component, parameters, query), so a result names the analysis parameters it came from.
ADS_WORKFLOW_COLUMNS = ("workflow_step", "analysis_params")


def check_ads_parameters(ads: AnalysisDataStructure) -> None:
    """Refuse an ADS whose parameter names would clash with the ADS index's own columns."""
    params = ads.parameters()
    clash = set(params) & (set(ADS_COLUMNS.names) - {"identifier"} | set(ADS_WRITER_COLUMNS)
                           | set(ADS_WORKFLOW_COLUMNS))
    clash |= {p for p in params if p.startswith(ST_PREFIX)}
    if clash:
        msg = (
            f"{ads.identifier}: parameter names {sorted(clash)} clash with ADS index columns; "
            f"rename them"
        )
        raise DataStoreError(msg)


def ads_index_row(ads: AnalysisDataStructure, aid: int, key: str, rel: str,
                  provenance: Mapping[str, str] | None = None, *,
                  registry: Registry) -> pa.Table:
    """The ADS-index fragment of result ``aid`` (equality key ``key``, payload file ``rel``),
    with the :data:`ADS_WORKFLOW_COLUMNS` of ``provenance`` if given; the providing
    distribution is looked up in ``registry``."""
    params = ads.parameters()
    sid = ads.stimulus_id
    columns: dict[str, pa.Array] = {
        "ads_id": pa.array([aid], pa.int64()),
        "ads_key": pa.array([key], pa.string()),
        "identifier": pa.array([ads.identifier], pa.string()),
        "tags": pa.array([list(ads.tags)], pa.list_(pa.string())),
        "parameters": pa.array([json.dumps(params, sort_keys=True)], pa.string()),
        "stimulus_name": pa.array([None if sid is None else sid.name], pa.string()),
        "payload_file": pa.array([rel], pa.string()),
    }
    for column, text in zip(ADS_WRITER_COLUMNS, ads_provider(type(ads), registry), strict=True):
        columns[column] = pa.array([text], pa.string())
    types = type(ads).parameter_types()
    for name, value in params.items():
        if name != "identifier":
            columns[name] = typed_column(value, types.get(name))
    columns.update(stimulus_columns(sid, 1))
    for column, text in (provenance or {}).items():
        if column not in ADS_WORKFLOW_COLUMNS:
            msg = (f"provenance column {column!r} is not one of {list(ADS_WORKFLOW_COLUMNS)}")
            raise DataStoreError(msg)
        columns[column] = pa.array([str(text)], pa.string())
    return pa.table(columns)
