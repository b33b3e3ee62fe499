"""mozaik-plot: Figures for Mozaik. Components register through the `mozaik` entry point."""

from __future__ import annotations

import importlib.metadata as _md

__version__ = _md.version("mozaik-plot")

__all__ = ["__version__"]
