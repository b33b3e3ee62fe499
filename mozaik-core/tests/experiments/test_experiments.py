"""Core's experiments: stimuli, trials, parameter validation (no simulator needed)."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest
from mozaik._errors import ConfigError, SimulationError
from mozaik.experiments import (
    CurrentInjectionParams,
    NoStimulation,
    NoStimulationParams,
    experiment_rng,
    select_cells,
    sheet_of,
)
from mozaik.stimulus import InternalStimulus
from mozaik.study import Study


class _Model:
    seed = 7
    name = "m"
    sheets: dict = {}


def test_no_stimulation_presents_one_internal_stimulus_per_trial() -> None:
    experiment = NoStimulation(NoStimulationParams(duration_ms=250.0, num_trials=3), _Model())
    stimuli = experiment.stimuli()
    assert [s.trial for s in stimuli] == [0, 1, 2]
    assert all(isinstance(s, InternalStimulus) and s.duration_ms == 250.0 for s in stimuli)
    assert len({s.identity() for s in stimuli}) == 1
    assert stimuli[0].identity().params["protocol"] == "NoStimulation"
    assert experiment.direct_stimulation == ()


def test_kick_params_are_checked_at_load(toy_study: Callable[..., Study]) -> None:
    text = """\
    name: bad
    sheets: {exc: {component: ToySheet}}
    experiments:
      - component: PoissonNetworkKick
        params: {duration_ms: 100.0, drive_period_ms: 150.0, sheets: [exc], rate_hz: 10.0,
                 weight_uS: 0.01, fraction: 1.5}
    """
    with pytest.raises(ConfigError) as info:
        toy_study(text=text)
    message = str(info.value)
    assert "experiments.0.params" in message and "fraction must be in (0, 1]" in message


def test_current_injection_params() -> None:
    p = CurrentInjectionParams(sheet="exc", amplitudes_nA=[0.1, 0.2], duration_ms=100.0,
                               onset_ms=20.0)
    assert p.amplitudes_nA == (0.1, 0.2) and p.step_length == 80.0
    assert CurrentInjectionParams(sheet="exc", amplitudes_nA=[1.0], duration_ms=100.0,
                                  onset_ms=20.0, step_duration_ms=500.0).step_length == 80.0
    with pytest.raises(ValueError, match="either cells"):
        CurrentInjectionParams(sheet="exc", cells=[1], num_cells=2, amplitudes_nA=[1.0],
                               duration_ms=10.0)
    with pytest.raises(ValueError, match="onset_ms"):
        CurrentInjectionParams(sheet="exc", amplitudes_nA=[1.0], duration_ms=10.0, onset_ms=10.0)


def test_select_cells() -> None:
    assert select_cells(4).tolist() == [0, 1, 2, 3]
    assert select_cells(10, cells=[5, 1, 5]).tolist() == [1, 5]
    rng = np.random.default_rng(0)
    chosen = select_cells(100, fraction=0.2, rng=rng)
    assert len(chosen) == 20 and list(chosen) == sorted(chosen)
    with pytest.raises(SimulationError, match="outside the sheet"):
        select_cells(3, cells=[3], where="experiments.1")
    with pytest.raises(SimulationError, match="cannot choose 5 cells"):
        select_cells(3, number=5)


def test_experiment_rng_depends_only_on_seed_and_labels() -> None:
    a = experiment_rng(_Model(), "CurrentInjection", "exc").integers(0, 1000, 5)
    b = experiment_rng(_Model(), "CurrentInjection", "exc").integers(0, 1000, 5)
    c = experiment_rng(_Model(), "CurrentInjection", "inh").integers(0, 1000, 5)
    assert a.tolist() == b.tolist() != c.tolist()


def test_unknown_sheet_names_the_place_and_the_sheets() -> None:
    model = _Model()
    model.sheets = {"exc": object(), "inh": object()}
    with pytest.raises(SimulationError, match=r"CurrentInjection: sheet 'v1'.*exc, inh"):
        sheet_of(model, "v1", "CurrentInjection")


def test_current_injection_identity_lists_cells_and_amplitude() -> None:
    from mozaik.experiments import CurrentInjection

    class Population:
        def __len__(self) -> int:
            return 10

        def __getitem__(self, index: object) -> object:
            return index

    class Sheet:
        population = Population()

    class FakeSim:
        class DCSource:
            def __init__(self, **kw: float) -> None:
                self.calls = [kw]

            def inject_into(self, cells: object) -> None:
                pass

            def set_parameters(self, **kw: float) -> None:
                self.calls.append(kw)

    class Model(_Model):
        sim = FakeSim
        sheets = {"exc": Sheet()}

    params = CurrentInjectionParams(sheet="exc", num_cells=3, amplitudes_nA=[0.5, 1.0],
                                    duration_ms=100.0, onset_ms=10.0, step_duration_ms=50.0,
                                    num_trials=2)
    experiment = CurrentInjection(params, Model())
    stimuli = experiment.stimuli()
    # trials are the outer loop: amplitudes interleave
    assert [(s.trial, s.params.direct_stimulation["amplitude_nA"]) for s in stimuli] == [
        (0, 0.5), (0, 1.0), (1, 0.5), (1, 1.0)]
    cells = json.loads(stimuli[0].identity().params["direct_stimulation.cells"])
    assert len(cells) == 3 and cells == sorted(cells)
    # the same seed chooses the same cells
    again = CurrentInjection(params, Model()).stimuli()[0].identity()
    assert again == stimuli[0].identity()
    # arming: the step starts at onset and lasts step_duration, with the stimulus's amplitude
    experiment.prepare(stimuli[1], 1000.0)
    source = experiment.current._source
    assert source.calls[-1] == {"start": 1010.0, "amplitude": 1.0}
    assert source.calls[-2] == {"stop": 1060.0}
    experiment.finish(stimuli[1])
    assert source.calls[-1] == {"amplitude": 0.0}


def test_step_current_runs_on_mock_and_names_a_backend_that_cannot(
        plugin_manager: object) -> None:
    import types

    from mozaik.config import SimulatorConfig
    from mozaik.experiments import StepCurrent
    from mozaik.model import CellParams, Model, PlacementParams, SheetParams

    model = Model(SimulatorConfig(backend="mock"), name="m")
    model.create_sheet("exc", SheetParams(cell=CellParams(model="IF_cond_exp"),
                                          placement=PlacementParams(n_neurons=4)))
    current = StepCurrent(model, "exc", [1, 3], amplitude=0.2)
    current.schedule(50.0, 20.0)
    assert current.window == {"start": 50.0, "stop": 70.0, "amplitude": 0.2}
    current.disarm()
    assert current.window["amplitude"] == 0.0
    model.run(10.0)  # mock runs with the source in place

    class Fixed:
        def set_parameters(self, **_: float) -> None:
            raise NotImplementedError

    current._sim = types.SimpleNamespace(__name__="pyNN.other")  # type: ignore[assignment]
    current._source = Fixed()
    with pytest.raises(SimulationError, match=r"StepCurrent: the pyNN\.other backend cannot "
                       r"change a current source's parameters .*simulator\.backend: nest"):
        current.schedule(0.0, 10.0)
