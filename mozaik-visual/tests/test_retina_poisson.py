"""The LGN's ``poisson`` output: rectified rates, Poisson spikes per presentation, NEST delivery."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from mozaik import ConfigError, SimulationError
from mozaik.config import ParameterError, SimulatorConfig
from mozaik.model import Model, RecorderParams
from mozaik.stimulus import NullStimulus, NullStimulusParams
from mozaik_visual.retina import RetinaLGN, RetinaLGNParams, SpikeDrive, draw_poisson_spikes
from mozaik_visual.space import VisualSpace, VisualSpaceParams
from mozaik_visual.stimuli import FullfieldDriftingSinusoidalGrating, GratingParams

SPACE = VisualSpace(VisualSpaceParams(size_deg=(6.0, 6.0), pixel_size_deg=0.1))
GRATING = FullfieldDriftingSinusoidalGrating(GratingParams(
    duration_ms=500.0, contrast_pct=100.0, spatial_frequency_cpd=0.5, temporal_frequency_hz=4.0))


def _lgn(backend: str = "mock", **params: object) -> RetinaLGN:
    model = Model(SimulatorConfig(backend=backend, seed=2, time_step=0.1), name="lgn")
    model.input_space = SPACE
    values = {"output": "poisson", "n_cells": 16, "size_deg": (1.0, 1.0), **params}
    return RetinaLGN("lgn", RetinaLGNParams(**values), model)  # type: ignore[arg-type]


def _spikes(lgn: RetinaLGN, sheet: str = "X_ON") -> tuple[np.ndarray, np.ndarray]:
    drive = lgn.drives[sheet]
    assert isinstance(drive, SpikeDrive)
    return drive.last["cells"], drive.last["times_ms"]


def test_poisson_counts_follow_the_rates_one_spike_per_cell_and_step() -> None:
    rates = np.array([[0.0, 0.0], [20.0, 80.0], [400.0, 400.0]])
    counts = np.zeros((3, 2))
    for seed in range(200):
        cells, steps = draw_poisson_spikes(rates, 50.0, 0.1, np.random.default_rng(seed))
        key = cells * 1000 + steps
        assert np.all(np.diff(key) > 0)  # sorted by cell then step, no step twice
        np.add.at(counts, (cells, steps // 500), 1)
    mean = counts / 200
    assert mean[0].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(mean[1], [1.0, 4.0], rtol=0.15)  # rate x 50 ms
    assert 19.0 < mean[2].mean() < 20.0  # 20 expected, minus the rare doubles in a 0.1 ms step


def test_rates_are_the_rectified_filtered_signal_on_and_off_opposite() -> None:
    lgn = _lgn(spontaneous_rate_hz=10.0, gain_hz=100.0)
    response = lgn.filter.temporal_step(lgn.spatial_response(GRATING))
    on, off = lgn.rates_hz(response, "X_ON"), lgn.rates_hz(response, "X_OFF")
    assert on.shape == (16, 50) and off.shape == (16, 50)
    assert on.min() == 0.0 and off.min() == 0.0 and on.max() > 25.0
    x = response[:, :16].T
    np.testing.assert_allclose(on, np.maximum(10.0 + 100.0 * x, 0.0), atol=1e-4)
    np.testing.assert_allclose(off, np.maximum(10.0 - 100.0 * response[:, 16:].T, 0.0),
                               atol=1e-4)
    blank = lgn.filter.temporal_step(lgn.spatial_response(
        NullStimulus(NullStimulusParams(duration_ms=1000.0))))
    np.testing.assert_allclose(lgn.rates_hz(blank, "X_ON")[:, -10:], 10.0, atol=1e-3)


def test_the_same_presentation_draws_the_same_spikes_whatever_came_before() -> None:
    first, second = _lgn(), _lgn()
    second.present(NullStimulus(NullStimulusParams(duration_ms=100.0)), 0.0)  # one more before
    for lgn in (first, second):
        lgn.reset()
        lgn.present(GRATING.with_trial(1), 300.0)
    a, b = _spikes(first), _spikes(second)
    assert len(a[1]) > 20
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    first.reset()
    first.present(GRATING.with_trial(2), 300.0)  # another trial: other spikes
    assert not np.array_equal(_spikes(first)[1], b[1])
    first.reset()
    first.present(GRATING.with_trial(1), 300.0)
    np.testing.assert_array_equal(_spikes(first)[1], b[1])
    assert b[1].min() >= 300.0 + first.drives["X_ON"].lag_ms  # type: ignore[union-attr]


def test_poisson_output_bad_parameters() -> None:
    with pytest.raises(ParameterError, match="gain_hz"):
        RetinaLGNParams(output="poisson", gain_hz=-1.0)
    with pytest.raises(ParameterError, match="spontaneous_rate_hz"):
        RetinaLGNParams(spontaneous_rate_hz=float("inf"))
    model = Model(SimulatorConfig(backend="mock", seed=2, time_step=0.3), name="lgn")
    model.input_space = SPACE
    with pytest.raises(ConfigError, match=r"time_step=0.3 ms must divide .*frame_interval_ms"):
        RetinaLGN("lgn", RetinaLGNParams(output="poisson"), model)
    with pytest.raises(ConfigError, match=r"no 'v' to record.*sensory_input.params.recorders.0"):
        _lgn(recorders=(RecorderParams(variables=("v",), neurons="all"),))


@pytest.mark.nest
def test_nest_records_exactly_the_drawn_spikes_across_presentations_and_a_reset() -> None:
    """The spike generators send every drawn spike once, at its time, also those the lag
    carries past a presentation's end and after a network reset (PyNN's time offset); the
    blank's rate is the spontaneous rate. About 3 s."""
    lgn = _lgn("nest", n_cells=25, recorders=(RecorderParams(variables=("spikes",),
                                                                neurons="all"),))
    model = lgn.model
    model.sensory_input = lgn
    for sheet in lgn.sheets.values():
        model.add_sheet(sheet)
    drawn: dict[str, list[np.ndarray]] = {name: [] for name in lgn.sheets}
    recorded: dict[str, list[np.ndarray]] = {name: [] for name in lgn.sheets}

    def show(stimulus: NullStimulus | FullfieldDriftingSinusoidalGrating) -> None:
        lgn.present(stimulus, model.time)
        for name in lgn.sheets:
            cells, times = _spikes(lgn, name)
            drawn[name].append(np.column_stack([cells, times]))
        model.run(stimulus.duration_ms)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            segments = model.collect()
        for name, segment in segments.items():
            recorded[name] += [np.column_stack([np.full(len(t), i), np.asarray(t.magnitude)])
                               for i, t in enumerate(segment.spiketrains)]

    show(NullStimulus(NullStimulusParams(duration_ms=500.0)))
    blank_rate = sum(len(drawn[name][0]) for name in lgn.sheets) / 50 / 0.5
    show(GRATING)
    model.reset()  # drops what NEST would record after the last collect (the lag's tail)
    lgn.reset()
    show(GRATING.with_trial(1))
    show(NullStimulus(NullStimulusParams(duration_ms=10.0)))
    assert blank_rate == pytest.approx(lgn.params.spontaneous_rate_hz, rel=0.25)
    # PyNN's clock: 0-500-1000 ms, reset, 0-500-510 ms; recorded until each collect before a
    # reset and the last one, the lag's tail included between windows
    ends = [1000.0, 1000.0, 510.0, 510.0]
    for name in lgn.sheets:
        expected = sorted((int(c), round(float(t), 6)) for window, end in zip(
            drawn[name], ends, strict=True) for c, t in window if t < end)
        got = sorted((int(c), round(float(t), 6))
                     for rows in recorded[name] for c, t in rows)
        assert len(expected) > 50
        assert got == expected


@pytest.mark.parametrize(("drive", "named"), [
    ("CurrentDrive", "current output drives its cells with NEST's native current generators"),
    ("SpikeDrive", "poisson output uses NEST's spike_train_injector")])
def test_a_backend_other_than_nest_is_refused_naming_the_output(drive: str, named: str) -> None:
    import types

    import mozaik_visual.retina as retina

    model = types.SimpleNamespace(sim=types.ModuleType("pyNN.neuron"))
    population = types.SimpleNamespace(size=4)
    with pytest.raises(SimulationError, match=f"X_ON: the retina/LGN's {named}; backend "
                                              "'pyNN.neuron' is not supported, use "
                                              "simulator.backend: nest"):
        getattr(retina, drive)(model, population, where="X_ON")
