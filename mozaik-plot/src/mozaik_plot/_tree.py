"""The two-level figure API: a tree of GridSpec-splitting layouts whose leaves draw one axis.

A :class:`Layout` splits the grid cell it is given among its children (rows, columns or a grid);
a :class:`Panel` draws one matplotlib ``Axes``. Every node has a ``name`` and a dictionary of
parameters with defaults; :func:`set_param` changes any of them by dotted path from the caller,
``"raster.marker_size"`` or ``"*.title"`` (``*`` is every child).
"""

from __future__ import annotations

import weakref
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec, GridSpecFromSubplotSpec, SubplotSpec
from mozaik import MozaikError

from mozaik_plot._style import look

__all__ = ["Layout", "Node", "Panel", "PlotParameterError", "fit_title", "full_title", "render",
           "set_param"]


class PlotParameterError(MozaikError):
    """A dotted plot parameter path that names no node or parameter."""


class Node(ABC):
    """A node of a figure tree.

    Parameters
    ----------
    name : str
        How dotted paths address the node (unique among its siblings).
    **params
        Values overriding the class's :attr:`defaults`; unknown names are errors.
    """

    #: Parameter names and default values of the node.
    defaults: ClassVar[Mapping[str, Any]] = {}
    #: What the figure shows, in a sentence or two (set on a figure's root node by the plot;
    #: recorded in the sidecar and shown under the figure in the report).
    caption: str | None = None

    def __init__(self, name: str, **params: Any) -> None:
        self.name = name
        self.params: dict[str, Any] = dict(self.defaults)
        for key, value in params.items():
            self.set(key, value)

    def set(self, key: str, value: Any) -> None:
        """Set parameter ``key`` of this node."""
        if key not in self.params:
            msg = (f"plot node {self.name!r} ({type(self).__name__}) has no parameter {key!r}; "
                   f"its parameters: {', '.join(sorted(self.params)) or 'none'}")
            raise PlotParameterError(msg)
        self.params[key] = value

    @property
    def children(self) -> Sequence[Node]:
        """Child nodes (none for a panel)."""
        return ()

    @abstractmethod
    def place(self, figure: Figure, spec: SubplotSpec) -> list[Axes]:
        """Draw the node into grid cell ``spec`` of ``figure``; return the axes made."""


class Panel(Node):
    """A leaf: draws one axis. Subclasses implement :meth:`draw`.

    Common parameters: ``title``, ``xlabel``, ``ylabel`` (None: the panel's own label from the
    data's metadata), ``xlim``, ``ylim`` (None: automatic), ``xticklabels`` (False hides
    them, e.g. above a panel sharing the time axis).
    """

    defaults: ClassVar[Mapping[str, Any]] = {
        "title": None, "xlabel": None, "ylabel": None, "xlim": None, "ylim": None,
        "xticklabels": True}

    def place(self, figure: Figure, spec: SubplotSpec) -> list[Axes]:
        ax = figure.add_subplot(spec)
        self.draw(ax)
        p = self.params
        if p["title"] is not None:
            fit_title(ax, str(p["title"]))
        if p["xlabel"] is not None:
            ax.set_xlabel(p["xlabel"])
        if p["ylabel"] is not None:
            ax.set_ylabel(p["ylabel"])
        if p["xlim"] is not None:
            ax.set_xlim(*p["xlim"])
        if p["ylim"] is not None:
            ax.set_ylim(*p["ylim"])
        if not p["xticklabels"]:
            ax.tick_params(labelbottom=False)
        return [ax]

    @abstractmethod
    def draw(self, ax: Axes) -> None:
        """Draw into ``ax`` (labels with units, title)."""


#: Smallest font size (points) a title shrinks to before it is wrapped further or cut.
MIN_TITLE_POINTS = 6.0


def _wrapped(line: str, parts: int) -> list[str]:
    """``line`` broken after commas into at most ``parts`` lines of similar length."""
    words = line.split(", ")
    target = max(1, -(-len(line) // parts))
    rows: list[str] = []
    for word in words:
        if rows and len(rows[-1]) + 2 + len(word) <= target:
            rows[-1] = f"{rows[-1]}, {word}"
        else:
            rows.append(word)
    return [f"{row}," for row in rows[:-1]] + rows[-1:]


#: The title each axes was given, before :func:`fit_title` shrank, broke or cut it.
_FULL_TITLES: weakref.WeakKeyDictionary[Axes, str] = weakref.WeakKeyDictionary()


def fit_title(ax: Axes, text: str, max_lines: int = 3) -> None:
    """Set ``text`` as the title of ``ax`` so that it never reaches beyond the axes' width:
    shrink it (down to :data:`MIN_TITLE_POINTS`), then break its last line after commas (a
    title is ``name`` then ``parameters``; at most ``max_lines`` lines in all), then cut the
    longest line with an ellipsis (the full text stays in the figure's sidecar).
    """
    _FULL_TITLES[ax] = text
    title = ax.set_title(text)
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    width = ax.get_window_extent(renderer).width

    def too_wide() -> bool:
        return bool(title.get_window_extent(renderer).width > width)

    lines = text.split("\n")
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], ", ".join(lines[max_lines - 1:])]
        title.set_text("\n".join(lines))
    size = float(title.get_fontsize())
    while too_wide() and size > MIN_TITLE_POINTS:
        size = max(MIN_TITLE_POINTS, size - 0.5)
        title.set_fontsize(size)
    parts = 2
    while too_wide() and parts <= max_lines:
        rows = _wrapped(lines[-1], parts)
        if len(lines) - 1 + len(rows) > max_lines:
            break
        title.set_text("\n".join([*lines[:-1], *rows]))
        parts += 1
    rows = title.get_text().split("\n")
    while too_wide() and max(len(r) for r in rows) > 2:
        longest = max(range(len(rows)), key=lambda i: len(rows[i]))
        rows[longest] = rows[longest][:-2].rstrip(", ") + "\u2026"
        title.set_text("\n".join(rows))


