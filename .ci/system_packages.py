"""The Debian packages nox sessions need besides Python ones, and what to do when they are missing.

Imported by ``noxfile.py`` (and by ``tests/test_system_packages.py``); it needs no nox, so the
decisions can be tested without running a session. A session names what it needs
(``SLURM``, ``CHROMIUM``, ``MPI``); :func:`plan` says what to run: nothing when everything is
there, ``apt-get`` as root or through password-less ``sudo``, or else one message naming the
packages to install and the sessions that need them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["CHROMIUM", "MPI", "NEEDS", "SLURM", "Plan", "SystemNeed", "dpkg_installed",
           "missing", "plan", "privilege"]


@dataclass(frozen=True)
class SystemNeed:
    """Debian packages some sessions need.

    Attributes
    ----------
    what : str
        What they are, for the message.
    packages : tuple of str
        The Debian packages.
    binaries : tuple of str
        Programs on ``PATH`` once they are installed: any missing means the need is not met.
    check_packages : bool
        Also ask dpkg that every package is installed (libraries: nothing on ``PATH`` shows it).
    sessions : tuple of str
        The nox sessions that need them (as ``nox -s`` takes them).
    """

    what: str
    packages: tuple[str, ...]
    binaries: tuple[str, ...]
    sessions: tuple[str, ...]
    check_packages: bool = False


SLURM = SystemNeed("Slurm and munge (mozaik-hpc's local test cluster)",
                   ("slurmctld", "slurmd", "slurm-client", "munge"),
                   ("slurmctld", "slurmd", "sbatch", "munged"),
                   ("plugins(package='hpc')", "integration"))
CHROMIUM = SystemNeed("Chromium (mozaik-plot checks its run report in it, headless)",
                      ("chromium",), ("chromium",),
                      ("plugins(package='plot')", "integration"))
MPI = SystemNeed("Open MPI and NEST's build dependencies (NEST built with MPI)",
                 ("openmpi-bin", "libopenmpi-dev", "libboost-dev", "libgsl-dev", "libltdl-dev"),
                 ("mpirun", "mpicc"), ("mpi_network",), check_packages=True)
#: Every need, for the message's list of sessions that need nothing of the system.
NEEDS = (SLURM, CHROMIUM, MPI)


def dpkg_installed(packages: Sequence[str]) -> bool:
    """Whether dpkg reports every one of ``packages`` installed (False without dpkg)."""
    if shutil.which("dpkg-query") is None:
        return False
    have = subprocess.run(["dpkg-query", "-W", "-f=${Status}\\n", *packages],
                          capture_output=True, text=True, check=False)
    return have.returncode == 0 and have.stdout.count("install ok installed") == len(packages)


def missing(needs: Sequence[SystemNeed], *,
            which: Callable[[str], str | None] = shutil.which,
            installed: Callable[[Sequence[str]], bool] = dpkg_installed) -> list[SystemNeed]:
    """The ``needs`` not met on this machine."""
    return [need for need in needs
            if any(which(b) is None for b in need.binaries)
            or (need.check_packages and not installed(need.packages))]


def privilege(*, uid: int | None = None,
              sudo_works: Callable[[], bool] | None = None) -> list[str] | None:
    """The prefix that runs ``apt-get`` as root: ``[]`` as root, ``["sudo", "-n"]`` with
    password-less sudo, ``None`` without either."""
    if (os.geteuid() if uid is None else uid) == 0:
        return []
    if sudo_works is None:
        def sudo_works() -> bool:
            return shutil.which("sudo") is not None and subprocess.run(
                ["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0
    return ["sudo", "-n"] if sudo_works() else None


@dataclass(frozen=True)
class Plan:
    """What a session does about its system packages: run ``commands`` (each a list of
    arguments, in order), or, when ``error`` is set, stop with that message."""

    commands: tuple[tuple[str, ...], ...] = ()
    error: str | None = None


def _message(needs: Sequence[SystemNeed], why: str) -> str:
    packages = [p for need in needs for p in need.packages]
    lines = [f"missing system packages, and {why}:"]
    lines += [f"  - {need.what}: {' '.join(need.packages)}\n"
              f"    needed by the sessions {', '.join(need.sessions)}" for need in needs]
    lines.append("install them (Debian, Ubuntu) with\n"
                 f"    sudo apt-get install --no-install-recommends {' '.join(packages)}\n"
                 "and run the session again (sessions not named here need none of them)")
    return "\n".join(lines)


def plan(needs: Sequence[SystemNeed], *,
         which: Callable[[str], str | None] = shutil.which,
         installed: Callable[[Sequence[str]], bool] = dpkg_installed,
         prefix: Callable[[], list[str] | None] = privilege) -> Plan:
    """What to do for a session that needs ``needs``.

    Nothing when every need is met; else ``apt-get update`` and ``apt-get install`` of the
    missing needs' packages as root (or through password-less sudo); else (no root, or no
    apt-get) a :class:`Plan` whose ``error`` names the packages and the sessions needing them.
    """
    lacking = missing(needs, which=which, installed=installed)
    if not lacking:
        return Plan()
    run_as = prefix()
    if run_as is None:
        return Plan(error=_message(lacking, "no root to install them (not uid 0, no "
                                            "password-less sudo)"))
    if which("apt-get") is None:
        return Plan(error=_message(lacking, "no apt-get to install them"))
    packages = tuple(p for need in lacking for p in need.packages)
    apt = (*run_as, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get")
    return Plan(commands=((*apt, "update", "-qq"),
                          (*apt, "install", "-y", "-qq", "--no-install-recommends", *packages)))
