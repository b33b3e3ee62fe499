"""Templates of ``mozaik plugin new`` for workflow kinds: analysis, stimulus, experiment, plot,
backend.

Each template is plain text with the tokens ``__P__`` (the CamelCase prefix of the component
names), ``__PKG__`` (the import package) and ``__DIST__`` (the distribution) that
:mod:`mozaik.cli._scaffold` replaces. The generated code uses mozaik-core's public API only.
"""

from __future__ import annotations

from mozaik.cli._scaffold_kinds import CELL, KindTemplate, Registration

__all__ = ["WORKFLOW_KINDS"]

_KICKED_SHEET = f"""\
sheets:
  exc:
    component: Sheet
    params:
      cell: {{model: IF_cond_exp, params: {CELL}}}
      placement: {{kind: grid, size_um: [200.0, 200.0], n_neurons: 25}}
      recorders: [{{variables: [spikes], neurons: all}}]
experiments:
  - {{component: PoissonNetworkKick, params: {{duration_ms: 100.0, drive_period_ms: 50.0,
      sheets: [exc], rate_hz: 300.0, weight_uS: 0.02}}}}
"""

_ANALYSIS = '''\
"""__P__MeanRate: the mean firing rate of one sheet, for every stimulus."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import pyarrow.compute as pc
import quantities as pq
from mozaik import AnalysisError
from mozaik.ads import AnalysisDataStructure, SingleValue
from mozaik.analysis import Analysis
from mozaik.datastore import DataStoreView, param_filter_query
from mozaik.stimulus import StimulusIdentity

__all__ = ["__P__MeanRate", "__P__MeanRateParams"]


@attrs.frozen(kw_only=True)
class __P__MeanRateParams:
    """Parameters of :class:`__P__MeanRate`.

    Parameters
    ----------
    sheet : str
        The sheet whose spikes are counted.
    """

    sheet: str


class __P__MeanRate(Analysis[__P__MeanRateParams]):
    """Mean firing rate (Hz) over the neurons of ``sheet``, one SingleValue per stimulus."""

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        sheet = self.params.sheet
        view = param_filter_query(view, sheet_name=sheet, is_null=False)
        if sheet not in view.sheets() or not view.n_segments:
            msg = (f"__P__MeanRate: no recordings of sheet {sheet!r} in the view; check "
                   "params.sheet and that the sheet records spikes")
            raise AnalysisError(msg)
        spikes = view.spike_arrays(sheet)
        n_neurons = len(view.neuron_ids(sheet))
        index = view.segment_index
        results: list[AnalysisDataStructure] = []
        for text in sorted(set(index["stimulus_id"].to_pylist())):
            rows = index.filter(pc.equal(index["stimulus_id"], text))
            seconds = float(pc.sum(pc.subtract(rows["t_stop"], rows["t_start"])).as_py()) / 1e3
            count = int(np.isin(spikes.segment_id, rows["segment_id"].to_numpy()).sum())
            results.append(SingleValue(
                analysis_algorithm="__P__MeanRate", sheet_name=sheet,
                stimulus_id=StimulusIdentity.from_string(text),
                value=count / max(n_neurons, 1) / seconds,
                value_name="Mean(firing rate)", value_units=pq.Hz))
        return results
'''

_STIMULUS = '''\
"""A current pulse as a stimulus (__P__Pulse), and the experiment presenting it
(__P__Pulses)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import attrs
from mozaik.config import positive
from mozaik.experiments import Experiment, StepCurrent, sheet_of
from mozaik.stimulus import Stimulus

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = [
    "__P__Pulse",
    "__P__PulseParams",
    "__P__Pulses",
    "__P__PulsesParams",
]


@attrs.frozen(kw_only=True)
class __P__PulseParams:
    """Parameters of :class:`__P__Pulse`.

    Parameters
    ----------
    amplitude_nA : float, nA
        The injected current.
    duration_ms : float, ms
        Length of the presentation.
    """

    amplitude_nA: float
    duration_ms: float = attrs.field(default=100.0, validator=positive)


class __P__Pulse(Stimulus[__P__PulseParams]):
    """A current pulse of ``amplitude_nA`` lasting the whole presentation."""

    name: ClassVar[str] = "__P__Pulse"
    __slots__ = ()


@attrs.frozen(kw_only=True)
class __P__PulsesParams:
    """Parameters of :class:`__P__Pulses`.

    Parameters
    ----------
    sheet : str
        The sheet whose cells receive the pulses (every cell).
    amplitudes_nA : list of float, nA
        One pulse per amplitude.
    duration_ms : float, ms
        Length of each pulse.
    """

    sheet: str
    amplitudes_nA: tuple[float, ...] = attrs.field(default=(0.5, 1.0), converter=tuple)
    duration_ms: float = attrs.field(default=100.0, validator=positive)


class __P__Pulses(Experiment[__P__PulsesParams]):
    """Presents one :class:`__P__Pulse` per amplitude to every cell of ``sheet``."""

    def __init__(self, params: __P__PulsesParams, model: Model) -> None:
        super().__init__(params, model)
        where = f"__P__Pulses (sheet {params.sheet!r})"
        size = len(sheet_of(model, params.sheet, where).population)
        self.current = StepCurrent(model, params.sheet, range(size), where=where)
        self.direct_stimulation = [self.current]

    def stimuli(self) -> list[Stimulus]:
        duration = self.params.duration_ms
        return [__P__Pulse(__P__PulseParams(amplitude_nA=a, duration_ms=duration))
                for a in self.params.amplitudes_nA]

    def prepare(self, stimulus: Stimulus, t_start: float) -> None:
        self.current.schedule(t_start, stimulus.duration_ms,
                              amplitude=stimulus.params.amplitude_nA)
'''

