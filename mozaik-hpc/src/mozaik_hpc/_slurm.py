"""The Slurm backend: a parameter search is one job array (``sbatch --array=0-N%K``), or a few
when it has more tasks than the cluster's ``MaxArraySize``.

Task ``k`` of an array runs the point on line ``k`` of ``MASTER/slurm/todo-<n>.txt`` with
``python -m mozaik.search``; with packing (``resources: {pack: P}``) it runs the ``P`` points on
lines ``k*P`` to ``k*P+P-1`` one after another in one process (start-up and imports paid once a
task; each point still in its own forked child, so a crashing point fails alone). Its output
goes to ``MASTER/slurm/<job>_<k>.out``. Before submitting, a packed search's task time is
estimated from a pilot point (run here first) and checked against ``time``. The backend waits
for the arrays to end, reading task states with ``scontrol show job`` (no accounting database
needed) and printing the search's progress; tasks cancelled, timed out or killed before their
points wrote their status are reported as failed with their Slurm state, what it means (``Slurm
task 123_4 ended TIMEOUT: it reached its time limit ...``) and their output tail.
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
import pyarrow.compute as pc
from mozaik import MozaikError
from mozaik.backends import Backend, LocalBackend, RunOptions
from mozaik.config import at_least, positive
from mozaik.controller import RunSummary
from mozaik.search import (
    Search,
    SearchOptions,
    SearchProgress,
    format_duration,
    read_index,
    run_points_in_pool,
)
from mozaik.study import Study

__all__ = ["SlurmBackend", "SlurmBackendParams", "SlurmError", "batch_script", "check_slurm",
           "job_states", "jobcomp_file", "jobcomp_states", "max_array_size", "slurm_config",
           "time_limit_s"]

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
    pack : int
        Points per array task (the packing factor), run one after another by one process:
        Python and Mozaik start once per task instead of once per point, and a search of
        ``N`` points is ``ceil(N / pack)`` tasks (a search with more tasks than the cluster's
        ``MaxArraySize`` is split into several arrays). ``time`` is per task: it must hold
        ``pack`` points; before submitting, a packed search's task time is estimated from
        ``point_time_s``, from the points already done, or from a pilot point run here, and
        a task estimated to exceed ``time`` is refused (``--yes``: warned and submitted).
    point_time_s : float or None, s
        How long one point takes, for that estimate (None: measured).
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
    pack: int = attrs.field(default=1, validator=at_least(1))
    point_time_s: float | None = attrs.field(default=None, validator=attrs.validators.optional(
        positive))


def batch_script(params: SlurmBackendParams, name: str, master: Path, todo: Path,
                 n_tasks: int) -> str:
    """The batch script of the job array of ``n_tasks`` tasks running the points listed in
    ``todo`` (``params.pack`` a task)."""
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
    pack = f" --pack {params.pack}" if params.pack > 1 else ""
    lines.append(f"exec {python} -m mozaik.search {shlex.quote(str(master))} "
                 f"--todo {shlex.quote(str(todo))} --task \"$SLURM_ARRAY_TASK_ID\"{pack}")
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
_REASON = re.compile(r"Reason=(\S+)")
#: A task Slurm could not start on its node, requeued and held: it never runs by itself.
LAUNCH_HELD = "LAUNCH_FAILED_HELD"


def slurm_config() -> dict[str, str]:
    """The cluster's configuration, from ``scontrol show config`` (``{"MaxArraySize":
    "10001", ...}``)."""
    out = _slurm(["scontrol", "show", "config"], "Slurm configuration")
    config = dict(line.split("=", 1) for line in out.splitlines() if " = " in line)
    return {k.strip(): v.strip() for k, v in config.items()}


def max_array_size() -> int:
    """Tasks one job array may have: the cluster's ``MaxArraySize`` (task indices go from 0 to
    ``MaxArraySize - 1``); Slurm's default, 1001, when the configuration does not say."""
    value = slurm_config().get("MaxArraySize", "1001")
    return int(value) if value.isdigit() and int(value) > 0 else 1001


_TIME = re.compile(r"^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$")


def time_limit_s(text: str) -> float | None:
    """Seconds of a Slurm ``--time`` (``MM``, ``MM:SS``, ``HH:MM:SS``, ``D-HH``, ``D-HH:MM``,
    ``D-HH:MM:SS``); None for ``UNLIMITED``/``INFINITE`` or what Slurm would not read."""
    match = _TIME.match(text.strip())
    if match is None:
        return None
    days, a, b, c = match.groups()
    if days is not None:  # D-HH[:MM[:SS]]
        hours, minutes, seconds = int(a), int(b or 0), int(c or 0)
        return float(((int(days) * 24 + hours) * 60 + minutes) * 60 + seconds)
    if c is not None:
        return float((int(a) * 60 + int(b)) * 60 + int(c))
    return float(int(a) * 60 + int(b or 0))


