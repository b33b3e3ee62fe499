"""mozaik-plot: figures for Mozaik.

A figure is a tree: :class:`Layout` nodes split a matplotlib GridSpec among their children,
:class:`Panel` leaves draw one axis each, all in one shared look (:mod:`mozaik_plot` colours,
fonts, unit labels). Any node's parameter is set by dotted path (:func:`set_param`, or a plot's
``overrides``). The registered plots (:class:`RasterPlot`, :class:`OverviewPlot`, ...) derive
from :class:`FigurePlot`, which saves PNG plus SVG/PDF plus a JSON sidecar of the query and
parameters. The search plot :class:`ParameterSearchPlot` draws a whole parameter search from its
collated table (``plots:`` of a search file, ``mozaik search plot MASTER``). ``mozaik report
RUN_DIR`` writes a self-contained HTML page of a run.
"""

from __future__ import annotations

import importlib.metadata as _md
from typing import TYPE_CHECKING

from mozaik.plugin import lazy_exports

if TYPE_CHECKING:
    from mozaik_plot._figure import FigureParams, FigurePlot, NothingToDraw, save_figure
    from mozaik_plot._network import (
        ActivityMovie,
        ConnectivityParams,
        ConnectivityPlot,
        MovieParams,
    )
    from mozaik_plot._optimisation_plot import (
        OptimisationHistoryPlot,
        OptimisationObjective,
        OptimisationPlotParams,
        ParameterImportancePlot,
        ParetoFrontPlot,
        objective_columns,
    )
    from mozaik_plot._panels import (
        CurvePanel,
        HistogramPanel,
        PositionPanel,
        PsthPanel,
        RasterPanel,
        ScatterPanel,
        SignalPanel,
    )
    from mozaik_plot._recordings import (
        OverviewParams,
        OverviewPlot,
        RasterParams,
        RasterPlot,
        stimulus_title,
    )
    from mozaik_plot._report import REPORT_NAME, write_report
    from mozaik_plot._search import (
        SearchPanel,
        parameter_search_columns,
        parameter_search_figure,
        plot_parameter_search,
    )
    from mozaik_plot._search_plot import (
        ParameterSearchParams,
        ParameterSearchPlot,
        search_value_columns,
    )
    from mozaik_plot._signals import (
        ElectrodeMapParams,
        ElectrodeMapPlot,
        LFPArrayParams,
        LFPArrayPlot,
        PhaseMovie,
        PhaseMovieParams,
        SpectrumParams,
        SpectrumPlot,
    )
    from mozaik_plot._style import COLORS, LOOK, axis_label, look, sheet_color
    from mozaik_plot._tree import (
        Layout,
        Node,
        Panel,
        PlotParameterError,
        fit_title,
        render,
        set_param,
    )
    from mozaik_plot._values import (
        PerNeuronValueParams,
        PerNeuronValuePlot,
        PerNeuronValueScatter,
        ScatterParams,
        TuningCurveParams,
        TuningCurvePlot,
    )

# the submodules are imported on first use (loading the plugin imports no scipy or
# matplotlib until a component needs them)
_EXPORTS = {
    "_figure": ("FigureParams", "FigurePlot", "NothingToDraw", "save_figure"),
    "_network": ("ActivityMovie", "ConnectivityParams", "ConnectivityPlot", "MovieParams"),
    "_optimisation_plot": (
        "OptimisationHistoryPlot",
        "OptimisationObjective",
        "OptimisationPlotParams",
        "ParameterImportancePlot",
        "ParetoFrontPlot",
        "objective_columns",
    ),
    "_panels": (
        "CurvePanel",
        "HistogramPanel",
        "PositionPanel",
        "PsthPanel",
        "RasterPanel",
        "ScatterPanel",
        "SignalPanel",
    ),
    "_recordings": ("OverviewParams", "OverviewPlot", "RasterParams", "RasterPlot",
                    "stimulus_title"),
    "_report": ("REPORT_NAME", "write_report"),
    "_search": (
        "SearchPanel",
        "parameter_search_columns",
        "parameter_search_figure",
        "plot_parameter_search",
    ),
    "_search_plot": ("ParameterSearchParams", "ParameterSearchPlot", "search_value_columns"),
    "_signals": (
        "ElectrodeMapParams",
        "ElectrodeMapPlot",
        "LFPArrayParams",
        "LFPArrayPlot",
        "PhaseMovie",
        "PhaseMovieParams",
        "SpectrumParams",
        "SpectrumPlot",
    ),
    "_style": ("COLORS", "LOOK", "axis_label", "look", "sheet_color"),
    "_tree": ("Layout", "Node", "Panel", "PlotParameterError", "fit_title", "render",
              "set_param"),
    "_values": (
        "PerNeuronValueParams",
        "PerNeuronValuePlot",
        "PerNeuronValueScatter",
        "ScatterParams",
        "TuningCurveParams",
        "TuningCurvePlot",
    ),
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__version__ = _md.version("mozaik-plot")

__all__ = [
    "ActivityMovie",
    "COLORS",
    "ConnectivityParams",
    "ConnectivityPlot",
    "CurvePanel",
    "ElectrodeMapParams",
    "ElectrodeMapPlot",
    "FigureParams",
    "FigurePlot",
    "HistogramPanel",
    "LFPArrayParams",
    "LFPArrayPlot",
    "LOOK",
    "Layout",
    "MovieParams",
    "Node",
    "NothingToDraw",
    "OptimisationHistoryPlot",
    "OptimisationObjective",
    "OptimisationPlotParams",
    "OverviewParams",
    "OverviewPlot",
    "Panel",
    "ParameterImportancePlot",
    "ParameterSearchParams",
    "ParameterSearchPlot",
    "ParetoFrontPlot",
    "PerNeuronValueParams",
    "PerNeuronValuePlot",
    "PerNeuronValueScatter",
    "PhaseMovie",
    "PhaseMovieParams",
    "PlotParameterError",
    "PositionPanel",
    "PsthPanel",
    "REPORT_NAME",
    "RasterPanel",
    "RasterParams",
    "RasterPlot",
    "ScatterPanel",
    "ScatterParams",
    "SearchPanel",
    "SignalPanel",
    "SpectrumParams",
    "SpectrumPlot",
    "TuningCurveParams",
    "TuningCurvePlot",
    "__version__",
    "axis_label",
    "fit_title",
    "look",
    "objective_columns",
    "parameter_search_columns",
    "parameter_search_figure",
    "plot_parameter_search",
    "render",
    "save_figure",
    "search_value_columns",
    "set_param",
    "sheet_color",
    "stimulus_title",
    "write_report",
]
