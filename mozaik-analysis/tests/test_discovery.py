from __future__ import annotations

from mozaik.testing import PluginDistributionContract


class TestDiscovery(PluginDistributionContract):
    distribution = "mozaik-analysis"
    entry_point = "analysis"
    provides = {"analyses": []}
