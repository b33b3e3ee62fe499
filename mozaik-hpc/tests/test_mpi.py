"""The MPI backend with real ranks (mpiexec from the mpich wheel, mpi4py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mozaik.search import read_index, run_search, search_from_mapping
from mozaik.testing import BackendContract
from mozaik_hpc import MPIBackend, MPIBackendParams, MPIError

W = "connectors.exc_inh.params.weight_uS"
MPIEXEC = str(Path(sys.executable).parent / "mpiexec")


class TestMPIBackend(BackendContract):
    name = "MPIBackend"
    example_params = {"ranks": 2}


def test_two_ranks_take_the_points_each_its_own_nest(
        tmp_path: Path, contract_study_dir: Path) -> None:
    search = search_from_mapping({"study": "study", "kind": "list",
                                  "points": [{W: w} for w in (0.002, 0.004, -1.0, 0.008)]},
                                 tmp_path, name="mpi")
    master = tmp_path / "m"
    summary = run_search(search, master, MPIBackend(MPIBackendParams(ranks=2)))
    assert (summary.done, summary.failed) == (3, 1)
    assert read_index(master)["status"].to_pylist() == ["done", "done", "failed", "done"]
    log = (master / "mpi" / "launch-0.log").read_text()
    for line in ("rank 0 of 2: point 0 done", "rank 1 of 2: point 1 done",
                 "rank 0 of 2: point 2 failed", "rank 1 of 2: point 3 done"):
        assert line in log, log


def test_a_point_that_crashes_fails_alone_and_its_rank_goes_on(
        tmp_path: Path, segv_study_dir: Path) -> None:
    flag = "analyses.0.params.crash"
    search = search_from_mapping({"study": "study", "kind": "list",
                                  "points": [{flag: c} for c in (True, False, False)]},
                                 tmp_path, name="mpi")
    master = tmp_path / "m"
    summary = run_search(search, master, MPIBackend(MPIBackendParams(ranks=2)))
    assert (summary.done, summary.failed) == (2, 1)
    rows = read_index(master).to_pylist()
    assert [(r["status"], r["signal"]) for r in rows] == [
        ("failed", "SIGSEGV"), ("done", None), ("done", None)]
    log = (master / "mpi" / "launch-0.log").read_text()
    assert "rank 0 of 2: point 2 done" in log, "rank 0 went on after its crashed point"


def test_one_network_across_ranks_is_refused_without_mpi_nest(tmp_path: Path,
                                                              contract_study_dir: Path) -> None:
    script = tmp_path / "one.py"
    script.write_text(
        "import sys\nfrom mpi4py import MPI\n"
        "from mozaik.backends import RunOptions\nfrom mozaik.study import load_study\n"
        "from mozaik_hpc import MPIBackend, MPIError\n"
        f"study = load_study({str(contract_study_dir / 'study.yaml')!r})\n"
        "try:\n"
        f"    MPIBackend().run(study, {str(tmp_path / 'run')!r}, RunOptions(progress='off'))\n"
        "except MPIError as exc:\n    print('REFUSED', exc)\n    sys.exit(0)\n"
        "sys.exit(1)\n")
    done = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(script)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("REFUSED") == 2
    assert "needs NEST built with MPI" in done.stdout


def test_no_launcher_is_named(tmp_path: Path, contract_study_dir: Path) -> None:
    search = search_from_mapping({"study": "study", "parameters": {W: [0.004]}}, tmp_path)
    backend = MPIBackend(MPIBackendParams(launcher="no-such-mpiexec"))
    with pytest.raises(MPIError, match="no MPI launcher found"):
        run_search(search, tmp_path / "m", backend)


def test_ranks_run_nest_from_the_pypi_wheel(tmp_path: Path) -> None:
    """The wheel exits with 127 on `import nest` under a launcher unless the rank hides it."""
    from mozaik.testing import contract_study_text

    (tmp_path / "study").mkdir()
    (tmp_path / "study" / "study.yaml").write_text(contract_study_text("nest"))
    search = search_from_mapping({"study": "study", "parameters": {W: [0.004, 0.008]}},
                                 tmp_path, name="nest")
    summary = run_search(search, tmp_path / "m", MPIBackend(MPIBackendParams(ranks=2)))
    assert summary.done == 2, read_index(tmp_path / "m").to_pylist()
