"""ParameterSearchPlot: the parameter-search figure as a search plot of a search file.

The collated table of a search (``mozaik search collate``) has one row per point and
SingleValue; this plot selects some of the values (by value name, sheet, analysis and
stimulus), makes one column per (sheet, value name) with one row per point, and draws one panel
per column over one or two varied parameters (:func:`plot_parameter_search`).
"""

from __future__ import annotations

import importlib.metadata as md
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
from mozaik.plot import SearchPlot

from mozaik_plot._figure import NothingToDraw
from mozaik_plot._search import plot_parameter_search

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ParameterSearchParams", "ParameterSearchPlot", "search_value_columns"]

log = logging.getLogger(__name__)

_NO_UNITS = ("", "dimensionless", None)


@attrs.frozen(kw_only=True)
class ParameterSearchParams:
    """Parameters of ParameterSearchPlot.

    Parameters
    ----------
    values : tuple of str
        SingleValue value names to draw, one panel each per sheet (e.g. ``Mean(Firing
        rate)``); empty: every value name of the selected rows.
    sheets : tuple of str
        Only these sheets (empty: every sheet).
    analysis_algorithm : str or None
        Only values computed by this analysis (e.g. ``PopulationMean``).
    stimulus : mapping of str to scalar
        Only values of the stimulus with these identity entries: ``name`` (the stimulus's
        registered name) and its parameters, e.g. ``{protocol: NoStimulation}``.
    axes : tuple of str
        One or two varied dotted paths, x then y (one: curves; two: a coloured grid); empty:
        the search's own when it varies one or two.
    where : mapping of str to scalar
        Points with these values of the other varied paths (needed when the search varies
        more than the axes).
    labels : mapping of str to str
        Axis labels by dotted path (default: the path).
    overrides : mapping of str to value
        Figure node parameters by dotted path (``{"*.cmap": "magma"}``).
    ncols : int or None
        Panels per row (None: up to 3; 2 for 4 panels).
    size_in : (float, float) or None, inches
        Figure width and height; None: sized by the number of panels.
    vector_format : "svg" or "pdf"
        The vector copy saved beside the PNG.
    title : str or None
        Figure title; None: "Parameter search over ...".
    """

    values: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    analysis_algorithm: str | None = None
    stimulus: Mapping[str, Any] = attrs.field(factory=dict)
    axes: tuple[str, ...] = ()
    where: Mapping[str, Any] = attrs.field(factory=dict)
    labels: Mapping[str, str] = attrs.field(factory=dict)
    overrides: Mapping[str, Any] = attrs.field(factory=dict)
    ncols: int | None = None
    size_in: tuple[float, float] | None = None
    vector_format: Literal["svg", "pdf"] = "svg"
    title: str | None = None


def _stimulus_matches(stimulus_id: str | None, wanted: Mapping[str, Any]) -> bool:
    if not wanted:
        return True
    if not stimulus_id:
        return False
    identity = json.loads(stimulus_id)
    params = identity.get("params", {})
    return all((identity.get("name") if key == "name" else params.get(key)) == value
               for key, value in wanted.items())


def _label(sheet: str | None, value_name: str, units: str | None) -> str:
    text = f"{sheet}: {value_name}" if sheet else value_name
    return text if units in _NO_UNITS else f"{text} ({units})"


