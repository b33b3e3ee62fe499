"""PerNeuronValue plots and tuning curves on a small store with analysis results."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PathCollection
from mozaik.datastore import DataStore
from mozaik_plot import (
    PerNeuronValueParams,
    PerNeuronValuePlot,
    PerNeuronValueScatter,
    ScatterParams,
    TuningCurveParams,
    TuningCurvePlot,
)
from plot_helpers import ORIENTATIONS


def test_histograms_one_panel_per_result(plot_store: DataStore) -> None:
    params = PerNeuronValueParams(value_name="Firing rate", sheets=("exc",), max_panels=5,
                                  bins=8)
    figure = PerNeuronValuePlot(params).figure(plot_store)
    try:
        assert len(figure.axes) == 5
        assert figure.get_suptitle() == "Firing rate"
        for ax in figure.axes:
            assert ax.get_xlabel() == "Firing rate (Hz)" and ax.get_ylabel() == "neurons"
            # the stimulus, then the parameters that vary among the panels
            assert ax.get_title().startswith("exc: Firing rate\nTinyGrating\n")
            assert "trial=" in ax.get_title() or "orientation=" in ax.get_title()
            assert len(ax.patches) == 8
            assert sum(p.get_height() for p in ax.patches) == 16  # every neuron counted once
    finally:
        plt.close(figure)


def test_periodic_map_uses_a_circular_colour_map(plot_store: DataStore) -> None:
    params = PerNeuronValueParams(value_name="orientation preference", kind="positions")
    figure = PerNeuronValuePlot(params).figure(plot_store)
    try:
        ax, bar = figure.axes  # the map and its colour bar
        assert ax.get_xlabel() == "x (um)" and ax.get_ylabel() == "y (um)"
        assert bar.get_ylabel() == "orientation preference (rad)"
        (dots,) = [c for c in ax.collections if isinstance(c, PathCollection)]
        assert dots.get_cmap().name == "hsv"
        assert dots.get_clim() == (0.0, math.pi)
        assert len(dots.get_offsets()) == 16
        positions = plot_store.neuron_positions("exc")
        assert np.allclose(dots.get_offsets(), positions)
    finally:
        plt.close(figure)


def test_assigned_against_measured_preference(plot_store: DataStore) -> None:
    params = ScatterParams(x_value="orientation_preference", y_value="orientation preference")
    figure = PerNeuronValueScatter(params).figure(plot_store)
    try:
        (ax,) = figure.axes
        assert ax.get_xlabel() == "orientation preference"
        assert ax.get_ylabel() == "orientation preference (rad)"
        x, y = np.asarray(ax.collections[0].get_offsets()).T
        assigned = plot_store.neuron_annotations("exc")["orientation_preference"]
        assert np.allclose(x, assigned) and np.allclose(y, np.mod(assigned + 0.1, math.pi))
        assert len(ax.lines) == 1  # the identity line
    finally:
        plt.close(figure)


def test_tuning_curves_have_trial_error_bars(plot_store: DataStore) -> None:
    params = TuningCurveParams(parameter="orientation", neurons=(0, 1, 2), sheet="exc")
    figure = TuningCurvePlot(params).figure(plot_store)
    try:
        assert len(figure.axes) == 3
        assert [ax.get_title().split(",")[0] for ax in figure.axes] == [
            "exc neuron 0", "exc neuron 1", "exc neuron 2"]
        ax = figure.axes[0]
        assert ax.get_xlabel() == "orientation (deg)" and ax.get_ylabel() == "Firing rate (Hz)"
        (bars,) = ax.containers
        line, _caps, (errors,) = bars.lines[0], bars.lines[1], bars.lines[2]
        # in degrees, 180 joined to 0 (one orientation)
        assert np.allclose(line.get_xdata(), [*np.degrees(ORIENTATIONS), 180.0])
        rates = [r for r in plot_store.get_analysis_result(value_name="Firing rate",
                                                            analysis_algorithm="FiringRate",
                                                            sheet_name="exc")
                 if r.stimulus_id.params["orientation"] == 0.0]
        assert len(rates) == 3  # three trials
        assert np.isclose(line.get_ydata()[0], np.mean([r.values[0] for r in rates]))
        assert len(errors.get_segments()) == len(ORIENTATIONS) + 1
    finally:
        plt.close(figure)