def jobcomp_file() -> Path | None:
    """The cluster's job completion file, when it logs to one (``JobCompType=jobcomp/filetxt``),
    from ``scontrol show config``."""
    config = slurm_config()
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
        reason = _REASON.search(line)
        held = (state.group(1) == "PENDING" and reason is not None
                and reason.group(1).lower() == "launch_failed_requeued_held")
        spec = task.group(1).split("%")[0]
        for part in spec.split(","):
            first, _, last = part.partition("-")
            for k in range(int(first), int(last or first) + 1):
                states[k] = LAUNCH_HELD if held else state.group(1)
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

    def search_tasks(self, n_points: int) -> int:
        """Array tasks ``n_points`` points take: ``ceil(n_points / pack)``."""
        return -(-n_points // self.params.pack)

    def run_search(self, search: Search, master_dir: Path, point_ids: Sequence[int],
                   options: SearchOptions | None = None) -> dict[int, str]:
        """Submit the points as job arrays (one, or one per ``MaxArraySize`` tasks) and wait
        for them to end.

        ``SearchOptions(dry_run=True)`` prints the batch script and submits nothing. Slurm
        missing or not answering is a :class:`SlurmError` raised before anything is submitted;
        so is a packed task estimated to exceed its time limit (with ``options.yes``: a
        warning), the estimate from :attr:`SlurmBackendParams.point_time_s`, the points
        already done or a pilot point run here first.
        """
        options = options or SearchOptions()
        if options.dry_run:
            print(self.submit(search, master_dir, point_ids, dry_run=True), end="")
            return {}
        master = Path(master_dir).resolve()
        check_slurm()
        todo = list(point_ids)
        progress = SearchProgress(len(todo)) if options.progress else None
        if self.params.pack > 1:
            todo = self._check_task_time(master, todo, options, progress)
        if not todo:
            return {}
        _clear_statuses(master, todo)
        per_array = max_array_size() * self.params.pack
        jobs = [(self.submit(search, master, todo[at:at + per_array]), todo[at:at + per_array])
                for at in range(0, len(todo), per_array)]
        if progress is not None:
            arrays = f" in {len(jobs)} arrays" if len(jobs) > 1 else ""
            print(f"submitted {len(todo)} point(s) as {self.search_tasks(len(todo))} Slurm "
                  f"task(s){arrays} (job {', '.join(j for j, _ in jobs)}); waiting",
                  file=sys.stderr, flush=True)
        states = self._wait([j for j, _ in jobs], master, todo, progress)
        slurm_dir = master / "slurm"
        notes: dict[int, str] = {}
        for job, points in jobs:
            for at, point in enumerate(points):
                k = at // self.params.pack
                state = states.get(job, {}).get(k, "UNKNOWN (no longer listed by scontrol)")
                if state != "COMPLETED":
                    out = _tail(slurm_dir / f"{job}_{k}.out")
                    notes[point] = f"Slurm task {job}_{k} ended {state}{self._why(state)}" + (
                        f"\n{slurm_dir.name}/{job}_{k}.out:\n{out}" if out else "")
        return notes

    def _check_task_time(self, master: Path, todo: list[int], options: SearchOptions,
                         progress: SearchProgress | None) -> list[int]:
        """Estimate a packed task's time and refuse (warn with ``options.yes``) a task that
        would outlive ``time``; returns the points left to submit (a pilot point ran here)."""
        limit = time_limit_s(self.params.time)
        if limit is None:
            return todo
        per_point, source = self.params.point_time_s, "resources.point_time_s"
        if per_point is None:
            index = read_index(master)
            done = pc.filter(index["elapsed_s"], pc.equal(index["status"], "done"))
            if len(done) and done.null_count < len(done):
                per_point = float(pc.approximate_median(done).as_py())
                source = f"the median of {len(done)} point(s) already done"
        if per_point is None:
            pilot = todo[0]
            print(f"pilot: running point {pilot} here to estimate a task's time "
                  f"(pack={self.params.pack}; skip it with resources.point_time_s)",
                  file=sys.stderr, flush=True)
            start = time.perf_counter()
            status = run_points_in_pool(master, [pilot], 1)[pilot]
            per_point = time.perf_counter() - start
            source = f"pilot point {pilot} ({status}), run here"
            if progress is not None:
                progress.point_ended(pilot, status)
            todo = todo[1:]
        task = per_point * self.params.pack
        if task > limit:
            fits = max(1, int(limit // per_point))
            msg = (f"resources.pack={self.params.pack}: a task would run {self.params.pack} "
                   f"points of about {per_point:.1f} s each ({source}): about "
                   f"{format_duration(task)}, more than its time limit "
                   f"time={self.params.time} ({format_duration(limit)}); its last points "
                   f"would be cut off. Use pack <= {fits}, or raise resources.time")
            if not options.yes:
                raise SlurmError(f"{msg}; nothing was submitted (--yes submits anyway)")
            print(f"warning: {msg}; submitting anyway (--yes)", file=sys.stderr, flush=True)
        return todo

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
        """Submit the points as one job array (``pack`` points a task) with one ``sbatch``;
        return the job id (with ``dry_run``: the batch script, nothing submitted). Raises
        :class:`SlurmError` before writing anything when Slurm is missing or not answering,
        or when the array would have more tasks than the cluster's ``MaxArraySize``
        (:meth:`run_search` splits a search into arrays that fit)."""
        master = Path(master_dir).resolve()
        slurm_dir = master / "slurm"
        n = len(list(slurm_dir.glob("todo-*.txt"))) if slurm_dir.exists() else 0
        todo = slurm_dir / f"todo-{n}.txt"
        script = batch_script(self.params, search.name, master, todo,
                              self.search_tasks(len(point_ids)))
        if dry_run:
            return script
        check_slurm()
        tasks, most = self.search_tasks(len(point_ids)), max_array_size()
        if tasks > most:
            msg = (f"{search.name}: {len(point_ids)} points at pack={self.params.pack} are "
                   f"{tasks} array tasks, more than the cluster's MaxArraySize ({most}); "
                   "nothing was submitted: raise resources.pack, or run the search with "
                   "SlurmBackend.run_search (several arrays)")
            raise SlurmError(msg)
        slurm_dir.mkdir(parents=True, exist_ok=True)
        todo.write_text("\n".join(str(i) for i in point_ids) + "\n")
        script_file = slurm_dir / f"search-{n}.sbatch"
        script_file.write_text(script)
        job = _slurm(["sbatch", "--parsable", str(script_file)], "sbatch").strip().split(";")[0]
        (slurm_dir / f"job-{n}.txt").write_text(job + "\n")
        return job

    def _wait(self, jobs: Sequence[str], master: Path, todo: Sequence[int],
              progress: SearchProgress | None) -> dict[str, dict[int, str]]:
        """Wait until every task of ``jobs`` has ended; their states by job and task."""
        start = time.monotonic()
        ended: dict[str, dict[int, str]] = {}
        while True:
            for job in jobs:
                if job not in ended:
                    states = job_states(job)
                    held = sorted(k for k, s in states.items() if s == LAUNCH_HELD)
                    if held:
                        msg = (f"Slurm could not start task(s) {', '.join(map(str, held))} of "
                               f"job {job} on their node (launch failed; Slurm requeued and "
                               "held them, so they never run by themselves): read the node's "
                               "slurmd log, fix the cause, then `scontrol release "
                               f"{job}` (the search goes on with `mozaik search run "
                               "--resume`), or `scancel "
                               f"{job}` and rerun the search with --resume")
                        raise SlurmError(msg)
                    if not states or all(s in TERMINAL for s in states.values()):
                        ended[job] = states
                    elif progress is not None:
                        counts: dict[str, int] = {}
                        for state in states.values():
                            counts[state] = counts.get(state, 0) + 1
                        progress.waiting("Slurm tasks: " + ", ".join(
                            f"{n} {s.lower()}" for s, n in sorted(counts.items())))
            if progress is not None:
                progress.poll(master, todo)
            if len(ended) == len(jobs):
                return ended
            if self.params.timeout_s is not None and (
                    time.monotonic() - start > self.params.timeout_s):
                msg = (f"Slurm job {', '.join(jobs)} still running after "
                       f"{self.params.timeout_s:.0f} s; it goes on: rerun the search with "
                       "--resume once it has ended")
                raise SlurmError(msg)
            time.sleep(self.params.poll_s)


def _clear_statuses(master: Path, points: Sequence[int]) -> None:
    """Remove the outcomes of earlier attempts of ``points`` (they run again), so that the
    index and the progress never read a stale one while the tasks wait (one listing)."""
    folder = master / "status"
    try:
        names = set(os.listdir(folder))
    except OSError:
        return
    for i in points:
        name = f"p{i:05d}.json"
        if name in names:
            (folder / name).unlink(missing_ok=True)
