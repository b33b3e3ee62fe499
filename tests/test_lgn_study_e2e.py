"""A study of the LGN alone, declared in YAML, run on NEST and analysed with mozaik-analysis.

Full-field light and dark steps and a drifting grating: the stored analysis results say ON cells
fire more for light than for dark (OFF the other way) and the grating's responses are modulated
at its temporal frequency.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from mozaik.controller import run_study
from mozaik.datastore import DataStore
from mozaik.stimulus import StimulusIdentity
from mozaik.study import load_study

pytestmark = [pytest.mark.nest]

STUDY = """\
name: lgn_alone
simulator: {backend: nest, time_step: 0.1, seed: 4}
controller: {null_stimulus_period: 150.0}
input_space:
  component: VisualSpace
  params: {size_deg: [6.0, 6.0], frame_interval_ms: 10.0, background_luminance_cd_m2: 50.0}
sensory_input:
  component: RetinaLGN
  params:
    size_deg: [1.0, 1.0]
    n_cells: 25
    recorders: [{variables: [spikes], neurons: all}]
experiments:
  - component: MeasureFlatLuminanceSensitivity
    params: {duration_ms: 300.0, luminances_cd_m2: [100.0, 0.0]}
  - component: MeasureTemporalFrequencyTuning
    params: {duration_ms: 500.0, spatial_frequency_cpd: 0.5, temporal_frequencies_hz: [8.0]}
analyses:
  - {component: TrialAveragedFiringRate, params: {}}
  - component: ModulationRatio
    params: {temporal_frequency_parameter: temporal_frequency_hz, start_ms: 100.0}
"""


@pytest.mark.parametrize("output", ["current", "poisson"])
@pytest.mark.parametrize("reset", [False, True], ids=["blanks", "network-reset"])
def test_lgn_study_with_analyses(tmp_path: Path, reset: bool, output: str) -> None:
    """With blanks between stimuli, and with a network reset instead (the generators' times
    then carry PyNN's time offset, and the filter forgets what came before); current-driven
    IF cells and linear-nonlinear-Poisson spike sources."""
    file = tmp_path / "study.yaml"
    file.write_text(textwrap.dedent(STUDY))
    overrides = [f"sensory_input.params.output={output}"]
    overrides += ["controller.reset=true"] if reset else []
    run_study(load_study(file, overrides), tmp_path / "run", progress="off")
    with DataStore.open(tmp_path / "run") as store:
        view = store.full_view()

        def mean(value_name: str, sheet: str, **stimulus: float) -> float:
            found = []
            for ads in view.get_analysis_result(value_name=value_name, sheet_name=sheet):
                sid = ads.stimulus_id
                params = (sid if isinstance(sid, StimulusIdentity)
                          else StimulusIdentity.from_string(sid)).params
                if all(params.get(k) == v for k, v in stimulus.items()):
                    found.append(float(np.nanmean(ads.values)))
            assert len(found) == 1, (value_name, sheet, stimulus, found)
            return found[0]

        light, dark = {"luminance_cd_m2": 100.0}, {"luminance_cd_m2": 0.0}
        assert mean("Firing rate", "X_ON", **light) > 1.5 * mean("Firing rate", "X_ON", **dark)
        assert mean("Firing rate", "X_OFF", **dark) > 1.5 * mean("Firing rate", "X_OFF", **light)
        for sheet in ("X_ON", "X_OFF"):
            assert mean("Modulation ratio (F1/F0)", sheet, temporal_frequency_hz=8.0) > 0.25
