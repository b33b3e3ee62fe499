"""The leaf panels: each draws one axis from arrays it is given (no datastore access)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from matplotlib.axes import Axes
from mozaik.datastore import spike_bin

from mozaik_plot._style import COLORS, MEAN_LINEWIDTH, TRIAL_ALPHA, TRIAL_LINEWIDTH, axis_label
from mozaik_plot._tree import Panel

__all__ = ["CurvePanel", "HistogramPanel", "PositionPanel", "PsthPanel", "RasterPanel",
           "ScatterPanel", "SignalPanel", "legend_clear_of_data"]

#: Above this many spikes a raster is drawn as one pixel-marker line, rasterised in vector files.
FAST_RASTER_SPIKES = 20_000


def legend_clear_of_data(ax: Axes) -> None:
    """A legend in the top right of ``ax`` with the y range raised so that no data lies
    under it (a legend over the data hides what the figure shows)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    legend = ax.legend(handles, labels, frameon=False, loc="upper right",
                       ncols=min(len(labels), 3), borderaxespad=0.2, handlelength=1.2,
                       columnspacing=1.0)
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    box = legend.get_window_extent(renderer).transformed(ax.transAxes.inverted())
    room = float(box.y0) - 0.04  # axes fraction the data may fill, below the legend
    low, high = ax.get_ylim()
    data_high = float(ax.dataLim.y1)
    if room <= 0.2 or not np.isfinite(data_high) or data_high <= low:
        return
    if (data_high - low) / (high - low) > room:
        ax.set_ylim(low, low + (data_high - low) / room)


class RasterPanel(Panel):
    """Spikes as dots: ``times`` (ms) against ``rows`` (one row per neuron and trial).

    Parameters: ``marker_size`` (points), ``color``, ``alpha``, plus those of :class:`Panel`.
    """

    defaults: ClassVar[Mapping[str, Any]] = {
        **Panel.defaults, "marker_size": 2.0, "color": COLORS["other"], "alpha": 1.0}

    def __init__(self, name: str, times_ms: np.ndarray, rows: np.ndarray, n_rows: int,
                 row_label: str = "neuron", **params: Any) -> None:
        self.times_ms, self.rows, self.n_rows = times_ms, rows, n_rows
        self.row_label = row_label
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        p = self.params
        many = len(self.times_ms) > FAST_RASTER_SPIKES
        ax.plot(self.times_ms, self.rows, linestyle="none", marker="," if many else "|",
                markersize=p["marker_size"], color=p["color"], alpha=p["alpha"],
                rasterized=many)
        ax.set_ylim(-0.5, max(self.n_rows, 1) - 0.5)
        ax.set_xlabel(axis_label("time", "ms"))
        ax.set_ylabel(self.row_label)


class PsthPanel(Panel):
    """Population firing rate (Hz) in bins ``(k * bin_ms, (k + 1) * bin_ms]`` from the onset
    to ``duration_ms`` (a spike on an edge counts in the bin ending there, as in the store and
    the analyses: :func:`mozaik.datastore.spike_bin`)."""

    defaults: ClassVar[Mapping[str, Any]] = {
        **Panel.defaults, "bin_ms": 10.0, "color": COLORS["other"]}

    def __init__(self, name: str, times_ms: np.ndarray, duration_ms: float, n_trains: int,
                 **params: Any) -> None:
        self.times_ms, self.duration_ms, self.n_trains = times_ms, duration_ms, n_trains
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        p = self.params
        bin_ms = float(p["bin_ms"])
        n_bins = max(1, int(np.ceil(self.duration_ms / bin_ms - 1e-9)))
        edges = np.arange(n_bins + 1) * bin_ms
        which = spike_bin(self.times_ms, bin_ms)
        counts = np.bincount(which[(which >= 0) & (which < n_bins)], minlength=n_bins)
        rate = counts / (max(self.n_trains, 1) * bin_ms / 1000.0)
        ax.stairs(rate, edges, color=p["color"], fill=True, alpha=0.8)
        ax.set_xlabel(axis_label("time", "ms"))
        ax.set_ylabel(axis_label("rate", "Hz"))


class SignalPanel(Panel):
    """Traces over time: every single trace pale, the mean of each series bold.

    ``series`` is a sequence of ``(label, traces, color)``, traces of shape (n, n_samples) in
    the units named in ``y_label``; ``time_ms`` has shape (n_samples,).
    """

    defaults: ClassVar[Mapping[str, Any]] = {**Panel.defaults, "show_mean": True}

    def __init__(self, name: str, time_ms: np.ndarray,
                 series: Sequence[tuple[str, np.ndarray, str]], y_label: str,
                 **params: Any) -> None:
        self.time_ms, self.series, self.y_label = time_ms, list(series), y_label
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        for label, traces, color in self.series:
            if len(traces) == 1:  # one trial is its own mean: drawn plain
                ax.plot(self.time_ms, traces[0], color=color, label=label)
                continue
            for trace in traces:
                ax.plot(self.time_ms, trace, color=color, alpha=TRIAL_ALPHA,
                        linewidth=TRIAL_LINEWIDTH)
            if self.params["show_mean"] and len(traces) > 1:
                ax.plot(self.time_ms, traces.mean(axis=0), color=color,
                        linewidth=MEAN_LINEWIDTH, label=label)
        ax.set_xlabel(axis_label("time", "ms"))
        ax.set_ylabel(self.y_label)
        if len(self.series) > 1:
            legend_clear_of_data(ax)


