"""The shared look of every Mozaik figure: fonts, colours, line weights, unit labels."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl

__all__ = ["COLORS", "LOOK", "axis_label", "look", "sheet_color"]

#: Colours by role: excitatory red, inhibitory blue, other sheets grey-green.
COLORS: Mapping[str, str] = {
    "excitatory": "#c0392b",
    "inhibitory": "#2c6fbb",
    "other": "#3d7a5a",
    "mean": "#111111",
}

#: rcParams of every figure: one fixed font (shipped with matplotlib), fixed dpi, no
#: time-stamped metadata and a fixed SVG hash salt, so the same data draws the same files.
LOOK: Mapping[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8.0,
    "axes.titlesize": 9.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "legend.fontsize": 7.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.0,
    "figure.dpi": 100.0,
    "savefig.dpi": 100.0,
    "svg.hashsalt": "mozaik",
    "svg.fonttype": "none",
    "image.cmap": "viridis",
}

#: Alpha and line width of single trials (pale) and of means (bold).
TRIAL_ALPHA = 0.35
TRIAL_LINEWIDTH = 0.6
MEAN_LINEWIDTH = 1.8


@contextmanager
def look() -> Iterator[None]:
    """Draw inside the shared look (rcParams of :data:`LOOK`, Agg-safe)."""
    with mpl.rc_context(dict(LOOK)):  # type: ignore[arg-type]
        yield


def sheet_color(sheet: str, variable: str | None = None) -> str:
    """Colour of a sheet or a variable: excitatory red, inhibitory blue.

    A conductance ``gsyn_exc`` / ``gsyn_inh`` takes the colour of its receptor; otherwise a
    sheet whose name contains ``exc`` / ``inh`` (any case) takes its role's colour.
    """
    text = (variable or sheet).lower()
    if "inh" in text:
        return COLORS["inhibitory"]
    if "exc" in text:
        return COLORS["excitatory"]
    return COLORS["other"]


def axis_label(name: str, units: Any) -> str:
    """``"name (units)"``, units from a quantities object or string; no suffix if unitless."""
    text = _units_text(units)
    return f"{name} ({text})" if text else name


def _units_text(units: Any) -> str:
    if units is None:
        return ""
    symbol = getattr(units, "dimensionality", None)
    text = str(symbol.string) if symbol is not None else str(units)
    return "" if text in {"dimensionless", "", "1"} else text
