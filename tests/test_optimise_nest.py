"""An optimising search on NEST whose driver is killed with SIGKILL mid-search resumes to the
trial table of an uninterrupted search (issue 24). The example fit reaching its target is
tested in tests/test_example_fit.py (locally) and tests/test_example_fit_slurm.py (Slurm).

A tiny version of the example fit (examples/vogels_abbott2005_search/fit.yaml at 80 + 20
neurons and 150 ms, 4 trials in batches of 2, one worker) is run uninterrupted, and again with
its driver (the ``mozaik search run`` process) killed by SIGKILL as soon as the first point of
the second batch has finished, the second point still running; ``mozaik search run ...
--resume`` reruns only the unfinished point and ends with the same trial table (parameters
asked, values told, states) as the uninterrupted search.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from mozaik.search import read_index, trial_table

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
FIT = ROOT / "examples" / "vogels_abbott2005_search" / "fit.yaml"
MOZAIK = str(Path(sys.executable).with_name("mozaik"))

#: The tiny fit of the resume test: the example fit at 80 + 20 neurons and 150 ms.
TINY = ["sheets.exc.params.placement.n_neurons=80",
        "experiments.0.params.duration_ms=50.0",
        "experiments.0.params.drive_period_ms=20.0",
        "experiments.1.params.duration_ms=150.0"]


def _fit_file(folder: Path, **changes: Any) -> Path:
    """The example fit with ``changes``, written to ``folder`` (paths made absolute)."""
    data = yaml.safe_load(FIT.read_text())
    data.update(study=str(FIT.parent.parent / "vogels_abbott2005"),
                workflow=str(FIT.parent / "fit_analyses.yaml"), plots=[])
    extra = changes.pop("extra_set", [])
    data.update(changes)
    data["set"] = [*data["set"], *extra]
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "fit.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    return file


def _mozaik(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MOZAIK, *args], capture_output=True, text=True, timeout=900,
                          cwd=ROOT, check=False)


def _wait_for_done_point(master: Path, point: int, process: subprocess.Popen[str]) -> None:
    status = master / "status" / f"p{point:05d}.json"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"the driver ended (code {process.returncode}) before point {point} finished"
            raise AssertionError(msg)
        if status.is_file() and '"status": "done"' in status.read_text():
            return
        time.sleep(0.02)
    msg = f"point {point} did not finish in 600 s"
    raise AssertionError(msg)


def _wait_for_orphans(master: Path) -> None:
    """Wait until no point's process (a child of the killed driver, which stops itself at its
    next safe point when it sees its supervisor gone) still holds its store's writer lock, as
    a user would before resuming."""
    deadline = time.monotonic() + 120
    for lock in master.glob("points/p*/.writer.lock"):
        with lock.open("rb") as fh:
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
                except OSError:
                    assert time.monotonic() < deadline, f"{lock} still held after 120 s"
                    time.sleep(0.05)
                    continue
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
                break


def _killed_driver(file: Path, master: Path) -> None:
    """Run the search and SIGKILL its driver once point 2 (first of the 2nd batch) is done."""
    process = subprocess.Popen([MOZAIK, "search", "run", str(file), "--out", str(master)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               cwd=ROOT)
    try:
        _wait_for_done_point(master, 2, process)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        out, _ = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, out
    _wait_for_orphans(master)


def test_kill_9_of_the_driver_mid_search_resumes_to_the_same_trials_on_nest(
        tmp_path: Path) -> None:
    file = _fit_file(tmp_path, n_trials=4, batch_size=2, resources={"workers": 1},
                     extra_set=TINY)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    with ThreadPoolExecutor(2) as pool:
        reference = pool.submit(_mozaik, "search", "run", str(file), "--out", str(whole))
        pool.submit(_killed_driver, file, cut).result()
        done = reference.result()
    assert done.returncode == 0, done.stdout + done.stderr
    told = [t["state"] for t in trial_table(cut).to_pylist()]
    assert told == ["COMPLETE", "COMPLETE"], "killed during the 2nd batch: only the 1st told"
    refused = _mozaik("search", "run", str(file), "--out", str(cut))
    assert refused.returncode != 0 and "--resume" in refused.stderr + refused.stdout
    resumed = _mozaik("search", "run", str(file), "--out", str(cut), "--resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "ran 1 point(s)" in resumed.stdout, "point 2 finished before the kill: not rerun"
    assert trial_table(cut) == trial_table(whole)
    assert read_index(cut)["status"].to_pylist() == ["done"] * 4
    assert [t["state"] for t in trial_table(whole).to_pylist()] == ["COMPLETE"] * 4
