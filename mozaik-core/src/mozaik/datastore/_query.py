"""Queries over datastore views, evaluated on the Arrow index tables.

Semantics follow the seed paper: ADS parameters are named directly, stimulus parameters with the
``st_`` prefix (``st_name`` is the stimulus class name), a list value means any-of, and keys
combine with AND. A record lacking a queried parameter does not match.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import quantities as pq

from mozaik._errors import DataStoreError
from mozaik.ads import AnalysisDataStructure, units_string
from mozaik.datastore._format import ADS_COLUMNS, ST_PREFIX
from mozaik.datastore._writer import ADS_WORKFLOW_COLUMNS, ADS_WRITER_COLUMNS
from mozaik.stimulus import StimulusIdentity

if TYPE_CHECKING:  # the views use the queries (DataStoreView.get_analysis_result)
    from mozaik.datastore._view import DataStoreView

__all__ = [
    "Collation",
    "QueryWarning",
    "collate_analysis_results",
    "equal_ads",
    "equal_ads_type",
    "equal_stimulus",
    "equal_stimulus_type",
    "param_filter_query",
    "partition_analysis_results_by_parameters",
    "partition_analysis_results_by_stimulus_parameters",
    "partition_by_stimulus_parameters",
    "tag_based_query",
]

_ROW = "__row"
_BOOKKEEPING = (set(ADS_COLUMNS.names) - {"identifier"}) | set(ADS_WRITER_COLUMNS) | set(
    ADS_WORKFLOW_COLUMNS)


class QueryWarning(UserWarning):
    """A query named a parameter that no record in the view has."""


def _column(table: pa.Table, key: str) -> str | None:
    """The index column holding query key ``key`` in ``table``, or None."""
    if key == "st_name":
        return "stimulus_name"
    if key in table.column_names:
        return key
    if key == "st_trial" and "trial" in table.column_names:
        return "trial"
    return None


def _normalise(value: Any) -> Any:
    if isinstance(value, StimulusIdentity):
        return value.to_string()
    if isinstance(value, pq.Quantity):
        return units_string(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _match(col: pa.ChunkedArray, values: Sequence[Any]) -> pa.ChunkedArray | pa.Array:
    """Boolean mask: ``col`` equals any of ``values`` (None matches null)."""
    want_null = any(v is None for v in values)
    concrete = [v for v in values if v is not None]
    t = col.type
    mask = None
    if concrete:
        if pa.types.is_integer(t) or pa.types.is_floating(t):
            nums = [v for v in concrete if isinstance(v, int | float) and not isinstance(v, bool)]
            if nums:
                mask = pc.is_in(col.cast(pa.float64()), value_set=pa.array(nums, pa.float64()))
        elif pa.types.is_boolean(t):
            bools = [v for v in concrete if isinstance(v, bool)]
            if bools:
                mask = pc.is_in(col, value_set=pa.array(bools, pa.bool_()))
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            strs = [v for v in concrete if isinstance(v, str)]
            if strs:
                mask = pc.is_in(col, value_set=pa.array(strs, t))
        if mask is not None:
            mask = pc.fill_null(mask, False)
    if want_null:
        nulls = pc.is_null(col)
        mask = nulls if mask is None else pc.or_(mask, nulls)
    if mask is None:
        return pa.array(np.zeros(len(col), bool))
    return mask


def _filter(table: pa.Table, criteria: dict[str, list[Any]]) -> pa.Table:
    mask = None
    for key, values in criteria.items():
        name = _column(table, key)
        if name is None:
            return table.slice(0, 0)
        m = _match(table[name], values)
        mask = m if mask is None else pc.and_(mask, m)
    return table if mask is None else table.filter(mask)


def _known(table: pa.Table, key: str) -> bool:
    name = _column(table, key)
    return name is not None and table[name].null_count < table.num_rows


def param_filter_query(
    dsv: DataStoreView, ads_unique: bool = False, rec_unique: bool = False, **kwargs: Any
) -> DataStoreView:
    """Select recordings and analysis results by parameter values.

    Parameters
    ----------
    dsv : DataStoreView
        The view (or store) to filter.
    ads_unique, rec_unique : bool
        Require exactly one analysis result / one recording segment in the result.
    **kwargs
        ``name=value`` for ADS parameters (``sheet_name``, ``value_name``,
        ``analysis_algorithm``, ``identifier``, ...), ``st_name=value`` for the stimulus class
        name and ``st_<parameter>=value`` for stimulus parameters. A list, tuple or set value
        means any of its elements; ``None`` matches a missing value. Keys combine with AND;
        recordings have the parameters ``sheet_name``, ``trial``, ``is_null`` and the ``st_``
        ones, so an ADS-only key excludes every recording.

    Returns
    -------
    DataStoreView
        The matching subset. A key that no record of ``dsv`` has gives an empty view and a
        :class:`QueryWarning`.

    Examples
    --------
    >>> param_filter_query(store, st_name="FullfieldDriftingSinusoidalGrating",
    ...                    st_orientation=[0.0, 1.5707963267948966], sheet_name="V1_Exc_L4")
    """
    criteria = {}
    for key, value in kwargs.items():
        values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        criteria[key] = [_normalise(v) for v in values]
    seg, ads = dsv.segment_index, dsv.analysis_index
    unknown = [
        k for k in criteria if not (_known(seg, k) or _known(ads, k)) and None not in criteria[k]
    ]
    if unknown and (seg.num_rows or ads.num_rows):
        names = sorted(
            {c for c in ads.column_names if c not in _BOOKKEEPING}
            | {"sheet_name", "trial", "is_null", "st_name"}
            | {c for c in seg.column_names if c.startswith(ST_PREFIX)}
        )
        warnings.warn(
            f"param_filter_query: no record in the view has parameter(s) {unknown}; the result "
            f"is empty. Parameters present: {', '.join(names)}",
            QueryWarning,
            stacklevel=2,
        )
        return dsv.derive(seg.slice(0, 0), ads.slice(0, 0))
    out = dsv.derive(_filter(seg, criteria), _filter(ads, criteria))
    if ads_unique and out.n_analysis_results != 1:
        msg = (
            f"param_filter_query({kwargs}) matched {out.n_analysis_results} analysis results, "
            f"expected exactly 1"
        )
        raise DataStoreError(msg)
    if rec_unique and out.n_segments != 1:
        msg = (
            f"param_filter_query({kwargs}) matched {out.n_segments} recordings, expected exactly 1"
        )
        raise DataStoreError(msg)
    return out


def tag_based_query(
    dsv: DataStoreView, tags: str | Iterable[str], *, match: str = "any"
) -> DataStoreView:
    """Select the analysis results carrying tags (recordings have no tags and are dropped).

    Parameters
    ----------
    tags : str or iterable of str
        Tags to look for.
    match : {"any", "all"}
        Keep results with any of the tags, or with all of them.
    """
    wanted = [tags] if isinstance(tags, str) else list(tags)
    if match not in ("any", "all"):
        msg = f"match must be 'any' or 'all', got {match!r}"
        raise DataStoreError(msg)
    ads = dsv.analysis_index
    seg = dsv.segment_index.slice(0, 0)
    if ads.num_rows == 0 or not wanted:
        return dsv.derive(seg, ads.slice(0, 0))
    col = ads["tags"].combine_chunks()
    flat = pc.list_flatten(col)
    parents = pc.list_parent_indices(col)
    mask = np.zeros(ads.num_rows, bool) if match == "any" else np.ones(ads.num_rows, bool)
    for tag in wanted:
        hit = pc.equal(flat, tag).to_numpy(zero_copy_only=False)
        has = np.zeros(ads.num_rows, bool)
        has[parents.to_numpy()[hit]] = True
        mask = (mask | has) if match == "any" else (mask & has)
    return dsv.derive(seg, ads.filter(pa.array(mask)))


# ---------------------------------------------------------------------- grouping helpers
def _groups(table: pa.Table, keys: Sequence[str]) -> dict[tuple[Any, ...], np.ndarray]:
    """Row indices of ``table`` per distinct value of the (present) ``keys`` columns."""
    if table.num_rows == 0:
        return {}
    present = [k for k in keys if k in table.column_names]
    if not present:
        return {tuple(None for _ in keys): np.arange(table.num_rows)}
    t = table.select(present).append_column(_ROW, pa.array(np.arange(table.num_rows)))
    g = t.group_by(present, use_threads=False).aggregate([(_ROW, "list")])
    out: dict[tuple[Any, ...], np.ndarray] = {}
    key_rows = g.select(present).to_pylist()
    rows = g[_ROW + "_list"].to_pylist()
    for krow, r in zip(key_rows, rows, strict=True):
        key = tuple(krow.get(k) for k in keys)
        out[key] = np.sort(np.asarray(r, np.int64))
    return out


def _sort_key(key: tuple[Any, ...]) -> str:
    return json.dumps(key, default=str)


def _stimulus_keys(table: pa.Table, parameters: Sequence[str], exclude: bool) -> list[str]:
    cols = ["stimulus_name", *sorted(c for c in table.column_names if c.startswith(ST_PREFIX))]
    named = {
        "stimulus_name" if p in ("name", "st_name") else ST_PREFIX + p.removeprefix(ST_PREFIX)
        for p in parameters
    }
    if exclude:
        return [c for c in cols if c not in named]
    return [c for c in cols if c in named] + sorted(named - set(cols))


def _ads_param_columns(table: pa.Table) -> list[str]:
    return sorted(
        c for c in table.column_names if c not in _BOOKKEEPING and not c.startswith(ST_PREFIX)
    )


def partition_by_stimulus_parameters(
    dsv: DataStoreView, parameters: Sequence[str], *, exclude: bool = True
) -> list[DataStoreView]:
    """Split recordings and stimulus-bound results into views by stimulus parameters.

    Parameters
    ----------
    parameters : sequence of str
        Stimulus parameter names (with or without ``st_``; ``"name"`` is the class name).
    exclude : bool
        True (the default, as in the seed): one view per distinct combination of every
        stimulus parameter *except* ``parameters``, so inside a view stimuli differ only along
        them (e.g. ``["orientation"]`` for orientation tuning). False: one view per distinct
        combination of ``parameters``.

    Returns
    -------
    list of DataStoreView
        In a deterministic order (sorted by the grouping values). Results without a stimulus
        are left out.
    """
    seg = dsv.segment_index
    ads = dsv.analysis_index
    ads = ads.filter(pc.is_valid(ads["stimulus_name"])) if ads.num_rows else ads
    keys = list(
        dict.fromkeys(
            _stimulus_keys(seg, parameters, exclude) + _stimulus_keys(ads, parameters, exclude)
        )
    )
    gs, ga = _groups(seg, keys), _groups(ads, keys)
    out = []
    for key in sorted(set(gs) | set(ga), key=_sort_key):
        s = seg.take(pa.array(gs.get(key, np.empty(0, np.int64))))
        a = ads.take(pa.array(ga.get(key, np.empty(0, np.int64))))
        out.append(dsv.derive(s, a))
    return out


def partition_analysis_results_by_parameters(
    dsv: DataStoreView, parameters: Sequence[str], *, exclude: bool = False
) -> list[DataStoreView]:
    """Split the analysis results into views by ADS parameters (recordings are dropped).

    Parameters
    ----------
    parameters : sequence of str
        ADS parameter names.
    exclude : bool
        False: one view per distinct combination of ``parameters``. True: one view per
        distinct combination of every ADS parameter (``identifier`` and ``stimulus_id``
        included) except ``parameters``.
    """
    ads = dsv.analysis_index
    cols = _ads_param_columns(ads)
    keys = [c for c in cols if c not in parameters] if exclude else list(parameters)
    seg = dsv.segment_index.slice(0, 0)
    return [
        dsv.derive(seg, ads.take(pa.array(rows)))
        for _, rows in sorted(_groups(ads, keys).items(), key=lambda kv: _sort_key(kv[0]))
    ]


def partition_analysis_results_by_stimulus_parameters(
    dsv: DataStoreView, parameters: Sequence[str], *, exclude: bool = False
) -> list[DataStoreView]:
    """Split the stimulus-bound analysis results into views by stimulus parameters.

    ``exclude`` works as in :func:`partition_analysis_results_by_parameters`; results without
    a stimulus and all recordings are dropped.
    """
    ads = dsv.analysis_index
    ads = ads.filter(pc.is_valid(ads["stimulus_name"])) if ads.num_rows else ads
    keys = _stimulus_keys(ads, parameters, exclude)
    seg = dsv.segment_index.slice(0, 0)
    return [
        dsv.derive(seg, ads.take(pa.array(rows)))
        for _, rows in sorted(_groups(ads, keys).items(), key=lambda kv: _sort_key(kv[0]))
    ]


# ---------------------------------------------------------------------- predicates
def _n_distinct(table: pa.Table, cols: Sequence[str]) -> int:
    return len(_groups(table, cols))


def equal_stimulus_type(dsv: DataStoreView) -> bool:
    """Whether every recording and stimulus-bound result in the view has the same stimulus class."""
    names = set(pc.unique(dsv.segment_index["stimulus_name"]).to_pylist())
    names |= set(pc.unique(dsv.analysis_index["stimulus_name"]).to_pylist())
    names.discard(None)
    return len(names) <= 1


def equal_stimulus(dsv: DataStoreView, except_params: Sequence[str] = ()) -> bool:
    """Whether all stimuli in the view are equal apart from ``except_params``."""
    if not equal_stimulus_type(dsv):
        return False
    seg = dsv.segment_index
    ads = dsv.analysis_index
    ads = ads.filter(pc.is_valid(ads["stimulus_name"])) if ads.num_rows else ads
    keys = sorted(
        set(_stimulus_keys(seg, except_params, True))
        | set(_stimulus_keys(ads, except_params, True))
    )
    return len(set(_groups(seg, keys)) | set(_groups(ads, keys))) <= 1


def equal_ads_type(dsv: DataStoreView) -> bool:
    """Whether every analysis result in the view has the same identifier (ADS class)."""
    return len(pc.unique(dsv.analysis_index["identifier"])) <= 1


def equal_ads(dsv: DataStoreView, except_params: Sequence[str] = ()) -> bool:
    """Whether all analysis results in the view have equal parameters except ``except_params``."""
    ads = dsv.analysis_index
    keys = [c for c in _ads_param_columns(ads) if c not in except_params]
    return _n_distinct(ads, keys) <= 1


# ---------------------------------------------------------------------- collation
@attrs.frozen
class Collation:
    """Analysis results ordered along one stimulus parameter (one tuning curve's worth).

    Attributes
    ----------
    stimulus : StimulusIdentity
        The shared stimulus, without the collated parameter.
    parameter : str
        The collated stimulus parameter.
    parameters : dict
        The shared ADS parameters (``value_name``, ``sheet_name``, ...), ``stimulus_id`` excluded.
    values : numpy.ndarray
        The parameter values, ascending.
    results : list of AnalysisDataStructure
        The result at each value (same order as ``values``).
    """

    stimulus: StimulusIdentity
    parameter: str
    parameters: dict[str, Any]
    values: np.ndarray
    results: list[AnalysisDataStructure]


def collate_analysis_results(dsv: DataStoreView, parameter: str) -> list[Collation]:
    """Group stimulus-bound results that differ only in stimulus ``parameter`` and sort them by it.

    Results are grouped by every ADS parameter except ``stimulus_id`` and by the stimulus class
    and every other stimulus parameter. Use it for tuning curves: e.g. trial-averaged firing
    rates (PerNeuronValue) collated along ``"orientation"``.

    Parameters
    ----------
    parameter : str
        Stimulus parameter name (with or without ``st_``).

    Returns
    -------
    list of Collation
        Deterministically ordered; only results whose stimulus has ``parameter``.
    """
    name = parameter.removeprefix(ST_PREFIX)
    col = ST_PREFIX + name
    ads = dsv.analysis_index
    if col not in ads.column_names:
        return []
    ads = ads.filter(pc.is_valid(ads[col]))
    param_cols = [c for c in _ads_param_columns(ads) if c != "stimulus_id"]
    keys = param_cols + _stimulus_keys(ads, [name], True)
    out = []
    for key, rows in sorted(_groups(ads, keys).items(), key=lambda kv: _sort_key(kv[0])):
        part = ads.take(pa.array(rows)).sort_by([(col, "ascending"), ("ads_id", "ascending")])
        values = part[col].to_numpy(zero_copy_only=False)
        sample = StimulusIdentity.from_string(part["stimulus_id"][0].as_py())
        loaded = [dsv.store.reader.analysis_result(row) for row in part.to_pylist()]
        shared = dict(zip(keys, key, strict=True))
        out.append(
            Collation(
                stimulus=sample.without(name),
                parameter=name,
                parameters={k: v for k, v in shared.items() if k in param_cols},
                values=values,
                results=loaded,
            )
        )
    return out
