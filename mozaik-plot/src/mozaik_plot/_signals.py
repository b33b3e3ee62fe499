"""Figures of population signals (LFP proxies): traces on the electrode array, spectra with
confidence bands, per-electrode value maps and a phase-map movie with the wave direction.

They read the results of mozaik-analysis's LFP analyses by their class names
(``ElectrodeSignals``, ``PowerSpectra``, ``ElectrodeValues``) and fields, without importing
mozaik-analysis: plugins meet only through the store.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs
import matplotlib.pyplot as plt
import numpy as np
import quantities as pq
from mozaik.ads import AnalysisDataStructure, units_string

from mozaik_plot._data import results_of
from mozaik_plot._figure import FigureParams, FigurePlot, NothingToDraw
from mozaik_plot._movie import movie_target, save_movie
from mozaik_plot._recordings import stimulus_title
from mozaik_plot._style import axis_label, look
from mozaik_plot._tree import Layout, Node, Panel

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from mozaik.datastore import DataStoreView

__all__ = [
    "ElectrodeMapParams",
    "ElectrodeMapPlot",
    "LFPArrayParams",
    "LFPArrayPlot",
    "PhaseMovie",
    "PhaseMovieParams",
    "SpectrumParams",
    "SpectrumPlot",
]

log = logging.getLogger(__name__)


def _results(view: DataStoreView, identifier: str, **query: Any) -> list[Any]:
    """Results of another plugin's ADS class, read by field name (duck-typed: no import)."""
    return list(results_of(view, identifier, **query))


def _title(r: AnalysisDataStructure, what: str) -> str:
    stim = f"\n{stimulus_title(r.stimulus_id)}" if r.stimulus_id else ""
    return f"{r.sheet_name}: {what}{stim}"


class ArrayTracesPanel(Panel):
    """Each electrode's trace drawn at its position on the array (um), scaled to fit."""

    def __init__(self, name: str, positions_um: np.ndarray, traces: np.ndarray,
                 units: str, **params: Any) -> None:
        self.positions_um, self.traces, self.units = positions_um, traces, units
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        pos = self.positions_um
        d = np.hypot(*(pos[:, None, :] - pos[None, :, :]).transpose(2, 0, 1))
        step = float(d[d > 0].min()) if len(pos) > 1 else 1.0
        n = self.traces.shape[0]
        x = (np.arange(n) / max(1, n - 1) - 0.5) * 0.8 * step
        scale = 0.4 * step / max(float(np.nanmax(np.abs(self.traces - np.nanmean(
            self.traces, axis=0)))), 1e-12)
        for j in range(self.traces.shape[1]):
            y = self.traces[:, j] - np.nanmean(self.traces[:, j])
            ax.plot(pos[j, 0] + x, pos[j, 1] + scale * y, color="k", linewidth=0.5)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel(axis_label("x", "um"))
        ax.set_ylabel(axis_label("y", "um"))
        ax.text(0.99, 0.01, f"scale bar: {0.4 * step / scale:.3g} {self.units} = {0.4 * step:g} "
                            "um", transform=ax.transAxes, ha="right", va="bottom", fontsize=6)


@attrs.frozen(kw_only=True)
class LFPArrayParams(FigureParams):
    """Parameters of LFPArrayPlot.

    Parameters
    ----------
    y_axis_name : str or None
        Which ElectrodeSignals (None: every one, e.g. the LFP and its band-passed copies).
    max_panels, ncols : int
        At most ``max_panels`` results, in ``ncols`` columns.
    """

    y_axis_name: str | None = "LFP (RWS proxy)"
    max_panels: int = 4
    ncols: int = 2
    size_in: tuple[float, float] = (8.0, 8.0)


class LFPArrayPlot(FigurePlot):
    """LFP traces per electrode, each drawn at its place on the array; one panel per result.

    Node paths: ``array_<k>``.
    """

    params: LFPArrayParams

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        p = self.params
        query = {} if p.y_axis_name is None else {"y_axis_name": p.y_axis_name}
        results = _results(view, "ElectrodeSignals", **query)[: p.max_panels]
        if not results:
            msg = (f"no ElectrodeSignals{f' {p.y_axis_name!r}' if p.y_axis_name else ''} in the "
                   "view; run ElectrodeLFP first")
            raise NothingToDraw(msg)
        panels: list[Node] = [
            ArrayTracesPanel(f"array_{k}", np.asarray(r.positions_um, float),
                             np.asarray(r.signal.magnitude, float), units_string(r.signal.units),
                             title=_title(r, str(r.y_axis_name)))
            for k, r in enumerate(results)]
        return Layout("arrays", panels, ncols=min(p.ncols, len(panels))), "LFP on the array"


