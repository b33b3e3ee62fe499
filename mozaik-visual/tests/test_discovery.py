from __future__ import annotations

from mozaik.testing import PluginDistributionContract


class TestDiscovery(PluginDistributionContract):
    distribution = "mozaik-visual"
    entry_point = "visual"
    provides = {"input_spaces": [], "sensory_inputs": [], "sheets": [], "connectors": [],
                "connector_functions": [], "stimuli": [], "experiments": []}
