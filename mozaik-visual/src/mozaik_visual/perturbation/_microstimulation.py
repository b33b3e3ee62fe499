"""Intracortical microstimulation: electrodes in a cortical sheet deliver biphasic pulse trains.

Direct activation follows the current-distance relation of Stoney, Thompson & Asanuma 1968
(J. Neurophysiol. 31:659): a pulse of amplitude ``I`` activates the neurons within ``r =
sqrt(I / k)`` of the electrode tip. ``k`` (uA/mm^2) is a parameter; its default, 1292 uA/mm^2,
is the mean Stoney et al. reported for pyramidal-tract neurons (values range over an order of
magnitude with fibre and pulse width; fit it to your preparation).

Each activated neuron receives, during the first (cathodic) phase of every pulse, a
depolarising current carrying ``activation_charge_pC``: enough to bring a cell to threshold
within the phase, so it fires one spike per pulse (the model of direct activation; the
charge-balancing second phase is not injected). Optionally, neurons beyond the radius receive a
sub-threshold current ``subthreshold_nA * I / (k r^2)`` (< ``subthreshold_nA``) during the same
phase. Distances are three-dimensional: lateral distance and the depth between the electrode
tip and the sheet.
"""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar, Generic, TypeVar

import attrs
import numpy as np
from mozaik import ConfigError, MozaikError
from mozaik.config import ParameterError, each, finite, non_negative, positive, whole_number
from mozaik.experiments import Experiment, PerNeuronCurrent, sheet_of
from mozaik.model import Model
from mozaik.stimulus import InternalStimulus, InternalStimulusParams, Stimulus

__all__ = [
    "ElectrodeParams",
    "MicrostimulationAmplitudeSweep",
    "MicrostimulationAmplitudeSweepParams",
    "MicrostimulationFrequencySweep",
    "MicrostimulationFrequencySweepParams",
    "MicrostimulationParams",
    "activated_radius_um",
]

#: Stoney et al. 1968: mean current-distance constant of pyramidal-tract neurons, uA/mm^2.
STONEY_K_UA_PER_MM2 = 1292.0


def activated_radius_um(amplitude_uA: float, k_uA_per_mm2: float) -> float:
    """Radius (um) within which a pulse of ``amplitude_uA`` activates neurons: sqrt(I / k)."""
    return 1000.0 * math.sqrt(amplitude_uA / k_uA_per_mm2)


