"""Core's built-in exporters meet the exporter contract (read back with their own readers)."""

from __future__ import annotations

from pathlib import Path

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
