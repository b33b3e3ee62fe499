"""Perturbations of cortical sheets: patterned optogenetic stimulation (light sources, light
spread in tissue, opsin expression and photocurrent, light patterns, experiments).

Every experiment here drives neurons through core's per-neuron current injection
(:class:`mozaik.experiments.PerNeuronCurrent`), which stores what was injected as the sheet's
``injected_current``.
"""

from __future__ import annotations

from mozaik_visual.perturbation._light import (
    ChannelRhodopsinParams,
    LightSourceArrayParams,
    LightSpreadParams,
    light_matrix,
    photocurrent_nA,
    source_positions_um,
    transfected_cells,
)
from mozaik_visual.perturbation._optogenetics import (
    OptogeneticIntensitySweep,
    OptogeneticIntensitySweepParams,
    OptogeneticOrientationMapPatterns,
    OptogeneticOrientationMapPatternsParams,
    OptogeneticParams,
    OptogeneticPulseFrequency,
    OptogeneticPulseFrequencyParams,
    OptogeneticSpotSize,
    OptogeneticSpotSizeParams,
    OptogeneticStimulation,
)
from mozaik_visual.perturbation._patterns import (
    ORIENTATION_ANNOTATION,
    LightPatternParams,
    LightTimingParams,
    frame_profile,
    pattern_irradiance,
)

__all__ = [
    "ChannelRhodopsinParams",
    "LightPatternParams",
    "LightSourceArrayParams",
    "LightSpreadParams",
    "LightTimingParams",
    "ORIENTATION_ANNOTATION",
    "OptogeneticIntensitySweep",
    "OptogeneticIntensitySweepParams",
    "OptogeneticOrientationMapPatterns",
    "OptogeneticOrientationMapPatternsParams",
    "OptogeneticParams",
    "OptogeneticPulseFrequency",
    "OptogeneticPulseFrequencyParams",
    "OptogeneticSpotSize",
    "OptogeneticSpotSizeParams",
    "OptogeneticStimulation",
    "frame_profile",
    "light_matrix",
    "pattern_irradiance",
    "photocurrent_nA",
    "source_positions_um",
    "transfected_cells",
]
