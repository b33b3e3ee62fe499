"""Exporters: writers of a run to interchange formats (NIX, NWB...), one component kind.

Core defines the interface (:class:`Exporter`), the kind's key (:data:`EXPORTERS`) and
:func:`export`, which looks a format up in a registry; formats come with plugins, the built-in
ones with mozaik-core (``mozaik export --list``).
"""

from __future__ import annotations

from mozaik.export._base import Exporter
from mozaik.export._kind import EXPORTERS, ExporterFactory
from mozaik.export._run import EXTRA_FORMATS, build_exporter, export

__all__ = [
    "EXPORTERS",
    "EXTRA_FORMATS",
    "Exporter",
    "ExporterFactory",
    "build_exporter",
    "export",
]
