"""The mozaik plugin of mozaik-plot: registers its components through core's hooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click
from mozaik.plugin import ComponentSpec, hookimpl

if TYPE_CHECKING:
    from mozaik.plot import PlotFactory, SearchPlotFactory

MOZAIK_HOOK_API = (2, 0)


@hookimpl
def mozaik_plots() -> Iterable[ComponentSpec[Any, PlotFactory[Any]]]:
    from mozaik_plot import _network, _recordings, _signals, _values

    return [
        ComponentSpec(name="ActivityMovie", config_cls=_network.MovieParams,
                      factory=_network.ActivityMovie,
                      summary="sheet activity over a presentation as a GIF (MP4 with ffmpeg)"),
        ComponentSpec(name="ConnectivityPlot", config_cls=_network.ConnectivityParams,
                      factory=_network.ConnectivityPlot,
                      summary="a neuron's weights over space, weight and delay histograms"),
        ComponentSpec(name="OverviewPlot", config_cls=_recordings.OverviewParams,
                      factory=_recordings.OverviewPlot,
                      summary="per stimulus: raster over trials, conductances and Vm"),
        ComponentSpec(name="PerNeuronValuePlot", config_cls=_values.PerNeuronValueParams,
                      factory=_values.PerNeuronValuePlot,
                      summary="histograms or cortical maps of per-neuron values"),
        ComponentSpec(name="PerNeuronValueScatter", config_cls=_values.ScatterParams,
                      factory=_values.PerNeuronValueScatter,
                      summary="one per-neuron value against another (or an annotation)"),
        ComponentSpec(name="RasterPlot", config_cls=_recordings.RasterParams,
                      factory=_recordings.RasterPlot,
                      summary="spike rasters per sheet and stimulus, trials grouped, PSTH"),
        ComponentSpec(name="LFPArrayPlot", config_cls=_signals.LFPArrayParams,
                      factory=_signals.LFPArrayPlot,
                      summary="LFP traces per electrode, drawn on the array layout"),
        ComponentSpec(name="SpectrumPlot", config_cls=_signals.SpectrumParams,
                      factory=_signals.SpectrumPlot,
                      summary="LFP power spectra with 95% confidence bands"),
        ComponentSpec(name="ElectrodeMapPlot", config_cls=_signals.ElectrodeMapParams,
                      factory=_signals.ElectrodeMapPlot,
                      summary="a value per electrode (e.g. the LFP's F1) on the array layout"),
        ComponentSpec(name="PhaseMovie", config_cls=_signals.PhaseMovieParams,
                      factory=_signals.PhaseMovie,
                      summary="generalized-phase maps over time with the wave direction (GIF)"),
        ComponentSpec(name="TuningCurvePlot", config_cls=_values.TuningCurveParams,
                      factory=_values.TuningCurvePlot,
                      summary="responses of chosen neurons against a stimulus parameter"),
    ]


@hookimpl
def mozaik_search_plots() -> Iterable[ComponentSpec[Any, SearchPlotFactory[Any]]]:
    from mozaik_plot import _optimisation_plot, _search_plot

    return [
        ComponentSpec(name="OptimisationHistoryPlot",
                      config_cls=_optimisation_plot.OptimisationPlotParams,
                      factory=_optimisation_plot.OptimisationHistoryPlot,
                      summary="an optimising search's objective per trial and the best so far"),
        ComponentSpec(name="ParameterImportancePlot",
                      config_cls=_optimisation_plot.OptimisationPlotParams,
                      factory=_optimisation_plot.ParameterImportancePlot,
                      summary="PED-ANOVA importance of each varied parameter for an objective"),
        ComponentSpec(name="ParetoFrontPlot",
                      config_cls=_optimisation_plot.OptimisationPlotParams,
                      factory=_optimisation_plot.ParetoFrontPlot,
                      summary="two objectives of every trial and their Pareto front"),
        ComponentSpec(name="ParameterSearchPlot", config_cls=_search_plot.ParameterSearchParams,
                      factory=_search_plot.ParameterSearchPlot,
                      summary="SingleValues of every point over one or two varied parameters"),
    ]


@hookimpl
def mozaik_cli_commands() -> Iterable[click.Command]:
    from mozaik_plot._report import report_command
    from mozaik_plot._serve_command import serve_command

    return [report_command, serve_command]
