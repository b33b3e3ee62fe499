"""Analyses: the base class every analysis of a plugin derives from.

Analyses themselves come with plugins (e.g. ``mozaik-analysis``); core defines the interface
the workflow calls (:class:`Analysis`) and the results they return (:mod:`mozaik.ads`).
"""

from __future__ import annotations

from mozaik.analysis._base import Analysis
from mozaik.analysis._kind import (
    ANALYSES,
    AnalysisFactory,
)

__all__ = [
    "ANALYSES",
    "Analysis",
    "AnalysisFactory",
]