def _non_empty(_inst: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    if not value:
        msg = f"{attribute.name} must list at least one value"
        raise ParameterError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class ElectrodeParams:
    """One electrode.

    Parameters
    ----------
    position_um : (float, float), um
        Lateral position of the tip, in the sheet's cortical coordinates.
    depth_um : float, um
        Depth of the tip below the surface.
    """

    position_um: tuple[float, float] = attrs.field(default=(0.0, 0.0), validator=each(finite))
    depth_um: float = attrs.field(default=200.0, validator=non_negative)


@attrs.frozen(kw_only=True)
class MicrostimulationParams:
    """Parameters of the microstimulation experiments.

    Parameters
    ----------
    sheet : str
        The stimulated cortical sheet.
    sheet_depth_um : float, um
        Depth of the sheet's neurons.
    electrodes : list of ElectrodeParams
        The electrodes; all deliver the same pulse train.
    amplitude_uA : float, uA
        Pulse amplitude (per phase).
    pulse_width_ms : float, ms
        Width of each phase of the biphasic pulse.
    frequency_hz : float, Hz
        Pulse rate.
    onset_ms, train_duration_ms : float, ms
        When the train starts (from the start of the presentation) and how long it lasts
        (default: to the end of the presentation).
    k_uA_per_mm2 : float, uA/mm^2
        Current-distance constant (Stoney et al. 1968; default 1292).
    activation_charge_pC : float, pC
        Charge delivered to an activated neuron in the first phase of each pulse.
    subthreshold_nA : float, nA
        Sub-threshold current scale for neurons beyond the activated radius (0: none).
    duration_ms : float, ms
        Length of each presentation.
    num_trials : int
        Presentations of every condition.
    """

    sheet: str
    sheet_depth_um: float = attrs.field(default=200.0, validator=non_negative)
    electrodes: tuple[ElectrodeParams, ...] = attrs.field(
        factory=lambda: (ElectrodeParams(),), converter=tuple, validator=_non_empty)
    amplitude_uA: float = attrs.field(default=20.0, validator=positive)
    pulse_width_ms: float = attrs.field(default=0.2, validator=positive)
    frequency_hz: float = attrs.field(default=100.0, validator=positive)
    onset_ms: float = attrs.field(default=0.0, validator=non_negative)
    train_duration_ms: float | None = attrs.field(default=None, validator=positive)
    k_uA_per_mm2: float = attrs.field(default=STONEY_K_UA_PER_MM2, validator=positive)
    activation_charge_pC: float = attrs.field(default=30.0, validator=positive)
    subthreshold_nA: float = attrs.field(default=0.0, validator=non_negative)
    duration_ms: float = attrs.field(default=200.0, validator=positive)
    num_trials: int = attrs.field(default=1, validator=whole_number(1))

    def __attrs_post_init__(self) -> None:
        _check_width(self.pulse_width_ms, self.frequency_hz, "pulse_width_ms")


def _check_width(width_ms: float, frequency_hz: float, path: str) -> None:
    period = 1000.0 / frequency_hz
    if 2.0 * width_ms >= period:
        msg = (f"{path}: a biphasic pulse of 2 x {width_ms:g} ms does not fit in the period "
               f"({period:g} ms at {frequency_hz:g} Hz); shorten pulse_width_ms or lower the "
               "frequency")
        raise ParameterError(path, msg)


_P = TypeVar("_P", bound=MicrostimulationParams, covariant=True)


class Microstimulation(Experiment[_P], Generic[_P]):
    """Base of the microstimulation sweeps: one condition per (amplitude, frequency)."""

    protocol: ClassVar[str] = "Microstimulation"

    def __init__(self, params: _P, model: Model) -> None:
        super().__init__(params, model)
        sheet = sheet_of(model, params.sheet, "sheet")
        placement = sheet.sheet_params.placement
        half = np.asarray(placement.size_um, dtype=float) / 2.0
        centre = np.asarray(placement.centre_um, dtype=float)
        for k, electrode in enumerate(params.electrodes):
            offset = np.abs(np.asarray(electrode.position_um) - centre)
            if (offset > half + 1e-9).any():
                msg = (f"electrodes.{k}.position_um: electrode at {electrode.position_um} um is "
                       f"outside sheet {sheet.name!r} (x {centre[0] - half[0]:g}.."
                       f"{centre[0] + half[0]:g}, y {centre[1] - half[1]:g}.."
                       f"{centre[1] + half[1]:g} um); move it onto the sheet")
                raise ConfigError(msg)
        positions = np.asarray(sheet.positions_um, dtype=float)
        tips = np.array([e.position_um for e in params.electrodes], dtype=float)
        lateral = np.linalg.norm(positions[:, None, :] - tips[None, :, :], axis=2)
        vertical = np.array([params.sheet_depth_um - e.depth_um for e in params.electrodes])
        #: Distance (um) of every neuron to its nearest electrode tip.
        self.distance_um = np.sqrt(lateral**2 + vertical[None, :] ** 2).min(axis=1)
        self.time_step_ms = float(model.time_step)
        self.current = PerNeuronCurrent(model, params.sheet, where=f"{self.protocol} "
                                        f"(sheet {params.sheet!r})")
        self.direct_stimulation = [self.current]
        self._conditions: dict[str, tuple[float, float]] = {}

    def conditions(self) -> list[tuple[float, float]]:
        """(amplitude uA, frequency Hz) of every condition, in presentation order."""
        return [(self.params.amplitude_uA, self.params.frequency_hz)]

    def stimuli(self) -> list[Stimulus]:
        p = self.params
        once = []
        for amplitude, frequency in self.conditions():
            description: dict[str, Any] = {
                "sheet": p.sheet, "amplitude_uA": amplitude, "frequency_hz": frequency,
                "pulse_width_ms": p.pulse_width_ms, "onset_ms": p.onset_ms,
                "train_duration_ms": p.train_duration_ms or p.duration_ms - p.onset_ms,
                "k_uA_per_mm2": p.k_uA_per_mm2, "subthreshold_nA": p.subthreshold_nA,
                "electrodes": json.dumps([[*e.position_um, e.depth_um] for e in p.electrodes]),
            }
            self._conditions[json.dumps(description, sort_keys=True)] = (amplitude, frequency)
            once.append(InternalStimulusParams(duration_ms=p.duration_ms, protocol=self.protocol,
                                               direct_stimulation=description))
        return [InternalStimulus(s, trial=t) for t in range(p.num_trials) for s in once]

    def waveform(self, amplitude_uA: float, frequency_hz: float) -> np.ndarray:
        """Current (neurons x time steps, nA) of one condition."""
        p, dt = self.params, self.time_step_ms
        n = math.floor(p.duration_ms / dt + 1e-9)
        phase_steps = max(1, round(p.pulse_width_ms / dt))
        end = p.duration_ms if p.train_duration_ms is None else p.onset_ms + p.train_duration_ms
        starts = np.arange(p.onset_ms, min(end, p.duration_ms) - 1e-9, 1000.0 / frequency_hz)
        on = np.zeros(n)
        for start in np.round(starts / dt).astype(np.int64):
            on[start:start + phase_steps] = 1.0
        radius = activated_radius_um(amplitude_uA, p.k_uA_per_mm2)
        level = np.where(self.distance_um <= radius,
                         p.activation_charge_pC / (phase_steps * dt), 0.0)
        if p.subthreshold_nA > 0:
            with np.errstate(divide="ignore"):
                ratio = (radius / self.distance_um) ** 2
            level = np.where(self.distance_um > radius, p.subthreshold_nA * ratio, level)
        return np.asarray(np.outer(level, on))

    def prepare(self, stimulus: Stimulus, t_start: float) -> None:
        if not isinstance(stimulus.params, InternalStimulusParams):
            msg = (f"{self.protocol} presents its own InternalStimulus only; it was asked to "
                   f"prepare {stimulus!r}")
            raise MozaikError(msg)
        key = json.dumps(dict(stimulus.params.direct_stimulation), sort_keys=True)
        if key not in self._conditions:
            self.stimuli()
        amplitude, frequency = self._conditions[key]
        self.current.set_waveform(self.waveform(amplitude, frequency), self.time_step_ms)
        super().prepare(stimulus, t_start)


@attrs.frozen(kw_only=True)
class MicrostimulationAmplitudeSweepParams(MicrostimulationParams):
    """:class:`MicrostimulationParams` plus the amplitudes.

    Parameters
    ----------
    amplitudes_uA : sequence of float, uA
        Pulse amplitudes, one condition each.
    """

    amplitudes_uA: tuple[float, ...] = attrs.field(converter=tuple,
                                                   validator=[_non_empty, each(positive)])


class MicrostimulationAmplitudeSweep(Microstimulation[MicrostimulationAmplitudeSweepParams]):
    """Pulse trains of several amplitudes."""

    protocol: ClassVar[str] = "MicrostimulationAmplitudeSweep"

    def conditions(self) -> list[tuple[float, float]]:
        return [(a, self.params.frequency_hz) for a in self.params.amplitudes_uA]


@attrs.frozen(kw_only=True)
class MicrostimulationFrequencySweepParams(MicrostimulationParams):
    """:class:`MicrostimulationParams` plus the pulse frequencies.

    Parameters
    ----------
    frequencies_hz : sequence of float, Hz
        Pulse-train frequencies, one condition each (each period longer than the pulse).
    """

    frequencies_hz: tuple[float, ...] = attrs.field(converter=tuple,
                                                    validator=[_non_empty, each(positive)])

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        for k, frequency in enumerate(self.frequencies_hz):
            _check_width(self.pulse_width_ms, frequency, f"frequencies_hz.{k}")


class MicrostimulationFrequencySweep(Microstimulation[MicrostimulationFrequencySweepParams]):
    """Pulse trains at several frequencies."""

    protocol: ClassVar[str] = "MicrostimulationFrequencySweep"

    def conditions(self) -> list[tuple[float, float]]:
        return [(self.params.amplitude_uA, f) for f in self.params.frequencies_hz]
