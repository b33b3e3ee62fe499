"""FigurePlot: the base of every mozaik-plot figure (query, overrides, files and sidecar)."""

from __future__ import annotations

import importlib.metadata as md
import json
import logging
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from mozaik import MozaikError
from mozaik.datastore import param_filter_query
from mozaik.plot import Plot

from mozaik_plot._style import look
from mozaik_plot._tree import Node, full_title, render, set_param

if TYPE_CHECKING:
    from mozaik.datastore import DataStoreView

__all__ = ["FigureParams", "FigurePlot", "NothingToDraw", "caption_of", "save_figure"]

log = logging.getLogger(__name__)


class NothingToDraw(MozaikError):
    """The view holds nothing the plot can draw (the message says what it looked for)."""


@attrs.frozen(kw_only=True)
class FigureParams:
    """Parameters every figure has.

    Parameters
    ----------
    query : mapping
        ``param_filter_query`` keywords narrowing the view first (e.g. ``{"st_name": "X"}``).
    overrides : mapping of str to value
        Node parameters by dotted path (``{"raster.marker_size": 2, "*.title": ""}``).
    size_in : (float, float), inches
        Figure width and height.
    vector_format : "svg" or "pdf"
        The vector copy saved beside the PNG.
    title : str or None
        Figure title; None: the plot's own.
    """

    query: Mapping[str, Any] = attrs.field(factory=dict)
    overrides: Mapping[str, Any] = attrs.field(factory=dict)
    size_in: tuple[float, float] = (7.0, 5.0)
    vector_format: Literal["svg", "pdf"] = "svg"
    title: str | None = None


class FigurePlot(Plot[FigureParams]):
    """A plot drawn as a tree of layouts and panels (see :mod:`mozaik_plot`).

    Subclasses implement :meth:`tree`, returning the root node for a view or raising
    :class:`NothingToDraw`. :meth:`draw` narrows the view by ``params.query``, applies
    ``params.overrides``, and saves PNG plus SVG/PDF plus a JSON sidecar recording the query and
    parameters. Drawing is deterministic: the same view and parameters write the same files.
    """

    @abstractmethod
    def tree(self, view: DataStoreView) -> tuple[Node, str]:
        """The figure's root node and default title for ``view``.

        Raises
        ------
        NothingToDraw
            Saying what the plot looked for.
        """

    def narrow(self, view: DataStoreView) -> DataStoreView:
        """``view`` narrowed by ``params.query``."""
        query = dict(self.params.query)
        return param_filter_query(view, **query) if query else view

    def figure(self, view: DataStoreView) -> Figure:
        """Draw the figure of ``view`` without saving it (close it with ``plt.close``).

        Raises
        ------
        NothingToDraw
            If the view holds nothing the plot can draw.
        """
        return self.figure_and_caption(view)[0]

    def figure_and_caption(self, view: DataStoreView) -> tuple[Figure, str]:
        """The figure of ``view`` (see :meth:`figure`) and its caption: what it shows (the
        plot's own words when its root node has a ``caption``, else the title and the panels'
        titles), with the query that selected the data when there is one."""
        root, title = self.tree(self.narrow(view))
        for path, value in sorted(self.params.overrides.items()):
            set_param(root, path, value)
        size = self.params.size_in
        shown = self.params.title or title
        figure = render(root, (float(size[0]), float(size[1])), shown)
        return figure, caption_of(root, shown, self.params.query)

    def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
        """Save the figure of ``view`` as ``path`` (PNG), its vector copy and sidecar.

        Returns the files written, or ``[]`` with a warning naming what was missing.
        """
        try:
            figure, caption = self.figure_and_caption(view)
        except NothingToDraw as exc:
            log.warning("%s: nothing to draw: %s", type(self).__name__, exc)
            return []
        try:
            return save_figure(figure, Path(path), {**self.record(), "caption": caption},
                               self.params.vector_format)
        finally:
            plt.close(figure)

    def record(self) -> dict[str, Any]:
        """What the sidecar records: plot, parameters (query included), mozaik-plot version
        (and, written by :meth:`draw`, the caption)."""
        params = attrs.asdict(self.params)
        return {"plot": type(self).__name__, "query": params.get("query", {}),
                "params": params, "mozaik_plot": md.version("mozaik-plot")}


def _panel_titles(node: Node) -> list[str]:
    if not node.children:
        title = node.params.get("title")
        return [" ".join(str(title).split())] if title else []
    return [t for child in node.children for t in _panel_titles(child)]


def caption_of(root: Node, title: str | None, query: Mapping[str, Any]) -> str:
    """The caption of a figure tree: ``root.caption`` or the title and the panels' titles,
    then the query that selected the data (if any)."""
    if root.caption:
        text = root.caption
    else:
        titles = list(dict.fromkeys(_panel_titles(root)))
        shown = "; ".join(titles[:12]) + ("; ..." if len(titles) > 12 else "")
        text = f"{title or type(root).__name__}" + (f": {shown}" if shown else "")
    if query:
        selected = ", ".join(f"{k}={v}" for k, v in sorted(query.items()))
        text = f"{text} (data selected by {selected})"
    return text if text.endswith(".") else f"{text}."


def save_figure(figure: Figure, path: Path, record: Mapping[str, Any],
                vector_format: str = "svg") -> list[Path]:
    """Save ``figure`` as PNG at ``path``, a vector copy and a JSON sidecar beside it.

    Parameters
    ----------
    figure : Figure
    path : Path
        The PNG (any other suffix is replaced by ``.png``).
    record : mapping
        Written as ``<stem>.json`` (made JSON-able with ``str`` for unknown types).
    vector_format : "svg" or "pdf"

    Returns
    -------
    list of Path
        PNG, vector copy and sidecar.
    """
    png = path.with_suffix(".png")
    vector = path.with_suffix(f".{vector_format}")
    sidecar = path.with_suffix(".json")
    meta = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}
    with look():
        figure.savefig(png, metadata={"Software": None})
        figure.savefig(vector, metadata=meta.get(vector_format, {}))
    # each panel's title as given (before fit_title shrank, broke or cut it to fit)
    axes = [{"title": full_title(ax), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel()}
            for ax in figure.axes]
    text = json.dumps({**record, "files": [png.name, vector.name], "axes": axes},
                      indent=2, sort_keys=True, default=str)
    sidecar.write_text(text + "\n")
    return [png, vector, sidecar]
