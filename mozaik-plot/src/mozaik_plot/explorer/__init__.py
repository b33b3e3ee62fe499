"""The Mozaik explorer: ``mozaik serve [DIR]``, runs and searches in a web browser.

A local, read-only web application (aiohttp) over the run directories and search masters under
DIR: a home page listing them, a run page (raster with server-side aggregation, neuron maps,
figures, analysis results, provenance, a query form), a search page (table, heat map, trial
history) and a compare page. Everything it serves comes from this package and DIR; nothing
from the network. Needs the ``explorer`` extra (``pip install mozaik-plot[explorer]``).
"""

from __future__ import annotations

from mozaik_plot.explorer._app import make_app
from mozaik_plot.explorer._paths import PathRefused, inside
from mozaik_plot.explorer._raster import SpikeIndex, raster_window
from mozaik_plot.explorer._run import QueryError, parse_query
from mozaik_plot.explorer._scan import Entry, scan
from mozaik_plot.explorer._serve import DEFAULT_PORT, is_loopback, serve

__all__ = [
    "DEFAULT_PORT",
    "Entry",
    "PathRefused",
    "QueryError",
    "SpikeIndex",
    "inside",
    "is_loopback",
    "make_app",
    "parse_query",
    "raster_window",
    "scan",
    "serve",
]
