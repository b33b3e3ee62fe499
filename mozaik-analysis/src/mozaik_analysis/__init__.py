"""mozaik-analysis: Analyses for Mozaik. Components register through the `mozaik` entry point."""

from __future__ import annotations

import importlib.metadata as _md

__version__ = _md.version("mozaik-analysis")

__all__ = ["__version__"]
