"""mozaik-visual: Visual system for Mozaik. Components register through the `mozaik` entry point."""

from __future__ import annotations

import importlib.metadata as _md

__version__ = _md.version("mozaik-visual")

__all__ = ["__version__"]
