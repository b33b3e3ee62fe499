"""Core's built-in exporters meet the exporter contract (read back with their own readers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import quantities as pq
from mozaik import ExportError
from mozaik.ads import Connections
from mozaik.datastore import DataStore
from mozaik.testing import ExporterContract, tiny_store  # noqa: F401  (fixture)


class TestNix(ExporterContract):
    name = "nix"
    example_params = {"null": True}

    def count_spikes(self, path: Path) -> int:
        from neo.io import NixIO

        io = NixIO(str(path), mode="ro")
        try:
            (block,) = io.read_all_blocks()
        finally:
            io.close()
        return sum(len(st) for seg in block.segments for st in seg.spiketrains)


class TestNwb(ExporterContract):
    name = "nwb"
    example_params = {"species": "Felis catus", "age": "P1Y"}

    def count_spikes(self, path: Path) -> int:
        from pynwb import NWBHDF5IO

        with NWBHDF5IO(str(path), "r") as io:
            return len(io.read().units.spike_times.data[:])


class TestSonataSpikes(ExporterContract):
    """Read back with BMTK's SONATA spike report reader (not ours)."""

    name = "sonata_spikes"

    def count_spikes(self, path: Path) -> int:
        from bmtk.utils.reports.spike_trains import SpikeTrains

        report = SpikeTrains.load(str(path))
        return sum(len(report.to_dataframe(populations=pop)) for pop in report.populations)


class TestSonataNetwork(ExporterContract):
    """A SONATA circuit of the tiny store plus one projection, loaded back by BMTK."""

    name = "sonata"

    def prepare(self, store: DataStore) -> None:
        store.add_analysis_result(Connections(
            analysis_algorithm="connections_ads", proj_name="exc_inh", source_name="exc",
            target_name="inh", source_index=np.array([0, 1, 11]),
            target_index=np.array([3, 0, 2]), weights=np.array([0.004, 0.005, 0.006]),
            delays=np.array([0.2, 0.3, 0.4]), weight_units=pq.uS, delay_units=pq.ms),
            replace=True)

    def count_spikes(self, path: Path) -> int:
        from bmtk.utils.reports.spike_trains import SpikeTrains
        from bmtk.utils.sonata import File

        net = File(data_files=[str(path / "network" / "nodes.h5"),
                               str(path / "network" / "edges.h5")],
                   data_type_files=[str(path / "network" / "node_types.csv"),
                                    str(path / "network" / "edge_types.csv")])
        assert [len(net.nodes[p]) for p in ("exc", "inh")] == [12, 4]
        frame = net.edges["exc_inh"].to_dataframe()
        assert sorted(frame["syn_weight"].tolist()) == [0.004, 0.005, 0.006]
        report = SpikeTrains.load(str(path / "output" / "spikes.h5"))
        return sum(len(report.to_dataframe(populations=pop)) for pop in report.populations)

    def test_run_without_connections_names_the_setting(self, tiny_store: DataStore,  # noqa: F811
                                                      tmp_path: Path) -> None:
        with pytest.raises(ExportError, match="controller.store_connections=true"):
            self.build().export(tiny_store.full_view(), tmp_path / "net")
