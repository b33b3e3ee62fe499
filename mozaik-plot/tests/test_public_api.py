"""Snapshot of mozaik_plot's public names: changing them is a deliberate act."""

from __future__ import annotations

import mozaik_plot

SNAPSHOT = [
    "ActivityMovie", "COLORS", "ConnectivityParams", "ConnectivityPlot", "CurvePanel",
    "ElectrodeMapParams", "ElectrodeMapPlot", "FigureParams", "FigurePlot", "HistogramPanel",
    "LFPArrayParams", "LFPArrayPlot", "LOOK", "Layout", "MovieParams", "Node", "NothingToDraw",
    "OptimisationHistoryPlot", "OptimisationObjective", "OptimisationPlotParams", "OverviewParams",
    "OverviewPlot", "Panel", "ParameterImportancePlot", "ParameterSearchParams",
    "ParameterSearchPlot", "ParetoFrontPlot", "PerNeuronValueParams", "PerNeuronValuePlot",
    "PerNeuronValueScatter", "PhaseMovie", "PhaseMovieParams", "PlotParameterError",
    "PositionPanel", "PsthPanel", "REPORT_NAME", "RasterPanel", "RasterParams", "RasterPlot",
    "ScatterPanel", "ScatterParams", "SearchPanel", "SignalPanel", "SpectrumParams",
    "SpectrumPlot", "TuningCurveParams", "TuningCurvePlot", "__version__", "axis_label",
    "fit_title", "look",
    "objective_columns", "parameter_search_columns", "parameter_search_figure",
    "plot_parameter_search", "render", "save_figure", "search_value_columns", "set_param",
    "sheet_color", "stimulus_title", "write_report"
]


def test_public_names() -> None:
    assert mozaik_plot.__all__ == SNAPSHOT
    assert sorted(SNAPSHOT) == SNAPSHOT


def test_every_public_name_exists() -> None:
    for name in mozaik_plot.__all__:
        assert hasattr(mozaik_plot, name), name
