"""Export of a store or view to NIX through neo (the ``nix`` exporter of ``mozaik.export``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import neo

from mozaik._errors import DataStoreError
from mozaik.datastore._view import DataStoreView

__all__ = ["export_nix", "export_view", "to_block"]


def to_block(dsv: DataStoreView, *, null: bool = True) -> neo.Block:
    """Build one ``neo.Block`` holding every segment of the view (blank ones if ``null``).

    The manifest goes into the block annotation ``mozaik_manifest`` as JSON text.
    """
    store = dsv.store
    block = neo.Block(name=store.root.name, description="Mozaik datastore export")
    block.annotate(mozaik_manifest=json.dumps(store.manifest))
    for is_null in (False, True) if null else (False,):
        for seg in dsv.get_segments(null=is_null):
            block.segments.append(seg)
            seg.block = block
    order = {id(s): s.annotations["segment_id"] for s in block.segments}
    block.segments.sort(key=lambda s: order[id(s)])
    return block


def export_nix(dsv: DataStoreView, path: str | os.PathLike[str], *, null: bool = True) -> Path:
    """Write the view's recordings to a NIX file through ``neo.io.NixIO``.

    Parameters
    ----------
    dsv : DataStoreView
        A store or a view of one.
    path : path
        The ``.nix`` file to create; it must not exist.
    null : bool
        Include the blank (null) segments.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    out = Path(path)
    if out.exists():
        msg = f"{out} already exists; choose a new file name for the NIX export"
        raise DataStoreError(msg)
    try:
        from neo.io import NixIO
    except ImportError as exc:  # nixio missing
        msg = f"NIX export needs the nixio package ({exc}); install mozaik-core[nix]"
        raise DataStoreError(msg) from exc
    block = to_block(dsv, null=null)
    io = NixIO(str(out), mode="ow")
    try:
        io.write_block(block)
    finally:
        io.close()
    return out


def export_view(
    dsv: DataStoreView, path: str | os.PathLike[str], *, format: str = "nix", **kwargs: Any
) -> Path:
    """Export a view to NIX (``format="nix"``): :func:`export_nix`.

    Every other format, NWB included, is a registered exporter: use
    ``mozaik.export.export(view, path, format=NAME, registry=store.registry)`` or
    ``mozaik export RUN --format NAME``.
    """
    if format == "nix":
        return export_nix(dsv, path, **kwargs)
    msg = (f"export_view writes NIX only, not {format!r}; export through the registered "
           f"exporter instead: mozaik.export.export(view, path, format={format!r}, "
           f"registry=store.registry) or `mozaik export RUN --format {format}`")
    raise DataStoreError(msg)
