"""LFP proxies end to end on NEST: a small Vogels & Abbott (2005) run through the ``mozaik`` CLI,
recording Vm and both conductances of 200 excitatory cells every 1 ms.

* Independent recomputation: one electrode's LFP recomputed with numpy from the Parquet files
  of the run directory (analog columns, neuron positions and reversal potentials) equals the
  stored ElectrodeSignals.
* The asynchronous irregular state has a broad spectrum: in the RWS proxy's Welch PSD
  (8 Hz resolution, 5-200 Hz, log10 power) no peak is more prominent than one decade, and any
  peak above 0.3 decades is at least 30 Hz wide at half its prominence (a broad hump, not an
  oscillation). Measured (seed 2005, 2026-12-07): one peak, 112 Hz, prominence 0.78 decades,
  58 Hz wide.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from mozaik.datastore import DataStore
from mozaik_analysis import (
    MAZZONI_ALPHA,
    MAZZONI_DELAY_MS,
    ElectrodeLFP,
    ElectrodeLFPParams,
    PopulationLFP,
    PopulationLFPParams,
    welch,
)
from scipy.signal import find_peaks, peak_widths

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "vogels_abbott2005"
MOZAIK = [str(Path(sys.executable).with_name("mozaik"))]
SMALL = [
    "sheets.exc.params.placement.n_neurons=400",
    *(f"connectors.{c}.params.probability=0.05"
      for c in ("exc_exc", "exc_inh", "inh_exc", "inh_inh")),
    "connectors.exc_exc.params.weight_uS=0.006",
    "connectors.exc_inh.params.weight_uS=0.006",
    "experiments.1.params.duration_ms=1000.0",
    "experiments.1.params.num_trials=1",
    "sheets.exc.params.recorders.1.neurons={random_n: 200}",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lfp") / "va"
    args = [a for o in SMALL for a in ("--set", o)]
    result = subprocess.run([*MOZAIK, "run", str(EXAMPLE), *args, "--out", str(out),
                             "--progress", "log"], capture_output=True, text=True, timeout=300,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return out


def test_one_electrode_recomputed_from_the_parquet_columns(run_dir: Path) -> None:
    params = ElectrodeLFPParams(sheet_names=["exc"], grid_shape=(2, 2), spacing_um=400.0,
                                length_constant_um=250.0)
    with DataStore.open(run_dir, mode="a") as store:
        stored = ElectrodeLFP(params).run(store.full_view())
        for r in stored:
            store.add_analysis_result(r)
        back = [r for r in store.get_analysis_result(identifier="ElectrodeSignals")
                if r.stimulus_id.params["protocol"] == "NoStimulation"]
    assert len(back) == 1
    result = back[0]
    # plain numpy over the run directory's files
    segments = pq.read_table(run_dir / "segments.parquet").to_pylist()
    (seg,) = [s for s in segments if s["sheet_name"] == "exc" and not s["is_null"]
              and "NoStimulation" in s["stimulus_id"]]
    rows = [r for f in sorted((run_dir / "analog").glob("*.parquet"))
            for r in pq.read_table(f).to_pylist() if r["segment_id"] == seg["segment_id"]]
    table = pq.read_table(next((run_dir / "neurons").glob("exc-*.parquet")))
    cols = {name: np.asarray(table[name].to_pylist()) for name in table.column_names
            if name != "sheet_name"}
    at = np.argsort(cols["index"])
    by = {v: {r["neuron"]: np.asarray(r["values"]) for r in rows if r["variable"] == v}
          for v in ("v", "gsyn_exc", "gsyn_inh")}
    assert {r["units"] for r in rows if r["variable"] == "v"} == {"mV"}
    cells = np.array(sorted(by["v"]))
    assert len(cells) == 200
    v = np.stack([by["v"][c] for c in cells])
    ge = np.stack([by["gsyn_exc"][c] for c in cells])  # uS
    gi = np.stack([by["gsyn_inh"][c] for c in cells])
    idx = at[np.searchsorted(cols["index"][at], cells)]
    e_e, e_i = cols["e_rev_E"][idx][:, None], cols["e_rev_I"][idx][:, None]
    i_e, i_i = ge * (v - e_e), gi * (v - e_i)  # nA
    lag = round(MAZZONI_DELAY_MS / 1.0)
    electrode = result.positions_um[0]
    d = np.hypot(cols["x"][idx] - electrode[0], cols["y"][idx] - electrode[1])
    w = np.exp(-d / 250.0)
    lfp = w @ (np.abs(i_e[:, :-lag]) - MAZZONI_ALPHA * np.abs(i_i[:, lag:]))
    np.testing.assert_allclose(result.signal.magnitude[:, 0], lfp, rtol=1e-9)
    assert np.std(lfp) > 0


def test_asynchronous_state_has_a_broad_spectrum(run_dir: Path) -> None:
    with DataStore.open(run_dir) as store:
        out = PopulationLFP(PopulationLFPParams(sheet_names=["exc"])).run(store.full_view())
    (spont,) = [r for r in out if r.stimulus_id.params["protocol"] == "NoStimulation"]
    x = np.asarray(spont.signal.magnitude)
    f, p = welch(x, 1000.0, 8.0, "test")
    band = (f >= 5.0) & (f <= 200.0)
    log_power = np.log10(p[0][band])
    peaks, props = find_peaks(log_power, prominence=0.3)
    assert np.all(props["prominences"] < 1.0), (f[band][peaks], props["prominences"])
    widths_hz = peak_widths(log_power, peaks, rel_height=0.5)[0] * (f[1] - f[0])
    assert np.all(widths_hz >= 30.0), (f[band][peaks], widths_hz)
