"""The Slurm backend on a real local cluster: one job array per search, failures, cancel."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from mozaik.cli import cli
from mozaik.search import read_index, run_search, search_from_mapping
from mozaik.testing import BackendContract
from mozaik_hpc import (
    SlurmBackend,
    SlurmBackendParams,
    SlurmError,
    job_states,
    jobcomp_file,
    jobcomp_states,
)
from mozaik_hpc.testing import LocalSlurm

W = "connectors.exc_inh.params.weight_uS"


@pytest.mark.usefixtures("slurm_cluster")
class TestSlurmBackend(BackendContract):
    name = "SlurmBackend"
    example_params = {"poll_s": 0.2, "time": "00:05:00"}
    runs_studies = False


def _search(tmp_path: Path, weights: list[float]) -> object:
    return search_from_mapping({"study": "study", "kind": "list",
                                "points": [{W: w} for w in weights]}, tmp_path, name="arr")


def test_dry_run_prints_the_array_script_and_submits_nothing(tmp_path: Path,
                                                            contract_study_dir: Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text(f"study: study\nparameters: {{{W}: [0.001, 0.002, 0.003, 0.004]}}\n"
                    "backend: slurm\nresources: {account: lab42, modules: [nest/3.10]}\n")
    out = CliRunner().invoke(cli, ["search", "run", str(file), "--out", str(tmp_path / "m"),
                                   "--resource", "max_parallel=2", "--resource",
                                   "partition=short", "--dry-run"])
    assert out.exit_code == 0, out.output
    for line in ("#SBATCH --array=0-3%2", "#SBATCH --partition=short",
                 "#SBATCH --account=lab42", "module load nest/3.10", "-m mozaik.search",
                 '--task "$SLURM_ARRAY_TASK_ID"'):
        assert line in out.output
    assert not (tmp_path / "m" / "slurm").exists()


def test_slurm_missing_is_named_and_nothing_is_submitted(tmp_path: Path, contract_study_dir: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(SlurmError, match="sbatch not found"):
        run_search(_search(tmp_path, [0.004]), tmp_path / "m", SlurmBackend())
    assert not (tmp_path / "m" / "slurm").exists()


def test_slurm_not_answering_is_named_and_nothing_is_submitted(
        tmp_path: Path, contract_study_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "down.conf"
    conf.write_text("ClusterName=down\nSlurmctldHost=localhost\nSlurmctldPort=6899\n"
                    "MessageTimeout=2\nAuthType=auth/munge\n"
                    f"AuthInfo=socket={tmp_path}/nosocket\nNodeName=localhost CPUs=1\n"
                    "PartitionName=debug Nodes=localhost Default=YES\n")
    monkeypatch.setenv("SLURM_CONF", str(conf))
    with pytest.raises(SlurmError, match="not answering; nothing was submitted"):
        run_search(_search(tmp_path, [0.004]), tmp_path / "m", SlurmBackend())
    assert not (tmp_path / "m" / "slurm").exists()


def test_a_search_is_one_job_array_and_a_failing_point_fails_alone(
        tmp_path: Path, contract_study_dir: Path, slurm_cluster: LocalSlurm) -> None:
    master = tmp_path / "m"
    backend = SlurmBackend(SlurmBackendParams(poll_s=0.2, max_parallel=2))
    summary = run_search(_search(tmp_path, [0.004, -1.0, 0.008]), master, backend)
    assert (summary.done, summary.failed) == (2, 1)
    rows = read_index(master).to_pylist()
    assert [r["status"] for r in rows] == ["done", "failed", "done"]
    assert "weight_uS" in rows[1]["error"]
    assert "Slurm task" in rows[1]["error"] or rows[1]["log_tail"]
    assert len(list((master / "slurm").glob("job-*.txt"))) == 1, "one sbatch per search"
    job = (master / "slurm" / "job-0.txt").read_text().strip()
    assert sorted(job_states(job).items()) == [(0, "COMPLETED"), (1, "FAILED"),
                                               (2, "COMPLETED")]
    # what a job Slurm no longer lists is read from: the jobcomp/filetxt file
    path = jobcomp_file()
    assert path == slurm_cluster.root / "log" / "jobcomp.txt"
    assert jobcomp_states(job, path) == job_states(job)


def test_a_point_that_crashes_is_recorded_with_its_signal(
        tmp_path: Path, segv_study_dir: Path, slurm_cluster: LocalSlurm) -> None:
    flag = "analyses.0.params.crash"
    search = search_from_mapping({"study": "study", "kind": "list",
                                  "points": [{flag: True}, {flag: False}]}, tmp_path, name="s")
    master = tmp_path / "m"
    summary = run_search(search, master, SlurmBackend(SlurmBackendParams(poll_s=0.2)))
    assert (summary.done, summary.failed) == (1, 1)
    rows = read_index(master).to_pylist()
    assert [(r["status"], r["signal"]) for r in rows] == [("failed", "SIGSEGV"), ("done", None)]
    assert "killed by SIGSEGV" in rows[0]["error"]
    job = (master / "slurm" / "job-0.txt").read_text().strip()
    assert job_states(job)[0] == "FAILED"


def test_a_cancelled_job_is_reported_and_resume_reruns_it(
        tmp_path: Path, contract_study_dir: Path, slurm_cluster: LocalSlurm) -> None:
    master = tmp_path / "m"
    slow = SlurmBackend(SlurmBackendParams(poll_s=0.2, setup=("sleep 120",)))

    def cancel() -> None:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            jobs = list((master / "slurm").glob("job-*.txt"))
            if jobs:
                job = jobs[0].read_text().strip()
                if "RUNNING" in job_states(job).values():
                    subprocess.run(["scancel", job], check=True, env=slurm_cluster.env())
                    return
            time.sleep(0.2)

    canceller = threading.Thread(target=cancel)
    canceller.start()
    summary = run_search(_search(tmp_path, [0.004, 0.006]), master, slow)
    canceller.join()
    assert (summary.done, summary.failed) == (0, 2)
    errors = read_index(master)["error"].to_pylist()
    assert all("ended CANCELLED" in e for e in errors), errors
    fast = SlurmBackend(SlurmBackendParams(poll_s=0.2))
    again = run_search(_search(tmp_path, [0.004, 0.006]), master, fast, resume=True)
    assert (again.ran, again.done) == ((0, 1), 2)
    assert run_search(_search(tmp_path, [0.004, 0.006]), master, fast).ran == ()


def test_a_timed_out_and_a_cancelled_task_are_reported_and_resumed(
        tmp_path: Path, contract_study_dir: Path, slurm_cluster: LocalSlurm) -> None:
    """One array of 3 points through the CLI: task 0 outlives its time limit (1 minute,
    Slurm's shortest; slurmctld enforces limits about every 30 s, so this takes 60-90 s),
    task 1 is cancelled while it runs, task 2 completes."""
    file = tmp_path / "s.yaml"
    file.write_text(
        f"study: study\nkind: list\npoints: [{{{W}: 0.004}}, {{{W}: 0.006}}, {{{W}: 0.008}}]\n"
        "backend: slurm\nresources: {poll_s: 0.5, time: '00:01:00', timeout_s: 240,\n"
        "  setup: ['if [ $SLURM_ARRAY_TASK_ID -lt 2 ]; then sleep 300; fi']}\n")
    master = tmp_path / "m"
    runner = CliRunner()

    def cancel_task_1() -> None:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            jobs = list((master / "slurm").glob("job-*.txt"))
            if jobs:
                job = jobs[0].read_text().strip()
                if job_states(job).get(1) == "RUNNING":
                    subprocess.run(["scancel", f"{job}_1"], check=True, env=slurm_cluster.env())
                    return
            time.sleep(0.2)

    canceller = threading.Thread(target=cancel_task_1)
    canceller.start()
    start = time.monotonic()
    out = runner.invoke(cli, ["search", "run", str(file), "--out", str(master)])
    canceller.join()
    assert out.exit_code == 0, out.output
    assert "ran 3 point(s); 1 of 3 done, 2 failed" in out.output
    assert time.monotonic() - start < 200
    job = (master / "slurm" / "job-0.txt").read_text().strip()
    assert job_states(job) == {0: "TIMEOUT", 1: "CANCELLED", 2: "COMPLETED"}

    # the status names each task with its job id, what its state means and what to do
    status = runner.invoke(cli, ["search", "status", str(master)]).output.splitlines()
    assert status[0].startswith(f"p00000 failed     {W}=0.004  Slurm task {job}_0 ended "
                                "TIMEOUT: it reached its time limit (time=00:01:00); raise "
                                "resources.time"), status
    assert status[1].startswith(f"p00001 failed     {W}=0.006  Slurm task {job}_1 ended "
                                "CANCELLED: cancelled"), status
    assert status[2].startswith(f"p00002 done       {W}=0.008"), status
    rows = read_index(master).to_pylist()
    assert "DUE TO TIME LIMIT" in rows[0]["log_tail"], rows[0]["log_tail"]
    assert f"slurm/{job}_0.out" in rows[0]["log_tail"]

    # --resume reruns those two only (one new array of 2 tasks), with a longer limit
    again = runner.invoke(cli, ["search", "run", str(file), "--out", str(master), "--resume",
                                "--resource", "setup=[]", "--resource", "time=00:05:00"])
    assert again.exit_code == 0, again.output
    assert "ran 2 point(s); 3 of 3 done, 0 failed" in again.output
    second = (master / "slurm" / "job-1.txt").read_text().strip()
    assert (master / "slurm" / "todo-1.txt").read_text().split() == ["0", "1"]
    assert job_states(second) == {0: "COMPLETED", 1: "COMPLETED"}
    finished = runner.invoke(cli, ["search", "run", str(file), "--out", str(master)])
    assert "nothing to do: 3 of 3 points done" in finished.output
