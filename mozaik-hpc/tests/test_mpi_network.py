"""``mozaik run --backend mpi`` without NEST built with MPI (the PyPI wheel), on real ranks of
the mpich wheel's mpiexec: what is refused, and how. One network actually distributed over ranks
runs in the opt-in ``nox -s mpi_network`` session (tests/mpi_network), which builds NEST with MPI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mozaik.testing import contract_study_text
from mozaik_hpc import MPIError
from mozaik_hpc._network import check_ranks, nest_has_mpi

MPIEXEC = str(Path(sys.executable).parent / "mpiexec")
MOZAIK = str(Path(sys.executable).with_name("mozaik"))


def _study(tmp_path: Path, simulator: str = "nest") -> Path:
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "study.yaml").write_text(contract_study_text(simulator))
    return folder


def _on_ranks(n: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MPIEXEC, "-n", str(n), MOZAIK, *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_pypi_wheel_is_known_to_have_no_mpi() -> None:
    import nest  # here, outside a launcher, the wheel imports

    assert nest.build_info["have_mpi"] is False
    assert nest_has_mpi() is False


def test_one_network_on_ranks_without_mpi_nest_is_refused_with_how_to_build(
        tmp_path: Path) -> None:
    done = _on_ranks(2, "run", str(_study(tmp_path)), "--backend", "mpi", "--out",
                     str(tmp_path / "run"))
    out = " ".join((done.stdout + done.stderr).split())  # the CLI wraps its errors
    assert done.returncode != 0, out
    assert out.count("one network across 2 MPI ranks needs NEST built with MPI") == 2, out
    assert "pip install --no-binary nest-simulator" in out
    assert "mozaik search run --backend mpi" in out  # what works with the wheel
    assert not (tmp_path / "run").exists()  # refused before anything was built or written


def test_more_ranks_than_neurons_in_a_sheet_is_refused_before_building(tmp_path: Path) -> None:
    done = _on_ranks(5, "run", str(_study(tmp_path)), "--backend", "mpi", "--out",
                     str(tmp_path / "run"))
    out = " ".join((done.stdout + done.stderr).split())  # the CLI wraps its errors
    assert done.returncode != 0, out
    assert ("5 MPI ranks but the network has fewer neurons than ranks in sheet(s) inh (4) "
            "(as declared, before building; 20 neurons in all)") in out, out
    assert "launch at most 4 ranks" in out
    assert not (tmp_path / "run").exists()


def test_check_ranks_names_every_sheet_too_small() -> None:
    with pytest.raises(MPIError, match=r"sheet\(s\) a \(1\), c \(2\) \(as built; 103 neurons"):
        check_ranks({"a": 1, "b": 100, "c": 2}, 3, "as built")
    check_ranks({"a": 3}, 3, "as built")  # as many neurons as ranks is fine


def test_backend_mpi_without_a_launcher_runs_in_this_process(tmp_path: Path) -> None:
    done = subprocess.run([MOZAIK, "run", str(_study(tmp_path, "mock")), "--backend", "mpi",
                           "--out", str(tmp_path / "run"), "--progress", "off"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "4 presentation(s) stored" in done.stdout
    manifest = (tmp_path / "run" / "manifest.json").read_text()
    assert '"ranks"' not in manifest and '"format_version": 2' in manifest
