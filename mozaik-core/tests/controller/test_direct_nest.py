"""Direct stimulation on real NEST: windows, cells and amplitudes land where they should."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from mozaik.controller import run_study
from mozaik.datastore import DataStore, param_filter_query
from mozaik.plugin import PluginManager
from mozaik.study import Study
from study_helpers import sorted_signals, study_loader

pytestmark = [pytest.mark.nest]  # deselect with -m "not nest" where NEST is absent

STUDY = """\
name: direct
simulator: {backend: nest, seed: 1}
controller: {null_stimulus_period: 20.0}
sheets:
  exc:
    component: Sheet
    params:
      cell: {model: IF_cond_exp, params: {v_rest: -65.0, v_thresh: -50.0}}
      placement: {n_neurons: 10}
      recorders: [{variables: [spikes, v], neurons: all}]
experiments:
  - component: CurrentInjection
    params: {sheet: exc, cells: [2, 7], amplitudes_nA: [0.1, 0.3], duration_ms: 100.0,
             onset_ms: 20.0, step_duration_ms: 50.0}
  - component: PoissonNetworkKick
    params: {duration_ms: 100.0, drive_period_ms: 30.0, sheets: [exc], rate_hz: 2000.0,
             weight_uS: 0.02,
             fraction: 0.5}
"""


@pytest.fixture
def study(plugin_manager: PluginManager, tmp_path: Path) -> Callable[..., Study]:
    return study_loader(STUDY, tmp_path, plugin_manager.registry)


def _v(store: DataStore, **query: object) -> tuple[np.ndarray, np.ndarray, float]:
    neurons, values, t_start, _ = sorted_signals(param_filter_query(store, **query), "exc", "v")
    return neurons, values, t_start


@pytest.mark.parametrize("reset", [False, True])
def test_current_steps_reach_only_the_chosen_cells_in_their_window(
        study: Callable[..., Study], tmp_path: Path, reset: bool) -> None:
    run_dir = tmp_path / "run"
    run_study(study(f"controller.reset={str(reset).lower()}"), run_dir, progress="off")
    with DataStore.open(run_dir) as store:
        for amplitude in (0.1, 0.3):
            neurons, v, t_start = _v(store, st_protocol="CurrentInjection",
                                     **{"st_direct_stimulation.amplitude_nA": amplitude})
            times = t_start + 0.1 * np.arange(v.shape[1])
            during = (times > t_start + 25.0) & (times < t_start + 69.0)
            injected = np.isin(neurons, [2, 7])
            # cells 2 and 7 are depolarised by the step, the others stay at rest
            assert (v[injected][:, during].mean(axis=1) > -64.0).all()
            assert np.allclose(v[~injected], -65.0, atol=0.01)
            # nothing before the onset; the injected cells peak when the step ends (70 ms) and
            # relax afterwards
            assert np.allclose(v[:, times < t_start + 19.0], -65.0, atol=0.5)
            peak = times[np.argmax(v[injected], axis=1)]
            assert (np.abs(peak - (t_start + 70.0)) < 1.0).all()
            assert (v[injected][:, -1] < v[injected].max(axis=1) - 1.0).all()
        # the 0.3 nA step drives the cells harder than the 0.1 nA one
        _, weak, _ = _v(store, **{"st_direct_stimulation.amplitude_nA": 0.1})
        _, strong, _ = _v(store, **{"st_direct_stimulation.amplitude_nA": 0.3})
        assert strong[[2, 7]].max() > weak[[2, 7]].max()


def test_kick_drives_half_the_cells_during_the_drive_period_only(
        study: Callable[..., Study], tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_study(study(), run_dir, progress="off")
    with DataStore.open(run_dir) as store:
        view = param_filter_query(store, st_protocol="PoissonNetworkKick")
        [row] = view.segment_index.to_pylist()
        spikes = view.spike_arrays("exc")
        relative = spikes.times - row["t_start"]
        assert len(relative) > 10
        # the 30 ms drive (plus the decay of its conductances): nothing in the last 50 ms
        assert (relative < 50.0).all()
        assert len(np.unique(spikes.neuron)) <= 5  # only the kicked half fires
        # the blanks and the current-injection presentations saw no kick
        others = param_filter_query(store, st_protocol="CurrentInjection")
        assert len(others.spike_arrays("exc").times) == 0
        assert len(store.full_view().spike_arrays("exc", null=True).times) == 0


def test_fast_spike_conversion_matches_the_datastore_one(study: Callable[..., Study]) -> None:
    from mozaik.datastore import sheet_recording_from_segment
    from mozaik.model import build_model

    model = build_model(study("sheets.exc.params.recorders.0.neurons={random_n: 6}"))
    try:
        kick = model.sim.Population(10, model.sim.SpikeSourcePoisson(rate=3000.0))
        model.sim.Projection(kick, model.sheets["exc"].population, model.sim.OneToOneConnector(),
                             model.sim.StaticSynapse(weight=0.03, delay=0.1))
        model.run(60.0)
        segments = model.collect(clear=False)
        assert type(segments["exc"].spiketrains).__name__ == "SpikeTrainList"
        ids = np.asarray(model.sheets["exc"].population.all_cells, dtype=np.int64)
        fast = sheet_recording_from_segment(segments["exc"], "exc", neuron_ids=ids)
        slow = sheet_recording_from_segment(model.collect(clear=True)["exc"], "exc")
    finally:
        model.end()
    assert len(fast.spike_times) > 20
    order_fast = np.lexsort((fast.spike_times, fast.spike_neurons))
    order_slow = np.lexsort((slow.spike_times, slow.spike_neurons))
    np.testing.assert_array_equal(fast.spike_neurons[order_fast], slow.spike_neurons[order_slow])
    np.testing.assert_array_equal(fast.spike_times[order_fast], slow.spike_times[order_slow])
    assert sorted(fast.spike_recorded.tolist()) == sorted(slow.spike_recorded.tolist())
    assert len(fast.spike_recorded) == 6  # silent recorded neurons are kept
    assert (fast.t_start, fast.t_stop) == (slow.t_start, slow.t_stop)
    assert [s.variable for s in fast.signals] == [s.variable for s in slow.signals] == ["v"]
    np.testing.assert_array_equal(fast.signals[0].values, slow.signals[0].values)
