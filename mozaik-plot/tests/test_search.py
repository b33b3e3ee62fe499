"""The parameter-search figure over tables of points in the shapes the hpc helper may give, and
ParameterSearchPlot, the search plot drawing it from a search's collated table."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pyarrow as pa
import pytest
from mozaik.testing import SEARCH_TABLE_PARAMETERS, SearchPlotContract, make_search_table
from mozaik_plot import (
    NothingToDraw,
    ParameterSearchParams,
    ParameterSearchPlot,
    parameter_search_columns,
    parameter_search_figure,
    plot_parameter_search,
    render,
    search_value_columns,
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
        # a full 3 x 2 grid: a heat map with the values in its cells, axes at the grid values
        assert panels[0].collections[0].get_array().count() == 6
        assert [t.get_text() for t in panels[0].get_xticklabels()] == ["2", "4", "6"]
        assert sorted(t.get_text() for t in panels[0].texts) == sorted(
            f"{v:.3g}" for v in POINTS["Mean(Firing rate)"])
    finally:
        plt.close(figure)
    files = plot_parameter_search(POINTS, ["g", "eta"], tmp_path / "search.png")
    assert [f.suffix for f in files] == [".png", ".svg", ".json"]
    assert json.loads(files[2].read_text())["values"] == ["Mean(Firing rate)", "Mean(CV of ISI)"]


def test_points_off_a_grid_are_coloured_squares() -> None:
    points = {"g": [2.0, 4.0, 6.0], "eta": [1.0, 2.0, 1.5], "v": [1.0, 2.0, 3.0]}
    figure = render(parameter_search_figure(points, ["g", "eta"]), (3.0, 3.0))
    try:
        ax = figure.axes[0]
        assert len(ax.collections[0].get_offsets()) == 3 and not ax.texts
    finally:
        plt.close(figure)


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


# -- ParameterSearchPlot: the figure of a search file's plots, from a collated table ----------

W_EXC, W_INH = SEARCH_TABLE_PARAMETERS


class TestParameterSearchPlot(SearchPlotContract):
    name = "ParameterSearchPlot"
    example_params = {"values": ["Mean(Firing rate)"], "sheets": ["exc"]}


def test_one_column_per_sheet_and_value_one_row_per_point() -> None:
    params = ParameterSearchParams(values=("Mean(Firing rate)", "Mean(CV of ISI)"),
                                   labels={W_EXC: "w exc"})
    columns, axes, values = search_value_columns(make_search_table(), SEARCH_TABLE_PARAMETERS,
                                                 params)
    assert axes == ["w exc", W_INH]
    assert values == ["exc: Mean(Firing rate) (Hz)", "inh: Mean(Firing rate) (Hz)",
                      "exc: Mean(CV of ISI)", "inh: Mean(CV of ISI)"]
    assert columns["w exc"] == [0.002, 0.002, 0.004, 0.004, 0.006, 0.006]
    assert columns["exc: Mean(Firing rate) (Hz)"] == pytest.approx(
        [1000.0 * e / h for e in (0.002, 0.004, 0.006) for h in (0.03, 0.06)])


def test_the_search_figure_has_one_panel_per_sheet_and_value(tmp_path: Path) -> None:
    plot = ParameterSearchPlot(ParameterSearchParams(
        values=("Mean(Firing rate)", "Mean(CV of ISI)"), sheets=("exc",),
        stimulus={"protocol": "NoStimulation", "name": "InternalStimulus"}))
    files = plot.draw(make_search_table(), SEARCH_TABLE_PARAMETERS, tmp_path / "00_P.png")
    assert [f.name for f in files] == ["00_P.png", "00_P.svg", "00_P.json"]
    sidecar = json.loads(files[2].read_text())
    assert sidecar["values"] == ["exc: Mean(Firing rate) (Hz)", "exc: Mean(CV of ISI)"]
    assert sidecar["params"]["sheets"] == ["exc"] and sidecar["parameters"] == [W_EXC, W_INH]
    assert [(a["xlabel"], a["ylabel"]) for a in sidecar["axes"] if a["title"]] == [
        (W_EXC, W_INH)] * 2


def test_one_axis_needs_the_other_parameters_fixed() -> None:
    table = make_search_table()
    with pytest.raises(ValueError, match=rf"{W_INH} also varies .* where: \{{{W_INH}: value"):
        search_value_columns(table, SEARCH_TABLE_PARAMETERS,
                             ParameterSearchParams(axes=(W_EXC,)))
    columns, axes, values = search_value_columns(
        table, SEARCH_TABLE_PARAMETERS,
        ParameterSearchParams(axes=(W_EXC,), where={W_INH: 0.06}, sheets=("inh",),
                              values=("Mean(Firing rate)",)))
    assert axes == [W_EXC] and columns[W_EXC] == [0.002, 0.004, 0.006]
    assert columns[values[0]] == pytest.approx([2.0 + 1000.0 * e / 0.06
                                                for e in (0.002, 0.004, 0.006)])


def test_bad_selections_are_named_and_nothing_selected_draws_nothing(tmp_path: Path) -> None:
    table = make_search_table()

    def columns(**params: object) -> object:
        return search_value_columns(table, SEARCH_TABLE_PARAMETERS,
                                    ParameterSearchParams(**params))  # type: ignore[arg-type]

    with pytest.raises(ValueError, match=r"value\(s\) 'Mean\(rate\)' not among .* there: "
                                         r"Mean\(CV of ISI\), Mean\(Firing rate\)"):
        columns(values=("Mean(rate)",))
    with pytest.raises(ValueError, match=r"sheet\(s\) 'l4' not among"):
        columns(sheets=("l4",))
    with pytest.raises(ValueError, match="sheets.exc is not varied by the search"):
        columns(axes=("sheets.exc",))
    twice = pa.concat_tables([table, table])
    with pytest.raises(ValueError,
                       match=r"point 0 has several 'exc: Mean\(Firing rate\) \(Hz\)' values"):
        search_value_columns(twice, SEARCH_TABLE_PARAMETERS, ParameterSearchParams())
    with pytest.raises(NothingToDraw, match="no SingleValue matches"):
        columns(stimulus={"protocol": "PoissonNetworkKick"})
    plot = ParameterSearchPlot(ParameterSearchParams(analysis_algorithm="FiringRate"))
    assert plot.draw(table, SEARCH_TABLE_PARAMETERS, tmp_path / "x.png") == []
    assert not list(tmp_path.iterdir())
