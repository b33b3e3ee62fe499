"""Runaway detection: a run whose sheet's rate crosses its threshold stops ("exploded")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from mozaik import ConfigError, RunExploded
from mozaik.cli import cli
from mozaik.controller import EXPLODED_EXIT_STATUS, run_study
from mozaik.datastore import DataStore
from mozaik.plugin import PluginManager
from mozaik.search import load_search, read_index, run_search
from mozaik.study import load_study

THRESHOLD_HZ = 60.0
WINDOW_MS = 40.0

STUDY = f"""\
name: runaway
simulator: {{backend: nest, seed: 1}}
controller:
  null_stimulus_period: 20.0
  runaway: {{exc: {{rate_hz: {THRESHOLD_HZ}, window_ms: {WINDOW_MS}}}}}
sheets:
  exc:
    component: Sheet
    params:
      cell: {{model: IF_cond_exp, params: {{v_rest: -65.0, v_thresh: -55.0, tau_refrac: 2.0}}}}
      placement: {{n_neurons: 20}}
      recorders: [{{variables: [spikes], neurons: all}}]
experiments:
  - component: NoStimulation
    params: {{duration_ms: 100.0}}
  - component: PoissonNetworkKick
    params: {{duration_ms: 400.0, drive_period_ms: 400.0, sheets: [exc], rate_hz: 3000.0,
             weight_uS: 0.02}}
"""


def _write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "study.yaml"
    path.write_text(STUDY)
    return path


def _crossing_ms(times: np.ndarray, n_neurons: int, until_ms: float) -> float:
    """First time (ms, 0.1 ms grid) at which the rate over the preceding window, recomputed
    from the stored spikes, exceeds the threshold."""
    grid = np.arange(WINDOW_MS, until_ms + 1e-9, 0.1)
    counts = np.searchsorted(np.sort(times), grid, side="right") - np.searchsorted(
        np.sort(times), grid - WINDOW_MS, side="right")
    rates = counts / n_neurons / (WINDOW_MS / 1000.0)
    above = np.flatnonzero(rates > THRESHOLD_HZ)
    assert above.size, "the stored spikes never cross the threshold"
    return float(grid[above[0]])


@pytest.mark.nest
def test_runaway_stops_within_one_window_and_keeps_what_was_stored(
        plugin_manager: PluginManager, tmp_path: Path) -> None:
    study = load_study(_write(tmp_path), registry=plugin_manager.registry)
    run_dir = tmp_path / "run"
    with pytest.raises(RunExploded) as info:
        run_study(study, run_dir, progress="off")
    assert info.value.sheet == "exc" and info.value.rate_hz > THRESHOLD_HZ
    with DataStore.open(run_dir) as store:
        record = store.manifest["exploded"]
        assert record["sheet"] == "exc" and record["threshold_hz"] == THRESHOLD_HZ
        assert store.manifest["status"] == "exploded"
        assert store.manifest["sessions"][-1]["exploded"] == record
        rows = sorted(store.full_view().segment_index.to_pylist(), key=lambda r: r["t_start"])
        # the quiet presentation and both blanks are stored; the kick is stored until the stop
        assert [r["is_null"] for r in rows] == [True, False, True, False]
        kick = rows[-1]
        assert kick["t_stop"] < kick["t_start"] + 400.0
        spikes = np.concatenate([store.full_view().spike_arrays("exc", null=null).times
                                 for null in (False, True)])
    crossing = _crossing_ms(spikes, 20, kick["t_stop"])
    assert crossing > kick["t_start"]  # the quiet part did not run away
    assert kick["t_stop"] - crossing <= WINDOW_MS
    assert record["time_ms"] == pytest.approx(kick["t_stop"])


@pytest.mark.nest
def test_cli_exit_status_show_and_no_resume(tmp_path: Path) -> None:
    runner = CliRunner()
    run_dir = tmp_path / "run"
    result = runner.invoke(cli, ["run", str(_write(tmp_path)), "--out", str(run_dir),
                                 "--progress", "off"])
    assert result.exit_code == EXPLODED_EXIT_STATUS, result.output
    assert "Run exploded: sheet 'exc' ran away" in result.output
    shown = runner.invoke(cli, ["show", str(run_dir)])
    assert "Exploded      : sheet 'exc' ran away" in shown.output
    again = runner.invoke(cli, ["run", str(run_dir), "--progress", "off"])
    assert again.exit_code == EXPLODED_EXIT_STATUS
    assert "it is not resumed" in again.output


@pytest.mark.nest
def test_search_with_one_runaway_point_completes_the_others(tmp_path: Path) -> None:
    _write(tmp_path / "study")
    file = tmp_path / "search.yaml"
    rate = "experiments.1.params.rate_hz"
    file.write_text(f"study: study\nparameters: {{{rate}: [10.0, 3000.0, 20.0]}}\n"
                    "resources: {workers: 1}\n")
    search = load_search(file)
    from mozaik.backends import search_backend

    master = tmp_path / "master"
    summary = run_search(search, master, search_backend(search))
    assert (summary.done, summary.failed, summary.exploded) == (2, 0, 1)
    index = read_index(master).to_pylist()
    assert [r["status"] for r in index] == ["done", "exploded", "done"]
    assert "ran away" in index[1]["error"]
    status = CliRunner().invoke(cli, ["search", "status", str(master)])
    assert "p00001 exploded" in status.output
    # with its message: the line names the sheet that ran away, --point gives it in full
    line = next(t for t in status.output.splitlines() if t.startswith("p00001"))
    assert "RunExploded: sheet 'exc' ran away" in line, status.output
    point = CliRunner().invoke(cli, ["search", "status", str(master), "--point", "1"])
    assert point.output.startswith("p00001 exploded"), point.output
    assert "error: RunExploded: sheet 'exc' ran away" in point.output, point.output
    # --resume does not rerun the exploded point; --rerun-exploded does
    assert run_search(search, master, search_backend(search), resume=True).ran == ()
    again = run_search(search, master, search_backend(search), resume=True,
                       rerun_exploded=True)
    assert again.ran == (1,) and again.exploded == 1


def test_threshold_must_be_positive_and_name_a_sheet(plugin_manager: PluginManager,
                                                     tmp_path: Path) -> None:
    path = _write(tmp_path)
    for bad in ("0.0", "-5.0"):
        with pytest.raises(ConfigError, match=rf"controller\.runaway\.exc\.rate_hz.*{bad}"):
            load_study(path, [f"controller.runaway.exc.rate_hz={bad}"],
                       registry=plugin_manager.registry)
    with pytest.raises(ConfigError, match=r"controller\.runaway\.exc\.window_ms"):
        load_study(path, ["controller.runaway.exc.window_ms=0"], registry=plugin_manager.registry)
    study = load_study(path, ["simulator.backend=mock",
                              "controller.runaway={inh: {rate_hz: 10.0}}"],
                       registry=plugin_manager.registry)
    with pytest.raises(ConfigError, match=r"controller\.runaway\.inh: sheet 'inh' does not "
                                          r"exist.*exc"):
        run_study(study, tmp_path / "run", progress="off")
