"""The parameter-search figure (the seed's Figure 6): SingleValues against varied parameters.

From any table of points (:func:`plot_parameter_search`); from a search's master directory it
is drawn by the search plot ``ParameterSearchPlot`` (``mozaik_plot._search_plot``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from mozaik_plot._figure import NothingToDraw, save_figure
from mozaik_plot._style import COLORS, MEAN_LINEWIDTH
from mozaik_plot._tree import Layout, Node, Panel, render, set_param

__all__ = ["SearchPanel", "parameter_search_columns", "parameter_search_figure",
           "plot_parameter_search"]


def parameter_search_columns(points: Any) -> dict[str, np.ndarray]:
    """Columns of a table of search points, as numpy arrays by name.

    Accepts a mapping of column name to sequence (``dict`` of lists), a sequence of row
    mappings (``[{"g": 4.0, "Mean(rate)": 12.1}, ...]``), or any object with ``to_pydict()``
    (a pyarrow Table) or ``to_dict("list")`` (a pandas DataFrame).
    """
    if hasattr(points, "to_pydict"):
        points = points.to_pydict()
    elif hasattr(points, "to_dict") and hasattr(points, "columns"):
        points = points.to_dict("list")
    if isinstance(points, Mapping):
        return {str(k): np.asarray(list(v)) for k, v in points.items()}
    rows = list(points)
    names = list(dict.fromkeys(k for row in rows for k in row))
    return {k: np.asarray([row.get(k, np.nan) for row in rows]) for k in names}


def _grid_cells(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Unique x and y values when the points are each of their combinations exactly once."""
    ux, uy = np.unique(x), np.unique(y)
    pairs = {(float(a), float(b)) for a, b in zip(x, y, strict=True)}
    if len(pairs) != len(x) or len(x) != len(ux) * len(uy):
        return None
    return ux, uy


class SearchPanel(Panel):
    """One value over one (curve) or two varied parameters: a heat map with the values written
    in its cells when the points are a full grid, else coloured squares at the points."""

    defaults: ClassVar[Mapping[str, Any]] = {
        **Panel.defaults, "cmap": "viridis", "marker_size": 120.0, "annotate": True}

    def __init__(self, name: str, axes: Sequence[tuple[str, np.ndarray]], value_name: str,
                 values: np.ndarray, **params: Any) -> None:
        self.axes, self.value_name, self.values = list(axes), value_name, values
        super().__init__(name, **params)

    def draw(self, ax: Axes) -> None:
        values = self.values.astype(float)
        if len(self.axes) == 1:
            label, x = self.axes[0]
            order = np.argsort(x, kind="stable")
            ax.plot(x[order], values[order], marker="o", color=COLORS["mean"],
                    linewidth=MEAN_LINEWIDTH * 0.7)
            ax.set_xlabel(label)
            ax.set_ylabel(self.value_name)
            return
        (xl, x), (yl, y) = self.axes
        cells = _grid_cells(x, y)
        if cells is None:
            shown = ax.scatter(x, y, c=values, cmap=self.params["cmap"], marker="s",
                               s=self.params["marker_size"], edgecolors="none")
        else:
            shown = self._heat_map(ax, x, y, values, *cells)
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.figure.colorbar(shown, ax=ax, fraction=0.05)  # the panel's title names the value

    def _heat_map(self, ax: Axes, x: np.ndarray, y: np.ndarray, values: np.ndarray,
                  ux: np.ndarray, uy: np.ndarray) -> Any:
        grid = np.full((len(uy), len(ux)), np.nan)
        cols, rows = np.searchsorted(ux, x), np.searchsorted(uy, y)
        grid[rows, cols] = values
        mesh = ax.pcolormesh(np.arange(len(ux) + 1) - 0.5, np.arange(len(uy) + 1) - 0.5,
                             np.ma.masked_invalid(grid), cmap=self.params["cmap"])
        ax.set_xticks(range(len(ux)), [f"{v:g}" for v in ux])
        ax.set_yticks(range(len(uy)), [f"{v:g}" for v in uy])
        if self.params["annotate"]:
            for (r, c), v in np.ndenumerate(grid):
                ax.text(c, r, "n/a" if np.isnan(v) else f"{v:.3g}", ha="center", va="center",
                        fontsize="small", color="white" if np.isnan(v) or v < np.nanmean(grid)
                        else "black")
        return mesh


def _columns(n: int, ncols: int | None) -> int:
    return max(1, min(n, ncols or (2 if n == 4 else 3)))


def parameter_search_figure(points: Any, parameters: Sequence[str],
                            values: Iterable[str] | None = None,
                            ncols: int | None = None) -> Node:
    """The figure tree: one :class:`SearchPanel` per value name (node ``value_<k>``).

    Parameters
    ----------
    points : table
        One row per search point: the varied ``parameters`` plus value columns (see
        :func:`parameter_search_columns`).
    parameters : sequence of str
        One or two varied parameter columns (x, then y).
    values : iterable of str, optional
        Value columns to draw (default: every other numeric column).
    ncols : int, optional
        Panels per row (default: up to 3; 2 for 4 panels).

    Raises
    ------
    NothingToDraw
        No points, or no value column.
    ValueError
        A named column missing, or not one or two parameters.
    """
    columns = parameter_search_columns(points)
    if not 1 <= len(parameters) <= 2:
        msg = (f"parameter search plot: give one or two varied parameters, got "
               f"{list(parameters)}; select the points of fixed other parameters first")
        raise ValueError(msg)
    missing = [c for c in (*parameters, *(values or ())) if c not in columns]
    if missing:
        msg = (f"parameter search plot: columns {missing} are not in the table; its columns: "
               f"{', '.join(columns)}")
        raise ValueError(msg)
    names = list(values) if values is not None else [
        c for c, v in columns.items() if c not in parameters and v.dtype.kind in "fiu"]
    if not names or not len(columns[parameters[0]]):
        msg = f"parameter search plot: no points or no value columns in {list(columns)}"
        raise NothingToDraw(msg)
    axes = [(p, columns[p].astype(float)) for p in parameters]
    panels: list[Node] = [SearchPanel(f"value_{k}", axes, n, columns[n], title=n)
                          for k, n in enumerate(names)]
    return Layout("search", panels, ncols=_columns(len(panels), ncols))


def plot_parameter_search(points: Any, parameters: Sequence[str], path: str | Path, *,
                          values: Iterable[str] | None = None, title: str | None = None,
                          overrides: Mapping[str, Any] | None = None,
                          size_in: tuple[float, float] | None = None,
                          vector_format: str = "svg", ncols: int | None = None,
                          record: Mapping[str, Any] | None = None) -> list[Path]:
    """Draw and save the parameter-search figure (PNG, SVG or PDF, JSON sidecar) at ``path``.

    Returns the files written. See :func:`parameter_search_figure` for the input; ``record``
    adds entries to the sidecar (which records the parameters and the panel titles,
    ``values``).
    """
    root = parameter_search_figure(points, parameters, values, ncols)
    for key, value in sorted((overrides or {}).items()):
        set_param(root, key, value)
    n = len(root.children)
    cols = _columns(n, ncols)
    rows = -(-n // cols)
    size = size_in or (3.4 * cols, 2.9 * rows + 0.4)
    figure = render(root, size, title or f"Parameter search over {', '.join(parameters)}")
    sidecar = {**dict(record or {}), "plot": "ParameterSearch", "parameters": list(parameters),
               "values": [str(c.params["title"]) for c in root.children],
               "overrides": dict(overrides or {})}
    try:
        return save_figure(figure, Path(path), sidecar, vector_format)
    finally:
        plt.close(figure)
