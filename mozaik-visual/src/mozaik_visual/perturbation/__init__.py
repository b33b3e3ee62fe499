"""Perturbations of cortical sheets: patterned optogenetic stimulation (light sources, light
spread in tissue, opsin expression and photocurrent, light patterns, experiments) and
intracortical microstimulation (electrodes, biphasic pulse trains, I = k r^2 activation).

Every experiment here drives neurons through core's per-neuron current injection
(:class:`mozaik.experiments.PerNeuronCurrent`), which stores what was injected as the sheet's
``injected_current``.
"""

from __future__ import annotations

from mozaik_visual.perturbation._combined import GratingWithLight, GratingWithLightParams
from mozaik_visual.perturbation._light import (
    ChannelRhodopsinParams,
    LightSourceArrayParams,
    LightSpreadParams,
    light_matrix,
    photocurrent_nA,
    source_positions_um,
    transfected_cells,
)
from mozaik_visual.perturbation._microstimulation import (
    ElectrodeParams,
    Microstimulation,
    MicrostimulationAmplitudeSweep,
    MicrostimulationAmplitudeSweepParams,
    MicrostimulationFrequencySweep,
    MicrostimulationFrequencySweepParams,
    MicrostimulationParams,
    activated_radius_um,
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
    OptogeneticWithGrating,
    OptogeneticWithGratingParams,
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
    "ElectrodeParams",
    "GratingWithLight",
    "GratingWithLightParams",
    "LightPatternParams",
    "LightSourceArrayParams",
    "LightSpreadParams",
    "LightTimingParams",
    "Microstimulation",
    "MicrostimulationAmplitudeSweep",
    "MicrostimulationAmplitudeSweepParams",
    "MicrostimulationFrequencySweep",
    "MicrostimulationFrequencySweepParams",
    "MicrostimulationParams",
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
    "OptogeneticWithGrating",
    "OptogeneticWithGratingParams",
    "activated_radius_um",
    "frame_profile",
    "light_matrix",
    "pattern_irradiance",
    "photocurrent_nA",
    "source_positions_um",
    "transfected_cells",
]
