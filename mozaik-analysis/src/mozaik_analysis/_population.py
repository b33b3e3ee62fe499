"""Population summaries of per-neuron values, and neuron annotations as per-neuron values."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import quantities as pq
from mozaik.ads import AnalysisDataStructure, PerNeuronValue, parse_units, units_string
from mozaik.analysis import Analysis
from mozaik.datastore import DataStoreView, param_filter_query

from mozaik_analysis._ads import per_neuron_value, single_value
from mozaik_analysis._common import fail, to_tuple

__all__ = [
    "NeuronAnnotations",
    "NeuronAnnotationsParams",
    "PopulationMean",
    "PopulationMeanParams",
    "per_neuron_values",
]



def per_neuron_values(view: DataStoreView, analysis: str,
                      value_name: str | None) -> list[PerNeuronValue]:
    """The PerNeuronValues of ``view`` (with ``value_name`` if given); units must agree by name.

    Raises
    ------
    AnalysisError
        If there is none, or two with the same ``value_name`` have different units.
    """
    query: dict[str, Any] = {"identifier": "PerNeuronValue"}
    if value_name is not None:
        query["value_name"] = value_name
    found = [r for r in param_filter_query(view, **query).analysis_results()
             if isinstance(r, PerNeuronValue)] if view.n_analysis_results else []
    if not found:
        what = f" with value_name {value_name!r}" if value_name else ""
        fail(analysis, f"needs PerNeuronValue results{what} in the view; run an analysis that "
                       f"makes them (e.g. TrialAveragedFiringRate) first")
    units: dict[str, str] = {}
    for r in found:
        u = units_string(r.value_units)
        if units.setdefault(r.value_name, u) != u:
            fail(analysis, f"PerNeuronValues named {r.value_name!r} come in different units "
                           f"({units[r.value_name]} and {u}); narrow the view to one kind "
                           f"(param_filter_query(..., value_units=...))")
    return found


@attrs.frozen(kw_only=True)
class PopulationMeanParams:
    """Parameters of :class:`PopulationMean`.

    Parameters
    ----------
    value_name : str or None
        Summarise only PerNeuronValues of this name; None (the default): every one in the view.
    tags : sequence of str
        Tags added to every result (besides the tags of the summarised value).
    """

    value_name: str | None = None
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


def _summary(values: np.ndarray, period: float | None) -> tuple[float, float, int]:
    """Mean, variance and count of the finite values (circular mean and variance if periodic)."""
    v = values[np.isfinite(values)]
    if len(v) == 0:
        return math.nan, math.nan, 0
    if period is None:
        return float(v.mean()), float(v.var()), len(v)
    z = np.exp(2j * np.pi * v / period).mean()
    mean = float(np.angle(z) * period / (2 * np.pi)) % period
    return mean, float(1.0 - abs(z)), len(v)


class PopulationMean(Analysis[PopulationMeanParams]):
    """Mean, variance and count of a PerNeuronValue over its neurons (NaNs left out).

    Returns three SingleValues per PerNeuronValue, for the same sheet and stimulus:
    "Mean(<name>)" in the value's units, "Var(<name>)" in their square and "Count(<name>)"
    (finite values, dimensionless). For a periodic value (``period`` set) the mean is the
    circular mean (same period) and the variance the circular variance ``1 - R``
    (dimensionless, 0 to 1).
    """

    name = "PopulationMean"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        out: list[AnalysisDataStructure] = []
        for r in per_neuron_values(view, self.name, self.params.value_name):
            mean, var, count = _summary(np.asarray(r.values, np.float64), r.period)
            tags = (*self.params.tags, *r.tags)
            var_units = pq.dimensionless if r.period is not None else r.value_units ** 2
            for stat, value, units, period in (("Mean", mean, r.value_units, r.period),
                                               ("Var", var, var_units, None),
                                               ("Count", count, pq.dimensionless, None)):
                out.append(single_value(self.name, r.sheet_name, r.stimulus_id, value,
                                        f"{stat}({r.value_name})", units, tags, period))
        return out


@attrs.frozen(kw_only=True)
class NeuronAnnotationsParams:
    """Parameters of :class:`NeuronAnnotations`.

    Parameters
    ----------
    annotations : sequence of str
        Annotation names; empty (the default): every numeric annotation of each sheet.
    units : mapping of str to str
        Quantities units string per annotation (e.g. ``{"orientation_preference": "rad"}``);
        default dimensionless.
    periods : mapping of str to float
        Period of circular annotations, in their units (e.g. ``pi`` for an orientation).
    sheet_names : sequence of str
        Sheets; empty: every sheet of the view.
    tags : sequence of str
        Tags added to every result.
    """

    annotations: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    units: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    periods: Mapping[str, float] = attrs.field(factory=dict, converter=dict)
    sheet_names: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class NeuronAnnotations(Analysis[NeuronAnnotationsParams]):
    """Per-neuron annotations of the sheets (e.g. an assigned orientation) as PerNeuronValues.

    Returns one PerNeuronValue per sheet and annotation, without a stimulus, ``value_name`` the
    annotation's name, so assigned and measured values can be compared by query.
    """

    name = "NeuronAnnotations"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        sheets = [s for s in view.sheets() if not p.sheet_names or s in p.sheet_names]
        missing = [s for s in p.sheet_names if s not in sheets]
        if missing or not sheets:
            fail(self.name, f"needs sheets with neurons; the view has {view.sheets() or 'none'}"
                            + (f", not {missing}" if missing else ""))
        out: list[AnalysisDataStructure] = []
        for sheet in sheets:
            found = view.neuron_annotations(sheet)
            names = list(p.annotations) or [n for n, v in found.items()
                                            if np.asarray(v).dtype.kind in "biuf"]
            for name in names:
                values = found.get(name)
                if values is None or np.asarray(values).dtype.kind not in "biuf":
                    fail(self.name, f"sheet {sheet!r} has no numeric annotation {name!r}; "
                                    f"numeric annotations: "
                                    f"{[n for n, v in found.items() if v.dtype.kind in 'biuf']}")
                out.append(per_neuron_value(
                    self.name, sheet, None, values, np.arange(len(values)), name,
                    self._units(name), p.tags, p.periods.get(name)))
        return out

    def _units(self, name: str) -> pq.Quantity:
        text = self.params.units.get(name)
        if text is None:
            return pq.dimensionless
        try:
            return parse_units(text)
        except ValueError as exc:
            fail(self.name, f"units {text!r} of annotation {name!r}: {exc}")
