"""Packed Slurm tasks (several points per array task, one process) on a real local cluster,
arrays split at the cluster's MaxArraySize, and what is refused before anything is submitted."""

from __future__ import annotations

from pathlib import Path

import pytest
from mozaik import ConfigError
from mozaik.datastore import check_store
from mozaik.search import (
    SearchOptions,
    point_dir,
    read_index,
    run_search,
    search_from_mapping,
)
from mozaik_hpc import (
    SlurmBackend,
    SlurmBackendParams,
    SlurmError,
    batch_script,
    job_states,
    max_array_size,
    time_limit_s,
)
from mozaik_hpc.testing import LocalSlurm

W = "connectors.exc_inh.params.weight_uS"
CRASH = "analyses.0.params.crash"


def test_time_limits_are_read_as_slurm_reads_them() -> None:
    assert time_limit_s("30") == 1800.0
    assert time_limit_s("5:30") == 330.0
    assert time_limit_s("01:02:03") == 3723.0
    assert time_limit_s("2-03") == (2 * 24 + 3) * 3600.0
    assert time_limit_s("1-00:30") == (24 * 60 + 30) * 60.0
    assert time_limit_s("1-00:00:10") == 86410.0
    assert time_limit_s("UNLIMITED") is None


def test_a_packed_batch_script_runs_its_points_in_one_process(tmp_path: Path) -> None:
    params = SlurmBackendParams(pack=10)
    script = batch_script(params, "s", tmp_path, tmp_path / "todo-0.txt", 5)
    assert "#SBATCH --array=0-4" in script
    assert script.rstrip().endswith('--task "$SLURM_ARRAY_TASK_ID" --pack 10')
    assert SlurmBackend(params).search_tasks(50) == 5
    assert SlurmBackend(params).search_tasks(51) == 6


def test_fifty_points_packed_ten_a_task_a_crash_fails_alone_and_resume_reruns_it(
        tmp_path: Path, segv_study_dir: Path, slurm_cluster: LocalSlurm,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """50 points, 10 a task: 5 tasks; with MaxArraySize taken as 3, two arrays (3 + 2 tasks).
    Point 23 segfaults its process: task 2 goes on with its other 9 points."""
    assert max_array_size() == 10001  # read from the cluster's own configuration
    monkeypatch.setattr("mozaik_hpc._slurm.max_array_size", lambda: 3)
    search = search_from_mapping({"study": "study", "kind": "list",
                                  "points": [{CRASH: i == 23} for i in range(50)]},
                                 tmp_path, name="packed")
    master = tmp_path / "m"
    backend = SlurmBackend(SlurmBackendParams(poll_s=0.3, pack=10, point_time_s=1.0))
    summary = run_search(search, master, backend, options=SearchOptions(progress=True))
    assert (summary.done, summary.failed) == (49, 1)
    rows = read_index(master).to_pylist()
    assert [r["point_id"] for r in rows if r["status"] != "done"] == [23]
    assert rows[23]["signal"] == "SIGSEGV" and "killed by SIGSEGV" in rows[23]["error"]
    slurm = master / "slurm"
    assert sorted(p.name for p in slurm.glob("job-*.txt")) == ["job-0.txt", "job-1.txt"]
    assert len((slurm / "todo-0.txt").read_text().split()) == 30
    assert len((slurm / "todo-1.txt").read_text().split()) == 20
    first = (slurm / "job-0.txt").read_text().strip()
    second = (slurm / "job-1.txt").read_text().strip()
    assert job_states(first) == {0: "COMPLETED", 1: "COMPLETED", 2: "FAILED"}
    assert job_states(second) == {0: "COMPLETED", 1: "COMPLETED"}
    for i in (0, 22, 24, 49):  # each point a normal run directory
        assert check_store(point_dir(master, i)) == []
    err = capsys.readouterr().err
    assert "submitted 50 point(s) as 5 Slurm task(s) in 2 arrays" in err
    assert "search: 50/50 points ended (49 done, 1 not)" in err

    stamp = (point_dir(master, 0) / "manifest.json").stat().st_mtime_ns
    again = run_search(search, master, backend, resume=True)
    assert (again.ran, again.done, again.failed) == ((23,), 49, 1)
    assert (slurm / "todo-2.txt").read_text().split() == ["23"]
    assert (point_dir(master, 0) / "manifest.json").stat().st_mtime_ns == stamp


def test_a_packed_task_longer_than_its_time_limit_is_refused_from_a_pilot_point(
        tmp_path: Path, contract_study_dir: Path, slurm_cluster: LocalSlurm) -> None:
    search = search_from_mapping({"study": "study", "parameters": {
        W: [0.001 * (i + 1) for i in range(4)]}}, tmp_path, name="long")
    master = tmp_path / "m"
    # 200 points a task of a point taking about a second or more: over a minute's limit
    backend = SlurmBackend(SlurmBackendParams(poll_s=0.3, pack=200, time="00:01:00"))
    with pytest.raises(SlurmError) as err:
        run_search(search, master, backend)
    text = str(err.value)
    assert "resources.pack=200: a task would run 200 points of about" in text
    assert "pilot point 0 (done), run here" in text
    assert "more than its time limit time=00:01:00 (1 min 00 s)" in text
    assert "Use pack <= " in text and "nothing was submitted" in text
    assert not (master / "slurm").exists()
    assert read_index(master)["status"].to_pylist() == ["done", "missing", "missing", "missing"]


def test_a_search_over_the_safety_limit_names_its_tasks_and_runs_nothing(
        tmp_path: Path, contract_study_dir: Path) -> None:
    search = search_from_mapping({"study": "study", "parameters": {
        W: [0.001 * (i + 1) for i in range(101)],
        "connectors.exc_inh.params.delay_ms": [0.1 * (i + 1) for i in range(100)]}},
        tmp_path, name="big")
    backend = SlurmBackend(SlurmBackendParams(pack=100))
    with pytest.raises(ConfigError) as err:
        run_search(search, tmp_path / "m", backend)
    text = str(err.value)
    assert "10100 point(s) to run in 101 task(s); disk: 81.4 MiB of status and index" in text
    assert "safety limit of 10000 points" in text and "--yes" in text
    assert not (tmp_path / "m").exists()
