"""Intracortical microstimulation: contract, bad input, and I = k r^2 on NEST."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from mozaik import ConfigError, MozaikError
from mozaik.controller import run_study
from mozaik.datastore import DataStore, param_filter_query
from mozaik.plugin import get_plugin_manager
from mozaik.study import load_study
from mozaik.testing import ExperimentContract
from mozaik_visual.perturbation import activated_radius_um


class TestMicrostimulationAmplitudeSweep(ExperimentContract):
    name = "MicrostimulationAmplitudeSweep"
    example_params: ClassVar[dict[str, Any]] = {
        "sheet": "exc", "duration_ms": 30.0, "amplitudes_uA": [5.0, 20.0],
        "subthreshold_nA": 0.1, "electrodes": [{"position_um": [0.0, 0.0], "depth_um": 200.0}]}


class TestMicrostimulationFrequencySweep(ExperimentContract):
    name = "MicrostimulationFrequencySweep"
    example_params: ClassVar[dict[str, Any]] = {
        "sheet": "exc", "duration_ms": 30.0, "frequencies_hz": [50.0, 200.0]}


AMPLITUDES = (10.0, 40.0)

STUDY = """\
name: icms
simulator: {backend: nest, seed: 2}
controller: {null_stimulus_period: 20.0}
sheets:
  v1:
    component: Sheet
    params:
      cell: {model: IF_cond_exp, params: {v_rest: -65.0, v_thresh: -55.0, tau_refrac: 2.0}}
      placement: {kind: grid, size_um: [500.0, 500.0], n_neurons: 625}
      recorders: [{variables: [spikes], neurons: all}]
experiments:
  - component: MicrostimulationAmplitudeSweep
    params:
      sheet: v1
      sheet_depth_um: 200.0
      electrodes: [{position_um: [0.0, 0.0], depth_um: 200.0}]
      amplitudes_uA: [10.0, 40.0]
      pulse_width_ms: 0.2
      frequency_hz: 50.0
      duration_ms: 100.0
"""


def _study(tmp_path: Path, *overrides: str, text: str = STUDY) -> Any:
    path = tmp_path / "study.yaml"
    path.write_text(text)
    return load_study(path, overrides, registry=get_plugin_manager().registry)


@pytest.mark.nest
def test_share_activated_within_each_radius_follows_i_equals_k_r_squared(
        tmp_path: Path) -> None:
    run_study(_study(tmp_path), tmp_path / "run", progress="off")
    radii = []
    with DataStore.open(tmp_path / "run") as store:
        xy = store.full_view().neuron_positions("v1")
        distance = np.linalg.norm(xy, axis=1)
        spacing = 500.0 / 25
        for amplitude in AMPLITUDES:
            view = param_filter_query(store, **{"st_direct_stimulation.amplitude_uA": amplitude})
            spikes = view.spike_arrays("v1")
            counts = np.bincount(spikes.neuron, minlength=len(xy))
            active = counts >= 5  # five pulses in 100 ms at 50 Hz: one spike each
            r = activated_radius_um(amplitude, 1292.0)
            # share activated: all within r, none beyond (one grid spacing of tolerance)
            inside = distance <= r - spacing / 2
            outside = distance > r + spacing / 2
            assert active[inside].mean() == 1.0 and active[outside].mean() == 0.0
            assert (counts[inside] == 5).all()
            # the radius that holds the activated neurons' area: pi R^2 = n * spacing^2
            estimated = np.sqrt(active.sum() * spacing**2 / np.pi)
            print(f"{amplitude} uA: predicted r = {r:.1f} um, measured {estimated:.1f} um, "
                  f"{active.sum()} neurons")
            assert estimated == pytest.approx(r, rel=0.1)
            radii.append(estimated)
    assert radii[1] > 1.8 * radii[0]  # activation spreads with amplitude (x4 I: x2 r)


@pytest.mark.parametrize(("override", "path", "text"), [
    ("pulse_width_ms=15.0", "experiments.0.params.pulse_width_ms", "does not fit in the period"),
    ("amplitudes_uA=[0.0]", "experiments.0.params.amplitudes_uA", "0.0"),
])
def test_bad_parameters_name_their_path(tmp_path: Path, override: str, path: str,
                                        text: str) -> None:
    with pytest.raises(ConfigError) as info:
        _study(tmp_path, f"experiments.0.params.{override}")
    assert path in str(info.value) and text in str(info.value)


def test_electrode_outside_the_sheet(tmp_path: Path) -> None:
    study = _study(tmp_path, "simulator.backend=mock",
                   "experiments.0.params.electrodes=[{position_um: [0.0, 0.0]}, "
                   "{position_um: [300.0, 0.0]}]")
    with pytest.raises(MozaikError, match=r"experiments\.0.*electrodes\.1\.position_um.*outside "
                                          r"sheet 'v1'"):
        run_study(study, tmp_path / "run", progress="off")