_EXPERIMENT = '''\
"""__P__CurrentSteps: current steps of rising amplitude into a few cells of one sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
from mozaik.config import positive
from mozaik.experiments import Experiment, StepCurrent, sheet_of
from mozaik.stimulus import InternalStimulus, InternalStimulusParams, Stimulus

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["__P__CurrentSteps", "__P__CurrentStepsParams"]


@attrs.frozen(kw_only=True)
class __P__CurrentStepsParams:
    """Parameters of :class:`__P__CurrentSteps`.

    Parameters
    ----------
    sheet : str
        The injected sheet.
    n_cells : int
        The first ``n_cells`` cells of the sheet receive the current.
    first_nA, step_nA : float, nA
        Amplitude of the first step, and the increment from one step to the next.
    n_steps : int
        Number of steps (one presentation each).
    duration_ms : float, ms
        Length of each presentation.
    """

    sheet: str
    n_cells: int = 4
    first_nA: float = 0.2
    step_nA: float = 0.2
    n_steps: int = 3
    duration_ms: float = attrs.field(default=100.0, validator=positive)


class __P__CurrentSteps(Experiment[__P__CurrentStepsParams]):
    """A staircase of current steps, one presentation per amplitude."""

    def __init__(self, params: __P__CurrentStepsParams, model: Model) -> None:
        super().__init__(params, model)
        where = f"__P__CurrentSteps (sheet {params.sheet!r})"
        size = len(sheet_of(model, params.sheet, where).population)
        self.current = StepCurrent(model, params.sheet, range(min(params.n_cells, size)),
                                   where=where)
        self.direct_stimulation = [self.current]

    def amplitudes_nA(self) -> list[float]:
        p = self.params
        return [p.first_nA + i * p.step_nA for i in range(p.n_steps)]

    def stimuli(self) -> list[Stimulus]:
        return [InternalStimulus(InternalStimulusParams(
                    duration_ms=self.params.duration_ms, protocol="__P__CurrentSteps",
                    direct_stimulation={"sheet": self.params.sheet, "amplitude_nA": a}))
                for a in self.amplitudes_nA()]

    def prepare(self, stimulus: Stimulus, t_start: float) -> None:
        amplitude = float(stimulus.params.direct_stimulation["amplitude_nA"])
        self.current.schedule(t_start, self.params.duration_ms, amplitude=amplitude)
'''

_PLOT = '''\
"""__P__Raster: a spike raster of one sheet as an SVG file (no plotting library needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs
from mozaik.datastore import DataStoreView, param_filter_query
from mozaik.plot import Plot

__all__ = ["__P__Raster", "__P__RasterParams"]


@attrs.frozen(kw_only=True)
class __P__RasterParams:
    """Parameters of :class:`__P__Raster`.

    Parameters
    ----------
    sheet : str
        The sheet whose spikes are drawn.
    width_px : int
        Width of the figure in pixels.
    """

    sheet: str
    width_px: int = 400


class __P__Raster(Plot[__P__RasterParams]):
    """All spikes of ``sheet`` (first presentation), one row per neuron, as SVG."""

    def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
        sheet = self.params.sheet
        view = param_filter_query(view, sheet_name=sheet, is_null=False)
        if sheet not in view.sheets() or not view.n_segments:
            return []
        spikes = view.spike_arrays(sheet)
        if not len(spikes.times):
            return []
        first = spikes.segment_id == spikes.segment_id.min()
        times, neurons = spikes.times[first] - spikes.times[first].min(), spikes.neuron[first]
        scale = self.params.width_px / max(float(times.max()), 1.0)
        dots = "".join(f'<rect x="{t * scale:.1f}" y="{2 * n}" width="1" height="2"/>'
                       for t, n in zip(times, neurons, strict=True))
        height = 2 * (int(neurons.max()) + 1)
        svg = path.with_suffix(".svg")  # next to the path given, and returned: the workflow
        # records it relative to the run directory, whatever the current directory
        svg.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.params.width_px}" '
                       f'height="{height}">{dots}</svg>\\n')
        return [svg]
'''

