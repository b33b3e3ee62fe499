"""What nox sessions do about missing Debian packages (``.ci/system_packages.py``, issue 20).

A contributor without root who lacks Slurm or Chromium gets one message naming the packages to
install and the sessions that need them, instead of a failing ``apt-get``.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest

SOURCE = Path(__file__).resolve().parents[1] / ".ci" / "system_packages.py"


@pytest.fixture(scope="module")
def sp() -> ModuleType:
    spec = importlib.util.spec_from_file_location("system_packages", SOURCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["system_packages"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["system_packages"]
    return module


def _which(*present: str):  # type: ignore[no-untyped-def]
    return lambda name: f"/usr/bin/{name}" if name in present else None


def _nothing_installed(_packages: Sequence[str]) -> bool:
    return False


def test_nothing_to_do_when_every_program_is_there(sp: ModuleType) -> None:
    which = _which("slurmctld", "slurmd", "sbatch", "munged", "chromium")
    done = sp.plan([sp.SLURM, sp.CHROMIUM], which=which, installed=_nothing_installed,
                   prefix=lambda: pytest.fail("no privilege needed"))
    assert done == sp.Plan()


def test_without_root_one_message_names_packages_and_sessions(sp: ModuleType) -> None:
    done = sp.plan([sp.SLURM, sp.CHROMIUM], which=_which("apt-get", "munged"),
                   installed=_nothing_installed, prefix=lambda: None)
    assert done.commands == ()
    assert done.error is not None
    text = done.error
    assert "no root to install them" in text
    assert ("sudo apt-get install --no-install-recommends slurmctld slurmd slurm-client munge "
            "chromium") in text
    assert "plugins(package='hpc'), integration" in text
    assert "plugins(package='plot'), integration" in text


def test_only_the_missing_need_is_named(sp: ModuleType) -> None:
    which = _which("slurmctld", "slurmd", "sbatch", "munged")
    done = sp.plan([sp.SLURM, sp.CHROMIUM], which=which, installed=_nothing_installed,
                   prefix=lambda: None)
    assert done.error is not None
    assert "chromium" in done.error and "slurmctld" not in done.error


def test_as_root_apt_get_installs_what_is_missing(sp: ModuleType) -> None:
    done = sp.plan([sp.CHROMIUM], which=_which("apt-get"), installed=_nothing_installed,
                   prefix=lambda: [])
    assert done.error is None
    assert done.commands == (
        ("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update", "-qq"),
        ("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq",
         "--no-install-recommends", "chromium"))


def test_password_less_sudo_is_used_and_apt_get_must_exist(sp: ModuleType) -> None:
    sudo = sp.plan([sp.CHROMIUM], which=_which("apt-get"), installed=_nothing_installed,
                   prefix=lambda: ["sudo", "-n"])
    assert all(command[:2] == ("sudo", "-n") for command in sudo.commands)
    no_apt = sp.plan([sp.CHROMIUM], which=_which(), installed=_nothing_installed,
                     prefix=lambda: [])
    assert no_apt.error is not None and "no apt-get" in no_apt.error


def test_libraries_are_asked_of_dpkg(sp: ModuleType) -> None:
    which = _which("mpirun", "mpicc", "apt-get")
    assert sp.missing([sp.MPI], which=which, installed=lambda _p: True) == []
    assert sp.missing([sp.MPI], which=which, installed=_nothing_installed) == [sp.MPI]


def test_privilege(sp: ModuleType) -> None:
    assert sp.privilege(uid=0) == []
    assert sp.privilege(uid=1000, sudo_works=lambda: True) == ["sudo", "-n"]
    assert sp.privilege(uid=1000, sudo_works=lambda: False) is None


def test_every_session_named_exists() -> None:
    noxfile = (SOURCE.parents[1] / "noxfile.py").read_text()
    for session in ("integration", "plugins", "mpi_network", "format_queries"):
        assert f"def {session}(session: nox.Session" in noxfile, session
    assert "def all(" not in noxfile and "def format(" not in noxfile
