"""Core's plot contract for every registered plot that the tiny store can feed.

ConnectivityPlot needs ``Connections`` results, which the tiny store does not hold: it is
drawn from a store that does in ``test_network.py`` and its empty case is in ``test_empty.py``.
"""

from __future__ import annotations

from mozaik.testing import PlotContract


class TestRasterPlot(PlotContract):
    name = "RasterPlot"
    example_params = {"psth": True}


class TestOverviewPlot(PlotContract):
    name = "OverviewPlot"
    example_params = {"max_stimuli": 1}


class TestPerNeuronValuePlot(PlotContract):
    name = "PerNeuronValuePlot"
    example_params = {"kind": "positions"}


class TestPerNeuronValueScatter(PlotContract):
    name = "PerNeuronValueScatter"
    example_params = {"x_value": "orientation_preference", "y_value": "Firing rate"}


class TestTuningCurvePlot(PlotContract):
    name = "TuningCurvePlot"
    example_params = {"parameter": "orientation", "neurons": [0, 1], "sheet": "exc"}


class TestActivityMovie(PlotContract):
    name = "ActivityMovie"
    example_params = {"sheet": "inh", "frame_ms": 50.0}
