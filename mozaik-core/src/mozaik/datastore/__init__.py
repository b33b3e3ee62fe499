"""The Arrow/Parquet datastore: recordings, neurons, stimuli and analysis results of a run.

A run directory holds a JSON manifest and Parquet tables (format: ``docs/datastore-format.md``).
:class:`DataStore` creates, opens and appends to one; :class:`DataStoreView` is a filtered index
over it whose payloads load on access; the query functions return new views. Spans of spike
times are open at the start and closed at the end, ``(t_start, t_stop]``, for segments as for
analysis windows and bins (:func:`spike_bin`).
"""

from __future__ import annotations

from mozaik.datastore._bins import EDGE_TOLERANCE_MS, spike_bin
from mozaik.datastore._check import Problem, check_store
from mozaik.datastore._export import export_nix, export_view
from mozaik.datastore._format import (
    FORMAT_VERSION,
    WHOLE_FORMAT_VERSION,
    open_for_write,
    read_run_file,
    read_run_json,
    refuse_links,
)
from mozaik.datastore._neo import sheet_recording_from_segment
from mozaik.datastore._provenance import collect_provenance, now_iso
from mozaik.datastore._query import (
    Collation,
    QueryWarning,
    collate_analysis_results,
    equal_ads,
    equal_ads_type,
    equal_stimulus,
    equal_stimulus_type,
    param_filter_query,
    partition_analysis_results_by_parameters,
    partition_analysis_results_by_stimulus_parameters,
    partition_by_stimulus_parameters,
    tag_based_query,
)
from mozaik.datastore._repair import DamagedPresentation, damaged_presentations
from mozaik.datastore._store import DataStore
from mozaik.datastore._summary import summarize, summary_data
from mozaik.datastore._view import AnalogArrays, DataStoreView, SegmentList, SpikeArrays
from mozaik.datastore._writer import SheetRecording, SignalRecording

__all__ = [
    "AnalogArrays",
    "Collation",
    "DamagedPresentation",
    "DataStore",
    "DataStoreView",
    "EDGE_TOLERANCE_MS",
    "FORMAT_VERSION",
    "Problem",
    "QueryWarning",
    "SegmentList",
    "SheetRecording",
    "SignalRecording",
    "SpikeArrays",
    "WHOLE_FORMAT_VERSION",
    "check_store",
    "collate_analysis_results",
    "collect_provenance",
    "damaged_presentations",
    "equal_ads",
    "equal_ads_type",
    "equal_stimulus",
    "equal_stimulus_type",
    "export_nix",
    "export_view",
    "now_iso",
    "open_for_write",
    "param_filter_query",
    "partition_analysis_results_by_parameters",
    "partition_analysis_results_by_stimulus_parameters",
    "partition_by_stimulus_parameters",
    "read_run_file",
    "read_run_json",
    "refuse_links",
    "sheet_recording_from_segment",
    "spike_bin",
    "summarize",
    "summary_data",
    "tag_based_query",
]
