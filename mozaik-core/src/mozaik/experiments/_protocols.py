"""Core's experiments: spontaneous activity, a Poisson kick, and current injection."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from mozaik._errors import MozaikError
from mozaik.config import ParameterError, in_range, non_negative, positive, whole_number
from mozaik.experiments._base import Experiment, experiment_rng, select_cells, sheet_of
from mozaik.experiments._direct import PoissonKick, StepCurrent
from mozaik.stimulus import InternalStimulus, InternalStimulusParams, Stimulus

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = [
    "CurrentInjection",
    "CurrentInjectionParams",
    "NoStimulation",
    "NoStimulationParams",
    "PoissonNetworkKick",
    "PoissonNetworkKickParams",
]


def _non_empty(_inst: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    if not value:
        msg = f"{attribute.name} must list at least one item"
        raise ParameterError(attribute.name, msg)


def _internal(duration_ms: float, protocol: str, trial: int, **direct: Any) -> InternalStimulus:
    params = InternalStimulusParams(duration_ms=duration_ms, protocol=protocol,
                                    direct_stimulation=direct)
    return InternalStimulus(params, trial=trial)


# ------------------------------------------------------------------------------------------------
# NoStimulation
# ------------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class NoStimulationParams:
    """Parameters of :class:`NoStimulation`.

    Parameters
    ----------
    duration_ms : float, ms
        Length of each recording of spontaneous activity.
    num_trials : int
        Number of recordings.
    """

    #: Keys renamed when parameters got their units in their names (mozaik-core 0.1).
    renamed_fields: ClassVar[Mapping[str, str]] = {"duration": "duration_ms"}

    duration_ms: float = attrs.field(validator=positive)
    num_trials: int = attrs.field(default=1, validator=whole_number(1))


class NoStimulation(Experiment[NoStimulationParams]):
    """Spontaneous activity: the network runs with no input for ``duration_ms`` per trial."""

    def stimuli(self) -> list[Stimulus]:
        return [_internal(self.params.duration_ms, "NoStimulation", trial)
                for trial in range(self.params.num_trials)]


# ------------------------------------------------------------------------------------------------
# PoissonNetworkKick
# ------------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PoissonNetworkKickParams:
    """Parameters of :class:`PoissonNetworkKick`.

    Parameters
    ----------
    duration_ms : float, ms
        Length of each presentation (the kick and what follows it).
    drive_period_ms : float, ms
        How long the Poisson drive lasts from the start of the presentation (<= duration_ms).
    sheets : list of str
        Sheets that receive the kick.
    rate_hz : float, Hz
        Rate of the independent Poisson train each kicked cell receives.
    weight_uS : float, uS (conductance-based cells; nA for current-based cells)
        Weight of the kick's synapses (excitatory).
    fraction : float
        Fraction of each sheet's cells that are kicked, chosen at random from the seed.
    num_trials : int
        Number of presentations.
    """

    #: Keys renamed when parameters got their units in their names (mozaik-core 0.1).
    renamed_fields: ClassVar[Mapping[str, str]] = {
        "duration": "duration_ms", "drive_period": "drive_period_ms", "rate": "rate_hz",
        "weight": "weight_uS"}

    duration_ms: float = attrs.field(validator=positive)
    drive_period_ms: float = attrs.field(validator=positive)
    sheets: tuple[str, ...] = attrs.field(converter=tuple, validator=_non_empty)
    rate_hz: float = attrs.field(validator=positive)
    weight_uS: float = attrs.field(validator=positive)
    fraction: float = attrs.field(default=1.0, validator=in_range(0.0, 1.0, include_low=False))
    num_trials: int = attrs.field(default=1, validator=whole_number(1))

    def __attrs_post_init__(self) -> None:
        if self.drive_period_ms > self.duration_ms:
            msg = (f"drive_period_ms ({self.drive_period_ms}) is longer than duration_ms "
                   f"({self.duration_ms}); shorten the drive or lengthen the presentation")
            raise ParameterError("drive_period_ms", msg)


class PoissonNetworkKick(Experiment[PoissonNetworkKickParams]):
    """Kick the network into activity: Poisson drive onto chosen sheets for
    ``drive_period_ms`` at the start of each presentation, then record what follows."""

    def __init__(self, params: PoissonNetworkKickParams, model: Model) -> None:
        super().__init__(params, model)
        self.direct_stimulation = [
            PoissonKick(model, sheet, rate=params.rate_hz, weight=params.weight_uS,
                        fraction=params.fraction, drive_period=params.drive_period_ms,
                        where=f"PoissonNetworkKick (sheet {sheet!r})")
            for sheet in params.sheets]

    def stimuli(self) -> list[Stimulus]:
        p = self.params
        return [_internal(p.duration_ms, "PoissonNetworkKick", trial, sheets=",".join(p.sheets),
                          drive_period_ms=p.drive_period_ms, rate_hz=p.rate_hz,
                          weight_uS=p.weight_uS, fraction=p.fraction)
                for trial in range(p.num_trials)]


# ------------------------------------------------------------------------------------------------
# CurrentInjection
# ------------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CurrentInjectionParams:
    """Parameters of :class:`CurrentInjection`.

    Parameters
    ----------
    sheet : str
        The sheet whose cells receive the current.
    cells : list of int
        Indices (within the sheet) of the injected cells. Empty: choose ``num_cells`` at random.
    num_cells : int, optional
        Number of cells chosen at random from the seed when ``cells`` is empty (default 1).
    amplitudes_nA : list of float, nA
        One stimulus per amplitude (and per trial).
    duration_ms : float, ms
        Length of each presentation.
    onset_ms : float, ms
        When the step starts, from the start of the presentation.
    step_duration_ms : float, ms, optional
        How long the step lasts; defaults to the rest of the presentation.
    num_trials : int
        Repetitions of every amplitude; trials are the outer loop (amplitudes interleave).
    """

    #: Keys renamed when parameters got their units in their names (mozaik-core 0.1).
    renamed_fields: ClassVar[Mapping[str, str]] = {
        "amplitudes": "amplitudes_nA", "duration": "duration_ms", "onset": "onset_ms",
        "step_duration": "step_duration_ms"}

    sheet: str
    cells: tuple[int, ...] = attrs.field(default=(), converter=tuple)
    num_cells: int | None = None
    amplitudes_nA: tuple[float, ...] = attrs.field(converter=tuple, validator=_non_empty)
    duration_ms: float = attrs.field(validator=positive)
    onset_ms: float = attrs.field(default=0.0, validator=non_negative)
    step_duration_ms: float | None = attrs.field(default=None, validator=positive)
    num_trials: int = attrs.field(default=1, validator=whole_number(1))

    def __attrs_post_init__(self) -> None:
        if self.onset_ms >= self.duration_ms:
            msg = (f"onset_ms ({self.onset_ms}) must be inside the presentation (duration_ms "
                   f"{self.duration_ms})")
            raise ParameterError("onset_ms", msg)
        if self.cells and self.num_cells is not None:
            msg = "give either cells (explicit indices) or num_cells (random choice), not both"
            raise ParameterError("num_cells", msg)

    @property
    def step_length(self) -> float:
        """Length of the current step, ms (clipped to the presentation)."""
        rest = self.duration_ms - self.onset_ms
        return rest if self.step_duration_ms is None else min(self.step_duration_ms, rest)


class CurrentInjection(Experiment[CurrentInjectionParams]):
    """Inject a current step into selected cells, one stimulus per amplitude and trial."""

    def __init__(self, params: CurrentInjectionParams, model: Model) -> None:
        super().__init__(params, model)
        where = f"CurrentInjection (sheet {params.sheet!r})"
        sheet = sheet_of(model, params.sheet, where)
        number = None if params.cells else (params.num_cells or 1)
        cells = select_cells(len(sheet.population), cells=params.cells, number=number,
                             rng=experiment_rng(model, "CurrentInjection", params.sheet),
                             where=where)
        self.current = StepCurrent(model, params.sheet, cells, where=where)
        self.direct_stimulation = [self.current]

    def stimuli(self) -> list[Stimulus]:
        p = self.params
        cells = json.dumps(self.current.cells.tolist(), separators=(",", ":"))
        return [_internal(p.duration_ms, "CurrentInjection", trial, sheet=p.sheet, cells=cells,
                          amplitude_nA=float(amplitude), onset_ms=p.onset_ms,
                          step_duration_ms=p.step_length)
                for trial in range(p.num_trials) for amplitude in p.amplitudes_nA]

    def prepare(self, stimulus: Stimulus, t_start: float) -> None:
        if not isinstance(stimulus.params, InternalStimulusParams):
            msg = (f"CurrentInjection presents its own InternalStimulus only; it was asked to "
                   f"prepare {stimulus!r}")
            raise MozaikError(msg)
        direct = stimulus.params.direct_stimulation
        self.current.schedule(t_start + float(direct["onset_ms"]),
                              float(direct["step_duration_ms"]),
                              amplitude=float(direct["amplitude_nA"]))
