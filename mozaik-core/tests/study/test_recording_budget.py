"""The recording budget: ``mozaik config check`` warns, with the estimated size, about a study
whose analog recordings (Vm, conductances, the inputs of LFP proxies) exceed
:data:`mozaik.study.RECORDING_BUDGET_BYTES_PER_S` per second of model time."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from mozaik.cli import cli
from mozaik.study import (
    RECORDING_BUDGET_BYTES_PER_S,
    SAMPLE_BYTES,
    check_recording,
    estimate_size,
    load_study,
)

STUDY = """\
name: recording
simulator: {backend: mock, threads: 1, time_step: 0.1}
sheets:
  exc:
    component: Sheet
    params:
      cell: {model: IF_cond_exp}
      placement: {n_neurons: NCOUNT, size_um: [1000.0, 1000.0]}
      recorders:
        - {variables: [spikes, v, gsyn_exc, gsyn_inh], neurons: SELECTION, interval_ms: 0.1}
experiments:
  - component: NoStimulation
    params: {duration_ms: 100.0}
"""


def write(tmp_path: Path, n: int, selection: str = "all") -> Path:
    file = tmp_path / "study.yaml"
    file.write_text(STUDY.replace("NCOUNT", str(n)).replace("SELECTION", selection))
    return file


@pytest.mark.parametrize(("selection", "recorded"), [
    ("all", 5000), ("{random_n: 100}", 100), ("{random_percent: 10.0}", 500),
    ("{grid_step_um: 100.0}", 100), ("{indices: [1, 2, 3, 3]}", 3),
])
def test_estimate_counts_recorded_samples(tmp_path: Path, selection: str, recorded: int) -> None:
    estimate = estimate_size(load_study(write(tmp_path, 5000, selection)))
    # 3 analog variables at 0.1 ms: 30,000 samples per neuron and second of model time
    assert estimate.recording_bytes_per_s == {"exc": recorded * 3 * 10_000 * SAMPLE_BYTES}


def test_config_check_warns_above_the_budget_with_the_size(tmp_path: Path) -> None:
    big = write(tmp_path, 5000)  # 5000 x 3 x 10 kHz x 8 B = 1.2 GB per second of model time
    assert estimate_size(load_study(big)).total_recording_bytes_per_s > \
        RECORDING_BUDGET_BYTES_PER_S
    result = CliRunner().invoke(cli, ["config", "check", str(big), "-q"])
    assert result.exit_code == 0, result.output
    assert "1.2 GB per second of model time" in result.output
    assert "sheets.exc: 1.2 GB/s" in result.output and "random_n" in result.output


def test_no_warning_within_the_budget(tmp_path: Path) -> None:
    small = load_study(write(tmp_path, 5000, "{random_n: 100}"))
    assert check_recording(estimate_size(small)) == []
    result = CliRunner().invoke(cli, ["config", "check", str(write(tmp_path, 5000,
                                                                  "{random_n: 100}")), "-q"])
    assert result.exit_code == 0 and "model time" not in result.output, result.output
