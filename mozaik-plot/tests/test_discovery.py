from __future__ import annotations

from mozaik.testing import PluginDistributionContract


class TestDiscovery(PluginDistributionContract):
    distribution = "mozaik-plot"
    entry_point = "plot"
    provides = {"plots": ["ActivityMovie", "ConnectivityPlot", "OverviewPlot",
                          "PerNeuronValuePlot", "PerNeuronValueScatter", "RasterPlot",
                          "TuningCurvePlot"],
                "search_plots": ["ParameterSearchPlot"]}
