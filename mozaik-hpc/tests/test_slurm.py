"""The Slurm backend on a real local cluster: one job array per search, failures, cancel."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from mozaik.cli._main import cli
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
                                                            study_dir: Path) -> None:
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


def test_slurm_missing_is_named_and_nothing_is_submitted(tmp_path: Path, study_dir: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(SlurmError, match="sbatch not found"):
        run_search(_search(tmp_path, [0.004]), tmp_path / "m", SlurmBackend())
    assert not (tmp_path / "m" / "slurm").exists()


def test_slurm_not_answering_is_named_and_nothing_is_submitted(
        tmp_path: Path, study_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
        tmp_path: Path, study_dir: Path, slurm_cluster: LocalSlurm) -> None:
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


def test_a_cancelled_job_is_reported_and_resume_reruns_it(
        tmp_path: Path, study_dir: Path, slurm_cluster: LocalSlurm) -> None:
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
