"""Built-in exporters: NIX (neo), NWB (pynwb), SONATA spike report (h5py), each an extra.

The exporter classes import their format's library only when they write, so the registry
lists both formats whether or not the extras are installed, and a missing one is an error
naming the extra to install.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from mozaik import ExportError
from mozaik.datastore import DataStoreView, export_nix
from mozaik.export import Exporter
from mozaik.plugin import ComponentSpec

if TYPE_CHECKING:
    from mozaik.export import ExporterFactory


def _require(module: str, format: str, extra: str) -> None:
    if importlib.util.find_spec(module) is None:
        msg = (f"the {format} export needs the Python package {module!r}, which is not "
               f"installed; install it with {extra}")
        raise ExportError(msg)


@attrs.frozen(kw_only=True)
class NixParams:
    """Parameters of the NIX export.

    Parameters
    ----------
    null : bool
        Include the blank (null) segments.
    """

    null: bool = True


class NixExporter(Exporter[NixParams]):
    """A NIX file written by ``neo.io.NixIO``: one neo Block, one Segment per sheet and
    presentation, the manifest as the block annotation ``mozaik_manifest``.

    neo writes one data array per spike train and per segment, so the file is large (tens of
    times the store's payloads); prefer ``nwb`` to share a run.
    """

    suffix = ".nix"
    needs = ()
    extra = "pip install 'mozaik-core[nix]'"

    def check(self, view: DataStoreView) -> None:
        _require("nixio", "NIX", self.extra)
        super().check(view)

    def write(self, view: DataStoreView, path: Path) -> None:
        export_nix(view, path, null=self.params.null)


def exporters() -> list[ComponentSpec[Any, ExporterFactory[Any]]]:
    from mozaik.builtin._nwb import NwbExporter, NwbParams
    from mozaik.builtin._sonata import SonataSpikesExporter, SonataSpikesParams
    from mozaik.builtin._sonata_network import SonataNetworkExporter, SonataNetworkParams

    return [
        ComponentSpec(name="nix", config_cls=NixParams, factory=NixExporter,
                      summary="neo NIX file (neo's NixIO: one data array per spike train)"),
        ComponentSpec(name="nwb", config_cls=NwbParams, factory=NwbExporter,
                      summary="NWB 2 file (pynwb): Units, presentations, signals, results"),
        ComponentSpec(name="sonata_spikes", config_cls=SonataSpikesParams,
                      factory=SonataSpikesExporter,
                      summary="SONATA spike report (h5py): one population per sheet"),
        ComponentSpec(name="sonata", config_cls=SonataNetworkParams,
                      factory=SonataNetworkExporter,
                      summary="SONATA circuit (h5py): nodes, edges, configuration, spikes"),
    ]
