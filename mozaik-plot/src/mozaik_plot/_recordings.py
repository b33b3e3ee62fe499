"""Plots of recordings: RasterPlot (with trial grouping and PSTH) and OverviewPlot (Figure 4)."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
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

__all__ = ["OverviewParams", "OverviewPlot", "RasterParams", "RasterPlot", "short_stimulus",
           "stimulus_title", "varying_by_name"]


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


def _shown_value(key: str, value: object) -> str:
    if key.endswith("_rad") and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{key.removesuffix('_rad')}={math.degrees(value):.3g}\u00b0"
    return f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}"


def stimulus_title(stimulus: str | StimulusIdentity,
                   varying: Mapping[str, Collection[str]] | None = None) -> str:
    """A stimulus for a panel title: its name, and on a second line the parameters that vary
    among the figure's stimuli of that name (``varying``, from :func:`varying_by_name`; None:
    every parameter but the duration). Angles given in radians (``*_rad``) are shown in
    degrees. An ``InternalStimulus`` (no sensory input) is named by the experiment that
    presents it (``NoStimulation: spontaneous activity``). Never cut: panels fit their titles
    (:func:`mozaik_plot.fit_title`)."""
    sid = stimulus if isinstance(stimulus, StimulusIdentity) else (
        StimulusIdentity.from_string(stimulus))
    keys = None if varying is None else varying.get(sid.name, ())
    params = {k: v for k, v in sid.params.items()
              if k != "duration_ms" and (k in keys if keys is not None else k != "trial")}
    name = sid.name
    if name == "InternalStimulus":
        protocol = str(sid.params.get("protocol") or "")
        params.pop("protocol", None)
        direct = any(k.startswith("direct_stimulation.") for k in sid.params)
        what = "direct stimulation" if direct else "spontaneous activity"
        name = f"{protocol}: {what}" if protocol else what
        params = {k.removeprefix("direct_stimulation."): v for k, v in params.items()}
    shown = ", ".join(_shown_value(k, v) for k, v in params.items())
    return f"{name}\n{shown}" if shown else name


def varying_by_name(stimuli: Iterable[str | StimulusIdentity | None]) -> dict[str, set[str]]:
    """For each stimulus name among ``stimuli``, the parameters whose values differ between
    its stimuli (empty for a name shown once)."""
    by_name: dict[str, list[StimulusIdentity]] = {}
    for s in stimuli:
        if s is None:
            continue
        sid = s if isinstance(s, StimulusIdentity) else StimulusIdentity.from_string(s)
        by_name.setdefault(sid.name, []).append(sid)
    out = {}
    for name, sids in by_name.items():
        keys = {k for s in sids for k in s.params}
        out[name] = {k for k in keys if len({repr(s.params.get(k)) for s in sids}) > 1}
    return out


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


def raster_node(name: str, spikes: StimulusSpikes, params: RasterParams,
                varying: Mapping[str, Collection[str]] | None = None) -> Node:
    """The raster (and PSTH) of one sheet during one stimulus (``varying``: see
    :func:`stimulus_title`)."""
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
    if params.psth:  # a raster above a PSTH is short: its label on two lines stays beside it
        label = label.replace(" x ", "\nx ")
    raster = RasterPanel("raster", time, rows, n * n_trials, row_label=label, color=color,
                         title=f"{seg.sheet}: {stimulus_title(seg.stimulus, varying)}",
                         xlim=(0.0, seg.duration_ms))
    if not params.psth:
        return Layout(name, [raster])
    raster.set("xlabel", "")
    raster.set("xticklabels", False)
    psth = PsthPanel("psth", time, seg.duration_ms, n * n_trials, bin_ms=params.bin_ms,
                     color=color, xlim=(0.0, seg.duration_ms))
    return Layout(name, [raster, psth], height_ratios=[2.5, 1.0], hspace=0.12)


def neuron_raster(spikes: StimulusSpikes, neuron: int) -> RasterPanel:
    """The spikes of one neuron of a sheet during one stimulus, one row per trial."""
    seg = spikes.segments
    keep = spikes.neuron == neuron
    return RasterPanel("raster", spikes.time_ms[keep], spikes.trial_index[keep],
                       len(seg.segment_id), row_label="trial", color=sheet_color(seg.sheet),
                       title=stimulus_title(seg.stimulus), xlim=(0.0, seg.duration_ms),
                       marker_size=10.0)  # a few rows: ticks as tall as a row


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
        varying = varying_by_name(g.segments.stimulus for v in per_sheet.values() for g in v)
        children = []
        for k in range(rows):
            for s in sheets:
                if k < len(per_sheet[s]):
                    children.append(raster_node(f"{s}_{k}", per_sheet[s][k], p, varying))
        root = Layout("raster", children, ncols=len(sheets))
        trials = max(len(g.segments.segment_id) for v in per_sheet.values() for g in v)
        rows_are = ("neurons" if trials == 1 else
                    f"neurons x {trials} trials" if p.group_by == "neuron" else
                    f"{trials} trials x neurons")
        neurons = "" if p.max_neurons is None else f" (at most {p.max_neurons} neurons)"
        psth = (f"; below each, the population rate (PSTH) in {p.bin_ms:g} ms bins"
                if p.psth else "")
        root.caption = (f"Spikes of sheet(s) {', '.join(s for s in sheets if per_sheet[s])} "
                        f"(columns) during {rows} stimulus presentation(s) (rows), time from "
                        f"stimulus onset; each mark a spike, rows are {rows_are}{neurons}{psth}")
        return root, "Spike rasters"


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
        Neurons in the raster (None: all); with ``raster: neuron``, unused.
    raster : "sheet" or "neuron"
        The top panel: the spikes of the sheet's first ``max_neurons`` neurons in every trial
        (``sheet``), or those of the drawn neuron alone, one row per trial (``neuron``, as the
        seed's Figure 4).
    """

    sheet: str | None = None
    neuron: int | None = None
    max_stimuli: int = 3
    max_neurons: int | None = 100
    raster: Literal["sheet", "neuron"] = "sheet"
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
        varying = varying_by_name(g.segments.stimulus for g in groups)
        columns = []
        for k, spikes in enumerate(groups):
            raster: Node
            if self.params.raster == "neuron":
                raster = neuron_raster(spikes, neuron)
            else:
                raster = raster_node("raster", spikes, raster_params).children[0]
            raster.set("title", stimulus_title(spikes.segments.stimulus, varying))
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
        root = Layout("overview", columns, ncols=len(columns))
        trials = max(len(g.segments.segment_id) for g in groups)
        whose = (f"spikes of neuron {neuron} (one row per trial)" if self.params.raster == "neuron"
                 else "spikes of its first neurons (rows neuron x trial)")
        root.caption = (f"Sheet {sheet} during {len(groups)} stimuli (columns, {trials} "
                        f"trial(s) each): {whose}, "
                        f"then the excitatory and inhibitory conductances and the membrane "
                        f"potential of neuron {neuron}, every trial pale and the mean over "
                        "trials bold; time from stimulus onset")
        return root, title
