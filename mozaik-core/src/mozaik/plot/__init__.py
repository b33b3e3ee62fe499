"""Plots: the base classes every figure of a plugin derives from.

:class:`Plot` draws one run (the workflow calls it); :class:`SearchPlot` draws a whole parameter
search from its collated table (``mozaik search plot`` calls it). The plots themselves come with
plugins (e.g. ``mozaik-plot``).
"""

from __future__ import annotations

from mozaik.plot._base import Plot, SearchPlot
from mozaik.plot._kind import (
    PLOTS,
    SEARCH_PLOTS,
    PlotFactory,
    SearchPlotFactory,
)

__all__ = [
    "PLOTS",
    "Plot",
    "PlotFactory",
    "SEARCH_PLOTS",
    "SearchPlot",
    "SearchPlotFactory",
]
