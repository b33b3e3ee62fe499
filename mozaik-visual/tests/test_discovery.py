from __future__ import annotations

from mozaik.testing import PluginDistributionContract
from mozaik_visual._plugin import _EXPERIMENTS, _STIMULI
from mozaik_visual._plugin_cortex import _PERTURBATIONS


class TestDiscovery(PluginDistributionContract):
    distribution = "mozaik-visual"
    entry_point = "visual"
    provides = {"input_spaces": ["VisualSpace"], "sensory_inputs": ["RetinaLGN"],
                "stimuli": sorted(_STIMULI), "experiments": sorted(_EXPERIMENTS)}


class TestCortexDiscovery(PluginDistributionContract):
    distribution = "mozaik-visual"
    entry_point = "visual_cortex"
    provides = {"sheets": ["CorticalSheet"], "connectors": ["GaborAfferentConnector"],
                "connector_functions": ["MapDependent", "V1PushPull"],
                "experiments": sorted(_PERTURBATIONS), "stimuli": ["GratingWithLight"]}
