"""Connectivity plots (from ``Connections`` results) and the sheet activity movie."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from mozaik.ads import Connections
from mozaik.datastore import spike_bin

from mozaik_plot._data import results_of, stimulus_spikes
from mozaik_plot._figure import FigureParams, FigurePlot, NothingToDraw, log
from mozaik_plot._movie import movie_target, save_movie
from mozaik_plot._panels import HistogramPanel, PositionPanel
from mozaik_plot._recordings import stimulus_title
from mozaik_plot._style import look
from mozaik_plot._tree import Layout, Node

if TYPE_CHECKING:
    from mozaik.datastore import DataStoreView

__all__ = ["ActivityMovie", "ConnectivityParams", "ConnectivityPlot", "MovieParams"]


@attrs.frozen(kw_only=True)
class ConnectivityParams(FigureParams):
    """Parameters of ConnectivityPlot.

    Parameters
    ----------
    projections : tuple of str
        ``proj_name`` of the Connections to draw (empty: all), one row each.
    neuron : int
        Sheet index of the neuron whose incoming (in the target sheet) and outgoing (in the
        source sheet) weights are mapped over space.
    bins : int
        Bins of the weight and delay histograms.
    """

    projections: tuple[str, ...] = ()
    neuron: int = 0
    bins: int = 20
    size_in: tuple[float, float] = (10.0, 3.2)


class ConnectivityPlot(FigurePlot):
    """Per projection: a neuron's incoming and outgoing weights over space, weight and delay
    histograms. Node paths: ``<projection>`` with children ``incoming``, ``outgoing``,
    ``weights``, ``delays``."""

    params: ConnectivityParams

    def _row(self, view: DataStoreView, c: Connections) -> Node:
        p = self.params
        src, tgt = np.asarray(c.source_index, int), np.asarray(c.target_index, int)
        w = np.asarray(c.weights, float)
        panels: list[Node] = []
        into = tgt == p.neuron
        pos = view.neuron_positions(c.source_name)
        panels.append(PositionPanel("incoming", pos[src[into]], w[into], "weight",
                                    c.weight_units,
                                    title=f"{c.proj_name}: into {c.target_name}[{p.neuron}]"))
        out = src == p.neuron
        pos = view.neuron_positions(c.target_name)
        panels.append(PositionPanel("outgoing", pos[tgt[out]], w[out], "weight",
                                    c.weight_units,
                                    title=f"{c.proj_name}: from {c.source_name}[{p.neuron}]"))
        panels.append(HistogramPanel("weights", w, "weight", c.weight_units, bins=p.bins,
                                     title=f"{c.proj_name}: {len(w)} synapses"))
        panels.append(HistogramPanel("delays", np.asarray(c.delays, float), "delay",
                                     c.delay_units, bins=p.bins, title=f"{c.proj_name}: delays"))
        for panel in panels[2:]:
            panel.set("ylabel", "synapses")
        return Layout(str(c.proj_name), panels, ncols=4, wspace=0.6)

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        p = self.params
        query = {"proj_name": list(p.projections)} if p.projections else {}
        found = [c for c in results_of(view, "Connections", **query)
                 if isinstance(c, Connections)]
        if not found:
            which = f" of projections {list(p.projections)}" if query else ""
            msg = (f"no Connections results{which} in the view: the run stores its "
                   "connections when the study says controller: {store_connections: true} "
                   "(or --set controller.store_connections=true on a new run)")
            raise NothingToDraw(msg)
        rows = [self._row(view, c) for c in found]
        return Layout("connectivity", rows), "Connectivity"


@attrs.frozen(kw_only=True)
class MovieParams(FigureParams):
    """Parameters of ActivityMovie.

    Parameters
    ----------
    sheet : str
        The sheet whose neurons light up at their positions when they spike.
    stimulus : int
        Index (in presentation order) of the stimulus; its first trial is shown.
    frame_ms : float, ms
        Time per frame.
    fps : int
        Frames per second of the file.
    format : "gif" or "mp4"
        ``mp4`` needs ffmpeg; without it a GIF is written.
    """

    sheet: str
    stimulus: int = 0
    frame_ms: float = 10.0
    fps: int = 10
    format: Literal["gif", "mp4"] = "gif"
    size_in: tuple[float, float] = (4.0, 4.0)


class ActivityMovie(FigurePlot):
    """The activity of a sheet over a presentation: each frame marks the neurons spiking in it."""

    params: MovieParams

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        msg = "ActivityMovie draws an animation, not a figure tree; call draw(view, path)"
        raise NothingToDraw(msg)

    def frames(self, view: DataStoreView) -> tuple[np.ndarray, np.ndarray, str]:
        """(positions (n, 2) um, spike counts (n_frames, n), title) of the movie."""
        p = self.params
        groups = stimulus_spikes(self.narrow(view), p.sheet)
        if len(groups) <= p.stimulus:
            msg = (f"no presentation {p.stimulus} of sheet {p.sheet!r} in the view "
                   f"({len(groups)} stimuli)")
            raise NothingToDraw(msg)
        g = groups[p.stimulus]
        first = g.trial_index == 0
        n_frames = max(1, int(np.ceil(g.segments.duration_ms / p.frame_ms)))
        # frames (k * frame_ms, (k + 1) * frame_ms], as the store's segments
        frame = np.clip(spike_bin(g.time_ms[first], p.frame_ms), 0, n_frames - 1)
        counts = np.zeros((n_frames, g.segments.n_neurons))
        np.add.at(counts, (frame, g.neuron[first]), 1.0)
        positions = view.neuron_positions(p.sheet)[:, :2]
        return positions, counts, f"{p.sheet}: {stimulus_title(g.segments.stimulus)}"

    def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
        try:
            positions, counts, title = self.frames(view)
        except NothingToDraw as exc:
            log.warning("ActivityMovie: nothing to draw: %s", exc)
            return []
        p = self.params
        target = movie_target(path, p.format)
        with look():
            fig, ax = plt.subplots(figsize=p.size_in)
            dots = ax.scatter(positions[:, 0], positions[:, 1], c=counts[0], cmap="Greys",
                              vmin=0.0, vmax=max(1.0, float(counts.max())), s=8,
                              edgecolors="none")
            ax.set_aspect("equal")
            ax.set_xlabel("x (um)")
            ax.set_ylabel("y (um)")
            label = ax.set_title(title)

            def update(i: int) -> tuple[Artist, ...]:
                dots.set_array(counts[i])
                label.set_text(f"{title}\n{i * p.frame_ms:.0f}-{(i + 1) * p.frame_ms:.0f} ms")
                return dots, label

            return save_movie(fig, update, len(counts), p.fps, target, self.record())
