"""Per-neuron current injection (PerNeuronCurrent): the seam, its contract, and NEST runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from mozaik import MozaikError
from mozaik.controller import run_study
from mozaik.datastore import DataStore, param_filter_query
from mozaik.experiments import (
    INJECTED_CURRENT,
    Experiment,
    InjectedCurrent,
    PerNeuronCurrent,
)
from mozaik.model import Model
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.stimulus import InternalStimulus, InternalStimulusParams, Stimulus
from mozaik.study import Study
from mozaik.testing import ExperimentContract, register_components
from study_helpers import sorted_signals, study_loader


@attrs.frozen(kw_only=True)
class RampParams:
    """Each chosen cell k gets (k + 1) * scale nA for the first ``on_ms`` of a stimulus."""

    sheet: str = "exc"
    cells: tuple[int, ...] = attrs.field(default=(1, 3, 5), converter=tuple)
    scales_nA: tuple[float, ...] = attrs.field(default=(0.1, 0.3), converter=tuple)
    duration_ms: float = 60.0
    on_ms: float = 30.0
    dt_ms: float = 1.0
    #: A broken stimulator for the contract test: it reports cells it did not inject into.
    misreport: bool = False


class _Misreporting(PerNeuronCurrent):
    def injected(self) -> InjectedCurrent | None:
        last = super().injected()
        if last is None:
            return None
        return attrs.evolve(last, cells=last.cells + 1000)


class Ramp(Experiment[RampParams]):
    def __init__(self, params: RampParams, model: Model) -> None:
        super().__init__(params, model)
        kind = _Misreporting if params.misreport else PerNeuronCurrent
        self.current = kind(model, params.sheet, params.cells, where="Ramp")
        self.direct_stimulation = [self.current]

    def stimuli(self) -> list[Stimulus]:
        return [InternalStimulus(InternalStimulusParams(
            duration_ms=self.params.duration_ms, protocol="Ramp",
            direct_stimulation={"scale_nA": scale}), trial=0) for scale in self.params.scales_nA]

    def waveform(self, scale: float) -> np.ndarray:
        p = self.params
        n = round(p.on_ms / p.dt_ms)
        per_cell = scale * np.arange(1, len(p.cells) + 1, dtype=float)
        return np.repeat(per_cell[:, None], n, axis=1)

    def prepare(self, stimulus: Stimulus, t_start: float) -> None:
        assert isinstance(stimulus.params, InternalStimulusParams)
        scale = float(stimulus.params.direct_stimulation["scale_nA"])
        self.current.set_waveform(self.waveform(scale), self.params.dt_ms)
        super().prepare(stimulus, t_start)


RAMP = ComponentSpec(name="Ramp", config_cls=RampParams, factory=Ramp,
                     summary="per-cell current steps (test)")


@pytest.fixture
def ramp_manager(plugin_manager: PluginManager) -> PluginManager:
    register_components(plugin_manager, "experiments", RAMP)
    return plugin_manager


# -- the contract, on PyNN's mock backend ----------------------------------------------------------


class TestRampContract(ExperimentContract):
    name = "Ramp"
    example_params: dict[str, Any] = {}

    @pytest.fixture(autouse=True)
    def _registered(self, ramp_manager: PluginManager) -> None:
        self._manager = ramp_manager

    def registry(self) -> Any:
        return self._manager.registry


def test_contract_catches_a_stimulator_that_misreports_its_cells(
        ramp_manager: PluginManager) -> None:
    class Broken(TestRampContract):
        example_params = {"misreport": True}

    suite = Broken()
    suite._manager = ramp_manager
    with pytest.raises(AssertionError, match="outside the sheet"):
        suite.test_injected_currents_are_what_was_armed()


def _model(manager: PluginManager) -> Model:
    suite = TestRampContract()
    suite._manager = manager
    experiment = suite.build()
    return experiment.model


def test_waveform_of_the_wrong_shape_or_step_is_refused(ramp_manager: PluginManager) -> None:
    model = _model(ramp_manager)
    current = PerNeuronCurrent(model, "exc", [0, 2], where="experiments.0")
    with pytest.raises(MozaikError, match=r"shape \(3, 5\); expected \(2, samples\)"):
        current.set_waveform(np.zeros((3, 5)), 1.0)
    with pytest.raises(MozaikError, match="whole number of simulation time steps"):
        current.set_waveform(np.zeros((2, 5)), 0.15)
    with pytest.raises(MozaikError, match="non-finite"):
        current.set_waveform(np.full((2, 5), np.nan), 1.0)


def test_window_is_clipped_to_the_armed_duration(ramp_manager: PluginManager) -> None:
    model = _model(ramp_manager)
    current = PerNeuronCurrent(model, "exc", [4], where="experiments.0")
    current.set_waveform(np.ones((1, 50)), 1.0)
    current.schedule(12.0, 20.0)
    last = current.injected()
    assert last is not None
    assert last.values_nA.shape == (1, 20) and last.t_start_ms == 12.0
    signal = last.as_analogsignal()
    assert signal.name == INJECTED_CURRENT and str(signal.units.dimensionality) == "nA"
    assert signal.array_annotations["channel_index"].tolist() == [4]


# -- end to end ----------------------------------------------------------------------------------

STUDY = """\
name: injection
simulator: {backend: nest, seed: 1}
controller: {null_stimulus_period: 20.0}
sheets:
  exc:
    component: Sheet
    params:
      cell: {model: IF_cond_exp, params: {v_rest: -65.0, v_thresh: -40.0}}
      placement: {n_neurons: 8}
      recorders: [{variables: [spikes, v], neurons: all}]
