"""LocalSlurm itself: a cluster whose folder is deep in the file system still launches jobs
(slurmd's step sockets must fit a Unix socket path of 108 bytes); and a task Slurm cannot
launch stops a search with the fix instead of a wait for ever."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from mozaik.cli import cli
from mozaik_hpc import job_states
from mozaik_hpc.testing import LocalSlurm

W = "connectors.exc_inh.params.weight_uS"


def test_a_cluster_in_a_deep_folder_launches_its_jobs(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # pytest's own folders reach this depth once its counter has four digits
    # (/tmp/pytest-of-root/pytest-1011/popen-gw1/test_the_example_fit_runs_batc0/slurm: the
    # step socket took 109 bytes and every job was "launch failed requeued held")
    root = tmp_path / ("d" * 60) / "slurm"
    assert len(str(root / "spool" / "localhost_1.4294967291")) > 108
    cluster = LocalSlurm(root).start()
    try:
        monkeypatch.setenv("SLURM_CONF", str(cluster.conf))
        out = root.parent / "out-%a.txt"
        job = subprocess.run(["sbatch", "--parsable", "--array=0", f"--output={out}",
                              "--wrap", "echo ran"], env=cluster.env(), capture_output=True,
                             text=True, check=True, timeout=60).stdout.strip().split(";")[0]
        end = time.monotonic() + 120
        states: dict[int, str] = {}
        while time.monotonic() < end:
            states = job_states(job)
            if states and all(s == "COMPLETED" for s in states.values()):
                break
            time.sleep(0.5)
        assert states == {0: "COMPLETED"}, (
            f"job {job}: {states}; {(root / 'log' / 'slurmd.log').read_text()[-1500:]}")
        assert (root.parent / "out-0.txt").read_text().strip() == "ran"
    finally:
        cluster.stop()


def test_a_task_slurm_cannot_launch_stops_the_search_naming_the_fix(
        tmp_path: Path, contract_study_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A node that cannot start a task (here: its step socket would not fit a Unix socket
    path) makes Slurm requeue and hold it, and it never runs by itself: the search stops with
    what happened and what to do instead of waiting for ever."""
    cluster = LocalSlurm(tmp_path / "slurm")
    cluster.spool = tmp_path / ("d" * 90) / "spool"  # every launch fails
    cluster.start()
    try:
        monkeypatch.setenv("SLURM_CONF", str(cluster.conf))
        file = tmp_path / "s.yaml"
        file.write_text(f"study: {contract_study_dir.name}\nkind: list\npoints: [{{{W}: 0.004}}]\n"
                        "backend: slurm\nresources: {poll_s: 0.5, timeout_s: 120}\n")
        start = time.monotonic()
        out = CliRunner().invoke(cli, ["search", "run", str(file), "--out", str(tmp_path / "m")])
        assert out.exit_code != 0, out.output
        text = " ".join(out.output.split())
        assert "Slurm could not start task(s) 0 of job" in text, text
        assert "scontrol release" in text and "--resume" in text, text
        assert time.monotonic() - start < 100
    finally:
        cluster.stop()