class SpectrumPanel(Panel):
    """Mean power spectrum over rows with its 95% confidence band (t-based), log power."""

    defaults: ClassVar[dict[str, Any]] = {**Panel.defaults, "color": "k"}

    def __init__(self, name: str, freqs: np.ndarray, power: np.ndarray, units: str,
                 rows: str = "signals", **params: Any) -> None:
        self.freqs, self.power, self.units, self.rows = freqs, power, units, rows
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        from scipy import stats

        power = np.atleast_2d(self.power)
        mean = power.mean(axis=0)
        n = len(power)
        if n > 1:
            half = stats.t.ppf(0.975, n - 1) * power.std(axis=0, ddof=1) / np.sqrt(n)
            ax.fill_between(self.freqs, np.maximum(mean - half, mean * 1e-3), mean + half,
                            color=self.params["color"], alpha=0.25, linewidth=0,
                            label=f"95% CI of the mean ({n} {self.rows})")
            ax.legend(frameon=False, loc="upper right", fontsize=6)
        ax.plot(self.freqs, mean, color=self.params["color"])
        ax.set_yscale("log")
        ax.set_xlabel(axis_label("frequency", "Hz"))
        ax.set_ylabel(axis_label("power", self.units))


@attrs.frozen(kw_only=True)
class SpectrumParams(FigureParams):
    """Parameters of SpectrumPlot.

    Parameters
    ----------
    max_frequency_hz : float, Hz
        Upper end of the frequency axis.
    max_panels, ncols : int
        At most ``max_panels`` results, in ``ncols`` columns.
    """

    max_frequency_hz: float = 200.0
    max_panels: int = 6
    ncols: int = 2


class SpectrumPlot(FigurePlot):
    """Power spectra (PowerSpectra results): the mean over their rows with a 95% confidence
    band (Student t) of that mean: across electrodes, or across time segments for a
    ``PowerSpectrum`` run with ``rows: segments``. Node paths: ``spectrum_<k>``."""

    params: SpectrumParams

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        p = self.params
        results = _results(view, "PowerSpectra")[: p.max_panels]
        if not results:
            raise NothingToDraw("no PowerSpectra in the view; run PowerSpectrum first")
        panels: list[Node] = []
        for k, r in enumerate(results):
            f = np.asarray(r.frequencies_hz, float)
            keep = (f > 0) & (f <= p.max_frequency_hz)
            panels.append(SpectrumPanel(f"spectrum_{k}", f[keep],
                                        np.atleast_2d(np.asarray(r.power, float))[:, keep],
                                        units_string(r.power_units), str(r.rows),
                                        title=_title(r, f"PSD of {r.signal_name}")))
        return Layout("spectra", panels, ncols=min(p.ncols, len(panels))), "Power spectra"


class ElectrodeMapPanel(Panel):
    """One value per electrode, as coloured squares at the electrode positions."""

    def __init__(self, name: str, positions_um: np.ndarray, values: np.ndarray, label: str,
                 **params: Any) -> None:
        self.positions_um, self.values, self.label = positions_um, values, label
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        squares = ax.scatter(self.positions_um[:, 0], self.positions_um[:, 1], c=self.values,
                             marker="s", s=120, cmap="viridis", edgecolors="none")
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel(axis_label("x", "um"))
        ax.set_ylabel(axis_label("y", "um"))
        ax.figure.colorbar(squares, ax=ax, fraction=0.05).set_label(self.label)


@attrs.frozen(kw_only=True)
class ElectrodeMapParams(FigureParams):
    """Parameters of ElectrodeMapPlot.

    Parameters
    ----------
    value_name : str or None
        Which ElectrodeValues (None: all).
    max_panels, ncols : int
        At most ``max_panels`` results, in ``ncols`` columns.
    """

    value_name: str | None = None
    max_panels: int = 6
    ncols: int = 3


