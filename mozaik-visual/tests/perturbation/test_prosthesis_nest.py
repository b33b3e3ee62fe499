"""The prosthesis question on NEST: light patterned on the orientation map at theta evokes a
cortical activity pattern closer to a grating's at theta than to one's at theta + 90 deg."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest
from mozaik.controller import run_study
from mozaik.datastore import DataStore, param_filter_query
from mozaik.plugin import get_plugin_manager
from mozaik.study import load_study

pytestmark = [pytest.mark.nest]

N_ORIENTATIONS = 4

STUDY = f"""\
name: prosthesis
simulator: {{backend: nest, seed: 7}}
controller: {{null_stimulus_period: 140.0}}
input_space:
  component: VisualSpace
  params: {{size_deg: [3.65, 3.65], pixel_size_deg: 0.05, frame_interval_ms: 7.0,
           background_luminance_cd_m2: 50.0, max_luminance_cd_m2: 100.0}}
sensory_input:
  component: RetinaLGN
  params: {{populations: [X_ON, X_OFF], size_deg: [3.45, 3.45], n_cells: 529, placement: grid,
           recorders: [{{variables: [spikes], neurons: {{random_n: 5}}}}]}}
sheets:
  V1:
    component: CorticalSheet
    params:
      cell: {{model: IF_cond_exp, params: {{v_thresh: -57.0, v_rest: -70.0, v_reset: -70.0,
             cm: 0.29, tau_m: 10.0, tau_refrac: 2.0, tau_syn_E: 1.5, tau_syn_I: 4.2}}}}
      placement: {{kind: grid, size_um: [1000.0, 1000.0], n_neurons: 400}}
      magnification_factor_um_per_deg: 5000.0
      background_noise: {{rate_exc_hz: 2000.0, weight_exc_uS: 0.00145, rate_inh_hz: 2000.0,
                         weight_inh_uS: 0.0003}}
      recorders: [{{variables: [spikes], neurons: all}}]
connectors:
  afferent:
    component: GaborAfferentConnector
    source: X_ON
    target: V1
    params:
      off_sheet: X_OFF
      num_samples: 40
      orientation_map: {{generate: {{seed: 3, period_um: 600.0}}, size_um: [1000.0, 1000.0]}}
      phase_rad: {{distribution: uniform, low: 0.0, high: 6.283185307179586}}
      frequency_cpd: 0.8
      size_deg: 0.46
      aspect_ratio: 0.57
      extent_sigma: 2.0
      weight_uS: 0.002
      delay_ms: 2.0
      receptor: excitatory
experiments:
  - component: MeasureOrientationTuningFullfield
    params: {{num_orientations: {N_ORIENTATIONS}, duration_ms: 420.0, spatial_frequency_cpd: 0.8,
             temporal_frequency_hz: 2.0, contrasts_pct: [100.0]}}
  - component: OptogeneticOrientationMapPatterns
    params:
      sheet: V1
      num_orientations: {N_ORIENTATIONS}
      duration_ms: 420.0
      depth_um: 150.0
      sources: {{spacing_um: 50.0, extent_um: [1000.0, 1000.0], emitter_radius_um: 20.0}}
      opsin: {{max_current_nA: 0.5}}
      pattern: {{irradiance_mW_per_mm2: 20.0, sharpness: 4.0}}
  - component: OptogeneticWithGrating
    params:
      sheet: V1
      num_orientations: 1
      duration_ms: 210.0
      depth_um: 150.0
      sources: {{spacing_um: 50.0, extent_um: [1000.0, 1000.0], emitter_radius_um: 20.0}}
      opsin: {{max_current_nA: 0.5}}
      pattern: {{kind: orientation_map, irradiance_mW_per_mm2: 20.0}}
"""


def _rates(store: DataStore, n: int, **query: object) -> np.ndarray:
    spikes = param_filter_query(store, **query).spike_arrays("V1")
    return np.bincount(spikes.neuron, minlength=n) / 0.42


def test_map_pattern_correlates_with_the_grating_at_its_orientation(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    study = load_study(path, registry=get_plugin_manager().registry)
    run_study(study, tmp_path / "run", progress="off")
    with DataStore.open(tmp_path / "run") as store:
        n = len(store.full_view().neuron_positions("V1"))
        gratings, lights = [], []
        for k in range(N_ORIENTATIONS):
            theta = math.pi * k / N_ORIENTATIONS
            gratings.append(_rates(store, n, st_name="FullfieldDriftingSinusoidalGrating",
                                   st_orientation_rad=theta))
            lights.append(_rates(store, n, **{
                "st_protocol": "OptogeneticOrientationMapPatterns",
                "st_direct_stimulation.orientation_rad": theta}))
        # grating and light in one presentation: one stimulus whose identity holds both, the
        # LGN saw the grating and the cortex got the photocurrent
        both = param_filter_query(store, st_name="GratingWithLight")
        index = both.segment_index
        [row] = index.filter(pc.equal(index["sheet_name"], "V1")).to_pylist()
        assert row["st_orientation_rad"] == 0.0 and row["st_light.pattern"] == "orientation_map"
        assert len(both.spike_arrays("X_ON").times) > 0
        assert both.analog_arrays("V1", "injected_current").values.max() > 0.1
    same, orthogonal = [], []
    for k in range(N_ORIENTATIONS):
        ortho = (k + N_ORIENTATIONS // 2) % N_ORIENTATIONS
        same.append(float(np.corrcoef(lights[k], gratings[k])[0, 1]))
        orthogonal.append(float(np.corrcoef(lights[k], gratings[ortho])[0, 1]))
    print("light vs grating at theta:", np.round(same, 3).tolist(),
          "at theta + 90 deg:", np.round(orthogonal, 3).tolist())
    assert all(s > o for s, o in zip(same, orthogonal, strict=True)), (same, orthogonal)
