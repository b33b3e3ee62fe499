"""The Slurm backend: a parameter search is ONE job array (``sbatch --array=0-N%K``).

Task ``k`` of the array runs the point on line ``k`` of ``MASTER/slurm/todo-<n>.txt`` with
``python -m mozaik.search``; its output goes to ``MASTER/slurm/<job>_<k>.out``. The backend waits
for the array to end, reading task states with ``scontrol show job`` (no accounting database
needed); tasks cancelled, timed out or killed before their point wrote its status are reported
as failed with their Slurm state, what it means (``Slurm task 123_4 ended TIMEOUT: it reached
its time limit ...``) and their output tail.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import attrs
from mozaik import MozaikError
from mozaik.backends import Backend, LocalBackend, RunOptions
from mozaik.controller import RunSummary
from mozaik.search import Search, SearchOptions
from mozaik.study import Study

__all__ = ["SlurmBackend", "SlurmBackendParams", "SlurmError", "batch_script", "check_slurm",
           "job_states", "jobcomp_file", "jobcomp_states"]

#: Job states after which a task will not run again.
TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
                      "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT", "REVOKED"})


class SlurmError(MozaikError):
    """Slurm is missing, not answering, or refused a submission."""


@attrs.frozen(kw_only=True)
class SlurmBackendParams:
    """Resources of each array task and how the array runs.

    Parameters
    ----------
    partition, account, qos : str or None
        ``--partition``, ``--account``, ``--qos`` (None: the cluster's default).
    time : str
        ``--time`` per point, e.g. ``"00:30:00"``.
    cpus_per_task : int
        ``--cpus-per-task`` (set ``simulator.threads`` to match in the search's ``set``).
    mem_mb : int or None
        ``--mem`` per task, MB.
    max_parallel : int or None
        Array throttle: at most this many points run at once (``--array=...%N``).
    modules : tuple of str
        ``module load`` lines run before the point (e.g. ``["python/3.11"]``).
    setup : tuple of str
        Further shell lines before the point (e.g. ``source venv/bin/activate``).
    python : str or None
        The Python that runs points (default: this one, ``sys.executable``).
    extra : tuple of str
        More ``#SBATCH`` options, e.g. ``["--constraint=cpu"]``.
    poll_s : float, s
        How often the job's state is read while waiting.
    timeout_s : float or None, s
        Give up waiting (the job keeps running) after this long; None: wait.
    """

    partition: str | None = None
    account: str | None = None
    qos: str | None = None
    time: str = "01:00:00"
    cpus_per_task: int = 1
    mem_mb: int | None = None
    max_parallel: int | None = None
    modules: tuple[str, ...] = ()
    setup: tuple[str, ...] = ()
    python: str | None = None
    extra: tuple[str, ...] = ()
    poll_s: float = 1.0
    timeout_s: float | None = None


def batch_script(params: SlurmBackendParams, name: str, master: Path, todo: Path,
                 n_tasks: int) -> str:
    """The batch script of the job array running ``n_tasks`` points listed in ``todo``."""
    throttle = f"%{params.max_parallel}" if params.max_parallel else ""
    lines = ["#!/bin/bash", f"#SBATCH --job-name=mozaik-{name}",
             f"#SBATCH --array=0-{n_tasks - 1}{throttle}",
             f"#SBATCH --output={master}/slurm/%A_%a.out", f"#SBATCH --time={params.time}",
             f"#SBATCH --cpus-per-task={params.cpus_per_task}", "#SBATCH --ntasks=1"]
    for flag, value in (("partition", params.partition), ("account", params.account),
                        ("qos", params.qos)):
        if value:
            lines.append(f"#SBATCH --{flag}={value}")
    if params.mem_mb:
        lines.append(f"#SBATCH --mem={params.mem_mb}")
    lines += [f"#SBATCH {opt}" for opt in params.extra]
    lines += ["set -u", *(f"module load {m}" for m in params.modules), *params.setup]
    python = shlex.quote(params.python or sys.executable)
    lines.append(f"exec {python} -m mozaik.search {shlex.quote(str(master))} "
                 f"--todo {shlex.quote(str(todo))} --task \"$SLURM_ARRAY_TASK_ID\"")
    return "\n".join(lines) + "\n"


def _slurm(args: list[str], what: str, timeout_s: float = 30.0) -> str:
    if shutil.which(args[0]) is None:
        msg = (f"{what}: {args[0]} not found: Slurm's client commands are not installed or not "
               "on PATH (load the cluster's slurm module, or use --backend local)")
        raise SlurmError(msg)
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s,
                              check=False)
    except subprocess.TimeoutExpired:
        msg = f"{what}: `{' '.join(args)}` did not answer within {timeout_s:.0f} s"
        raise SlurmError(msg) from None
    if done.returncode != 0:
        msg = f"{what}: `{' '.join(args)}` failed: {(done.stderr or done.stdout).strip()}"
        raise SlurmError(msg)
    return done.stdout


def check_slurm() -> None:
    """Raise :class:`SlurmError` unless ``sbatch`` exists and the controller answers."""
    _slurm(["sbatch", "--version"], "Slurm")
    try:
        out = _slurm(["scontrol", "ping"], "Slurm controller")
    except SlurmError as exc:
        msg = f"Slurm controller is not answering; nothing was submitted ({exc})"
        raise SlurmError(msg) from None
    if " UP" not in out:
        msg = (f"Slurm controller is not answering (`scontrol ping`: {out.strip()}); nothing "
               "was submitted")
        raise SlurmError(msg)


_TASK = re.compile(r"ArrayTaskId=(\S+)")
_STATE = re.compile(r"JobState=(\S+)")


def jobcomp_file() -> Path | None:
    """The cluster's job completion file, when it logs to one (``JobCompType=jobcomp/filetxt``),
    from ``scontrol show config``."""
    out = _slurm(["scontrol", "show", "config"], "Slurm configuration")
    config = dict(line.split("=", 1) for line in out.splitlines() if " = " in line)
    config = {k.strip(): v.strip() for k, v in config.items()}
    if config.get("JobCompType") != "jobcomp/filetxt" or not config.get("JobCompLoc"):
        return None
    return Path(config["JobCompLoc"])


def jobcomp_states(job_id: str, path: Path) -> dict[int, str]:
    """State of each ended task of array job ``job_id`` from a jobcomp/filetxt file."""
    states: dict[int, str] = {}
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return states
    for line in lines:
        if f" ArrayJobId={job_id} " not in f" {line} ":
            continue
        task, state = _TASK.search(line), _STATE.search(line)
        if task and state and task.group(1).isdigit():
            states[int(task.group(1))] = state.group(1)
    return states


def job_states(job_id: str) -> dict[int, str]:
    """State of each task of array job ``job_id`` from ``scontrol -o show job``; pending
    ranges (``ArrayTaskId=3-9%2``) give one entry per task. A job Slurm no longer lists (ended
    more than ``MinJobAge`` ago) is read from the jobcomp/filetxt file, when there is one (no
    ``sacct``: it needs an accounting database)."""
    try:
        out = _slurm(["scontrol", "-o", "show", "job", job_id], f"Slurm job {job_id}")
    except SlurmError as exc:
        if "Invalid job id" not in str(exc):
            raise
        path = jobcomp_file()
        return jobcomp_states(job_id, path) if path is not None else {}
    states: dict[int, str] = {}
    for line in out.splitlines():
        task, state = _TASK.search(line), _STATE.search(line)
        if not task or not state:
            continue
        spec = task.group(1).split("%")[0]
        for part in spec.split(","):
            first, _, last = part.partition("-")
            for k in range(int(first), int(last or first) + 1):
                states[k] = state.group(1)
    return states


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class SlurmBackend(Backend[SlurmBackendParams]):
    """Runs a parameter search as one Slurm job array (never one ``sbatch`` per point)."""

    def __init__(self, params: SlurmBackendParams | None = None) -> None:
        super().__init__(params or SlurmBackendParams())

    def run(self, study: Study, run_dir: Path, options: RunOptions | None = None) -> RunSummary:
        """Inside a Slurm job (``srun mozaik run STUDY --backend SlurmBackend``), run the study
        in this process; outside one, submitting a single study is refused with the command
        to use."""
        if "SLURM_JOB_ID" not in os.environ:
            msg = (f"{study.name}: --backend SlurmBackend runs a single study inside a Slurm "
                   "job: submit `sbatch --wrap 'mozaik run STUDY'`, or run a parameter search "
                   "with `mozaik search run SEARCH_FILE --backend slurm`")
            raise SlurmError(msg)
        return LocalBackend().run(study, run_dir, options)

    def run_search(self, search: Search, master_dir: Path, point_ids: Sequence[int],
                   options: SearchOptions | None = None) -> dict[int, str]:
        """Submit the points as one job array and wait for it to end.

        ``SearchOptions(dry_run=True)`` prints the batch script and submits nothing. Slurm
        missing or not answering is a :class:`SlurmError` raised before anything is submitted.
        """
        if options is not None and options.dry_run:
            print(self.submit(search, master_dir, point_ids, dry_run=True), end="")
            return {}
        master = Path(master_dir).resolve()
        job = self.submit(search, master, point_ids)
        slurm_dir = master / "slurm"
        states = self._wait(job)
        notes: dict[int, str] = {}
        for k, point in enumerate(point_ids):
            state = states.get(k, "UNKNOWN (no longer listed by scontrol)")
            if state != "COMPLETED":
                out = _tail(slurm_dir / f"{job}_{k}.out")
                notes[point] = f"Slurm task {job}_{k} ended {state}{self._why(state)}" + (
                    f"\n{slurm_dir.name}/{job}_{k}.out:\n{out}" if out else "")
        return notes

    def _why(self, state: str) -> str:
        """What a task's end state means and what to change (a note's first line)."""
        reasons = {
            "TIMEOUT": f": it reached its time limit (time={self.params.time}); raise "
                       "resources.time, then rerun with --resume",
            "CANCELLED": ": cancelled (scancel, or by the cluster); rerun with --resume",
            "OUT_OF_MEMORY": f": it ran out of memory (mem_mb={self.params.mem_mb}); raise "
                             "resources.mem_mb, then rerun with --resume",
            "NODE_FAIL": ": its node failed; rerun with --resume",
            "PREEMPTED": ": preempted by the cluster; rerun with --resume",
        }
        return reasons.get(state.split()[0], "")

    def submit(self, search: Search, master_dir: Path, point_ids: Sequence[int], *,
               dry_run: bool = False) -> str:
        """Submit the points as one job array with one ``sbatch``; return the job id (with
        ``dry_run``: the batch script, nothing submitted). Raises :class:`SlurmError` before
        writing anything when Slurm is missing or not answering."""
        master = Path(master_dir).resolve()
        slurm_dir = master / "slurm"
        n = len(list(slurm_dir.glob("todo-*.txt"))) if slurm_dir.exists() else 0
        todo = slurm_dir / f"todo-{n}.txt"
        script = batch_script(self.params, search.name, master, todo, len(point_ids))
        if dry_run:
            return script
        check_slurm()
        slurm_dir.mkdir(parents=True, exist_ok=True)
        todo.write_text("\n".join(str(i) for i in point_ids) + "\n")
        script_file = slurm_dir / f"search-{n}.sbatch"
        script_file.write_text(script)
        job = _slurm(["sbatch", "--parsable", str(script_file)], "sbatch").strip().split(";")[0]
        (slurm_dir / f"job-{n}.txt").write_text(job + "\n")
        return job

    def _wait(self, job: str) -> dict[int, str]:
        start = time.monotonic()
        while True:
            states = job_states(job)
            if states and all(s in TERMINAL for s in states.values()):
                return states
            if not states:
                return {}
            if self.params.timeout_s is not None and (
                    time.monotonic() - start > self.params.timeout_s):
                msg = (f"Slurm job {job} still running after {self.params.timeout_s:.0f} s; "
                       "it goes on: rerun the search with --resume once it has ended")
                raise SlurmError(msg)
            time.sleep(self.params.poll_s)
