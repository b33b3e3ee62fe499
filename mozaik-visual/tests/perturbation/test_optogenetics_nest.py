"""Optogenetic stimulation on NEST, end to end, recomputed from the stored spikes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mozaik.controller import run_study
from mozaik.datastore import DataStore, param_filter_query
from mozaik.plugin import get_plugin_manager
from mozaik.study import load_study
from scipy.optimize import curve_fit

pytestmark = [pytest.mark.nest]

IRRADIANCES = (0.1, 0.5, 2.5, 12.5, 62.5)

STUDY = """\
name: optogenetics
simulator: {backend: nest, seed: 3}
controller: {null_stimulus_period: 50.0}
sheets:
  v1:
    component: Sheet
    params:
      cell: {model: IF_cond_exp, params: {v_rest: -65.0, v_thresh: -55.0, tau_refrac: 2.0}}
      placement: {kind: grid, size_um: [1000.0, 1000.0], n_neurons: 400}
      recorders: [{variables: [spikes], neurons: all}]
      background_noise: {rate_exc_hz: 1000.0, weight_exc_uS: 0.002, rate_inh_hz: 250.0,
                         weight_inh_uS: 0.004}
experiments:
  - component: OptogeneticIntensitySweep
    params:
      sheet: v1
      depth_um: 150.0
      duration_ms: 200.0
      sources: {spacing_um: 50.0, extent_um: [1000.0, 1000.0], emitter_radius_um: 20.0}
      opsin: {max_current_nA: 2.0}
      pattern: {kind: spot, centres_um: [[0.0, 0.0]], radius_um: 100.0}
      irradiances_mW_per_mm2: %s
"""


def _run(tmp_path: Path, name: str, *overrides: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(STUDY % list(IRRADIANCES))
    study = load_study(path, overrides, registry=get_plugin_manager().registry)
    run_study(study, tmp_path / name, progress="off")
    return tmp_path / name


def naka_rushton(e: np.ndarray, r_max: float, e50: float, n: float, r0: float) -> np.ndarray:
    return np.asarray(r0 + r_max * e**n / (e**n + e50**n))


def test_spot_rate_falls_with_distance_and_saturates_with_irradiance(tmp_path: Path) -> None:
    run_dir = _run(tmp_path, "run")
    with DataStore.open(run_dir) as store:
        xy = store.full_view().neuron_positions("v1")
        distance = np.linalg.norm(xy, axis=1)
        rates, near_rates = [], []
        for e in IRRADIANCES:
            view = param_filter_query(store, st_protocol="OptogeneticIntensitySweep",
                                      **{"st_direct_stimulation.irradiance_mW_per_mm2": e})
            spikes = view.spike_arrays("v1")
            counts = np.bincount(spikes.neuron, minlength=len(xy))
            rate = counts / 0.2  # Hz over the 200 ms presentation
            near_rates.append(rate[distance < 100.0].mean())
            rates.append(rate)
            # injected current read back from the store: largest under the spot
            current = view.analog_arrays("v1", "injected_current")
            peak = current.values.max(axis=1)
            d = distance[current.neuron]
            assert peak[d < 100.0].mean() > peak[d > 300.0].mean()
        # at the strongest light the rate falls with distance from the spot centre
        strongest = rates[-1]
        rings = [strongest[(distance >= lo) & (distance < lo + 100.0)].mean()
                 for lo in (0.0, 100.0, 200.0, 400.0)]
        assert rings[0] > rings[1] > rings[2] >= rings[3] - 1.0, rings
        # near the centre it rises with irradiance and saturates (Naka-Rushton)
        near = np.asarray(near_rates)
        assert (np.diff(near) >= -1.0).all() and near[-1] > near[0] + 20.0, near
        e = np.asarray(IRRADIANCES)
        fit, _ = curve_fit(naka_rushton, e, near, p0=[near.max(), 1.0, 1.0, near[0]],
                           bounds=([0, 1e-3, 0.3, 0], [1e4, 1e3, 10, 1e3]))
        r_max, e50, n, r0 = fit
        print(f"Naka-Rushton fit: r_max={r_max:.1f} Hz, E50={e50:.3g} mW/mm^2, n={n:.2f}, "
              f"r0={r0:.1f} Hz; rates {np.round(near, 1).tolist()}")
        residual = near - naka_rushton(e, *fit)
        assert np.abs(residual).max() < 0.15 * near.max()
        # saturation: the last step (x5 irradiance) adds less than the one before
        assert near[-1] - near[-2] < near[-2] - near[-3]


def _spikes_in_order(run_dir: Path) -> list[np.ndarray]:
    """Spikes (neuron, time) of every stored segment, in presentation order."""
    with DataStore.open(run_dir) as store:
        view = store.full_view()
        rows = sorted(view.segment_index.to_pylist(), key=lambda r: r["t_start"])
        out = []
        for row in rows:
            arrays = view.spike_arrays("v1", null=row["is_null"])
            mask = arrays.segment_id == row["segment_id"]
            pairs = np.stack([arrays.neuron[mask].astype(float), arrays.times[mask]])
            out.append(pairs[:, np.lexsort((pairs[1], pairs[0]))])
    return out


def test_transfected_fraction_zero_changes_nothing(tmp_path: Path) -> None:
    # bright light on no transfected cell, against no light on every cell
    lit = _run(tmp_path, "lit", "experiments.0.params.irradiances_mW_per_mm2=[25.0]",
               "experiments.0.params.transfected_fraction=0.0")
    dark = _run(tmp_path, "dark", "experiments.0.params.irradiances_mW_per_mm2=[0.0]")
    a, b = _spikes_in_order(lit), _spikes_in_order(dark)
    assert len(a) == len(b) == 2 and a[1].shape[1] > 50  # blank + presentation; background
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    with DataStore.open(lit) as store:  # no cell transfected: nothing injected, nothing stored
        variables = store.full_view()
        with pytest.raises(Exception, match="no 'injected_current'"):
            variables.analog_arrays("v1", "injected_current")
