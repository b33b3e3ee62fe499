"""The settings sections of a study: the simulator and the controller (plain parameter classes,
structured like any component's parameters; the study layout lives in :mod:`mozaik.study`)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from mozaik.config._structure import ParameterError
from mozaik.config._validators import non_negative, positive

__all__ = ["MAX_THREADS", "ControllerConfig", "RunawayThreshold", "SimulatorConfig"]

#: The most NEST threads a study may ask for, on any machine. 10,000 threads make libgomp fail
#: ("Thread creation failed") and 100,000 crash NEST; the largest shared-memory nodes have a few
#: hundred hardware threads, so 1,024 leaves room for any real machine. The machine that runs a
#: study refuses more than :data:`mozaik.study.THREADS_PER_CORE_LIMIT` per core too.
MAX_THREADS = 1024


def _threads(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= MAX_THREADS:
        msg = (f"threads must be between 1 and {MAX_THREADS} (MAX_THREADS), got {value!r}; "
               "use at most one NEST thread per core of the machine")
        raise ParameterError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class SimulatorConfig:
    """Simulator setup.

    Parameters
    ----------
    backend : str
        PyNN backend module: ``nest`` (default) or ``mock`` (core's tests, no dynamics).
    time_step : float, ms
        Integration time step.
    min_delay : float, ms, optional
        Smallest synaptic delay; defaults to ``time_step``. Must be >= ``time_step``.
    max_delay : float, ms
        Largest synaptic delay.
    threads : int
        NEST threads per process (1 is fastest on small machines); at most
        :data:`MAX_THREADS`, and at most :data:`mozaik.study.THREADS_PER_CORE_LIMIT` per core
        of the machine that runs the study (more than its cores gives a warning).
    seed : int
        Master seed: every random draw of the model, the simulation and the experiments
        derives from it, unless one of the three streams below is given its own seed.
    model_seed : int, optional
        Seed of the network's identity: positions, connectivity, maps, parameter
        distributions (default: ``seed``).
    simulation_seed : int, optional
        Seed of the simulator's noise: NEST's random numbers (Poisson generators, noise
        sources, native connection rules' draws at run time) (default: ``seed``).
    experiment_seed : int, optional
        Seed of the experiments' own draws: which cells are kicked or injected, stimulus order,
        random stimuli (default: ``seed``).

    Notes
    -----
    Each stream derives its draws from its seed exactly as the single ``seed`` did, so a study
    giving only ``seed`` simulates the same spikes as before the streams were split.
    """

    backend: str = "nest"
    time_step: float = attrs.field(default=0.1, validator=positive)
    min_delay: float | None = None
    max_delay: float = attrs.field(default=10.0, validator=positive)
    threads: int = attrs.field(default=1, validator=_threads)
    seed: int = attrs.field(default=0, validator=non_negative)
    model_seed: int | None = attrs.field(default=None,
                                         validator=attrs.validators.optional(non_negative))
    simulation_seed: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(non_negative))
    experiment_seed: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(non_negative))

    @property
    def seeds(self) -> dict[str, int]:
        """The three streams' seeds, each its own or ``seed``: ``{"model", "simulation",
        "experiment"}``."""
        return {"model": self.seed if self.model_seed is None else self.model_seed,
                "simulation": (self.seed if self.simulation_seed is None
                               else self.simulation_seed),
                "experiment": (self.seed if self.experiment_seed is None
                               else self.experiment_seed)}

    def __attrs_post_init__(self) -> None:
        if self.min_delay is not None and self.min_delay < self.time_step:
            msg = (f"min_delay ({self.min_delay} ms) is below time_step ({self.time_step} ms); "
                   "delays cannot be shorter than one time step")
            raise ParameterError("min_delay", msg)
        if self.max_delay < (self.min_delay or self.time_step):
            msg = f"max_delay ({self.max_delay} ms) is below min_delay"
            raise ParameterError("max_delay", msg)

    @property
    def effective_min_delay(self) -> float:
        return self.time_step if self.min_delay is None else self.min_delay


@attrs.frozen(kw_only=True)
class RunawayThreshold:
    """When a sheet has run away: its mean rate over ``window_ms`` exceeds ``rate_hz``.

    Parameters
    ----------
    rate_hz : float, Hz
        Mean firing rate of the sheet's spike-recorded neurons above which the run stops.
    window_ms : float, ms
        Window over which the rate is measured (the controller checks at least once a
        window).
    """

    rate_hz: float = attrs.field(validator=positive)
    window_ms: float = attrs.field(default=100.0, validator=positive)


@attrs.frozen(kw_only=True)
class ControllerConfig:
    """How stimuli are presented.

    Parameters
    ----------
    null_stimulus_period : float, ms
        Blank period recorded (as a null segment) before each stimulus; 0 disables it.
    reset : bool
        Reset the network state between presentations (PyNN ``reset``) instead of a blank.
    progress_chunk_ms : float, ms
        Model time simulated per ``run`` call, so progress moves during long presentations
        (results do not depend on it); 0 simulates each presentation in one call.
    store_connections : bool
        Store every projection's connections as a ``Connections`` result
        (:func:`mozaik.model.connections_ads`) once the network is built, for connectivity
        plots and the run report's synapse counts.
    allow_large : bool
        Build the network even if its estimated memory (:func:`mozaik.study.estimate_size`)
        exceeds the machine's; ``mozaik run --allow-large`` does the same for one run.
    runaway : mapping of str to RunawayThreshold
        Per sheet, the rate over a window beyond which the network has run away ("exploded"):
        the run stops at the first check that finds it (see :mod:`mozaik.controller`).
    """

    null_stimulus_period: float = attrs.field(default=0.0, validator=non_negative)
    reset: bool = False
    progress_chunk_ms: float = attrs.field(default=100.0, validator=non_negative)
    store_connections: bool = False
    allow_large: bool = False
    runaway: Mapping[str, RunawayThreshold] = attrs.field(factory=dict)
