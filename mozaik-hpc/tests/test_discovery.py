from __future__ import annotations

from mozaik.testing import PluginDistributionContract


class TestDiscovery(PluginDistributionContract):
    distribution = "mozaik-hpc"
    entry_point = "hpc"
    provides = {"backends": ["MPIBackend", "SlurmBackend"]}
