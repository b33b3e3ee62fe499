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


class SearchPanel(Panel):
    """One value over one (curve) or two (coloured grid) varied parameters."""

    defaults: ClassVar[Mapping[str, Any]] = {
        **Panel.defaults, "cmap": "viridis", "marker_size": 120.0}

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
        dots = ax.scatter(x, y, c=values, cmap=self.params["cmap"], marker="s",
                          s=self.params["marker_size"], edgecolors="none")
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.figure.colorbar(dots, ax=ax, fraction=0.05).set_label(self.value_name)


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
