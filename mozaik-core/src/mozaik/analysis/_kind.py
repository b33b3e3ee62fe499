"""The analysis kind: its registry key and factory protocol."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from mozaik.analysis._base import Analysis
from mozaik.plugin import ComponentKind

__all__ = ["ANALYSES", "AnalysisFactory"]

P_contra = TypeVar("P_contra", contravariant=True)


class AnalysisFactory(Protocol[P_contra]):
    """``factory(params) -> Analysis`` (hook ``mozaik_analyses``); usually the analysis class."""

    def __call__(self, params: P_contra, /) -> Analysis: ...


#: Analyses: ``registry[ANALYSES]`` (a table holds many parameters classes: ``Any`` params).
ANALYSES: ComponentKind[AnalysisFactory[Any]] = ComponentKind("analyses", Analysis)
