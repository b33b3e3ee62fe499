"""Optogenetic stimulation experiments: patterned light over a cortical sheet drives a
channelrhodopsin photocurrent in its transfected neurons.

The emitter-to-neuron light matrix and the transfected cells are computed once, when the
experiment is built; each presentation computes the irradiance of every transfected neuron in
every frame (the sparse matrix times the pattern, times the timing) and its photocurrent, and
injects it through core's :class:`~mozaik.experiments.PerNeuronCurrent` (which stores it as the
sheet's ``injected_current``). The stimulus identity describes the light: pattern, irradiance,
timing, transfected fraction, depth.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

import attrs
import numpy as np
from mozaik import MozaikError
from mozaik.config import ParameterError, each, non_negative, positive, probability, whole_number
from mozaik.experiments import Experiment, PerNeuronCurrent, experiment_rng, sheet_of
from mozaik.model import Model
from mozaik.stimulus import InternalStimulus, InternalStimulusParams, Stimulus

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
from mozaik_visual.perturbation._patterns import (
    LightPatternParams,
    LightTimingParams,
    frame_profile,
    pattern_irradiance,
)

__all__ = [
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
]


def _non_empty(_inst: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    if not value:
        msg = f"{attribute.name} must list at least one value"
        raise ParameterError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class OptogeneticParams:
    """Parameters of :class:`OptogeneticStimulation` (and the base of the sweeps').

    Parameters
    ----------
    sheet : str
        The cortical sheet under the light.
    depth_um : float, um
        Depth of the sheet's neurons below the emitters.
    transfected_fraction : float
        Fraction of the sheet's neurons expressing the opsin, chosen at random from the seed.
    sources : LightSourceArrayParams
        The emitter grid.
    spread : LightSpreadParams
        Light spread in tissue.
    opsin : ChannelRhodopsinParams
        Photocurrent kinetics.
    pattern : LightPatternParams
        Which emitters shine, how strongly.
    timing : LightTimingParams
        When the light is on.
    duration_ms : float, ms
        Length of each presentation.
    frame_ms : float, ms
        Time step of the light and of the injected photocurrent (whole simulation steps).
    num_trials : int
        Presentations of every condition.
    """

    sheet: str
    depth_um: float = attrs.field(default=200.0, validator=non_negative)
    transfected_fraction: float = attrs.field(default=1.0, validator=probability)
    sources: LightSourceArrayParams = attrs.field(factory=LightSourceArrayParams)
    spread: LightSpreadParams = attrs.field(factory=LightSpreadParams)
    opsin: ChannelRhodopsinParams = attrs.field(factory=ChannelRhodopsinParams)
    pattern: LightPatternParams = attrs.field(factory=LightPatternParams)
    timing: LightTimingParams = attrs.field(factory=LightTimingParams)
    duration_ms: float = attrs.field(default=200.0, validator=positive)
    frame_ms: float = attrs.field(default=1.0, validator=positive)
    num_trials: int = attrs.field(default=1, validator=whole_number(1))


_P = TypeVar("_P", bound=OptogeneticParams, covariant=True)


class OptogeneticStimulation(Experiment[_P], Generic[_P]):
    """Patterned light on a cortical sheet: one condition, ``pattern`` with ``timing``.

    The sweeps subclass it and override :meth:`conditions`.
    """

    protocol: ClassVar[str] = "OptogeneticStimulation"

    def __init__(self, params: _P, model: Model) -> None:
        super().__init__(params, model)
        sheet = sheet_of(model, params.sheet, "sheet")
        self.sheet = sheet
        self.sources_um = source_positions_um(params.sources, sheet, "sources")
        rng = experiment_rng(model, "Optogenetics", params.sheet, "transfection")
        self.cells = transfected_cells(sheet.size, params.transfected_fraction, rng)
        positions = np.asarray(sheet.positions_um, dtype=float)[self.cells]
        self.light = light_matrix(self.sources_um, positions, params.depth_um, params.spread,
                                  params.sources.emitter_radius_um, "spread")
        self.current: PerNeuronCurrent | None = None
        if self.cells.size:  # nothing expresses the opsin: no device at all
            self.current = PerNeuronCurrent(model, params.sheet, self.cells,
                                            where=f"{self.protocol} (sheet {params.sheet!r})")
            self.direct_stimulation = [self.current]
        self._conditions: dict[str, tuple[LightPatternParams, LightTimingParams]] = {}
        # draw every pattern once now: a bad image or a sheet without an orientation map
        # fails when the experiment is built, not at its first presentation
        for pattern, _timing in self.conditions():
            pattern_irradiance(pattern, self.sources_um, self.sheet, "pattern")

    def conditions(self) -> list[tuple[LightPatternParams, LightTimingParams]]:
        """The (pattern, timing) of every condition, in presentation order."""
        return [(self.params.pattern, self.params.timing)]

    def describe(self, pattern: LightPatternParams,
                 timing: LightTimingParams) -> dict[str, float | int | str | bool]:
        """The light of one condition as scalars, for the stimulus identity."""
        p = self.params
        return {
            "sheet": p.sheet, "depth_um": p.depth_um,
            "transfected_fraction": p.transfected_fraction, "pattern": pattern.kind,
            "irradiance_mW_per_mm2": pattern.irradiance_mW_per_mm2,
            "centres_um": json.dumps(pattern.centres_um, separators=(",", ":")),
            "radius_um": pattern.radius_um, "spacing_um": pattern.spacing_um,
            "image": pattern.image, "orientation_rad": pattern.orientation_rad,
            "sharpness": pattern.sharpness, "onset_ms": timing.onset_ms,
            "light_duration_ms": (p.duration_ms - timing.onset_ms if timing.duration_ms is None
                                  else timing.duration_ms),
            "pulse_frequency_hz": timing.pulse_frequency_hz or 0.0,
            "pulse_width_ms": timing.pulse_width_ms,
            "source_spacing_um": p.sources.spacing_um,
        }

    def stimuli(self) -> list[Stimulus]:
        once = []
        for pattern, timing in self.conditions():
            light = self.describe(pattern, timing)
            self._conditions[json.dumps(light, sort_keys=True)] = (pattern, timing)
            once.append(InternalStimulusParams(duration_ms=self.params.duration_ms,
                                               protocol=self.protocol,
                                               direct_stimulation=light))
        return [InternalStimulus(params, trial=trial)
                for trial in range(self.params.num_trials) for params in once]

    def irradiance(self, pattern: LightPatternParams, timing: LightTimingParams) -> np.ndarray:
        """Irradiance (transfected cells x frames, mW/mm^2) of one condition."""
        per_source = pattern_irradiance(pattern, self.sources_um, self.sheet, "pattern")
        per_cell = np.asarray(self.light @ per_source)
        profile = frame_profile(timing, self.params.duration_ms, self.params.frame_ms)
        return np.asarray(np.outer(per_cell, profile))

    def light_of(self, stimulus: Stimulus) -> Mapping[str, Any]:
        """The light description (:meth:`describe`) a stimulus of this experiment carries."""
        if not isinstance(stimulus.params, InternalStimulusParams):
            msg = (f"{self.protocol} presents its own InternalStimulus only; it was asked "
                   f"to prepare {stimulus!r}")
            raise MozaikError(msg)
        return stimulus.params.direct_stimulation

    def prepare(self, stimulus: Stimulus, t_start: float) -> None:
        if self.current is not None:
            key = json.dumps(dict(self.light_of(stimulus)), sort_keys=True)
            if key not in self._conditions:
                self.stimuli()
            pattern, timing = self._conditions[key]
            current = photocurrent_nA(self.irradiance(pattern, timing), self.params.opsin,
                                      self.params.frame_ms)
            self.current.set_waveform(current, self.params.frame_ms)
        super().prepare(stimulus, t_start)


# -- sweeps ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OptogeneticSpotSizeParams(OptogeneticParams):
    """:class:`OptogeneticParams` plus the spot radii.

    Parameters
    ----------
    radii_um : sequence of float, um
        One spot per radius, at the first of ``pattern.centres_um``.
    """

    radii_um: tuple[float, ...] = attrs.field(converter=tuple,
                                              validator=[_non_empty, each(positive)])


class OptogeneticSpotSize(OptogeneticStimulation[OptogeneticSpotSizeParams]):
    """A light spot of several radii."""

    protocol: ClassVar[str] = "OptogeneticSpotSize"

    def conditions(self) -> list[tuple[LightPatternParams, LightTimingParams]]:
        p = self.params
        return [(attrs.evolve(p.pattern, kind="spot", radius_um=r), p.timing)
                for r in p.radii_um]


@attrs.frozen(kw_only=True)
class OptogeneticIntensitySweepParams(OptogeneticParams):
    """:class:`OptogeneticParams` plus the irradiances.

    Parameters
    ----------
    irradiances_mW_per_mm2 : sequence of float, mW/mm^2
        The pattern is shown once at each irradiance (at the source).
    """

    irradiances_mW_per_mm2: tuple[float, ...] = attrs.field(
        converter=tuple, validator=[_non_empty, each(non_negative)])


class OptogeneticIntensitySweep(OptogeneticStimulation[OptogeneticIntensitySweepParams]):
    """The pattern at several irradiances."""

    protocol: ClassVar[str] = "OptogeneticIntensitySweep"

    def conditions(self) -> list[tuple[LightPatternParams, LightTimingParams]]:
        p = self.params
        return [(attrs.evolve(p.pattern, irradiance_mW_per_mm2=e), p.timing)
                for e in p.irradiances_mW_per_mm2]


@attrs.frozen(kw_only=True)
class OptogeneticPulseFrequencyParams(OptogeneticParams):
    """:class:`OptogeneticParams` plus the pulse frequencies.

    Parameters
    ----------
    frequencies_hz : sequence of float, Hz
        Pulse trains of ``timing.pulse_width_ms`` at each frequency (each period must be longer
        than the pulse).
    """

    frequencies_hz: tuple[float, ...] = attrs.field(converter=tuple,
                                                    validator=[_non_empty, each(positive)])

    def __attrs_post_init__(self) -> None:
        for k, frequency in enumerate(self.frequencies_hz):
            period = 1000.0 / frequency
            if self.timing.pulse_width_ms >= period:
                msg = (f"frequencies_hz.{k}: at {frequency:g} Hz the period ({period:g} ms) is "
                       f"not longer than timing.pulse_width_ms ({self.timing.pulse_width_ms:g}"
                       " ms); lower the frequency or shorten the pulses")
                raise ParameterError(f"frequencies_hz.{k}", msg)


class OptogeneticPulseFrequency(OptogeneticStimulation[OptogeneticPulseFrequencyParams]):
    """Pulse trains of the pattern at several frequencies."""

    protocol: ClassVar[str] = "OptogeneticPulseFrequency"

    def conditions(self) -> list[tuple[LightPatternParams, LightTimingParams]]:
        p = self.params
        return [(p.pattern, attrs.evolve(p.timing, pulse_frequency_hz=f))
                for f in p.frequencies_hz]


@attrs.frozen(kw_only=True)
class OptogeneticOrientationMapPatternsParams(OptogeneticParams):
    """:class:`OptogeneticParams` plus the number of orientations (the prosthesis protocol).

    Parameters
    ----------
    num_orientations : int
        Orientation-map patterns at this many orientations, evenly spaced over [0, pi).
    """

    num_orientations: int = attrs.field(default=4, validator=whole_number(1))


class OptogeneticOrientationMapPatterns(
        OptogeneticStimulation[OptogeneticOrientationMapPatternsParams]):
    """Light patterned on the orientation map, at several orientations."""

    protocol: ClassVar[str] = "OptogeneticOrientationMapPatterns"

    def conditions(self) -> list[tuple[LightPatternParams, LightTimingParams]]:
        p = self.params
        return [(attrs.evolve(p.pattern, kind="orientation_map",
                              orientation_rad=math.pi * k / p.num_orientations), p.timing)
                for k in range(p.num_orientations)]


@attrs.frozen(kw_only=True)
class OptogeneticWithGratingParams(OptogeneticParams):
    """:class:`OptogeneticParams` plus a full-field drifting grating shown during the light.

    Parameters
    ----------
    num_orientations : int
        Grating orientations evenly spaced over [0, pi); an ``orientation_map`` pattern
        follows the grating's orientation.
    spatial_frequency_cpd : float, cycles/deg
        Spatial frequency of the grating.
    temporal_frequency_hz : float, Hz
        Drift frequency of the grating.
    contrast_pct : float, %
        Michelson contrast of the grating, 0 to 100.
    """

    num_orientations: int = attrs.field(default=4, validator=whole_number(1))
    spatial_frequency_cpd: float = attrs.field(default=0.8, validator=positive)
    temporal_frequency_hz: float = attrs.field(default=2.0, validator=non_negative)
    contrast_pct: float = attrs.field(default=100.0, validator=non_negative)


class OptogeneticWithGrating(OptogeneticStimulation[OptogeneticWithGratingParams]):
    """Light and a grating in one presentation: each stimulus is a
    :class:`GratingWithLight`, whose identity holds both the grating and the light."""

    protocol: ClassVar[str] = "OptogeneticWithGrating"

    def conditions(self) -> list[tuple[LightPatternParams, LightTimingParams]]:
        p = self.params
        out = []
        for k in range(p.num_orientations):
            theta = math.pi * k / p.num_orientations
            pattern = (attrs.evolve(p.pattern, orientation_rad=theta)
                       if p.pattern.kind == "orientation_map" else p.pattern)
            out.append((pattern, p.timing))
        return out

    def stimuli(self) -> list[Stimulus]:
        p = self.params
        once = []
        for k, (pattern, timing) in enumerate(self.conditions()):
            light = self.describe(pattern, timing)
            self._conditions[json.dumps(light, sort_keys=True)] = (pattern, timing)
            once.append(GratingWithLight(GratingWithLightParams(
                duration_ms=p.duration_ms, orientation_rad=math.pi * k / p.num_orientations,
                spatial_frequency_cpd=p.spatial_frequency_cpd,
                temporal_frequency_hz=p.temporal_frequency_hz, contrast_pct=p.contrast_pct,
                light=light)))
        return [s.with_trial(t) for t in range(p.num_trials) for s in once]

    def light_of(self, stimulus: Stimulus) -> Mapping[str, Any]:
        if not isinstance(stimulus.params, GratingWithLightParams):
            msg = (f"{self.protocol} presents its own GratingWithLight only; it was asked to "
                   f"prepare {stimulus!r}")
            raise MozaikError(msg)
        return stimulus.params.light
