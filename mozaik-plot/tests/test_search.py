"""The parameter-search figure over tables of points in the shapes the hpc helper may give."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pyarrow as pa
import pytest
from mozaik_plot import (
    NothingToDraw,
    parameter_search_columns,
    parameter_search_figure,
    plot_parameter_search,
    render,
)

POINTS = {"g": [2.0, 4.0, 6.0, 2.0, 4.0, 6.0], "eta": [1.0, 1.0, 1.0, 2.0, 2.0, 2.0],
          "Mean(Firing rate)": [30.0, 12.0, 4.0, 40.0, 20.0, 8.0],
          "Mean(CV of ISI)": [0.2, 0.8, 1.0, 0.3, 0.7, 0.9]}


def test_rows_columns_and_arrow_tables_are_the_same_table() -> None:
    rows = [dict(zip(POINTS, values, strict=True)) for values in zip(*POINTS.values(),
                                                                      strict=True)]
    by_rows = parameter_search_columns(rows)
    by_arrow = parameter_search_columns(pa.table(POINTS))
    assert list(by_rows) == list(POINTS) == list(by_arrow)
    assert all((by_rows[k] == by_arrow[k]).all() for k in POINTS)


def test_one_panel_per_value_over_two_parameters(tmp_path: Path) -> None:
    figure = render(parameter_search_figure(POINTS, ["g", "eta"]), (7.0, 3.0))
    try:
        panels = [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]
        assert [ax.get_title() for ax in panels] == ["Mean(Firing rate)", "Mean(CV of ISI)"]
        assert all(ax.get_xlabel() == "g" and ax.get_ylabel() == "eta" for ax in panels)
        assert len(panels[0].collections[0].get_offsets()) == 6
    finally:
        plt.close(figure)
    files = plot_parameter_search(POINTS, ["g", "eta"], tmp_path / "search.png")
    assert [f.suffix for f in files] == [".png", ".svg", ".json"]
    assert json.loads(files[2].read_text())["values"] == ["Mean(Firing rate)", "Mean(CV of ISI)"]


def test_one_parameter_draws_curves() -> None:
    figure = render(parameter_search_figure(POINTS, ["g"], ["Mean(CV of ISI)"]), (3.0, 3.0))
    try:
        (ax,) = figure.axes
        assert ax.get_xlabel() == "g" and ax.get_ylabel() == "Mean(CV of ISI)"
        assert list(ax.lines[0].get_xdata()) == sorted(POINTS["g"])
    finally:
        plt.close(figure)


def test_bad_tables_are_named() -> None:
    with pytest.raises(ValueError, match=r"columns \['tau'\] are not in the table"):
        parameter_search_figure(POINTS, ["tau"])
    with pytest.raises(ValueError, match="one or two varied parameters"):
        parameter_search_figure(POINTS, ["g", "eta", "Mean(CV of ISI)"])
    with pytest.raises(NothingToDraw, match="no points or no value columns"):
        parameter_search_figure({"g": [], "v": []}, ["g"])
