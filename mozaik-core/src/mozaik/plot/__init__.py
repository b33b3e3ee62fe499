"""Plots: the base class every figure of a plugin derives from.

Plots themselves come with plugins (e.g. ``mozaik-plot``); core defines the interface the
workflow calls.
"""

from __future__ import annotations

from mozaik.plot._base import Plot

__all__ = ["Plot"]