class HistogramPanel(Panel):
    """Histogram of finite ``values`` (NaN counted and named in the title's note)."""

    defaults: ClassVar[Mapping[str, Any]] = {
        **Panel.defaults, "bins": 20, "color": COLORS["other"], "log": False}

    def __init__(self, name: str, values: np.ndarray, value_name: str, units: Any,
                 **params: Any) -> None:
        self.values, self.value_name, self.units = values, value_name, units
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        p = self.params
        finite = self.values[np.isfinite(self.values)]
        ax.hist(finite, bins=p["bins"], color=p["color"], log=p["log"])
        ax.set_xlabel(axis_label(self.value_name, self.units))
        ax.set_ylabel("neurons")
        missing = len(self.values) - len(finite)
        if missing:
            ax.text(0.98, 0.95, f"{missing} undefined", transform=ax.transAxes, ha="right",
                    va="top", fontsize=6)


class PositionPanel(Panel):
    """Neurons at their cortical positions (um) coloured by value; circular map if periodic."""

    defaults: ClassVar[Mapping[str, Any]] = {
        **Panel.defaults, "marker_size": 12.0, "cmap": None}

    def __init__(self, name: str, positions_um: np.ndarray, values: np.ndarray,
                 value_name: str, units: Any, period: float | None = None,
                 **params: Any) -> None:
        self.positions_um, self.values = positions_um, values
        self.value_name, self.units, self.period = value_name, units, period
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        p = self.params
        cmap = p["cmap"] or ("hsv" if self.period else "viridis")
        if self.period:
            values, vmin, vmax = np.mod(self.values, self.period), 0.0, self.period
        else:
            values, vmin, vmax = self.values, None, None
        dots = ax.scatter(self.positions_um[:, 0], self.positions_um[:, 1], c=values,
                          s=p["marker_size"], cmap=cmap, vmin=vmin, vmax=vmax,
                          edgecolors="none")
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel(axis_label("x", "um"))
        ax.set_ylabel(axis_label("y", "um"))
        bar = ax.figure.colorbar(dots, ax=ax, fraction=0.05)
        bar.set_label(axis_label(self.value_name, self.units))


class ScatterPanel(Panel):
    """One value against another, per neuron; the identity line if both share units."""

    defaults: ClassVar[Mapping[str, Any]] = {
        **Panel.defaults, "marker_size": 10.0, "color": COLORS["other"], "identity": True}

    def __init__(self, name: str, x: np.ndarray, y: np.ndarray,
                 x_label: str, y_label: str, **params: Any) -> None:
        self.x, self.y, self.x_label, self.y_label = x, y, x_label, y_label
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        p = self.params
        ax.scatter(self.x, self.y, s=p["marker_size"], color=p["color"], edgecolors="none")
        finite = np.isfinite(self.x) & np.isfinite(self.y)
        if p["identity"] and finite.any():
            lo = float(min(self.x[finite].min(), self.y[finite].min()))
            hi = float(max(self.x[finite].max(), self.y[finite].max()))
            ax.plot([lo, hi], [lo, hi], color=COLORS["mean"], linewidth=0.6, linestyle="--")
        ax.set_xlabel(self.x_label)
        ax.set_ylabel(self.y_label)


class CurvePanel(Panel):
    """Curves over ``x``: each ``(label, mean, error)`` with error bars (error may be None).

    Parameters: ``legend``, ``colors``, ``marks`` (one x value or None per curve: a dashed
    vertical line in the curve's colour, e.g. the preferred value), ``xticks`` (None:
    automatic), plus those of :class:`Panel`.
    """

    defaults: ClassVar[Mapping[str, Any]] = {**Panel.defaults, "legend": True, "colors": None,
                                             "marks": None, "xticks": None}

    def __init__(self, name: str, x: np.ndarray,
                 curves: Sequence[tuple[str, np.ndarray, np.ndarray | None]],
                 x_label: str, y_label: str, **params: Any) -> None:
        self.x, self.curves, self.x_label, self.y_label = x, list(curves), x_label, y_label
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        p = self.params
        colors = p["colors"]
        marks = p["marks"] or [None] * len(self.curves)
        for i, (label, mean, error) in enumerate(self.curves):
            color = colors[i % len(colors)] if colors else f"C{i % 10}"
            ax.errorbar(self.x, mean, yerr=error, label=label, color=color, marker="o",
                        markersize=3, capsize=2, linewidth=MEAN_LINEWIDTH * 0.7)
            if marks[i] is not None:
                ax.axvline(float(marks[i]), color=color, linestyle="--", linewidth=0.8,
                           alpha=0.8)
        if p["xticks"] is not None:
            ax.set_xticks(list(p["xticks"]))
        ax.set_xlabel(self.x_label)
        ax.set_ylabel(self.y_label)
        if p["legend"] and len(self.curves) > 1:
            legend_clear_of_data(ax)
