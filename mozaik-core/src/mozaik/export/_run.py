"""Export of a view through a registered exporter, looked up by format name."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mozaik._errors import ExportError
from mozaik.config import structure
from mozaik.datastore import DataStoreView
from mozaik.export._base import Exporter
from mozaik.export._kind import EXPORTERS
from mozaik.plugin import Registry

__all__ = ["EXTRA_FORMATS", "build_exporter", "export"]

#: Formats that ship with an optional extra or plugin, and how to install them; named when a
#: format is asked for that no installed plugin registers.
EXTRA_FORMATS: dict[str, str] = {
    "nix": "pip install 'mozaik-core[nix]'",
    "nwb": "pip install 'mozaik-core[nwb]'",
    "sonata": "pip install 'mozaik-core[sonata]'",
    "sonata_spikes": "pip install 'mozaik-core[sonata]'",
}


def build_exporter(registry: Registry, format: str,
                   params: dict[str, Any] | None = None) -> Exporter[Any]:
    """The exporter registered as ``format``, built from ``params`` (a parameter tree).

    Raises
    ------
    ExportError
        ``format`` is not registered; the message lists the installed formats and, for a
        known format, the command that installs it.
    """
    table = registry[EXPORTERS]
    if format not in table:
        installed = ", ".join(sorted(table)) or "none"
        hint = EXTRA_FORMATS.get(format)
        fix = (f"install it with {hint}" if hint else
               "install the plugin that provides it (mozaik plugins lists what is installed)")
        msg = f"unknown export format {format!r}; installed formats: {installed}; {fix}"
        raise ExportError(msg)
    component = table[format]
    config = structure(dict(params or {}), component.config_cls,
                       path=f"exporters.{format}.params")
    return component.factory(config)


def export(view: DataStoreView, path: str | os.PathLike[str], *, format: str,
           registry: Registry, params: dict[str, Any] | None = None,
           overwrite: bool = False, query: Mapping[str, Any] | None = None) -> Path:
    """Export ``view`` to ``path`` with the exporter registered as ``format``.

    Parameters
    ----------
    view : DataStoreView
        A store or a query's view of one.
    path : path
        The file to create.
    format : str
        A registered exporter (``mozaik export --list`` shows them).
    registry : Registry
        Where exporters are looked up (``study.registry`` or the CLI's).
    params : mapping, optional
        The exporter's parameter tree.
    overwrite : bool
        Replace an existing file.
    query : mapping, optional
        The :func:`~mozaik.datastore.param_filter_query` keyword arguments that selected
        ``view``, recorded by formats with room for metadata (NWB); None: the whole run.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return build_exporter(registry, format, params).export(view, path, overwrite=overwrite,
                                                           query=query)
