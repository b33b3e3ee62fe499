"""The retina/LGN model: ON and OFF X-cell sheets driven by the linear filter of the scene."""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Literal

import attrs
import numpy as np
from mozaik import ConfigError
from mozaik.config import non_negative, whole_number
from mozaik.experiments import experiment_rng
from mozaik.model import CellParams, RecorderParams, SensoryInput, Sheet
from mozaik.stimulus import Stimulus

from mozaik_visual.retina._drive import (
    CurrentDrive,
    SpikeDrive,
    draw_poisson_spikes,
    spike_source_type,
)
from mozaik_visual.retina._filters import (
    GainControlParams,
    LinearFilter,
    ReceptiveFieldParams,
    TemporalKernelParams,
)
from mozaik_visual.space import VisualRegion, VisualSpace

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["RetinaLGN", "RetinaLGNParams"]

#: The ``poisson`` output's defaults, calibrated against the ``current`` output's default IF
#: cells (benchmarks/visual/lgn_calibration.py): their rate at no signal, and their rate's
#: slope against the filtered signal over the range gratings drive.
SPONTANEOUS_RATE_HZ = 11.3
GAIN_HZ = 141.0


def _default_cell() -> CellParams:
    # current-based: LGN cells receive only injected current, and NEST's iaf_psc_exp integrates
    # exactly (its conductance-based models call GSL's ODE solver, ~10x slower here)
    return CellParams(model="IF_curr_exp", params={"tau_refrac": 2.0, "v_thresh": -50.0,
                                                   "v_rest": -65.0, "v_reset": -65.0,
                                                   "tau_m": 20.0, "cm": 1.0})


@attrs.frozen(kw_only=True)
class RetinaLGNParams:
    """Parameters of the retina/LGN.

    Parameters
    ----------
    populations : (str, str)
        Names of the ON and the OFF sheet.
    x_deg, y_deg : float, deg
        Centre of the region the cells tile.
    size_deg : (float, float), deg
        Width and height of that region (inside the visual field).
    n_cells : int
        Cells per sheet.
    placement : "grid" or "random"
        A square-ish grid over the region (the same for ON and OFF), or uniform at random
        (seeded, each sheet its own).
    um_per_deg : float, um/deg
        Scale of the sheets' ``positions_um`` (visual position times this); the annotations
        ``x_deg`` and ``y_deg`` give the position in the visual field.
    output : "current" or "poisson"
        What the cells are. ``current``: integrate-and-fire cells (``cell``) driven by a
        current, ``bias_nA + gain_nA x`` plus white noise, where ``x`` is the filtered signal.
        ``poisson``: a linear-nonlinear-Poisson (LNP) model, spike sources firing Poisson
        spikes at the rectified rate ``max(0, spontaneous_rate_hz + gain_hz x)`` (each
        presentation's spikes drawn from the simulation seed stream and the presentation),
        sent by NEST ``spike_train_injector`` nodes; ``cell``, ``bias_nA``, ``gain_nA`` and the
        noise are then unused, and the cells record only ``spikes``.
    cell : CellParams
        The PyNN cell model (current-injectable) of the ``current`` output.
    receptive_field : ReceptiveFieldParams
        The spatial filter: a difference of Gaussians (see :mod:`mozaik_visual.retina`).
    temporal_kernel : TemporalKernelParams
        The biphasic temporal filter.
    gain_control : GainControlParams
        The contrast gain control dividing the linear response.
    bias_nA : float, nA
        Constant current every cell receives (sets the spontaneous rate with the noise).
    gain_nA : float, nA
        Current per unit of filtered Weber contrast (ON: +, OFF: -).
    noise_std_nA : float, nA
        Standard deviation of the white noise current, redrawn every ``noise_dt_ms``
        independently for every cell and presentation (repeated trials differ only by it).
    noise_dt_ms : float, ms
        Must divide the visual space's frame interval.
    spontaneous_rate_hz : float, Hz
        ``poisson`` output: the rate without a signal (``x = 0``, the background).
    gain_hz : float, Hz
        ``poisson`` output: rate per unit of filtered Weber contrast (ON: +, OFF: -), before
        the rectification at 0 Hz. The defaults match the ``current`` output's default cells
        (benchmarks/visual/README.md, "Calibrating the poisson output").
    cache_size : int
        Stimuli whose spatial responses are kept, so repeated trials are filtered once.
    recorders : tuple of RecorderParams
        What each sheet records.
    """

    populations: tuple[str, str] = ("X_ON", "X_OFF")
    x_deg: float = 0.0
    y_deg: float = 0.0
    size_deg: tuple[float, float] = (4.0, 4.0)
    n_cells: int = attrs.field(default=100, validator=whole_number(1))
    placement: Literal["grid", "random"] = "grid"
    output: Literal["current", "poisson"] = "current"
    um_per_deg: float = 1000.0
    cell: CellParams = attrs.field(factory=_default_cell)
    receptive_field: ReceptiveFieldParams = attrs.field(factory=ReceptiveFieldParams)
    temporal_kernel: TemporalKernelParams = attrs.field(factory=TemporalKernelParams)
    gain_control: GainControlParams = attrs.field(factory=GainControlParams)
    bias_nA: float = 0.7
    gain_nA: float = 2.0
    noise_std_nA: float = 0.5
    noise_dt_ms: float = 1.0
    spontaneous_rate_hz: float = attrs.field(default=SPONTANEOUS_RATE_HZ, validator=non_negative)
    gain_hz: float = attrs.field(default=GAIN_HZ, validator=non_negative)
    cache_size: int = 16
    recorders: tuple[RecorderParams, ...] = ()


