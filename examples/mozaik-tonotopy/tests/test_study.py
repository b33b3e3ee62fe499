"""The example study on NEST: each tone excites its own end of the tonotopic axis."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mozaik.datastore import DataStore, param_filter_query

STUDY = Path(__file__).parents[1] / "examples" / "study.yaml"
MOZAIK = str(Path(sys.executable).with_name("mozaik"))


@pytest.mark.nest
def test_tones_excite_their_place_of_the_axis(tmp_path: Path) -> None:
    done = subprocess.run([MOZAIK, "run", str(STUDY), "--out", str(tmp_path / "run"),
                           "--progress", "off"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    store = DataStore.open(tmp_path / "run")
    view = store.full_view()
    best = view.neuron_annotations("a1")["best_frequency_hz"]
    centres = {}
    for frequency in (400.0, 4000.0):
        tone = param_filter_query(view, st_name="PureTone", st_frequency_hz=frequency,
                                  sheet_name="a1", is_null=False)
        spikes = tone.spike_arrays("a1")
        counts = np.bincount(spikes.neuron, minlength=len(best))
        assert counts.sum() > 20, f"the {frequency} Hz tone drove {counts.sum()} spikes"
        # the spike-weighted best frequency (log2) of the responding neurons
        centres[frequency] = 2 ** float(np.average(np.log2(best), weights=counts))
    for frequency, centre in centres.items():
        assert abs(np.log2(centre / frequency)) < 0.5, centres  # within half an octave
