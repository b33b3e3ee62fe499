from __future__ import annotations

from mozaik.testing import PluginDistributionContract


class TestDiscovery(PluginDistributionContract):
    distribution = "mozaik-visual"
    entry_point = "visual"
    provides = {"input_spaces": [], "sensory_inputs": [], "sheets": [], "connectors": [],
                "connector_functions": [], "stimuli": [], "experiments": []}


class TestCortexDiscovery(PluginDistributionContract):
    distribution = "mozaik-visual"
    entry_point = "visual_cortex"
    provides = {"sheets": ["CorticalSheet"], "connectors": ["GaborAfferentConnector"],
                "connector_functions": ["MapDependent", "V1PushPull"]}
