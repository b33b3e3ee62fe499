"""The plot kinds: their registry keys and factory protocols."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from mozaik.plot._base import Plot, SearchPlot
from mozaik.plugin import ComponentKind

__all__ = ["PLOTS", "SEARCH_PLOTS", "PlotFactory", "SearchPlotFactory"]

P_contra = TypeVar("P_contra", contravariant=True)


class PlotFactory(Protocol[P_contra]):
    """``factory(params) -> Plot`` (hook ``mozaik_plots``); usually the plot class."""

    def __call__(self, params: P_contra, /) -> Plot: ...


class SearchPlotFactory(Protocol[P_contra]):
    """``factory(params) -> SearchPlot`` (hook ``mozaik_search_plots``)."""

    def __call__(self, params: P_contra, /) -> SearchPlot: ...


# a table holds components of many parameters classes: its factories accept ``Any`` params
#: Plots: ``registry[PLOTS]``.
PLOTS: ComponentKind[PlotFactory[Any]] = ComponentKind("plots", Plot)
#: Search plots: ``registry[SEARCH_PLOTS]``.
SEARCH_PLOTS: ComponentKind[SearchPlotFactory[Any]] = ComponentKind("search_plots", SearchPlot)