experiments:
  - component: Ramp
    params: {}
"""


@pytest.fixture
def study(ramp_manager: PluginManager, tmp_path: Path) -> Callable[..., Study]:
    return study_loader(STUDY, tmp_path, ramp_manager.registry)


def _stored(store: DataStore, scale: float, variable: str) -> tuple[np.ndarray, np.ndarray,
                                                                    float, float]:
    view = param_filter_query(store, st_protocol="Ramp",
                              **{"st_direct_stimulation.scale_nA": scale})
    return sorted_signals(view, "exc", variable)


def test_mock_run_stores_what_was_injected(study: Callable[..., Study], tmp_path: Path) -> None:
    run_study(study("simulator.backend=mock", "sheets.exc.params.recorders.0.variables=[spikes]"),
              tmp_path / "run", progress="off")
    with DataStore.open(tmp_path / "run") as store:
        for scale in (0.1, 0.3):
            neurons, values, _, period = _stored(store, scale, INJECTED_CURRENT)
            assert neurons.tolist() == [1, 3, 5] and period == 1.0
            expected = scale * np.array([1.0, 2.0, 3.0])[:, None] * np.ones((1, 30))
            np.testing.assert_allclose(values, expected)
        # blanks inject nothing, so they store no injected current
        blanks = store.full_view().segment_index.to_pylist()
        assert any(row["is_null"] for row in blanks)
        with pytest.raises(MozaikError, match="no 'injected_current' recordings"):
            store.full_view().analog_arrays("exc", INJECTED_CURRENT, null=True)


@pytest.mark.nest
@pytest.mark.parametrize("reset", [False, True])
def test_each_cell_gets_its_own_current_in_its_window_on_nest(
        study: Callable[..., Study], tmp_path: Path, reset: bool) -> None:
    run_dir = tmp_path / "run"
    run_study(study(f"controller.reset={str(reset).lower()}"), run_dir, progress="off")
    with DataStore.open(run_dir) as store:
        peaks = {}
        for scale in (0.1, 0.3):
            neurons, v, t_start, period = _stored(store, scale, "v")
            times = t_start + period * np.arange(v.shape[1])
            injected = np.isin(neurons, [1, 3, 5])
            assert np.allclose(v[~injected], -65.0, atol=0.01)
            assert np.allclose(v[:, times < t_start], -65.0, atol=0.01)
            # each injected cell peaks when its 30 ms step ends, in the order of its amplitude
            peak_time = times[np.argmax(v[injected], axis=1)]
            assert (np.abs(peak_time - (t_start + 30.0)) < 1.0).all()
            peaks[scale] = v[injected].max(axis=1) + 65.0
            assert (np.diff(peaks[scale]) > 0).all()
            # what the store says was injected starts with the presentation
            _, current, current_start, _ = _stored(store, scale, INJECTED_CURRENT)
            assert current_start == t_start
            np.testing.assert_allclose(current[:, 0], scale * np.array([1.0, 2.0, 3.0]))
        # a passive membrane: three times the current, three times the depolarisation
        np.testing.assert_allclose(peaks[0.3] / peaks[0.1], 3.0, rtol=0.02)


@pytest.mark.nest
def test_a_short_pulse_at_the_start_of_a_window_is_delivered(
        study: Callable[..., Study], tmp_path: Path) -> None:
    # 0.3 ms of 50, 100 and 150 nA from the first step of the presentation: 15, 30 and 45 pC
    # into 1 nF cells, a depolarisation of 15 mV (threshold at 25 mV), then spikes
    run_dir = tmp_path / "run"
    run_study(study("experiments.0.params={scales_nA: [50.0], on_ms: 0.3, dt_ms: 0.1}"),
              run_dir, progress="off")
    with DataStore.open(run_dir) as store:
        neurons, v, t_start, period = _stored(store, 50.0, "v")
        early = v[:, : round(2.0 / period)]
        assert early[neurons == 1].max() == pytest.approx(-50.0, abs=1.0)
        spikes = param_filter_query(store, st_protocol="Ramp").spike_arrays("exc")
        assert sorted(set(spikes.neuron.tolist())) == [3, 5]
        assert (spikes.times < t_start + 1.0).all()


@pytest.mark.nest
def test_disarm_mid_window_switches_the_current_off(study: Callable[..., Study]) -> None:
    from mozaik.model import build_model

    model = build_model(study())
    try:
        current = PerNeuronCurrent(model, "exc", [2], where="test")
        current.set_waveform(np.full((1, 100), 0.5), 1.0)
        current.schedule(model.time, 100.0)
        model.run(20.0)
        current.disarm()  # cut short after 20 of 100 ms
        model.run(60.0)
        v = model.collect(clear=True)["exc"].analogsignals[0]
        column = list(v.array_annotations["channel_index"]).index(2)
        trace = np.asarray(v.magnitude)[:, column]
    finally:
        model.end()
    assert trace[round(20.0 / 0.1)] > -60.0  # depolarised while armed
    assert trace[-1] == pytest.approx(-65.0, abs=0.5)  # relaxed to rest once disarmed
