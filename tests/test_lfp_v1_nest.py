"""Science on NEST: in ``examples/v1_pushpull`` (V1 2000 x 2000 um, one orientation, one
trial), the LFP proxy on a 3 x 3 array (500 um apart) is modulated at the drifting grating's
temporal frequency (2 Hz) more than in the 1001 ms blank before it.

The F1 amplitude of each electrode's LFP at 2 Hz is taken over the whole periods after the
first 200 ms (the onset transient; the blank is the run's first period, where the network
settles from its initial state), the mean removed. Measured (seed 2013, 2026-12-07; the module
about 70 s on the shared 2-core machine): mean F1 0.077 nA during the grating against 0.036 nA
in the blank, a ratio of 2.1 in amplitude (4.6 in power). Required: a ratio above 1.5.
With the whole population summed (``PopulationLFP``) there is no such effect: a full-field
grating drives simple cells of every spatial phase, whose modulations cancel in the sum.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mozaik.datastore import DataStore
from mozaik_analysis import LFPF1, ElectrodeLFP, ElectrodeLFPParams, LFPF1Params

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "v1_pushpull"
MOZAIK = [str(Path(sys.executable).with_name("mozaik"))]
SMALL = [
    "sheets.V1_Exc_L4.params.placement.size_um=[2000.0,2000.0]",
    "experiments.0.params.num_orientations=1",
    "experiments.0.params.num_trials=1",
    "experiments.0.params.duration_ms=1001.0",  # 143 frames of 7 ms: two cycles at 2 Hz
    "controller.null_stimulus_period=1001.0",
    "sheets.V1_Exc_L4.params.recorders.1.neurons=all",
    "simulator.threads=1",
    "analyses=[]",  # the example's tuning analyses need several orientations
    "plots=[]",
]


def test_lfp_is_modulated_at_the_grating_temporal_frequency(tmp_path: Path) -> None:
    out = tmp_path / "v1"
    args = [a for o in SMALL for a in ("--set", o)]
    result = subprocess.run([*MOZAIK, "run", str(EXAMPLE), *args, "--out", str(out),
                             "--progress", "log"], capture_output=True, text=True, timeout=600,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    with DataStore.open(out, mode="a") as store:
        lfp = ElectrodeLFP(ElectrodeLFPParams(sheet_names=["V1_Exc_L4"], grid_shape=(3, 3),
                                              spacing_um=500.0, blanks=True))
        for r in lfp.run(store.full_view()):
            store.add_analysis_result(r)
        f1 = LFPF1(LFPF1Params(frequency_hz=2.0, start_ms=200.0)).run(store.full_view())
    by_name = {r.stimulus_id.name: float(np.mean(r.values)) for r in f1}
    assert set(by_name) == {"FullfieldDriftingSinusoidalGrating", "Null"}
    ratio = by_name["FullfieldDriftingSinusoidalGrating"] / by_name["Null"]
    assert ratio > 1.5, by_name
