"""Large searches: progress with an estimate of the time left, the safety limit and the disk
estimate checked before anything runs, an index that reads only what changed, and status and
collation of 10^4 synthetic points (marked slow: a few seconds).

Everything runs on PyNN's ``mock`` backend (no NEST)."""

from __future__ import annotations

import io
import json
import shutil
import time
from collections import namedtuple
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from mozaik.cli._main import cli
from mozaik.search import (
    LARGE_SEARCH_POINTS,
    SearchOptions,
    SearchProgress,
    check_search_size,
    collate_search,
    format_duration,
    point_dir,
    read_index,
    refresh_index,
    search_from_mapping,
    write_status,
)
from mozaik.search._master import save_definition

W = "connectors.exc_inh.params.weight_uS"
D = "connectors.exc_inh.params.delay_ms"


def test_progress_lines_count_points_and_estimate_the_time_left() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = SearchProgress(4, stream=out, interval_s=0.0, clock=lambda: now[0])
    now[0] = 10.0
    progress.point_ended(2, "done")
    now[0] = 20.0
    progress.point_ended(0, "failed")
    progress.point_ended(0, "failed")  # reported twice (a poll and a note): one line
    now[0] = 40.0
    progress.point_ended(1, "done")
    progress.point_ended(3, "done")
    lines = out.getvalue().splitlines()
    assert lines == [
        "search: 1/4 points ended (1 done, 0 not), 10 s elapsed, ETA 30 s (p00002 done)",
        "search: 2/4 points ended (1 done, 1 not), 20 s elapsed, ETA 20 s (p00000 failed)",
        "search: 3/4 points ended (2 done, 1 not), 40 s elapsed, ETA 13 s (p00001 done)",
        "search: 4/4 points ended (3 done, 1 not), 40 s elapsed (p00003 done)"]
    assert (format_duration(185), format_duration(7620)) == ("3 min 05 s", "2 h 07 min")


def test_progress_is_throttled_and_waits_are_heartbeats() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = SearchProgress(100, stream=out, interval_s=1.0, clock=lambda: now[0])
    progress.waiting("Slurm tasks: 10 pending")  # nothing yet: no heartbeat before 10 s
    now[0] = 12.0
    progress.waiting("Slurm tasks: 2 running, 8 pending")
    for i in range(50):
        now[0] += 0.1
        progress.point_ended(i, "done")
    lines = out.getvalue().splitlines()
    assert lines[0] == ("search: 0/100 points ended (0 done, 0 not), 12 s elapsed; Slurm "
                        "tasks: 2 running, 8 pending")
    assert len(lines) == 1 + 5, "one line a second, not one per point"


def test_search_run_prints_progress_with_an_eta(tmp_path: Path, contract_study_dir: Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text(f"study: study\nparameters: {{{W}: [0.004, 0.006]}}\n"
                    "resources: {workers: 1}\n")
    out = CliRunner().invoke(cli, ["search", "run", str(file), "--out", str(tmp_path / "m")])
    assert out.exit_code == 0, out.output
    assert "search: 1/2 points ended (1 done, 0 not)" in out.output
    assert "ETA" in out.output
    assert "search: 2/2 points ended (2 done, 0 not)" in out.output


def _big(tmp_path: Path, side: int) -> object:
    return search_from_mapping({"study": "study", "parameters": {
        W: [0.001 * (i + 1) for i in range(side)], D: [0.1 * (i + 1) for i in range(side)]}},
        tmp_path, name="big")


def test_a_search_over_the_safety_limit_is_refused_with_its_numbers(
        tmp_path: Path, contract_study_dir: Path) -> None:
    file = tmp_path / "big.yaml"
    side = 101  # 10,201 points
    file.write_text(f"study: study\nparameters:\n  {W}: {[0.001 * (i + 1) for i in range(side)]}"
                    f"\n  {D}: {[0.1 * (i + 1) for i in range(side)]}\n")
    master = tmp_path / "m"
    out = CliRunner().invoke(cli, ["search", "run", str(file), "--out", str(master)])
    assert out.exit_code == 1
    text = " ".join(out.output.split())  # click wraps the message
    assert ("big: 10201 point(s) to run in 10201 task(s); disk: 82.2 MiB of status and index "
            "files (run directories not counted: no point has finished yet)") in text
    assert f"more than the safety limit of {LARGE_SEARCH_POINTS} points" in text
    assert "pass --yes" in text
    assert not master.exists(), "nothing written before the check"
    # with yes the same numbers pass the check
    check_search_size(_big(tmp_path, side), master, _Sequential(), _fresh(side * side),
                      range(side * side), SearchOptions(yes=True))


class _Sequential:
    def run_search(self, *args: object, **kwargs: object) -> dict[int, str]:
        return {}


def _fresh(n: int) -> object:
    import pyarrow as pa

    return pa.table({"point_id": pa.array(range(n), pa.int64()),
                     "status": pa.array(["missing"] * n)})


def test_a_disk_without_room_for_the_index_is_refused_before_anything_runs(
        tmp_path: Path, contract_study_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "s.yaml"
    file.write_text(f"study: study\nparameters: {{{W}: [0.004, 0.006, 0.008]}}\n")
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10**9, 10**9 - 4096, 4096))
    master = tmp_path / "m"
    out = CliRunner().invoke(cli, ["search", "run", str(file), "--out", str(master), "--yes"])
    assert out.exit_code == 1
    text = " ".join(out.output.split())  # click wraps the message
    assert "3 point(s) to run in 3 task(s); disk: 0.0 MiB of status and index files" in text
    assert "0.0 MiB free under" in text
    assert "has no room for the search's own files; nothing was run or submitted" in text
    assert not master.exists()


