"""A real single-node Slurm cluster on localhost for tests: munged, slurmctld and slurmd started
as plain daemons with every file (key, config, state, logs) in one folder; nothing in /etc.

Needs Debian's ``slurmctld slurmd slurm-client munge`` (the ``plugins(hpc)`` nox session
installs them). Each cluster takes two free ports of its own, so several can run side by side.

    with LocalSlurm(tmp_path / "slurm") as cluster:
        env = cluster.env()          # SLURM_CONF for every client
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["LocalSlurm", "SLURM_BINARIES", "slurm_installed"]

#: The programs the cluster needs.
SLURM_BINARIES: tuple[str, ...] = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch",
                                   "scontrol", "sinfo")

_DAEMONS = ("slurmd", "slurmctld", "munged")


def slurm_installed() -> bool:
    """Whether every program of :data:`SLURM_BINARIES` is on PATH."""
    return all(shutil.which(b) for b in SLURM_BINARIES)


def _alive(pid: int) -> bool:
    """A live process that is not a zombie (daemons exit into zombies for a while)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _free_port() -> int:
    """A TCP port of this machine that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalSlurm:
    """Start and stop a local cluster whose state lives in ``root``.

    Parameters
    ----------
    root : path
        Folder for the munge key, ``slurm.conf``, state, logs, PID files (munge's socket and
        slurmd's spool go to a short folder of the system's tmp, named in
        ``socket-dir.txt``).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.conf = self.root / "slurm.conf"
        # munged wants every folder above its socket executable by all, which pytest's
        # temporary folders are not, and slurmd's step sockets (in its spool) must fit a Unix
        # socket path (108 bytes), which a deep temporary folder does not: both get a short
        # folder of their own in the system's tmp
        socket_dir = self.root / "socket-dir.txt"
        if socket_dir.exists():
            self.short = Path(socket_dir.read_text().strip())
        else:
            self.root.mkdir(parents=True, exist_ok=True)
            self.short = Path(tempfile.mkdtemp(prefix="mozaik-slurm-", dir="/tmp"))
            self.short.chmod(0o755)
            socket_dir.write_text(str(self.short))
        self.socket = self.short / "munge.socket.2"
        self.spool = self.short / "spool"
        # two free ports of this machine, kept with the cluster (a restart reuses them), so that
        # two test clusters (e.g. a session's and a test's own) can run side by side
        ports = self.root / "ports.txt"
        if not ports.exists():
            ports.write_text(" ".join(str(_free_port()) for _ in range(2)))
        self.ctld_port, self.slurmd_port = (int(x) for x in ports.read_text().split())

    def env(self) -> dict[str, str]:
        """The environment for Slurm clients: this process's, with ``SLURM_CONF``."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def _pid(self, name: str) -> int | None:
        try:
            pid = int((self.root / "run" / f"{name}.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def _wait(self, what: str, check: list[str], timeout_s: float = 30.0) -> None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            done = subprocess.run(check, env=self.env(), capture_output=True, text=True,
                                  check=False, timeout=30)
            if done.returncode == 0 and done.stdout.strip():
                return
            time.sleep(0.2)
        log = self.root / "log"
        tails = {p.name: p.read_text(errors="replace")[-800:] for p in log.glob("*.log")}
        msg = f"local Slurm: timeout waiting for {what}; logs: {tails}"
        raise RuntimeError(msg)

    def _write_conf(self) -> None:
        cpus = os.cpu_count() or 1
        with open("/proc/meminfo") as fh:
            mem_mb = int(int(fh.readline().split()[1]) / 1024 * 0.9)
        r = self.root
        self.conf.write_text(f"""ClusterName=mozaiktest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.socket}
SlurmctldPort={self.ctld_port}
SlurmdPort={self.slurmd_port}
StateSaveLocation={r}/state
SlurmdSpoolDir={self.spool}
SlurmctldPidFile={r}/run/slurmctld.pid
SlurmdPidFile={r}/run/slurmd.pid
SlurmctldLogFile={r}/log/slurmctld.log
SlurmdLogFile={r}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={r}/log/jobcomp.txt
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
MaxArraySize=10001
MaxJobCount=20000
NodeName=localhost NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={mem_mb} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
""")

    def start(self) -> LocalSlurm:
        """Start the daemons (those already running from ``root`` are left alone); return when
        the node is usable."""
        missing = [b for b in SLURM_BINARIES if not shutil.which(b)]
        if missing:
            msg = (f"local Slurm: {', '.join(missing)} not found; install Debian's slurmctld "
                   "slurmd slurm-client munge")
            raise RuntimeError(msg)
        for sub in ("munge", "state", "run", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.spool.mkdir(parents=True, exist_ok=True)
        (self.root / "munge").chmod(0o700)
        key = self.root / "munge" / "munge.key"
        if not key.exists():
            subprocess.run(["mungekey", "-c", "-k", str(key), "-b", "1024"], check=True)
        key.chmod(0o600)
        self._write_conf()
        if self._pid("munged") is None:
            subprocess.run(["munged", f"--key-file={key}", f"--socket={self.socket}",
                            f"--pid-file={self.root}/run/munged.pid",
                            f"--log-file={self.root}/log/munged.log",
                            f"--seed-file={self.root}/munge/munged.seed"], check=True)
            self._wait("munged", ["munge", "-S", str(self.socket), "-n"])
        if self._pid("slurmctld") is None:
            subprocess.run(["slurmctld", "-f", str(self.conf)], env=self.env(), check=True)
            self._wait("slurmctld", ["scontrol", "ping"])
        if self._pid("slurmd") is None:
            subprocess.run(["slurmd", "-f", str(self.conf), "-N", "localhost"], env=self.env(),
                           check=True)
        end = time.monotonic() + 30
        while time.monotonic() < end:
            state = subprocess.run(["sinfo", "-h", "-N", "-o", "%T"], env=self.env(),
                                   capture_output=True, text=True, check=False).stdout.strip()
            if state in ("idle", "mixed", "allocated"):
                return self
            if state.startswith(("down", "drain")):
                subprocess.run(["scontrol", "update", "NodeName=localhost", "State=RESUME"],
                               env=self.env(), check=False, capture_output=True)
            time.sleep(0.3)
        msg = f"local Slurm: node never became idle (state {state!r}); see {self.root}/log"
        raise RuntimeError(msg)

    def stop(self) -> None:
        """Cancel every job, then stop the daemons (SIGTERM, SIGKILL after 10 s), by PID file."""
        if self._pid("slurmctld") is not None:
            subprocess.run(["scancel", "--user", "root"], env=self.env(), check=False,
                           capture_output=True, timeout=30)
        for name in _DAEMONS:
            pid = self._pid(name)
            if pid is None:
                continue
            os.kill(pid, signal.SIGTERM)
            end = time.monotonic() + 10
            while _alive(pid) and time.monotonic() < end:
                time.sleep(0.1)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
            (self.root / "run" / f"{name}.pid").unlink(missing_ok=True)
        if self._pid("munged") is None:
            shutil.rmtree(self.socket.parent, ignore_errors=True)

    def __enter__(self) -> LocalSlurm:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