def _grid(n: int, width: float, height: float) -> np.ndarray:
    cols = max(1, round(float(np.sqrt(n * width / height))))
    rows = int(np.ceil(n / cols))
    x = (np.arange(cols) + 0.5) / cols * width - width / 2
    y = (np.arange(rows) + 0.5) / rows * height - height / 2
    xx, yy = np.meshgrid(x, y)
    return np.column_stack([xx.ravel(), yy.ravel()])[:n]


class RetinaLGN(SensoryInput[RetinaLGNParams]):
    """ON and OFF X cells of the LGN, each a DoG x biphasic filter of the scene.

    Every presentation (and every blank, drawn at the background luminance) is rendered by the
    visual space, filtered for all cells at once and, with the ``current`` output, injected as
    one step current per cell and frame, plus independent noise; with the ``poisson`` output
    (linear-nonlinear-Poisson), turned into rectified rates whose Poisson spikes NEST
    ``spike_train_injector`` nodes send. The filter keeps its history across presentations, so
    a response started in one carries on into the next.
    """

    @classmethod
    def expected_sizes(cls, params: RetinaLGNParams) -> dict[str, int]:
        """Neurons per population before they are built (``n_cells`` each), for the size check
        of :func:`mozaik.study.estimate_size`."""
        return {name: int(params.n_cells) for name in params.populations}

    def __init__(self, name: str, params: RetinaLGNParams, model: Model) -> None:
        super().__init__(name, params, model)
        space = model.input_space
        if not isinstance(space, VisualSpace):
            msg = (f"sensory input {name!r}: RetinaLGN needs the VisualSpace input space "
                   f"(input_space.component: VisualSpace), got {type(space).__name__}")
            raise ConfigError(msg)
        self.space = space
        region = VisualRegion(x_deg=params.x_deg, y_deg=params.y_deg,
                              width_deg=params.size_deg[0], height_deg=params.size_deg[1])
        if not space.region.contains(region):
            msg = (f"sensory input {name!r}: size_deg {params.size_deg} around ({params.x_deg}, "
                   f"{params.y_deg}) deg reaches outside the visual field "
                   f"{space.params.size_deg}; make the LGN smaller or the field larger")
            raise ConfigError(msg)
        for i, recorder in enumerate(params.recorders):
            extra = sorted(set(recorder.variables) - {"spikes"})
            if params.output == "poisson" and extra:
                msg = (f"sensory input {name!r}: output poisson makes spike sources, which have "
                       f"no {', '.join(map(repr, extra))} to record; record only spikes "
                       f"(sensory_input.params.recorders.{i}.variables) or use output current")
                raise ConfigError(msg)
        sim = model.sim
        self.drives: dict[str, CurrentDrive | SpikeDrive] = {}
        self.signs: dict[str, float] = {}
        positions = []
        for sheet_name, sign in zip(params.populations, (1.0, -1.0), strict=True):
            xy = self._place(sheet_name, model)
            if params.output == "poisson":
                cell = spike_source_type(sim)
            else:
                cell = getattr(sim, params.cell.model)(**dict(params.cell.params))
            population = sim.Population(params.n_cells, cell, label=sheet_name)
            sheet = Sheet.from_population(sheet_name, model, population,
                                          xy * params.um_per_deg, params.recorders)
            sheet.annotate("x_deg", xy[:, 0])
            sheet.annotate("y_deg", xy[:, 1])
            sheet.annotate("polarity", np.full(params.n_cells, "ON" if sign > 0 else "OFF"))
            self.sheets[sheet_name] = sheet
            self.signs[sheet_name] = sign
            where = f"sensory input {name!r} {sheet_name}"
            self.drives[sheet_name] = (SpikeDrive(model, population, where=where)
                                       if params.output == "poisson"
                                       else CurrentDrive(model, population, where=where))
            positions.append(xy)
        xy = np.concatenate(positions)
        rows, cols = space.region.to_pixel(xy[:, 0], xy[:, 1], space.params.pixel_size_deg)
        self.filter = LinearFilter(rows, cols, params.receptive_field, params.temporal_kernel,
                                   params.gain_control, pixel_size_deg=space.params.pixel_size_deg,
                                   frame_interval_ms=space.params.frame_interval_ms)
        steps = space.params.frame_interval_ms / params.noise_dt_ms
        if abs(steps - round(steps)) > 1e-6 or round(steps) < 1:
            msg = (f"sensory input {name!r}: noise_dt_ms={params.noise_dt_ms} must divide the "
                   f"visual space's frame_interval_ms={space.params.frame_interval_ms}")
            raise ConfigError(msg)
        self._noise_steps = round(steps)
        per_step = space.params.frame_interval_ms / float(sim.get_time_step())
        if params.output == "poisson" and abs(per_step - round(per_step)) > 1e-6:
            msg = (f"sensory input {name!r}: output poisson draws spikes on the simulator's "
                   f"time grid, so simulator.time_step={float(sim.get_time_step())} ms must "
                   "divide the visual space's frame_interval_ms="
                   f"{space.params.frame_interval_ms}; change one of them")
            raise ConfigError(msg)
        # per-presentation noise: the simulation stream (simulator.simulation_seed)
        self._seed = int(getattr(model, "simulation_seed", getattr(model, "seed", 0)))
        #: Presentations (blanks included) shown so far: each draws its own noise.
        self.n_presented = 0
        self._cache: collections.OrderedDict[str, np.ndarray] = collections.OrderedDict()
        #: How many presentations were filtered, and how many came from the cache.
        self.n_filtered = 0
        self.n_cached = 0

    def _place(self, sheet_name: str, model: Model) -> np.ndarray:
        p = self.params
        width, height = p.size_deg
        if p.placement == "grid":
            xy = _grid(p.n_cells, width, height)
        else:
            # where the cells sit is the network's identity: the model stream
            rng = experiment_rng(model, "RetinaLGN", sheet_name, stream="model")
            xy = rng.uniform(-0.5, 0.5, size=(p.n_cells, 2)) * np.array([width, height])
        return xy + np.array([p.x_deg, p.y_deg])

    def _key(self, stimulus: Stimulus) -> str:
        if type(stimulus).name in ("Null", "InternalStimulus", "Blank"):
            return f"blank:{stimulus.duration_ms}"
        return stimulus.identity().to_string()

    def spatial_response(self, stimulus: Stimulus) -> np.ndarray:
        """Spatial responses (frames, all cells) to the stimulus, from the cache if seen."""
        key = self._key(stimulus)
        if key in self._cache:
            self._cache.move_to_end(key)
            self.n_cached += 1
            return self._cache[key]
        if type(stimulus).name == "InternalStimulus":
            frames = self.space.background(self.space.n_frames(stimulus.duration_ms))
        else:
            frames = self.space.render(stimulus)
        background = self.space.params.background_luminance_cd_m2
        response = self.filter.spatial((frames - background) / background)
        self.n_filtered += 1
        self._cache[key] = response
        if len(self._cache) > self.params.cache_size:
            self._cache.popitem(last=False)
        return response

    def present(self, stimulus: Stimulus, t_start_ms: float) -> None:
        """Filter the stimulus for every cell and set the cells' currents (or spikes) for its
        duration."""
        response = self.filter.temporal_step(self.spatial_response(stimulus))
        if self.params.output == "poisson":
            self._present_spikes(stimulus, response, t_start_ms)
            return
        p, start = self.params, 0
        n_steps = response.shape[0] * self._noise_steps
        times = t_start_ms + np.arange(n_steps) * p.noise_dt_ms
        # fresh noise for every presentation (a repeated trial too), reproducible in a replay
        rng = np.random.default_rng([self._seed, self.n_presented, 7])
        self.n_presented += 1
        for sheet_name, sheet in self.sheets.items():
            part = np.repeat(response[:, start:start + sheet.size].T, self._noise_steps, axis=1)
            start += sheet.size
            currents = p.bias_nA + self.signs[sheet_name] * p.gain_nA * part
            if p.noise_std_nA > 0:
                currents += rng.normal(0.0, p.noise_std_nA, size=currents.shape)
            drive = self.drives[sheet_name]
            assert isinstance(drive, CurrentDrive)
            drive.set_window(times, currents)

    def rates_hz(self, response: np.ndarray, sheet_name: str) -> np.ndarray:
        """The ``poisson`` output's rates (cells, frames; Hz) of one sheet for the filtered
        ``response`` (frames, all cells) of :meth:`LinearFilter.temporal_step`."""
        names = list(self.sheets)
        start = sum(self.sheets[n].size for n in names[:names.index(sheet_name)])
        part = response[:, start:start + self.sheets[sheet_name].size].T.astype(np.float64)
        p = self.params
        return np.maximum(p.spontaneous_rate_hz + self.signs[sheet_name] * p.gain_hz * part, 0.0)

    def _present_spikes(self, stimulus: Stimulus, response: np.ndarray,
                        t_start_ms: float) -> None:
        # the presentation's own stream: the same stimulus, trial and start time draw the same
        # spikes (a replay in a resumed run too), whatever was presented before
        rng = experiment_rng(self.model, "RetinaLGN", self.name, self._key(stimulus),
                             f"trial {stimulus.trial}", f"{t_start_ms:.6f} ms",
                             stream="simulation")
        self.n_presented += 1
        frame_ms = self.space.params.frame_interval_ms
        dt_ms = float(self.model.sim.get_time_step())
        for sheet_name in self.sheets:
            cells, steps = draw_poisson_spikes(self.rates_hz(response, sheet_name), frame_ms,
                                               dt_ms, rng)
            drive = self.drives[sheet_name]
            assert isinstance(drive, SpikeDrive)
            drive.set_window(t_start_ms, cells, steps)

    def reset(self) -> None:
        """After a network reset: the filter forgets what was shown before."""
        self.filter.reset()

    def describe(self) -> dict[str, bool | int | float | str]:
        p = self.params
        return {"sheets": ", ".join(p.populations), "n_cells": p.n_cells, "output": p.output,
                "centre_sigma_deg": p.receptive_field.centre_sigma_deg,
                "surround_sigma_deg": p.receptive_field.surround_sigma_deg}
