"""Tuning analyses: periodic preference and selectivity, tuning width, size and contrast."""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
import quantities as pq
from mozaik.ads import AnalysisDataStructure
from mozaik.analysis import Analysis
from mozaik.config import positive
from mozaik.datastore import DataStoreView

from mozaik_analysis._ads import per_neuron_value
from mozaik_analysis._collation import TuningCurves, TuningParams, parameter_units, tuning_curves
from mozaik_analysis._common import fail
from mozaik_analysis._fits import fit_naka_rushton, fit_von_mises, von_mises_hwhh

__all__ = [
    "ContrastResponse",
    "ContrastResponseParams",
    "PeriodicTuningPreference",
    "PeriodicTuningPreferenceParams",
    "SizeTuning",
    "SizeTuningParams",
    "TuningWidth",
    "TuningWidthParams",
    "vector_average",
]


def vector_average(curves: TuningCurves, period: float) -> tuple[np.ndarray, np.ndarray]:
    """Preference (in ``[0, period)``) and selectivity (0 to 1) of each neuron.

    The responses are weights on the unit circle at angle ``2 pi x / period``: the preference
    is the angle of their vector sum, the selectivity its length over the summed responses
    (NaN where the responses sum to 0). Unbiased when the values sample the period evenly.
    """
    phase = np.exp(2j * np.pi * curves.parameter_values / period)
    z = (curves.responses * phase[:, None]).sum(axis=0)
    total = curves.responses.sum(axis=0)
    pref = np.mod(np.angle(z) * period / (2 * np.pi), period)
    with np.errstate(invalid="ignore", divide="ignore"):
        sel = np.where(total != 0, np.abs(z) / np.where(total != 0, total, 1.0), np.nan)
    return pref, sel


def _curves(view: DataStoreView, params: TuningParams, analysis: str) -> list[TuningCurves]:
    out = tuning_curves(view, params, analysis)
    if not out:
        fail(analysis, f"needs {params.value_name!r} PerNeuronValues at two or more values of "
                       f"stimulus parameter {params.parameter!r} (all else equal)")
    return out


@attrs.frozen(kw_only=True)
class PeriodicTuningPreferenceParams(TuningParams):
    """Parameters of :class:`PeriodicTuningPreference` (and those of :class:`TuningParams`).

    Parameters
    ----------
    period : float, in ``parameter_units``
        Period of the parameter: ``pi`` for orientation (the default), ``2 pi`` for direction.
    """

    period: float = attrs.field(default=math.pi, validator=positive)


class PeriodicTuningPreference(Analysis[PeriodicTuningPreferenceParams]):
    """Preference and selectivity along a periodic stimulus parameter, by vector average.

    Returns per sheet and stimulus (without the parameter) two PerNeuronValues:
    "<parameter> preference" (in ``parameter_units``, ``period`` set) and
    "<parameter> selectivity" (dimensionless, 0 for flat tuning, 1 for a single peak).
    """

    name = "PeriodicTuningPreference"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        units = parameter_units(self.name, p.parameter_units)
        out: list[AnalysisDataStructure] = []
        for c in _curves(view, p, self.name):
            pref, sel = vector_average(c, p.period)
            out.append(per_neuron_value(self.name, c.sheet, c.stimulus, pref, c.ids,
                                        f"{c.parameter} preference", units, p.tags, p.period))
            out.append(per_neuron_value(self.name, c.sheet, c.stimulus, sel, c.ids,
                                        f"{c.parameter} selectivity", pq.dimensionless, p.tags))
        return out


@attrs.frozen(kw_only=True)
class TuningWidthParams(PeriodicTuningPreferenceParams):
    """Parameters of :class:`TuningWidth` (those of :class:`PeriodicTuningPreferenceParams`)."""