def full_title(ax: Axes) -> str:
    """The title ``ax`` was given, before :func:`fit_title` fitted it (else its title)."""
    return _FULL_TITLES.get(ax, ax.get_title())


def _overlapping(figure: Figure, renderer: Any) -> list[Axes]:
    """Axes whose title overlaps another axes (its labels, ticks or title)."""
    boxes = [(ax, ax.get_tightbbox(renderer)) for ax in figure.axes]
    out = []
    for ax in figure.axes:
        if not ax.get_title():
            continue
        own = ax.title.get_window_extent(renderer)
        if any(other is not ax and box is not None and own.overlaps(box)
               for other, box in boxes):
            out.append(ax)
    return out


class Layout(Node):
    """An inner node: splits its grid cell among its children.

    Parameters (besides ``name``)
    -----------------------------
    children : sequence of Node
        Placed row by row.
    ncols : int
        Columns of the grid (default 1: one child per row).
    height_ratios, width_ratios : sequence of float or None
        Relative row heights / column widths.
    hspace, wspace : float
        Spacing between rows / columns (fraction of the mean axis size).
    title : str or None
        Drawn above the layout (a figure suptitle for the root).
    """

    defaults: ClassVar[Mapping[str, Any]] = {
        "ncols": 1, "height_ratios": None, "width_ratios": None, "hspace": 0.75,
        "wspace": 0.45, "title": None}

    def __init__(self, name: str, children: Sequence[Node], **params: Any) -> None:
        names = [c.name for c in children]
        if len(set(names)) != len(names):
            msg = f"plot layout {name!r}: child names must be unique, got {names}"
            raise PlotParameterError(msg)
        self._children = list(children)
        super().__init__(name, **params)

    @property
    def children(self) -> Sequence[Node]:
        return self._children

    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the grid."""
        ncols = max(1, min(int(self.params["ncols"]), len(self._children)))
        return -(-len(self._children) // ncols), ncols

    def place(self, figure: Figure, spec: SubplotSpec) -> list[Axes]:
        nrows, ncols = self.shape()
        p = self.params
        grid = GridSpecFromSubplotSpec(nrows, ncols, subplot_spec=spec, hspace=p["hspace"],
                                       wspace=p["wspace"], height_ratios=p["height_ratios"],
                                       width_ratios=p["width_ratios"])
        axes: list[Axes] = []
        for i, child in enumerate(self._children):
            axes += child.place(figure, grid[i // ncols, i % ncols])
        if p["title"] is not None and axes:
            axes[0].annotate(p["title"], xy=(0.0, 1.0), xycoords="axes fraction",
                             xytext=(0, 18), textcoords="offset points", fontweight="bold",
                             va="bottom")
        return axes


def set_param(root: Node, path: str, value: Any) -> None:
    """Set a parameter of ``root`` or of a node below it by dotted path.

    ``"title"`` is the root's parameter; ``"raster.marker_size"`` that of the child named
    ``raster``; ``"*.ylabel"`` that of every child; segments may go as deep as the tree.

    Raises
    ------
    PlotParameterError
        Naming the path, the node where it failed and the names available there.
    """
    *nodes, key = path.split(".")
    targets = [root]
    for i, part in enumerate(nodes):
        found = []
        for node in targets:
            found += [c for c in node.children if part in ("*", c.name)]
        if not found:
            here = ".".join(nodes[:i]) or "the figure"
            names = sorted({c.name for n in targets for c in n.children})
            msg = (f"plot parameter {path!r}: {here} has no part {part!r}; its parts: "
                   f"{', '.join(names) or 'none'}")
            raise PlotParameterError(msg)
        targets = found
    for node in targets:
        try:
            node.set(key, value)
        except PlotParameterError as exc:
            msg = f"plot parameter {path!r}: {exc}"
            raise PlotParameterError(msg) from None


def render(root: Node, size_in: tuple[float, float], title: str | None = None) -> Figure:
    """Draw the tree ``root`` into a new figure of ``size_in`` (width, height) inches.

    The figure is drawn in the shared look and is not registered with pyplot's figure manager
    beyond creation (close it with ``matplotlib.pyplot.close``).
    """
    with look():
        figure = plt.figure(figsize=size_in)
        width, height = size_in
        # margins in inches, so small and large figures keep room for labels and titles
        grid = GridSpec(1, 1, figure=figure, left=0.65 / width, right=1 - 0.35 / width,
                        bottom=0.5 / height, top=1 - (0.85 if title else 0.4) / height)
        root.place(figure, grid[0, 0])
        # a title taller than the room above its axes loses lines (cut, never overlapping)
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        for max_lines in (2, 1):
            for ax in _overlapping(figure, renderer):
                fit_title(ax, _FULL_TITLES.get(ax, ax.get_title()), max_lines)
        if title:
            figure.suptitle(title, fontweight="bold")
    return figure
