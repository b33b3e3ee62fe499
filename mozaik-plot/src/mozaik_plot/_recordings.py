"""Plots of recordings: RasterPlot (with trial grouping and PSTH) and OverviewPlot (Figure 4)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Literal

import attrs
import numpy as np
from mozaik.stimulus import StimulusIdentity

from mozaik_plot._data import StimulusSpikes, analog_neurons, stimulus_spikes, stimulus_traces
from mozaik_plot._figure import FigureParams, FigurePlot, NothingToDraw
from mozaik_plot._panels import PsthPanel, RasterPanel, SignalPanel
from mozaik_plot._style import COLORS, axis_label, sheet_color
from mozaik_plot._tree import Layout, Node

if TYPE_CHECKING:
    from mozaik.datastore import DataStoreView

__all__ = ["OverviewParams", "OverviewPlot", "RasterParams", "RasterPlot", "short_stimulus"]


def short_stimulus(stimulus: str | StimulusIdentity, width: int = 60,
                   keys: Collection[str] | None = None) -> str:
    """A stimulus (or its identity string) shortened for a title: name and parameters (only
    ``keys`` if given, e.g. those that differ between the stimuli of a figure)."""
    sid = stimulus if isinstance(stimulus, StimulusIdentity) else (
        StimulusIdentity.from_string(stimulus))
    shown = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                      for k, v in sid.params.items()
                      if k != "duration_ms" and (keys is None or k in keys))
    text = f"{sid.name}({shown})"
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def varying_keys(stimuli: Iterable[str | StimulusIdentity | None]) -> set[str] | None:
    """Parameters whose values differ among ``stimuli`` of one type (None: several types)."""
    sids = [s if isinstance(s, StimulusIdentity) else StimulusIdentity.from_string(s)
            for s in stimuli if s is not None]
    if len({s.name for s in sids}) != 1 or len(sids) < 2:
        return None
    keys = {k for s in sids for k in s.params}
    return {k for k in keys if len({repr(s.params.get(k)) for s in sids}) > 1}


@attrs.frozen(kw_only=True)
class RasterParams(FigureParams):
    """Parameters of RasterPlot.

    Parameters
    ----------
    sheets : tuple of str
        Sheets to draw (empty: every sheet with spikes), one column each.
    max_stimuli : int
        At most this many stimuli (in presentation order), one row each.
    max_neurons : int or None
        Draw the first ``max_neurons`` neurons of each sheet (None: all).
    group_by : "neuron" or "trial"
        Rows grouped by neuron (its trials adjacent) or by trial (blocks of all neurons).
    psth : bool
        Add a PSTH (Hz) below each raster.
    bin_ms : float, ms
        PSTH bin width.
    """

    sheets: tuple[str, ...] = ()
    max_stimuli: int = 4
    max_neurons: int | None = None
    group_by: Literal["neuron", "trial"] = "neuron"
    psth: bool = False
    bin_ms: float = 10.0


def raster_node(name: str, spikes: StimulusSpikes, params: RasterParams) -> Node:
    """The raster (and PSTH) of one sheet during one stimulus."""
    seg = spikes.segments
    n = seg.n_neurons if params.max_neurons is None else min(seg.n_neurons, params.max_neurons)
    neuron, trial, time = spikes.neuron, spikes.trial_index, spikes.time_ms
    if n < seg.n_neurons:
        keep = neuron < n
        neuron, trial, time = neuron[keep], trial[keep], time[keep]
    n_trials = len(seg.segment_id)
    if n_trials == 1:
        rows, label = neuron, "neuron"
    elif params.group_by == "neuron":
        rows, label = neuron.astype(np.int64) * n_trials + trial, "neuron x trial"
    else:
        rows, label = trial.astype(np.int64) * n + neuron, "trial x neuron"
    color = sheet_color(seg.sheet)
    raster = RasterPanel("raster", time, rows, n * n_trials, row_label=label, color=color,
                         title=f"{seg.sheet}: {short_stimulus(seg.stimulus, 44)}",
                         xlim=(0.0, seg.duration_ms))
    if not params.psth:
        return Layout(name, [raster])
    raster.set("xlabel", "")
    raster.set("xticklabels", False)
    psth = PsthPanel("psth", time, seg.duration_ms, n * n_trials, bin_ms=params.bin_ms,
                     color=color, xlim=(0.0, seg.duration_ms))
    return Layout(name, [raster, psth], height_ratios=[2.5, 1.0], hspace=0.12)


def sheets_with_spikes(view: DataStoreView, wanted: tuple[str, ...]) -> list[str]:
    """``wanted`` (or every sheet of the view) that has real segments in the view."""
    names = list(wanted) or view.sheets()
    t = view.segment_index
    present = set(t["sheet_name"].to_pylist()) if t.num_rows else set()
    return [s for s in names if s in present]


class RasterPlot(FigurePlot):
    """Spike rasters: one column per sheet, one row per stimulus, trials grouped.

    Node paths: ``<sheet>_<k>`` for the k-th stimulus of a sheet, with children ``raster``
    and (``psth: true``) ``psth``: ``{"*.raster.marker_size": 1, "exc_0.psth.bin_ms": 5}``.
    """

    params: RasterParams

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        p = self.params
        sheets = sheets_with_spikes(view, p.sheets)
        per_sheet = {s: stimulus_spikes(view, s)[: p.max_stimuli] for s in sheets}
        if not any(per_sheet.values()):
            msg = (f"no recorded presentations of sheets {list(p.sheets) or 'any'} in the view "
                   f"({view.n_segments} segments)")
            raise NothingToDraw(msg)
        rows = max(len(v) for v in per_sheet.values())
        children = []
        for k in range(rows):
            for s in sheets:
                if k < len(per_sheet[s]):
                    children.append(raster_node(f"{s}_{k}", per_sheet[s][k], p))
        return Layout("raster", children, ncols=len(sheets)), "Spike rasters"


@attrs.frozen(kw_only=True)
class OverviewParams(FigureParams):
    """Parameters of OverviewPlot (the seed's Figure 4).

    Parameters
    ----------
    sheet : str or None
        The sheet (None: the first with a recorded membrane potential).
    neuron : int or None
        Index within the sheet of the neuron whose Vm and conductances are drawn (None: the
        first with ``v`` recorded).
    max_stimuli : int
        One column per stimulus, at most this many.
    max_neurons : int or None
        Neurons in the raster (None: all).
    """

    sheet: str | None = None
    neuron: int | None = None
    max_stimuli: int = 3
    max_neurons: int | None = 100
    size_in: tuple[float, float] = (8.0, 6.0)


class OverviewPlot(FigurePlot):
    """Per stimulus (columns): raster over trials, conductances and Vm of one neuron (rows).

    Node paths: ``stimulus_<k>`` with children ``raster``, ``conductance``, ``vm``.
    """

    params: OverviewParams

    def _sheet_and_neuron(self, view: DataStoreView) -> tuple[str, int]:
        p = self.params
        for sheet in [p.sheet] if p.sheet else view.sheets():
            recorded = analog_neurons(view, sheet, "v")
            if len(recorded) and (p.neuron is None or p.neuron in recorded):
                return sheet, int(recorded[0] if p.neuron is None else p.neuron)
        msg = (f"no membrane potential 'v' of sheet {p.sheet or 'any'}"
               f"{'' if p.neuron is None else f', neuron {p.neuron}'} recorded in the view")
        raise NothingToDraw(msg)

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        sheet, neuron = self._sheet_and_neuron(view)
        groups = stimulus_spikes(view, sheet)[: self.params.max_stimuli]
        raster_params = RasterParams(max_neurons=self.params.max_neurons)
        columns = []
        for k, spikes in enumerate(groups):
            raster = raster_node("raster", spikes, raster_params).children[0]
            raster.set("title", short_stimulus(spikes.segments.stimulus, 44))
            rows: list[Node] = [raster]
            cond = []
            units = ""
            for variable in ("gsyn_exc", "gsyn_inh"):
                got = stimulus_traces(view, spikes.segments, variable, neuron)
                if got is not None:
                    time, traces, units = got
                    cond.append((variable, traces, sheet_color("", variable)))
            if cond:
                rows.append(SignalPanel("conductance", time, cond,
                                        axis_label("conductance", units)))
            vm = stimulus_traces(view, spikes.segments, "v", neuron)
            if vm is not None:
                rows.append(SignalPanel("vm", vm[0], [("v", vm[1], COLORS["mean"])],
                                        axis_label("Vm", vm[2])))
            columns.append(Layout(f"stimulus_{k}", rows, hspace=0.7))
        title = f"Overview of sheet {sheet}, neuron {neuron}"
        return Layout("overview", columns, ncols=len(columns)), title