class TuningWidth(Analysis[TuningWidthParams]):
    """Tuning width (half width at half height) from a von Mises fit of each tuning curve.

    Fits ``b + a exp(kappa (cos(2 pi (x - mu) / period) - 1))`` to each neuron's curve (all
    neurons at once) and returns per sheet and stimulus "<parameter> tuning width (HWHH)"
    (in ``parameter_units``; NaN for flat curves and for curves too broad to fall to half
    height within the period) and "<parameter> preference (fit)" (``mu``, period set).
    """

    name = "TuningWidth"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        units = parameter_units(self.name, p.parameter_units)
        out: list[AnalysisDataStructure] = []
        for c in _curves(view, p, self.name):
            if len(c.parameter_values) < 4:
                fail(self.name, f"a von Mises fit needs 4 or more values of {c.parameter!r}; "
                                f"sheet {c.sheet!r} has {len(c.parameter_values)}")
            fit = fit_von_mises(c.parameter_values, c.responses, p.period)
            width = np.where(fit[1] > 0, von_mises_hwhh(fit[3], p.period), np.nan)
            out.append(per_neuron_value(self.name, c.sheet, c.stimulus, width, c.ids,
                                        f"{c.parameter} tuning width (HWHH)", units, p.tags))
            out.append(per_neuron_value(self.name, c.sheet, c.stimulus, fit[2], c.ids,
                                        f"{c.parameter} preference (fit)", units, p.tags,
                                        p.period))
        return out


@attrs.frozen(kw_only=True)
class SizeTuningParams(TuningParams):
    """Parameters of :class:`SizeTuning` (those of :class:`TuningParams`, other defaults)."""

    parameter: str = "radius"
    parameter_units: str = "deg"


class SizeTuning(Analysis[SizeTuningParams]):
    """Size tuning: preferred size and surround suppression of each neuron.

    Returns per sheet and stimulus "Preferred size" (the size of the largest response, in
    ``parameter_units``), "Maximum response" (in the responses' units) and
    "Suppression index" ``(r_max - r_largest_size) / r_max`` (dimensionless, 0 without
    suppression, NaN for a neuron that never responds).
    """

    name = "SizeTuning"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        units = parameter_units(self.name, p.parameter_units)
        out: list[AnalysisDataStructure] = []
        for c in _curves(view, p, self.name):
            best = np.argmax(c.responses, axis=0)
            r_max = c.responses.max(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                si = np.where(r_max > 0, (r_max - c.responses[-1]) / np.where(r_max > 0, r_max,
                                                                             1.0), np.nan)
            preferred = np.where(r_max > 0, c.parameter_values[best], np.nan)
            for value_name, values, u in (("Preferred size", preferred, units),
                                          ("Maximum response", r_max, c.value_units),
                                          ("Suppression index", si, pq.dimensionless)):
                out.append(per_neuron_value(self.name, c.sheet, c.stimulus, values, c.ids,
                                            value_name, u, p.tags))
        return out


@attrs.frozen(kw_only=True)
class ContrastResponseParams(TuningParams):
    """Parameters of :class:`ContrastResponse` (those of :class:`TuningParams`, other defaults).

    The contrast is taken in the stimulus's own scale (e.g. 0 to 100), so ``parameter_units``
    defaults to dimensionless.
    """

    parameter: str = "contrast"
    parameter_units: str = "dimensionless"


class ContrastResponse(Analysis[ContrastResponseParams]):
    """Contrast response: a Naka-Rushton fit ``r_max c**n / (c**n + c50**n)`` per neuron.

    Returns per sheet and stimulus "c50" (in ``parameter_units``), "Naka-Rushton exponent"
    (dimensionless) and "Naka-Rushton maximum" (the responses' units); NaN for flat curves or
    fewer than three contrasts. Fitted with ``scipy.optimize.least_squares``, one neuron at a
    time.
    """

    name = "ContrastResponse"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        units = parameter_units(self.name, p.parameter_units)
        out: list[AnalysisDataStructure] = []
        for c in _curves(view, p, self.name):
            r_max, c50, n = fit_naka_rushton(c.parameter_values, c.responses)
            for value_name, values, u in (("c50", c50, units),
                                          ("Naka-Rushton exponent", n, pq.dimensionless),
                                          ("Naka-Rushton maximum", r_max, c.value_units)):
                out.append(per_neuron_value(self.name, c.sheet, c.stimulus, values, c.ids,
                                            value_name, u, p.tags))
        return out