_BACKEND = '''\
"""__P__Backend: runs a study in this process and writes a line of timing to a log file."""

from __future__ import annotations

import time
from pathlib import Path

import attrs
from mozaik.backends import Backend, LocalBackend, LocalBackendParams, RunOptions
from mozaik.controller import RunSummary
from mozaik.study import Study

__all__ = ["__P__Backend", "__P__BackendParams"]


@attrs.frozen(kw_only=True)
class __P__BackendParams:
    """Parameters of :class:`__P__Backend`.

    Parameters
    ----------
    log_name : str
        File (inside the run directory) that receives one line per run: the wall time in s.
    """

    log_name: str = "timing.txt"


class __P__Backend(Backend[__P__BackendParams]):
    """Runs the study with core's LocalBackend and records its wall time."""

    def run(self, study: Study, run_dir: Path, options: RunOptions | None = None) -> RunSummary:
        start = time.perf_counter()
        summary = LocalBackend(LocalBackendParams()).run(study, run_dir, options)
        with (Path(run_dir) / self.params.log_name).open("a") as log:
            log.write(f"{time.perf_counter() - start:.3f} s\\n")
        return summary
'''

WORKFLOW_KINDS: dict[str, KindTemplate] = {
    "analysis": KindTemplate(
        module=_ANALYSIS,
        registrations=(Registration("analyses", "__P__MeanRate",
                                    "mean firing rate of a sheet per stimulus (Hz)"),),
        tests='''\
class Test__P__MeanRate(AnalysisContract):
    name = "__P__MeanRate"
    example_params = {"sheet": "exc"}
''',
        contracts=("AnalysisContract",),
        study=_KICKED_SHEET + "analyses:\n  - {component: __P__MeanRate, params: {sheet: exc}}\n"),
    "stimulus": KindTemplate(
        module=_STIMULUS,
        registrations=(Registration("stimuli", "__P__Pulse", "a current pulse (nA)"),
                       Registration("experiments", "__P__Pulses",
                                    "one current pulse per amplitude")),
        tests='''\
class Test__P__Pulse(StimulusContract):
    name = "__P__Pulse"
    example_params = {"amplitude_nA": 0.5}


class Test__P__Pulses(ExperimentContract):
    name = "__P__Pulses"
    example_params = {"sheet": "exc"}
''',
        contracts=("ExperimentContract", "StimulusContract"),
        study=_KICKED_SHEET + "  - {component: __P__Pulses, params: {sheet: exc, "
                              "amplitudes_nA: [0.3, 0.6], duration_ms: 50.0}}\n"),
    "experiment": KindTemplate(
        module=_EXPERIMENT,
        registrations=(Registration("experiments", "__P__CurrentSteps",
                                    "current steps of rising amplitude"),),
        tests='''\
class Test__P__CurrentSteps(ExperimentContract):
    name = "__P__CurrentSteps"
    example_params = {"sheet": "exc", "n_steps": 2}
''',
        contracts=("ExperimentContract",),
        study=_KICKED_SHEET + "  - {component: __P__CurrentSteps, params: {sheet: exc, "
                              "n_steps: 2, duration_ms: 50.0}}\n"),
    "plot": KindTemplate(
        module=_PLOT,
        registrations=(Registration("plots", "__P__Raster", "spike raster of a sheet (SVG)"),),
        tests='''\
class Test__P__Raster(PlotContract):
    name = "__P__Raster"
    example_params = {"sheet": "exc"}
''',
        contracts=("PlotContract",),
        study=_KICKED_SHEET + "plots:\n  - {component: __P__Raster, params: {sheet: exc}}\n"),
    "backend": KindTemplate(
        module=_BACKEND,
        registrations=(Registration("backends", "__P__Backend",
                                    "runs in this process and logs the wall time"),),
        tests='''\
class Test__P__Backend(BackendContract):
    name = "__P__Backend"
''',
        contracts=("BackendContract",),
        study=_KICKED_SHEET + "backend: {component: __P__Backend, params: {}}\n"),
}