def search_value_columns(table: pa.Table, parameters: Sequence[str],
                         params: ParameterSearchParams) -> tuple[dict[str, list[Any]],
                                                                 list[str], list[str]]:
    """The selected values of a collated search table, one column per (sheet, value name).

    Returns
    -------
    (columns, axes, values)
        ``columns``: the axes' columns (named by their labels) and one column per value
        (``"<sheet>: <value name> (<units>)"``), one row per point (NaN where a point lacks
        a value); ``axes``: the axes' column names; ``values``: the value column names in
        panel order.

    Raises
    ------
    NothingToDraw
        When no row is selected.
    ValueError
        A named value, sheet, axis or ``where`` path that is not in the table; more varied
        parameters than axes without ``where``; several values per point and panel (they
        differ in stimulus or analysis: narrow with ``stimulus`` or ``analysis_algorithm``).
    """
    rows = table.to_pylist()
    if not rows:
        msg = "the search has no finished point with SingleValues yet"
        raise NothingToDraw(msg)
    axes = list(params.axes) or list(parameters)
    unknown = [p for p in (*axes, *params.where) if p not in parameters]
    if unknown:
        msg = (f"{', '.join(unknown)} is not varied by the search; its varied parameters: "
               f"{', '.join(parameters)}")
        raise ValueError(msg)
    if not 1 <= len(axes) <= 2:
        msg = (f"the search varies {len(axes)} parameters: choose one or two as axes (axes: "
               f"[PATH, PATH]) and fix the others with where: {{PATH: value}}")
        raise ValueError(msg)
    for name, present in (("value", {r["value_name"] for r in rows}),
                          ("sheet", {r["sheet_name"] for r in rows})):
        wanted = params.values if name == "value" else params.sheets
        missing = [w for w in wanted if w not in present]
        if missing:
            msg = (f"{name}(s) {', '.join(map(repr, missing))} not among the search's "
                   f"SingleValues; there: {', '.join(sorted(map(str, present)))}")
            raise ValueError(msg)
    chosen = [r for r in rows
              if (not params.values or r["value_name"] in params.values)
              and (not params.sheets or r["sheet_name"] in params.sheets)
              and params.analysis_algorithm in (None, r["analysis_algorithm"])
              and all(r[p] == v for p, v in params.where.items())
              and _stimulus_matches(r["stimulus_id"], params.stimulus)]
    if not chosen:
        msg = (f"no SingleValue matches values={list(params.values)}, sheets="
               f"{list(params.sheets)}, analysis_algorithm={params.analysis_algorithm}, "
               f"stimulus={dict(params.stimulus)}, where={dict(params.where)}")
        raise NothingToDraw(msg)
    others = [p for p in parameters if p not in axes and p not in params.where]
    varying = [p for p in others if len({r[p] for r in chosen}) > 1]
    if varying:
        msg = (f"{', '.join(varying)} also varies among the selected points: fix it with "
               f"where: {{{varying[0]}: value}}, or make it an axis")
        raise ValueError(msg)
    order = {v: i for i, v in enumerate(params.values)}
    sheet_order = {s: i for i, s in enumerate(params.sheets)}
    keys = sorted({(r["value_name"], r["sheet_name"], r["value_units"]) for r in chosen},
                  key=lambda k: (order.get(k[0], len(order)), k[0],
                                 sheet_order.get(k[1], len(sheet_order)), str(k[1])))
    point_ids = sorted({r["point_id"] for r in chosen})
    at = {p: i for i, p in enumerate(point_ids)}
    labels = {key: _label(key[1], key[0], key[2]) for key in keys}
    values: dict[str, list[Any]] = {labels[k]: [float("nan")] * len(point_ids) for k in keys}
    seen: set[tuple[Any, ...]] = set()
    for r in chosen:
        key = (r["value_name"], r["sheet_name"], r["value_units"])
        if (key, r["point_id"]) in seen:
            msg = (f"point {r['point_id']} has several {labels[key]!r} values (of other "
                   f"stimuli or analyses): narrow with stimulus: {{protocol: ...}} or "
                   f"analysis_algorithm: ...")
            raise ValueError(msg)
        seen.add((key, r["point_id"]))
        values[labels[key]][at[r["point_id"]]] = r["value"]
    first = {r["point_id"]: r for r in chosen}
    axis_names = [str(params.labels.get(p, p)) for p in axes]
    columns: dict[str, list[Any]] = {
        name: [first[i][p] for i in point_ids] for name, p in zip(axis_names, axes,
                                                                  strict=True)}
    return {**columns, **values}, axis_names, list(values)


class ParameterSearchPlot(SearchPlot[ParameterSearchParams]):
    """SingleValues of every point against one or two varied parameters, one panel each.

    Writes the PNG, its vector copy and a JSON sidecar (``values``: the panel titles).
    """

    def draw(self, table: pa.Table, parameters: Sequence[str], path: Path) -> Sequence[Path]:
        try:
            columns, axes, values = search_value_columns(table, parameters, self.params)
        except NothingToDraw as exc:
            log.warning("ParameterSearchPlot: nothing to draw: %s", exc)
            return []
        p = self.params
        return plot_parameter_search(
            columns, axes, path, values=values, title=p.title, overrides=p.overrides,
            size_in=p.size_in, vector_format=p.vector_format, ncols=p.ncols,
            record={"params": attrs.asdict(p), "mozaik_plot": md.version("mozaik-plot")})
