"""The SONATA spike report exporter (extra ``mozaik-core[sonata]``, h5py).

PyNN's ``SonataIO`` writes the pre-1.0 layout (``/spikes/gids``, one flat population), which
BMTK and NEST's SONATA readers no longer read, so this exporter writes the SONATA layout
itself: ``/spikes/<population>/timestamps`` (ms) and ``/spikes/<population>/node_ids``, one
population per sheet (``/`` in a sheet name becomes ``_``), node ids the neuron indices within
the sheet (SONATA's node ids of the population), sorted by time (attribute ``sorting`` =
``by_time``). Spikes of every presentation, blanks included, appended one presentation at a
time.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import pyarrow.compute as pc

from mozaik.builtin._exporters import _require
from mozaik.datastore import DataStoreView
from mozaik.export import Exporter

__all__ = ["SonataSpikesExporter", "SonataSpikesParams"]


@attrs.frozen(kw_only=True)
class SonataSpikesParams:
    """Parameters of the SONATA spike report.

    Parameters
    ----------
    null : bool
        Include the spikes of blank (null) presentations.
    """

    null: bool = True


def population_name(sheet: str) -> str:
    """The SONATA population of a sheet: its name with ``/`` replaced by ``_``."""
    return sheet.replace("/", "_")


class SonataSpikesExporter(Exporter[SonataSpikesParams]):
    """A SONATA spike report (HDF5): one population per sheet, read by BMTK and NEST."""

    suffix = ".h5"
    needs = ("spikes",)
    extra = "pip install 'mozaik-core[sonata]'"

    def check(self, view: DataStoreView) -> None:
        _require("h5py", "SONATA", self.extra)
        super().check(view)

    def write(self, view: DataStoreView, path: Path) -> None:
        import h5py

        index = view.segment_index
        if not self.params.null:
            index = index.filter(pc.invert(index["is_null"]))
        with h5py.File(path, "w") as out:
            spikes = out.create_group("spikes")
            for sheet in sorted(set(index["sheet_name"].to_pylist())):
                group = spikes.create_group(population_name(sheet))
                group.attrs["sorting"] = "by_time"
                times = group.create_dataset("timestamps", shape=(0,), maxshape=(None,),
                                             dtype=np.float64, chunks=True)
                times.attrs["units"] = "ms"
                nodes = group.create_dataset("node_ids", shape=(0,), maxshape=(None,),
                                             dtype=np.uint64, chunks=True)
                rows = index.filter(pc.equal(index["sheet_name"], sheet)).sort_by("t_start")
                for k in range(rows.num_rows):
                    table = view.store.reader.read_payload(rows.slice(k, 1), "spikes",
                                                           ["neuron", "time"])
                    t = table["time"].to_numpy(zero_copy_only=False).astype(np.float64)
                    n = table["neuron"].to_numpy()
                    keep = ~np.isnan(t)
                    t, n = t[keep], n[keep]
                    order = np.lexsort((n, t))
                    start = times.shape[0]
                    times.resize((start + len(t),))
                    nodes.resize((start + len(t),))
                    times[start:] = t[order]
                    nodes[start:] = n[order].astype(np.uint64)
