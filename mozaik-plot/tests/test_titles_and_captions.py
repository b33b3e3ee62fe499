"""What a scientist shows (issue 26): panel titles name the stimulus and the parameters that
vary and never overflow their axes (measured), tuning curves in degrees with trial error bars,
closed for periodic parameters, the preferred value marked; legends never over data;
spontaneous activity gets a real title; every figure a caption saying what it shows."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import quantities as pq
from matplotlib.figure import Figure
from mozaik.ads import PerNeuronValue
from mozaik.datastore import DataStore
from mozaik.stimulus import StimulusIdentity
from mozaik.testing import TINY_STORE, make_tiny_store
from mozaik_plot import (
    OverviewParams,
    OverviewPlot,
    PerNeuronValueParams,
    PerNeuronValuePlot,
    PerNeuronValueScatter,
    RasterParams,
    RasterPlot,
    ScatterParams,
    SignalPanel,
    TuningCurveParams,
    TuningCurvePlot,
    stimulus_title,
)
from mozaik_plot._tree import Layout, render
from plot_helpers import make_plot_store, per_trial_rates

LONG = "FullfieldDriftingSinusoidalGratingWithAnUnusuallyLongName"


def _long_store(run_dir: Path) -> DataStore:
    """Gratings with a long name and three parameters that vary (radians among them)."""
    gratings = tuple(StimulusIdentity(name=LONG, params={
        "orientation_rad": o, "spatial_frequency_cycles_per_degree": 0.8 + o,
        "temporal_frequency_hz": 2.0 + 3 * o, "contrast": 100.0, "duration_ms": 100.0})
        for o in (0.0, math.pi / 4))
    layout = TINY_STORE.__class__(
        sheets={"exc": 12, "inh_with_a_long_sheet_name": 4},
        signals={"exc": TINY_STORE.signals["exc"], "inh_with_a_long_sheet_name": ()},
        signal_neurons=2, sampling_period_ms=1.0, gratings=gratings, flashes=(), trials=2,
        blank_ms=10.0, rate_hz=10.0)
    store = make_tiny_store(run_dir, seed=1, layout=layout)
    for result in per_trial_rates(store, "exc"):
        store.add_analysis_result(result)
    return store


def _assert_titles_fit(figure: Figure) -> list[str]:
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    page = figure.get_window_extent(renderer)
    titles = []
    for ax in figure.axes:
        title = ax.title
        if not title.get_text():
            continue
        box, axes = title.get_window_extent(renderer), ax.get_window_extent(renderer)
        assert box.width <= axes.width + 1.0, (title.get_text(), box.width, axes.width)
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, title.get_text()
        assert box.y1 <= page.y1 + 1, title.get_text()
        titles.append(title.get_text())
    # no axis label runs into another (a short raster's label over its PSTH's)
    labels = [ax.yaxis.label.get_window_extent(renderer) for ax in figure.axes
              if ax.get_ylabel()]
    for i, box in enumerate(labels):
        assert not any(box.overlaps(other) for other in labels[i + 1:]), box
    return titles


@pytest.mark.parametrize("plot", [
    RasterPlot(RasterParams(max_stimuli=2, psth=True, size_in=(5.0, 4.5))),
    OverviewPlot(OverviewParams(size_in=(5.0, 5.0))),
    PerNeuronValuePlot(PerNeuronValueParams(value_name="Firing rate", max_panels=4, ncols=4,
                                            size_in=(6.0, 2.5))),
], ids=["raster", "overview", "histogram"])
def test_long_titles_fit_their_axes_and_name_what_varies(tmp_path: Path, plot: object) -> None:
    store = _long_store(tmp_path / "run")
    try:
        figure = plot.figure(store.full_view())  # type: ignore[attr-defined]
        try:
            titles = _assert_titles_fit(figure)
        finally:
            plt.close(figure)
    finally:
        store.close()
    assert titles
    joined = " ".join(" ".join(titles).split())
    # the name starts the title and the varying parameters follow (an angle in degrees)
    assert "FullfieldDrifting" in joined, titles
    assert "orientation=45\u00b0" in joined.replace("\n", " "), titles
    assert "contrast" not in joined, titles  # the same for every stimulus: not shown


def test_spontaneous_activity_gets_a_real_title() -> None:
    sid = StimulusIdentity(name="InternalStimulus",
                           params={"duration_ms": 1000.0, "protocol": "NoStimulation"})
    assert stimulus_title(sid, {"InternalStimulus": set()}) == "NoStimulation: spontaneous activity"
    kick = StimulusIdentity(name="InternalStimulus", params={
        "duration_ms": 100.0, "protocol": "PoissonNetworkKick",
        "direct_stimulation.rate_hz": 100.0})
    assert stimulus_title(kick) == "PoissonNetworkKick: direct stimulation\nrate_hz=100"


def test_histogram_of_spontaneous_activity_is_titled(tmp_path: Path) -> None:
    store = make_plot_store(tmp_path / "run")
    try:
        for sheet in ("exc", "inh"):
            store.add_analysis_result(PerNeuronValue(
                analysis_algorithm="TrialAveragedFiringRate", sheet_name=sheet,
                values=np.arange(4.0), ids=np.arange(4), value_name="Spontaneous rate",
                value_units=pq.Hz, stimulus_id=StimulusIdentity(
                    "InternalStimulus", {"duration_ms": 1000.0, "protocol": "NoStimulation"})))
        figure = PerNeuronValuePlot(PerNeuronValueParams(value_name="Spontaneous rate")).figure(
            store.full_view())
        titles = [ax.get_title() for ax in figure.axes]
        plt.close(figure)
    finally:
        store.close()
    assert titles == ["exc: Spontaneous rate\nNoStimulation: spontaneous activity",
                      "inh: Spontaneous rate\nNoStimulation: spontaneous activity"]


def test_tuning_curves_in_degrees_closed_with_error_bars_and_the_peak_marked(
        tmp_path: Path) -> None:
    store = make_plot_store(tmp_path / "run")
    try:
        plot = TuningCurvePlot(TuningCurveParams(parameter="orientation", neurons=(0, 1),
                                                 sheet="exc"))
        figure, caption = plot.figure_and_caption(store.full_view())
    finally:
        store.close()
    try:
        ax = figure.axes[0]
        assert ax.get_xlabel() == "orientation (deg)"
        (curve, caps, bars) = ax.containers[0]
        x, y = curve.get_data()
        assert list(x) == [0.0, 45.0, 90.0, 135.0, 180.0]  # 0 and 180 degrees joined
        assert y[0] == y[-1]
        assert bars and len(bars[0].get_segments()) == 5  # error bars over the 3 trials
        peak = float(x[int(np.argmax(y[:-1]))])
        marks = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"]
        assert marks == [peak]
        assert f"peak at {peak:.3g}\u00b0" in ax.get_title()
    finally:
        plt.close(figure)
    assert "standard deviation over 3 trials" in caption and "peak" in caption


def test_a_legend_never_covers_data() -> None:
    time = np.arange(100.0)
    high = np.full((1, 100), 10.0)  # data up to the top right corner, where legends go
    panel = SignalPanel("signals", time, [("gsyn_exc", high, "r"),
                                          ("gsyn_inh", np.linspace(0, 10, 100)[None], "b")],
                        "conductance (uS)")
    figure = render(Layout("root", [panel]), (3.0, 2.0))
    try:
        figure.canvas.draw()  # limits and positions as saved
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        ax = figure.axes[0]
        legend = ax.get_legend().get_window_extent(renderer)
        for line in ax.lines:
            points = ax.transData.transform(np.column_stack(line.get_data()))
            inside = ((points[:, 0] >= legend.x0) & (points[:, 0] <= legend.x1)
                      & (points[:, 1] >= legend.y0) & (points[:, 1] <= legend.y1))
            assert not inside.any(), line.get_label()
    finally:
        plt.close(figure)


def test_every_standard_figure_has_a_caption_saying_what_it_shows(
        tmp_path: Path, figures: Path) -> None:
    store = make_plot_store(tmp_path / "run")
    plots = {
        "raster": RasterPlot(RasterParams(psth=True)),
        "overview": OverviewPlot(OverviewParams()),
        "tuning": TuningCurvePlot(TuningCurveParams(parameter="orientation", neurons=(0,),
                                                    sheet="exc")),
        "values": PerNeuronValuePlot(PerNeuronValueParams(value_name="Firing rate", max_panels=2,
                                                          query={"sheet_name": "exc"})),
        "scatter": PerNeuronValueScatter(ScatterParams(x_value="orientation_preference",
                                                       y_value="orientation preference")),
    }
    captions = {}
    try:
        for name, plot in plots.items():
            figure, captions[name] = plot.figure_and_caption(store.full_view())
            plt.close(figure)
        plots["raster"].draw(store.full_view(), figures / "raster.png")  # the sidecar keeps it
    finally:
        store.close()
    sidecar = json.loads((figures / "raster.json").read_text())
    assert sidecar["caption"] == captions["raster"]
    assert sidecar["axes"][0]["title"] == "exc: TinyGrating\norientation=0"  # as given
    assert captions["raster"].startswith("Spikes of sheet(s) exc, inh"), captions
    assert "membrane potential of neuron" in captions["overview"]
    assert "against the stimulus parameter orientation" in captions["tuning"]
    assert captions["values"].endswith("(data selected by sheet_name=exc)."), captions
    assert "one dot per neuron" in captions["scatter"]
    assert not any(c.startswith("query") for c in captions.values())