class ElectrodeMapPlot(FigurePlot):
    """Per-electrode values (ElectrodeValues, e.g. the LFP's F1) on the array layout.

    Node paths: ``map_<k>``."""

    params: ElectrodeMapParams

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        p = self.params
        query = {} if p.value_name is None else {"value_name": p.value_name}
        results = _results(view, "ElectrodeValues", **query)[: p.max_panels]
        if not results:
            raise NothingToDraw("no ElectrodeValues in the view; run LFPF1 first")
        panels: list[Node] = [
            ElectrodeMapPanel(f"map_{k}", np.asarray(r.positions_um, float),
                              np.asarray(r.values, float),
                              axis_label(str(r.value_name), r.value_units),
                              title=_title(r, str(r.value_name)))
            for k, r in enumerate(results)]
        return Layout("maps", panels, ncols=min(p.ncols, len(panels))), "Electrode values"


@attrs.frozen(kw_only=True)
class PhaseMovieParams(FigureParams):
    """Parameters of PhaseMovie.

    Parameters
    ----------
    result : int
        Which stored phase map (ElectrodeSignals "generalized phase", storage order).
    step : int
        Draw every ``step``-th sample.
    max_frames : int
        At most this many frames (the samples are thinned further beyond it).
    fps : float
        Frames per second of the movie.
    format : "gif" or "mp4"
        MP4 needs ffmpeg; GIF otherwise.
    size_in : (float, float), inches
        Figure size.
    """

    result: int = 0
    step: int = 5
    max_frames: int = 200
    fps: int = 10
    format: Literal["gif", "mp4"] = "gif"
    size_in: tuple[float, float] = (5.0, 4.5)


class PhaseMovie(FigurePlot):
    """The generalized phase on the electrode array over time (circular colour map), with an
    arrow along the travelling wave's direction where TravellingWaves found one."""

    params: PhaseMovieParams

    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        msg = "PhaseMovie draws an animation, not a figure tree; call draw(view, path)"
        raise NothingToDraw(msg)

    def frames(self, view: DataStoreView) -> tuple[np.ndarray, np.ndarray, np.ndarray, float,
                                                   str]:
        """(positions (n, 2) um, phase (n_frames, n) rad, direction (n_frames,) deg or NaN,
        ms per frame, title)."""
        p = self.params
        phases = _results(self.narrow(view), "ElectrodeSignals",
                          y_axis_name="generalized phase")
        if len(phases) <= p.result:
            msg = (f"no phase map {p.result} in the view ({len(phases)} stored); run "
                   "GeneralizedPhase first")
            raise NothingToDraw(msg)
        r = phases[p.result]
        phase = np.asarray(r.signal.rescale(pq.rad).magnitude)[:: p.step][: p.max_frames]
        direction = np.full(len(phase), np.nan)
        for w in _results(view, "AnalogSignal", y_axis_name="wave direction"):
            if w.stimulus_id == r.stimulus_id and w.sheet_name == r.sheet_name:
                direction = np.asarray(w.signal.magnitude).ravel()[:: p.step][: p.max_frames]
        dt = float(r.signal.sampling_period.rescale(pq.ms).magnitude) * p.step
        return (np.asarray(r.positions_um, float), phase, direction, dt,
                _title(r, "generalized phase"))

    def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
        try:
            positions, phase, direction, dt, title = self.frames(view)
        except NothingToDraw as exc:
            log.warning("PhaseMovie: nothing to draw: %s", exc)
            return []
        p = self.params
        target = movie_target(path, p.format)
        centre = positions.mean(axis=0)
        reach = 0.4 * float(np.ptp(positions[:, 0]) or 1.0)
        with look():
            fig, ax = plt.subplots(figsize=p.size_in)
            squares = ax.scatter(positions[:, 0], positions[:, 1], c=phase[0], cmap="hsv",
                                 vmin=-np.pi, vmax=np.pi, marker="s", s=120, edgecolors="none")
            arrow = ax.annotate("", xy=centre, xytext=centre,
                                arrowprops={"arrowstyle": "->", "color": "k", "lw": 2})
            ax.set_aspect("equal")
            ax.set_xlabel(axis_label("x", "um"))
            ax.set_ylabel(axis_label("y", "um"))
            fig.colorbar(squares, ax=ax, fraction=0.05).set_label("phase (rad)")
            label = ax.set_title(title)

            def update(i: int) -> tuple[Artist, ...]:
                squares.set_array(phase[i])
                d = direction[i]
                tip = centre if not np.isfinite(d) else centre + reach * np.array(
                    [np.cos(np.radians(d)), np.sin(np.radians(d))])
                arrow.xy = tuple(tip)
                note = "" if not np.isfinite(d) else f", wave {d:.0f} deg"
                label.set_text(f"{title}\n{i * dt:.0f} ms{note}")
                return squares, arrow, label

            return save_movie(fig, update, len(phase), p.fps, target, self.record())
