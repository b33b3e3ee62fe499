"""`mozaik show` on a store made by a real (fake-network) run: one line per stimulus with its own
parameters, firing rates per sheet and presentation, recorded variables, --json, integrity."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from mozaik.cli._main import cli
from mozaik.controller import run_study
from mozaik.datastore import DataStore
from mozaik.study import Study
from workflow_helpers import FakeModel


@pytest.fixture
def toy_run(toy_study: Callable[..., Study], tmp_path: Path) -> Path:
    run = tmp_path / "run"
    run_study(toy_study(), run, progress="log", build_model=FakeModel)
    return run


def show(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["show", *args])
    return result.exit_code, result.output


def _duration(params: dict) -> float:
    (value,) = [v for k, v in params.items() if k.startswith("duration")]
    return float(value)


def test_show_json_pairs_each_stimulus_with_its_own_parameters(toy_run: Path) -> None:
    code, out = show("--json", str(toy_run))
    assert code == 0, out
    data = json.loads(out)
    stimuli = [s for s in data["stimuli"] if s["params"].get("protocol") == "NoStimulation"]
    assert len(stimuli) == len(data["stimuli"]) == 2
    # the study: NoStimulation 100 ms x 2 trials, then NoStimulation 200 ms x 1 trial
    assert [(_duration(s["params"]), s["trials"]) for s in stimuli] == [(100.0, [0, 1]),
                                                                         (200.0, [0])]
    assert [s["duration_ms"] for s in stimuli] == [100.0, 200.0]
    assert data["run"]["status"] == "complete"
    assert data["integrity"]["problems"] == []


def test_show_rates_per_sheet_and_presentation(toy_run: Path) -> None:
    data = json.loads(show("--json", str(toy_run))[1])
    store = DataStore.open(toy_run)
    sizes = {"exc": 6, "inh": 3}
    assert len(data["presentations"]) == 3
    for sheet in ("exc", "inh"):
        arrays = store.spike_arrays(sheet)
        rows = [r for r in store.segment_index.to_pylist()
                if r["sheet_name"] == sheet and not r["is_null"]]
        for p in data["presentations"]:
            (row,) = [r for r in rows if r["presentation_id"] == p["presentation_id"]]
            n = int(np.sum(arrays.segment_id == row["segment_id"]))
            seconds = (row["t_stop"] - row["t_start"]) / 1000.0
            assert p["rate_hz"][sheet] == pytest.approx(n / sizes[sheet] / seconds, abs=1e-3)
        entry = next(s for s in data["sheets"] if s["name"] == sheet)
        total_s = sum(r["t_stop"] - r["t_start"] for r in rows) / 1000.0
        assert entry["mean_rate_hz"] == pytest.approx(len(arrays.times) / sizes[sheet] / total_s,
                                                      abs=1e-3)
        assert entry["variables"] == {"spikes": sizes[sheet]}
    # the toy sheets fire at 20 Hz (exc, the default) and 80 Hz (inh)
    inh = next(s for s in data["sheets"] if s["name"] == "inh")
    assert 40.0 < inh["mean_rate_hz"] < 120.0


def test_show_text_has_one_line_per_stimulus_and_a_rate_table(toy_run: Path) -> None:
    code, out = show(str(toy_run))
    assert code == 0, out
    lines = out.splitlines()
    stim = [line for line in lines if line.startswith("  InternalStimulus:")]
    assert len(stim) == 2
    assert "2 presentation(s), trials 0, 1;" in stim[0] and "100.0" in stim[0]
    assert all("protocol='NoStimulation'" in line for line in stim)
    assert "200.0" not in stim[0] and "200.0" in stim[1]
    header = next(i for i, line in enumerate(lines) if line.startswith("Presentations"))
    assert lines[header + 1].split()[-2:] == ["exc", "inh"]
    assert len([line for line in lines[header + 2:header + 5] if "InternalStimulus" in line]) == 3
    assert "recorded: spikes (6 neurons)" in out and "mean rate" in out
    assert "Integrity     : files present" in out


def test_show_variables_recorded_for_how_many_neurons(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
    from datastore_helpers import fill

    store = DataStore.create(tmp_path / "r")
    fill(store, np.random.default_rng(5))
    store.close()
    data = json.loads(show("--json", str(tmp_path / "r"))[1])
    sheet = next(s for s in data["sheets"] if s["name"] == "V1_Exc_L4")
    assert sheet["variables"] == {"spikes": 6, "gsyn_exc": 2, "v": 2}
    assert "recorded: spikes (6 neurons), gsyn_exc (2 neurons), v (2 neurons)" in show(
        str(tmp_path / "r"))[1]


def test_show_does_not_report_garbage_as_fine(toy_run: Path) -> None:
    rel = DataStore.open(toy_run).segment_index["spikes_file"][0].as_py()
    (toy_run / rel).write_bytes(b"garbage" * 100)
    code, out = show(str(toy_run))
    assert code == 0
    assert "PROBLEM(S)" in out and f"mozaik check {toy_run}" in out and rel in out
    data = json.loads(show("--json", str(toy_run))[1])
    assert any(rel in p for p in data["integrity"]["problems"])


def test_show_varied_parameters_as_columns_and_single_values_with_units(
        tmp_path: Path) -> None:
    """The issue's run: 'FullfieldDriftingSinusoidalG...' truncated and the orientation hidden;
    no analysis value printed. Now the whole name, a column per varied parameter, and every
    SingleValue with its units."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
    from datastore_helpers import ORIENTATIONS, fill

    store = DataStore.create(tmp_path / "r")
    fill(store, np.random.default_rng(5))
    store.close()
    code, out = show(str(tmp_path / "r"))
    assert code == 0, out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Presentations"))
    assert "varied stimulus parameters: orientation" in lines[header]
    heads = lines[header + 1].split()
    assert heads[:3] == ["id", "stimulus", "orientation"]
    rows = [line.split() for line in lines[header + 2:header + 2 + 2 * len(ORIENTATIONS)]]
    name = DataStore.open(tmp_path / "r").segment_index["stimulus_name"][0].as_py()
    assert {r[1] for r in rows} == {name}  # whole, not cut at 28 characters
    assert [float(r[2]) for r in rows[::2]] == pytest.approx(ORIENTATIONS, abs=1e-4)
    assert "Mean(firing rate): 4.5 Hz  (sheet V1_Exc_L4, from PopulationMean)" in out
    data = json.loads(show("--json", str(tmp_path / "r"))[1])
    assert data["varied_parameters"] == ["orientation"]
    assert data["single_values"] == [{
        "value_name": "Mean(firing rate)", "value": 4.5, "units": "Hz", "sheet": "V1_Exc_L4",
        "stimulus": None, "analysis_algorithm": "PopulationMean"}]
