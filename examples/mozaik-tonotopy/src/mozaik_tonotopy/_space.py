"""The frequency axis, the cochlea that senses it, and pure tones on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import positive, structure
from mozaik.model import InputSpace, RecorderParams, SensoryInput, Sheet
from mozaik.stimulus import Frames, Stimulus

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["Cochlea", "CochleaParams", "FrequencySpace", "FrequencySpaceParams", "PureTone",
           "PureToneParams", "best_frequencies_hz"]


def best_frequencies_hz(x_um: np.ndarray, length_um: float, low_hz: float,
                        high_hz: float) -> np.ndarray:
    """Tonotopy: the best frequency (Hz) at position ``x_um`` along an axis of ``length_um``,
    log-spaced from ``low_hz`` at 0 to ``high_hz`` at ``length_um``."""
    return np.asarray(low_hz * (high_hz / low_hz) ** (np.asarray(x_um) / length_um))


@attrs.frozen(kw_only=True)
class FrequencySpaceParams:
    """Parameters of :class:`FrequencySpace`.

    Parameters
    ----------
    low_hz, high_hz : float, Hz
        The audible range of the model.
    """

    low_hz: float = attrs.field(default=200.0, validator=positive)
    high_hz: float = attrs.field(default=8000.0, validator=positive)

    def __attrs_post_init__(self) -> None:
        if self.high_hz <= self.low_hz:
            msg = f"high_hz ({self.high_hz}) must be above low_hz ({self.low_hz})"
            raise ValueError(msg)


class FrequencySpace(InputSpace[FrequencySpaceParams]):
    """The world tones live in: a frequency axis from ``low_hz`` to ``high_hz``."""

    #: Frequency bins of a pictured spectrum (log-spaced from ``low_hz`` to ``high_hz``).
    SPECTRUM_BINS: ClassVar[int] = 64

    def describe(self) -> dict[str, bool | int | float | str]:
        return {"low_hz": self.params.low_hz, "high_hz": self.params.high_hz}

    def frames(self, stimulus: Stimulus) -> Frames | None:
        """A tone's spectrum as one frame lasting the whole tone: level 1 in the bin of its
        frequency, 0 elsewhere, over log2 frequency; silence (all 0) for the blank; None
        for any other stimulus.

        Raises
        ------
        ConfigError
            If the tone lies outside [low_hz, high_hz].
        """
        p = self.params
        edges = np.linspace(np.log2(p.low_hz), np.log2(p.high_hz), self.SPECTRUM_BINS + 1)
        level = np.zeros((1, 1, self.SPECTRUM_BINS))
        if isinstance(stimulus, PureTone):
            frequency = stimulus.params.frequency_hz
            if not p.low_hz <= frequency <= p.high_hz:
                msg = (f"stimulus 'PureTone': frequency_hz={frequency} lies outside the "
                       f"FrequencySpace's {p.low_hz}..{p.high_hz} Hz; pick a tone inside it "
                       "or widen input_space.params")
                raise ConfigError(msg)
            k = min(int(np.searchsorted(edges, np.log2(frequency), side="right")) - 1,
                    self.SPECTRUM_BINS - 1)
            level[0, 0, k] = 1.0
        elif type(stimulus).name != "Null":
            return None
        return Frames(values=level, units="1", quantity="sound level",
                      extent=(edges[0], edges[-1], 0.0, 1.0), extent_units=("log2 Hz", ""),
                      frame_interval_ms=stimulus.duration_ms)


@attrs.frozen(kw_only=True)
class PureToneParams:
    """Parameters of :class:`PureTone`.

    Parameters
    ----------
    frequency_hz : float, Hz
        The tone's frequency.
    duration_ms : float, ms
        Length of the presentation.
    """

    frequency_hz: float = attrs.field(validator=positive)
    duration_ms: float = attrs.field(default=200.0, validator=positive)


class PureTone(Stimulus[PureToneParams]):
    """A pure tone of ``frequency_hz`` lasting the whole presentation."""

    name: ClassVar[str] = "PureTone"
    __slots__ = ()


@attrs.frozen(kw_only=True)
class CochleaParams:
    """Parameters of :class:`Cochlea`.

    Parameters
    ----------
    populations : list of str
        The name of the sheet of auditory-nerve afferents it creates (one).
    n_channels : int
        Number of afferents, evenly spaced along the tonotopic axis.
    length_um : float, um
        Length of the tonotopic axis the afferents are laid along (x from 0).
    tuning_octaves : float, octaves
        Width (standard deviation) of each afferent's Gaussian tuning in log2 frequency.
    baseline_rate_hz, peak_rate_hz : float, Hz
        Poisson rate of an afferent in silence, and at its best frequency.
    """

    populations: tuple[str, ...] = ("nerve",)
    n_channels: int = 16
    length_um: float = attrs.field(default=1600.0, validator=positive)
    tuning_octaves: float = attrs.field(default=0.5, validator=positive)
    baseline_rate_hz: float = 5.0
    peak_rate_hz: float = 300.0


class Cochlea(SensoryInput[CochleaParams]):
    """One Poisson afferent per channel; a tone drives the channels tuned near it."""

    def __init__(self, name: str, params: CochleaParams, model: Model) -> None:
        super().__init__(name, params, model)
        space = model.input_space
        if not isinstance(space, FrequencySpace):
            msg = (f"sensory input {name!r}: Cochlea needs the FrequencySpace input space; "
                   "add input_space: {component: FrequencySpace} to the study")
            raise ConfigError(msg)
        n = params.n_channels
        x = np.linspace(0.0, params.length_um, n)
        self.best_hz = best_frequencies_hz(x, params.length_um, space.params.low_hz,
                                           space.params.high_hz)
        sim = model.sim
        population = sim.Population(n, sim.SpikeSourcePoisson(rate=params.baseline_rate_hz),
                                    label=self.sheet)
        recorders = (structure({"variables": ["spikes"], "neurons": "all"}, RecorderParams),)
        sheet = Sheet.from_population(self.sheet, model, population,
                                      np.column_stack([x, np.zeros(n)]), recorders)
        sheet.annotate("best_frequency_hz", self.best_hz)
        self.sheets[self.sheet] = sheet

    @property
    def sheet(self) -> str:
        return self.params.populations[0]

    def rates_hz(self, frequency_hz: float) -> np.ndarray:
        """Rate of every afferent (Hz) while a tone of ``frequency_hz`` plays."""
        p = self.params
        octaves = np.log2(frequency_hz / self.best_hz) / p.tuning_octaves
        return np.asarray(p.baseline_rate_hz
                          + (p.peak_rate_hz - p.baseline_rate_hz) * np.exp(-0.5 * octaves**2))

    def present(self, stimulus: Stimulus, t_start_ms: float) -> None:
        frequency = getattr(stimulus.params, "frequency_hz", None)
        if not isinstance(stimulus, PureTone) or frequency is None:
            self.rest()  # a blank or a stimulus the cochlea does not hear
            return
        self.sheets[self.sheet].population.set(rate=self.rates_hz(float(frequency)))

    def rest(self) -> None:
        """Every afferent back at its baseline rate (silence)."""
        self.sheets[self.sheet].population.set(rate=self.params.baseline_rate_hz)
