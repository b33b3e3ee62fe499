"""The figure tree: GridSpec splitting, dotted parameters, the shared look."""

from __future__ import annotations

from typing import Any, ClassVar

import matplotlib.pyplot as plt
import pytest
import quantities as pq
from matplotlib.axes import Axes
from mozaik_plot import Layout, Panel, PlotParameterError, axis_label, render, set_param


class Dot(Panel):
    defaults: ClassVar[dict[str, Any]] = {**Panel.defaults, "size": 1.0}

    def draw(self, ax: Axes) -> None:
        ax.plot([0], [0], marker="o", markersize=self.params["size"])


def _tree() -> Layout:
    top = Layout("top", [Dot("a"), Dot("b"), Dot("c")], ncols=3)
    return Layout("root", [top, Dot("d", title="D")], height_ratios=[1.0, 2.0])


def test_layouts_split_their_cell() -> None:
    figure = render(_tree(), (6.0, 4.0), title="T")
    try:
        assert len(figure.axes) == 4
        a, b, c, d = (ax.get_position() for ax in figure.axes)
        assert a.y0 == b.y0 == c.y0 > d.y1  # one row of three above the fourth
        assert a.x1 < b.x0 < b.x1 < c.x0
        assert d.height > a.height * 1.5  # height ratios 1:2
        assert figure.axes[3].get_title() == "D" and figure.get_suptitle() == "T"
        assert figure.axes[0].title.get_fontfamily() == ["DejaVu Sans"]
    finally:
        plt.close(figure)


def test_dotted_paths() -> None:
    root = _tree()
    set_param(root, "top.b.size", 5.0)
    set_param(root, "top.*.title", "x")
    set_param(root, "d.size", 2.0)
    set_param(root, "hspace", 0.2)
    top, d = root.children
    assert [n.params["title"] for n in top.children] == ["x", "x", "x"]
    assert top.children[1].params["size"] == 5.0 and d.params["size"] == 2.0
    assert root.params["hspace"] == 0.2
    with pytest.raises(PlotParameterError, match=r"'top.e.size': top has no part 'e'; its "
                                                 r"parts: a, b, c"):
        set_param(root, "top.e.size", 1.0)
    with pytest.raises(PlotParameterError, match=r"'d.colour'.*has no parameter 'colour'; its "
                                                 r"parameters: size, title, xlabel"):
        set_param(root, "d.colour", "red")
    with pytest.raises(PlotParameterError, match="child names must be unique"):
        Layout("x", [Dot("a"), Dot("a")])


def test_axis_labels_carry_units() -> None:
    assert axis_label("Vm", pq.mV) == "Vm (mV)"
    assert axis_label("rate", "Hz") == "rate (Hz)"
    assert axis_label("CV of ISI", pq.dimensionless) == "CV of ISI"
