"""Plots of PerNeuronValues: histograms or cortical maps, value against value, tuning curves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
from mozaik.ads import AnalysisDataStructure, PerNeuronValue

from mozaik_plot._data import results_of
from mozaik_plot._figure import FigureParams, FigurePlot, NothingToDraw
from mozaik_plot._panels import CurvePanel, HistogramPanel, PositionPanel, ScatterPanel
from mozaik_plot._recordings import stimulus_title, varying_by_name
from mozaik_plot._style import axis_label, sheet_color
from mozaik_plot._tree import Layout, Node

if TYPE_CHECKING:
    from mozaik.datastore import DataStoreView

__all__ = ["PerNeuronValueParams", "PerNeuronValuePlot", "PerNeuronValueScatter",
           "ScatterParams", "TuningCurveParams", "TuningCurvePlot"]


def _values(view: DataStoreView, value_name: str | None,
            sheets: tuple[str, ...]) -> list[PerNeuronValue]:
    query: dict[str, Any] = {}
    if value_name is not None:
        query["value_name"] = value_name
    if sheets:
        query["sheet_name"] = list(sheets)
    return [r for r in results_of(view, "PerNeuronValue", **query)
            if isinstance(r, PerNeuronValue)]


def _title(r: AnalysisDataStructure, value_name: str,
           varying: Mapping[str, Collection[str]] | None = None) -> str:
    stim = f"\n{stimulus_title(r.stimulus_id, varying)}" if r.stimulus_id else ""
    return f"{r.sheet_name}: {value_name}{stim}"


@attrs.frozen(kw_only=True)
class PerNeuronValueParams(FigureParams):
    """Parameters of PerNeuronValuePlot.

    Parameters
    ----------
    value_name : str or None
        Which values (None: every PerNeuronValue in the view).
    sheets : tuple of str
        Only these sheets (empty: all).
    kind : "histogram" or "positions"
        A histogram per result, or the neurons at their cortical positions coloured by value
        (periodic values on a circular colour map).
    bins : int
        Histogram bins.
    max_panels, ncols : int
        At most ``max_panels`` results, in ``ncols`` columns.
    """

    value_name: str | None = None
    sheets: tuple[str, ...] = ()
    kind: Literal["histogram", "positions"] = "histogram"
    bins: int = 20
    max_panels: int = 12
    ncols: int = 3


class PerNeuronValuePlot(FigurePlot):
    """One panel per PerNeuronValue: a histogram, or a map over cortical positions.

    Node paths: ``value_<k>`` (k-th result in storage order).
    """

    params: PerNeuronValueParams

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        p = self.params
        results = _values(view, p.value_name, p.sheets)[: p.max_panels]
        if not results:
            msg = (f"no PerNeuronValue{f' {p.value_name!r}' if p.value_name else ''} of sheets "
                   f"{list(p.sheets) or 'any'} in the view")
            raise NothingToDraw(msg)
        panels: list[Node] = []
        keys = varying_by_name(r.stimulus_id for r in results)
        for k, r in enumerate(results):
            values = np.asarray(r.values, dtype=float)
            sheet = str(r.sheet_name)
            title = _title(r, r.value_name, keys)
            if p.kind == "histogram":
                panels.append(HistogramPanel(f"value_{k}", values, r.value_name, r.value_units,
                                             bins=p.bins, color=sheet_color(sheet),
                                             title=title))
            else:
                positions = view.neuron_positions(sheet)[np.asarray(r.ids, dtype=int)]
                panels.append(PositionPanel(f"value_{k}", positions, values, r.value_name,
                                            r.value_units, r.period, title=title))
        name = p.value_name or "per-neuron values"
        root = Layout("values", panels, ncols=p.ncols)
        sheets = ", ".join(dict.fromkeys(str(r.sheet_name) for r in results))
        shape = ("histogram over neurons" if p.kind == "histogram" else
                 "map of the neurons at their cortical positions, coloured by value")
        root.caption = (f"{name[:1].upper() + name[1:]} per neuron of sheet(s) {sheets}: a "
                        f"{shape}, one panel per result ({len(results)})")
        return root, name[:1].upper() + name[1:]


@attrs.frozen(kw_only=True)
class ScatterParams(FigureParams):
    """Parameters of PerNeuronValueScatter.

    Parameters
    ----------
    x_value, y_value : str
        ``value_name`` of the PerNeuronValues on each axis; ``x_value`` may also name a neuron
        annotation (e.g. ``orientation_preference``, assigned at build time).
    sheets : tuple of str
        Only these sheets (empty: every sheet with both).
    """

    x_value: str
    y_value: str
    sheets: tuple[str, ...] = ()
    size_in: tuple[float, float] = (4.5, 4.0)


class PerNeuronValueScatter(FigurePlot):
    """One value against another per neuron, matched by neuron id (one panel per pair).

    E.g. the assigned orientation preference (annotation) against the measured one. Node
    paths: ``<sheet>_<k>``.
    """

    params: ScatterParams

    def _x(self, view: DataStoreView, y: PerNeuronValue) -> tuple[np.ndarray, str] | None:
        p = self.params
        sheet = str(y.sheet_name)
        for r in _values(view, p.x_value, (sheet,)):
            if r.stimulus_id in (None, y.stimulus_id):
                lookup = dict(zip(np.asarray(r.ids).tolist(), np.asarray(r.values, float),
                                  strict=True))
                x = np.array([lookup.get(i, np.nan) for i in np.asarray(y.ids).tolist()])
                return x, axis_label(r.value_name, r.value_units)
        annotations = view.neuron_annotations(sheet)
        if p.x_value in annotations:
            values = np.asarray(annotations[p.x_value], dtype=float)
            return values[np.asarray(y.ids, dtype=int)], p.x_value.replace("_", " ")
        return None

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        p = self.params
        panels: list[Node] = []
        counts: dict[str, int] = defaultdict(int)
        for y in _values(view, p.y_value, p.sheets):
            got = self._x(view, y)
            if got is None:
                continue
            x, x_label = got
            sheet = str(y.sheet_name)
            panels.append(ScatterPanel(f"{sheet}_{counts[sheet]}", x,
                                       np.asarray(y.values, float), x_label,
                                       axis_label(y.value_name, y.value_units),
                                       color=sheet_color(sheet), title=_title(y, p.y_value)))
            counts[sheet] += 1
        if not panels:
            msg = (f"no PerNeuronValue {p.y_value!r} with a matching {p.x_value!r} (result or "
                   f"neuron annotation) of sheets {list(p.sheets) or 'any'} in the view")
            raise NothingToDraw(msg)
        root = Layout("scatter", panels, ncols=min(3, len(panels)))
        root.caption = (f"{p.y_value} (y) against {p.x_value} (x), one dot per neuron, one panel "
                        "per result; the dashed line is y = x where both share units")
        return root, f"{p.y_value} vs {p.x_value}"


@attrs.frozen(kw_only=True)
class TuningCurveParams(FigureParams):
    """Parameters of TuningCurvePlot (the seed's Figure 5).

    Parameters
    ----------
    parameter : str
        The stimulus parameter on the x axis (e.g. ``orientation``, ``contrast``).
    neurons : tuple of int
        Sheet indices of the neurons, one panel each.
    sheet : str
        The sheet.
    value_name : str
        The PerNeuronValue drawn (default ``Firing rate``). Per-trial results (stimulus with a
        trial) give the mean and the standard deviation over trials as error bars; when there
        are any, results without a trial (averages) are not drawn.
    ncols : int
        Panels per row.
    periodic : bool or None
        Whether the parameter is an angle whose two ends are one value (0 and 180 degrees of
        an orientation, 0 and 360 of a direction or phase): the curve is then closed, the
        value at 0 drawn again at the period. None: from the name (``orientation*``: period
        180 degrees, ``direction*``/``phase*``: 360 degrees). Angles in radians (a name ending
        in ``_rad``, or an orientation, direction or phase of at most 2 pi) are drawn in
        degrees; the preferred value (the peak of each curve) is marked.
    """

    parameter: str
    neurons: tuple[int, ...]
    sheet: str
    value_name: str = "Firing rate"
    ncols: int = 3
    periodic: bool | None = None


def _curves(results: Sequence[PerNeuronValue], parameter: str,
            neuron: int) -> tuple[np.ndarray, list[tuple[str, np.ndarray, np.ndarray | None]]]:
    """x values and one (label, mean, sd or None) per group of the other stimulus parameters."""
    table: dict[tuple[str, ...], dict[float, list[float]]] = defaultdict(lambda: defaultdict(list))
    per_trial = [r for r in results
                 if r.stimulus_id is not None and "trial" in r.stimulus_id.params]
    for r in per_trial or results:  # per-trial results when there are, else the averages
        ids = np.asarray(r.ids).tolist()
        if neuron not in ids or r.stimulus_id is None:
            continue
        params = dict(r.stimulus_id.params)
        if parameter not in params:
            continue
        x = float(params.pop(parameter))  # type: ignore[arg-type]
        params.pop("trial", None)
        key = tuple(f"{k}={v}" for k, v in sorted(params.items()) if k != "duration_ms")
        table[(r.stimulus_id.name, *key)][x].append(float(np.asarray(r.values)[ids.index(neuron)]))
    xs = np.array(sorted({x for curve in table.values() for x in curve}))
    curves = []
    for key, curve in sorted(table.items()):
        mean = np.array([np.mean(curve[x]) if x in curve else np.nan for x in xs])
        sd = np.array([np.std(curve[x]) if len(curve.get(x, ())) > 1 else 0.0 for x in xs])
        trials = max(len(v) for v in curve.values())
        curves.append((", ".join(key[1:]) or key[0], mean, sd if trials > 1 else None))
    return xs, curves


_ANGLES = {"orientation": 180.0, "direction": 360.0, "phase": 360.0}


def _angle_period(parameter: str, xs: np.ndarray) -> tuple[bool, float | None]:
    """(drawn in degrees, period in degrees or None) of a stimulus parameter."""
    base = parameter.removesuffix("_rad")
    kind = next((k for k in _ANGLES if base.startswith(k)), None)
    radians = parameter.endswith("_rad") or (
        kind is not None and len(xs) > 0 and float(np.max(np.abs(xs))) <= 2 * np.pi + 1e-9)
    return radians, (_ANGLES[kind] if kind is not None else None)


def _closed(xs: np.ndarray, curves: list[tuple[str, np.ndarray, np.ndarray | None]],
            period: float) -> tuple[np.ndarray, list[tuple[str, np.ndarray, np.ndarray | None]]]:
    """The curves with their first point repeated one period on (0 and 180 degrees joined),
    when the values start at 0 and span less than the period."""
    if len(xs) < 2 or abs(float(xs[0])) > 1e-6 or float(xs[-1]) >= period - 1e-6:
        return xs, curves
    closed = [(label, np.append(mean, mean[0]), None if sd is None else np.append(sd, sd[0]))
              for label, mean, sd in curves]
    return np.append(xs, float(xs[0]) + period), closed


def _fmt(x: float, degrees: bool) -> str:
    return f"{x:.3g}\u00b0" if degrees else f"{x:.3g}"


def _trials(results: Sequence[PerNeuronValue], parameter: str, neuron: int) -> int:
    """Most trials behind one point of the neuron's curve."""
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for r in results:
        sid = r.stimulus_id
        if sid is None or "trial" not in sid.params or parameter not in sid.params:
            continue
        if neuron in np.asarray(r.ids).tolist():
            key = tuple(f"{k}={v}" for k, v in sorted(sid.params.items()) if k != "trial")
            counts[(sid.name, *key)] += 1
    return max(counts.values(), default=1)


class TuningCurvePlot(FigurePlot):
    """Responses of chosen neurons against a stimulus parameter, with trial error bars.

    Node paths: ``neuron_<index>``.
    """

    params: TuningCurveParams

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        p = self.params
        results = _values(view, p.value_name, (p.sheet,))
        panels: list[Node] = []
        trials = 0
        for neuron in p.neurons:
            xs, curves = _curves(results, p.parameter, int(neuron))
            if len(xs) < 2:
                continue
            trials = max(trials, _trials(results, p.parameter, int(neuron)))
            degrees, period = _angle_period(p.parameter, xs)
            name = p.parameter.removesuffix("_rad") if degrees else p.parameter
            if degrees:
                xs = np.degrees(xs)
            preferred = [float(xs[int(np.nanargmax(mean))]) if np.isfinite(mean).any()
                         else None for _, mean, _ in curves]
            closed = p.periodic if p.periodic is not None else period is not None
            if closed and period is not None:
                xs, curves = _closed(xs, curves, period if degrees else np.radians(period))
            if len(curves) > 1:
                curves = [(f"{label}: peak {_fmt(x, degrees)}" if x is not None else label,
                           mean, sd) for (label, mean, sd), x in zip(curves, preferred,
                                                                     strict=True)]
                peak = ""
            else:
                peak = f", peak at {_fmt(preferred[0], degrees)}" if preferred[0] is not None \
                    else ""
            units = results[0].value_units
            # quarter periods (0, 45, 90, 135, 180 degrees of an orientation)
            ticks = (np.arange(5) * period / 4).tolist() if degrees and period else None
            panels.append(CurvePanel(f"neuron_{neuron}", xs, curves,
                                     axis_label(name, "deg" if degrees else None),
                                     axis_label(p.value_name, units),
                                     title=f"{p.sheet} neuron {neuron}{peak}",
                                     marks=preferred, xticks=ticks))
        if not panels:
            msg = (f"no PerNeuronValue {p.value_name!r} of sheet {p.sheet!r} at two or more "
                   f"values of stimulus parameter {p.parameter!r} for neurons {list(p.neurons)}")
            raise NothingToDraw(msg)
        title = f"{p.value_name} against {p.parameter.removesuffix('_rad')}"
        root = Layout("tuning", panels, ncols=min(p.ncols, len(panels)))
        spread = (f"mean and standard deviation over {trials} trials" if trials > 1 else
                  "one trial or trial averages, no error bars")
        root.caption = (f"{p.value_name} of {len(panels)} neuron(s) of sheet {p.sheet} against "
                        f"the stimulus parameter {p.parameter} ({spread}); the dashed line "
                        "marks each curve's peak (the preferred value)")
        return root, title
