"""The exporter kind: its registry key and factory protocol."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from mozaik.export._base import Exporter
from mozaik.plugin import ComponentKind

__all__ = ["EXPORTERS", "ExporterFactory"]

P_contra = TypeVar("P_contra", contravariant=True)


class ExporterFactory(Protocol[P_contra]):
    """``factory(params) -> Exporter`` (hook ``mozaik_exporters``); usually the exporter class."""

    def __call__(self, params: P_contra, /) -> Exporter[Any]: ...


#: Exporters: ``registry[EXPORTERS]["nix"]``; the registered name is the format's name.
EXPORTERS: ComponentKind[ExporterFactory[Any]] = ComponentKind("exporters", Exporter)