def _synthetic(master: Path, n: int, values: list[dict[str, object]]) -> None:
    """Status and SingleValue cache files as a finished point leaves them (no store: its ADS
    stamp is empty, which the cache records)."""
    status = master / "status"
    status.mkdir(parents=True, exist_ok=True)
    record = json.dumps({"status": "done", "error": "", "log_tail": "", "elapsed_s": 1.5,
                         "exit_code": 0, "signal": None})
    cache = json.dumps({"stamp": [], "values": values})
    for i in range(n):
        (status / f"p{i:05d}.json").write_text(record)
        (status / f"p{i:05d}.values.json").write_text(cache)


def test_the_index_reads_again_only_what_changed(tmp_path: Path, contract_study_dir: Path) -> None:
    master = tmp_path / "m"
    search = _big(tmp_path, 3)
    save_definition(search, master)
    _synthetic(master, 4, [])
    first = refresh_index(master, search, check=False)["status"].to_pylist()
    assert first == ["done"] * 4 + ["missing"] * 5
    # a settled point is not read again (its status file is trusted from the index) ...
    write_status(master, 0, "failed", error="rewritten behind the index's back")
    # ... a point that ended since is; so is one whose outcome was cleared (it runs again)
    write_status(master, 6, "failed", error="boom")
    (master / "status" / "p00001.json").unlink()
    point_dir(master, 7).mkdir(parents=True)
    rows = refresh_index(master, search, incremental=True).to_pylist()
    assert [r["status"] for r in rows] == ["done", "missing", "done", "done", "missing",
                                           "missing", "failed", "incomplete", "missing"]
    assert rows[6]["error"] == "boom" and [r[W] for r in rows[6:]] == [0.003] * 3
    # the points that just ran, and a full refresh (status --check), read everything
    again = refresh_index(master, search, incremental=True, changed=[0])
    assert again["status"].to_pylist()[0] == "failed"
    out = CliRunner().invoke(cli, ["search", "status", str(master), "--check"])
    assert out.exit_code == 0, out.output
    assert "p00002 corrupt" in out.output, "done, but its run directory is gone"


@pytest.mark.slow
def test_status_and_collation_of_ten_thousand_synthetic_points(tmp_path: Path,
                                                              contract_study_dir: Path) -> None:
    """A benchmark-style bound (generous: the machine may be shared), not a timing target:
    benchmarks/hpc has the figures. 10^4 points with the files a finished point leaves."""
    master = tmp_path / "m"
    search = _big(tmp_path, 100)
    save_definition(search, master)
    values = [{"sheet_name": s, "analysis_algorithm": "PopulationMean", "stimulus_id": None,
               "value_name": "Mean(Firing rate)", "value": 12.5, "value_units": "Hz"}
              for s in ("exc", "inh")]
    _synthetic(master, 10_000, values)
    refresh_index(master, search, check=False)
    runner = CliRunner()
    start = time.perf_counter()
    out = runner.invoke(cli, ["search", "status", str(master)])
    status_s = time.perf_counter() - start
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0] == f"{master}: 10000 points: 10000 done"
    start = time.perf_counter()
    table = collate_search(master)
    collate_s = time.perf_counter() - start
    assert table.num_rows == 20_000
    assert pq.read_table(master / "collated.parquet").column_names[:3] == ["point_id", W, D]
    assert table.slice(19_999).to_pylist()[0][D] == pytest.approx(10.0)
    assert status_s < 10.0, status_s
    assert collate_s < 30.0, collate_s
    assert read_index(master).num_rows == 10_000
