"""The master directory of a search: its definition, one run directory per point, the index.

Layout::

    MASTER/
      search.yaml            the search definition (copied; study and workflow paths absolute)
      points/p00000/         point 0's run directory (store, figures, log)
      status/p00000.json     point 0's outcome, written by whichever process ran it (or by the
                             supervisor when that process died: its signal or exit status)
      status/p00000.crash.txt  the Python stack when point 0's process crashed (faulthandler)
      index.parquet          one row per point (see INDEX_COLUMNS), rebuilt from status/

An optimising search (``kind: optimise``) also holds ``optuna.journal`` (Optuna's file-based
journal storage: the study's state), ``points.json`` (the points asked so far, point ``i`` being
trial ``i``) and ``trials.parquet`` (the trial table); see :mod:`mozaik.search._optimise`.

Each point is run by :func:`run_point`, in any process (a pool worker, a Slurm array task, an MPI
rank): it writes only its own run directory and status file, so nothing is shared between
workers; the index is rebuilt from the status files by the process that runs the search.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from mozaik._errors import ConfigError, RunExploded
from mozaik.config import load_config
from mozaik.search._spec import Search, search_from_mapping
from mozaik.search._values import point_values
from mozaik.study import Study, load_study

__all__ = ["INDEX_COLUMNS", "INDEX_FILE", "STATUSES", "current_index", "load_master",
           "point_dir", "read_index",
           "refresh_index", "run_point", "save_definition", "write_status"]

INDEX_FILE = "index.parquet"
DEFINITION_FILE = "search.yaml"
#: The points an optimising search asked so far (a JSON list of {dotted path: value}).
POINTS_FILE = "points.json"
TAIL_LINES = 30

#: Statuses of a point in the index.
STATUSES: tuple[str, ...] = ("done", "failed", "missing", "incomplete", "corrupt",
                             "exploded")

#: Columns of the index, besides one typed column per varied dotted path (after ``point_id``).
#: ``exit_code`` (int) and ``signal`` (str, e.g. ``SIGSEGV``) say how the process that ran the
#: point ended, when that is known (null otherwise).
INDEX_COLUMNS: tuple[str, ...] = ("point_id", "status", "run_dir", "error", "log_tail",
                                  "elapsed_s", "exit_code", "signal")


def point_dir(master: Path, point_id: int) -> Path:
    """The run directory of point ``point_id``."""
    return Path(master) / "points" / f"p{point_id:05d}"


def _status_file(master: Path, point_id: int) -> Path:
    return Path(master) / "status" / f"p{point_id:05d}.json"


def write_status(master: Path, point_id: int, status: str, *, error: str = "",
                 log_tail: str = "", elapsed_s: float = 0.0, exit_code: int | None = None,
                 signal: str | None = None) -> None:
    """Record a point's outcome (atomically: write and rename).

    Parameters
    ----------
    status : str
        One of :data:`STATUSES`.
    exit_code : int or None
        Exit status of the process that ran the point, when known (None: unknown, or a signal
        ended it).
    signal : str or None
        Name of the signal that ended that process (e.g. ``SIGSEGV``), if one did.
    """
    path = _status_file(master, point_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"status": status, "error": error, "log_tail": log_tail,
                               "elapsed_s": round(elapsed_s, 3), "exit_code": exit_code,
                               "signal": signal}), encoding="utf-8")
    tmp.replace(path)


def clear_status(master: Path, point_id: int) -> None:
    """Forget a point's recorded outcome (before it runs again)."""
    _status_file(master, point_id).unlink(missing_ok=True)


def read_status(master: Path, point_id: int) -> dict[str, Any] | None:
    """A point's recorded outcome, or None (never recorded, or unreadable)."""
    try:
        data = json.loads(_status_file(master, point_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


#: Keys of a search file that may change in an existing master directory: they say where the
#: points run and how the whole search is drawn, not what the points are (``n_trials``: an
#: optimising search may be extended, or stopped early).
_NOT_IDENTITY = ("backend", "resources", "plots", "n_trials")


def _identity(definition: Any) -> Any:
    """What makes two definitions one search: everything but :data:`_NOT_IDENTITY`, with the
    order of ``parameters`` (a grid's first path varies slowest: the order numbers the
    points)."""
    if not isinstance(definition, dict):
        return definition
    out = {k: v for k, v in definition.items() if k not in _NOT_IDENTITY}
    if isinstance(out.get("parameters"), dict):
        out["parameters"] = list(out["parameters"].items())
    return out


def _canonical(definition: Any) -> str:
    """A definition as comparable text: key order aside, and NaN equal to NaN (``==`` on
    the parsed definitions would call a search with a NaN value different from itself)."""
    return json.dumps(definition, sort_keys=True, default=str)


def _difference(old: Any, new: Any) -> str:
    """The lines that differ between two definitions (as sorted YAML, backend aside)."""
    def lines(definition: Any) -> list[str]:
        text = yaml.safe_dump(json.loads(_canonical(_identity(definition))), sort_keys=True)
        return text.splitlines()

    diff = difflib.unified_diff(lines(old), lines(new), lineterm="", n=0)
    return "\n".join(d for d in diff if not d.startswith(("---", "+++", "@@")))


def save_points(master: Path, points: Sequence[Mapping[str, Any]]) -> None:
    """Record the points of an optimising search asked so far (atomically)."""
    path = Path(master) / POINTS_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps([dict(p) for p in points]), encoding="utf-8")
    tmp.replace(path)


def save_definition(search: Search, master: Path) -> None:
    """Copy the definition into ``master``; an existing, different one is an error (the
    difference shown). The ``backend``, ``resources``, ``plots`` and ``n_trials`` may change:
    the copy is updated with them."""
    master.mkdir(parents=True, exist_ok=True)
    path = master / DEFINITION_FILE
    # declaration order kept: the order of ``parameters`` numbers a grid's points
    text = yaml.safe_dump(search.definition, sort_keys=False)
    if path.exists():
        old = yaml.safe_load(path.read_text(encoding="utf-8"))
        new = yaml.safe_load(text)
        if _canonical(_identity(old)) != _canonical(_identity(new)):
            msg = (f"{master} holds a different search ({path}); choose another master "
                   "directory, or delete this one to start again. The difference (- in "
                   f"{master}, + now):\n{_difference(old, new)}")
            raise ConfigError(msg)
        if _canonical(old) == _canonical(new):
            return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def load_master(master: str | Path) -> Search:
    """The search of a master directory, from its copied definition."""
    master = Path(master)
    path = master / DEFINITION_FILE
    if not path.is_file():
        msg = f"{master} is not a search master directory: it has no {DEFINITION_FILE}"
        raise ConfigError(msg)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    search = search_from_mapping(data, master, name=str(data.get("name", "search")),
                                 where=str(path), check_plots=False, check_values=False)
    if search.optimisation is not None:
        asked = master / POINTS_FILE
        points = json.loads(asked.read_text(encoding="utf-8")) if asked.is_file() else []
        search = attrs.evolve(search, points=tuple(points))
    return search


def _tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


def run_point(master: str | Path, point_id: int, search: Search | None = None) -> str:
    """Run one point of the search in ``master`` in this process; never raises.

    A leftover run directory of the point (a killed or corrupted run) and its recorded outcome
    are removed first. The
    study is loaded with the search's fixed overrides and the point's own, its analyses and
    plots replaced by the search's workflow (if it has one), and run with
    :func:`mozaik.controller.run_study`.

    Returns
    -------
    str
        ``done``, ``exploded`` (the network ran away: :class:`~mozaik.RunExploded`) or
        ``failed`` (also written to the point's status file, with the error and the tail of
        the point's log when it failed or exploded); an interruption
        (``KeyboardInterrupt``) is recorded as ``incomplete`` and raised again.

    Notes
    -----
    A crash of this process (a signal) records nothing: :func:`mozaik.search.run_points_in_pool`
    runs every point in a child process and records such an end itself.
    """
    from mozaik.controller import LOG_FILE, run_study

    master = Path(master)
    start = time.perf_counter()
    run_dir = point_dir(master, point_id)
    try:
        clear_status(master, point_id)
        search = search or load_master(master)
        if run_dir.exists():
            shutil.rmtree(run_dir)
        study = load_study(search.study, search.overrides(point_id))
        if search.workflow is not None:
            study = _with_workflow(study, search.workflow)
        run_study(study, run_dir, progress="off")
        point_values(master, point_id)  # caches the point's SingleValues for collation
    except RunExploded as exc:  # the network ran away: a finished outcome, not a failure
        log = run_dir / LOG_FILE
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        write_status(master, point_id, "exploded", error=f"RunExploded: {exc}"[:2000],
                     log_tail=_tail(text), elapsed_s=time.perf_counter() - start)
        return "exploded"
    except BaseException as exc:  # a point's failure is recorded, never propagated
        log = run_dir / LOG_FILE
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        trace = "".join(traceback.format_exception(exc))
        interrupted = isinstance(exc, KeyboardInterrupt)
        error = ("interrupted before it finished (KeyboardInterrupt); rerun it with --resume"
                 if interrupted else f"{type(exc).__name__}: {exc}"[:2000])
        write_status(master, point_id, "incomplete" if interrupted else "failed", error=error,
                     log_tail=_tail(text + "\n" + trace), elapsed_s=time.perf_counter() - start)
        if interrupted:
            raise
        return "failed"
    write_status(master, point_id, "done", elapsed_s=time.perf_counter() - start)
    return "done"


def _with_workflow(study: Study, workflow: Path) -> Study:
    """``study`` with the analyses and plots of ``workflow`` instead of its own, in its entries
    and in its resolved configuration (which the run's manifest stores: a point resumed with
    ``mozaik run POINT_DIR`` is rebuilt from it and must run the search's workflow)."""
    from mozaik.workflow import load_workflow

    analyses, plots = load_workflow(workflow, registry=study.registry)
    sections = load_config(workflow).data
    data = {**study.tree.data, **{key: sections.get(key) or [] for key in ("analyses", "plots")}}
    return attrs.evolve(study, analyses=analyses, plots=plots,
                        tree=attrs.evolve(study.tree, data=data))


def _log_tail(master: Path, point_id: int) -> str:
    from mozaik.controller import LOG_FILE

    log = point_dir(master, point_id) / LOG_FILE
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return f"{log.relative_to(master)}:\n{_tail(text)}" if text.strip() else ""


def point_state(master: Path, point_id: int, check: bool = True) -> dict[str, Any]:
    """A point's row of the index (without parameters), from its status file and (with
    ``check``) a quick :func:`mozaik.datastore.check_store` of a finished point's store."""
    from mozaik.datastore import check_store

    run_dir = point_dir(master, point_id)
    status = read_status(master, point_id)
    row = _missing_row(point_id)
    if run_dir.exists():
        row["run_dir"] = str(run_dir.relative_to(master))
    if status is None:
        if run_dir.exists():
            row.update(status="incomplete", error="the run directory exists but the point "
                       "never finished (a killed job?)")
        return row
    row.update(status=status.get("status", "missing"), error=status.get("error", ""),
               log_tail=status.get("log_tail", ""), elapsed_s=status.get("elapsed_s"),
               exit_code=status.get("exit_code"), signal=status.get("signal"))
    if row["status"] == "done" and check:
        problems = check_store(run_dir, quick=True) if run_dir.exists() else None
        if problems is None or problems:
            shown = "the run directory is gone" if problems is None else "; ".join(
                str(p) for p in problems[:3])
            row.update(status="corrupt", error=f"finished, but its store is damaged: {shown}")
    return row


def _record_note(master: Path, row: dict[str, Any], note: str) -> None:
    """A backend's note on a point (row: its :func:`point_state`) that did not finish: record
    it as failed, the note's first line its error."""
    if row["status"] in ("done", "failed", "exploded"):
        return
    i = row["point_id"]
    error, _, output = note.partition("\n")
    tail = "\n".join(t for t in (output, _log_tail(master, i), row["log_tail"]) if t)
    row.update(status="failed", error=error, log_tail=tail)
    write_status(master, i, "failed", error=error, log_tail=tail, exit_code=row["exit_code"],
                 signal=row["signal"])


def record_notes(master: str | Path, notes: Mapping[int, str]) -> None:
    """Record the backend's notes on points that did not finish (see :func:`refresh_index`)
    for those points only (without rebuilding the index)."""
    for i, note in notes.items():
        _record_note(Path(master), point_state(Path(master), i, check=False), note)


#: Statuses an incremental refresh trusts from the last index while the point's status file
#: is still there and the point is not among those just run.
_SETTLED = ("done", "failed", "exploded")


def _listed_ids(folder: Path, suffix: str, n: int) -> np.ndarray:
    """Which points ``0..n-1`` have an entry ``pNNNNN<suffix>`` in ``folder`` (one listing of
    the folder: no system call per point)."""
    have = np.zeros(n, dtype=bool)
    try:
        names = os.listdir(folder)
    except OSError:
        return have
    cut = len(suffix)
    ids = [int(name[1:len(name) - cut]) for name in names
           if name.startswith("p") and name.endswith(suffix) and name[1:len(name) - cut].isdigit()]
    if ids:
        found = np.asarray(ids, dtype=np.int64)
        have[found[found < n]] = True
    return have


#: Key of the index's schema metadata holding the modification times of ``status/`` and
#: ``points/`` when they were last listed: unchanged folders need no listing (a file created,
#: renamed over or removed in a folder changes its time; every outcome is written by rename).
_LISTED_KEY = b"mozaik.listed"


def _folder_times(master: Path) -> str:
    times: list[int | None] = []
    for name in ("status", "points"):
        try:
            times.append(os.stat(master / name).st_mtime_ns)
        except OSError:
            times.append(None)
    return json.dumps(times)


def _previous_index(master: Path, n: int, search: Search) -> pa.Table | None:
    """The index as last written, if it describes these ``n`` points."""
    try:
        table = pq.read_table(master / INDEX_FILE)
    except (OSError, pa.ArrowInvalid):
        return None
    expected = ["point_id", *search.parameters, *INDEX_COLUMNS[1:]]
    if table.num_rows != n or table.column_names != expected:
        return None
    return table


def refresh_index(master: str | Path, search: Search | None = None,
                  notes: Mapping[int, str] | None = None, *, check: bool = True,
                  incremental: bool = False, changed: Sequence[int] = ()) -> pa.Table:
    """Rebuild ``MASTER/index.parquet`` from the points' status files and stores.

    Parameters
    ----------
    notes : mapping of int to str, optional
        Backend reports for points that did not finish (e.g. a cancelled Slurm task): such a
        point with neither a ``done`` nor a ``failed`` status is recorded as failed, the
        note's first line as its error, its further lines (e.g. the job's output) and the
        tail of the point's own log as its log tail.
    check : bool
        Quick-check the store of every finished point read (a damaged one becomes
        ``corrupt``); about 30 ms a point on a loaded 2-core machine.
    incremental : bool
        Start from the index as last written and read again only what may have changed: a
        point is read when its row is not settled (``done``, ``failed``, ``exploded``), when
        its status file appeared or disappeared, when it is in ``changed`` or ``notes``. Two
        listings (``status/``, ``points/``) instead of a status file and a store check per
        point: what makes ``mozaik search status`` of 10^6 points take about a second. A
        store damaged after its point was indexed as done is found only by a full refresh
        (``incremental=False``, ``mozaik search status --check``).
    changed : sequence of int
        Points that just ran (their status files were rewritten): always read again.
    """
    master = Path(master)
    search = search or load_master(master)
    notes = notes or {}
    n = len(search.points)
    listed = _folder_times(master)  # before listing: a change during it is seen next time
    previous = _previous_index(master, n, search) if incremental else None
    if previous is None:
        # every point "missing", then the points with a status file or a run directory read
        # (no system call for a point never started)
        columns: dict[str, Any] = {"point_id": pa.array(np.arange(n, dtype=np.int64))}
        for name in search.parameters:
            columns[name] = pa.array([p[name] for p in search.points])
        empty = pa.array([""] * n, pa.string()) if n else pa.array([], pa.string())
        for name in INDEX_COLUMNS[1:]:
            kind = _INDEX_TYPES.get(name, pa.string())
            columns[name] = (pa.array(["missing"] * n, pa.string()) if name == "status" else
                             empty if name in ("run_dir", "error", "log_tail") else
                             pa.nulls(n, kind))
        previous = pa.table(columns)
        have = (_listed_ids(master / "status", ".json", n)
                | _listed_ids(master / "points", "", n))
        for i in notes:
            if 0 <= i < n:
                have[i] = True
        redo = np.flatnonzero(have).astype(np.int64)
    else:
        unchanged = (previous.schema.metadata or {}).get(_LISTED_KEY) == listed.encode()
        if unchanged and not changed and not notes:
            return previous
        redo = _to_read(master, previous, n, set(changed) | set(notes))
    rows = []
    for i in redo.tolist():
        row = point_state(master, i, check)
        if i in notes:
            _record_note(master, row, notes[i])
        rows.append(row)
    fresh = {"point_id": pa.array(redo, pa.int64()),
             **{name: previous[name].take(pa.array(redo)) for name in search.parameters},
             **{name: pa.array([r[name] for r in rows], _INDEX_TYPES.get(name, pa.string()))
                for name in INDEX_COLUMNS[1:]}}
    both = pa.concat_tables([previous, pa.table(fresh).cast(previous.schema)])
    order = np.arange(n, dtype=np.int64)
    order[redo] = n + np.arange(len(redo), dtype=np.int64)
    table = both.take(pa.array(order)).replace_schema_metadata({_LISTED_KEY: listed})
    tmp = master / f".{INDEX_FILE}.{os.getpid()}.tmp"
    pq.write_table(table, tmp)
    tmp.replace(master / INDEX_FILE)
    return table


_INDEX_TYPES = {"elapsed_s": pa.float64(), "exit_code": pa.int64()}


def _missing_row(point_id: int) -> dict[str, Any]:
    return {"point_id": point_id, "status": "missing", "run_dir": "", "error": "",
            "log_tail": "", "elapsed_s": None, "exit_code": None, "signal": None}


def _to_read(master: Path, previous: pa.Table, n: int, always: set[int]) -> np.ndarray:
    """The points whose row of ``previous`` may be out of date (see :func:`refresh_index`)."""
    have_status = _listed_ids(master / "status", ".json", n)
    have_dir = _listed_ids(master / "points", "", n)
    status = previous["status"]
    settled = pc.is_in(status, value_set=pa.array(_SETTLED)).to_numpy(zero_copy_only=False)
    missing = pc.equal(status, "missing").to_numpy(zero_copy_only=False)
    incomplete = pc.equal(status, "incomplete").to_numpy(zero_copy_only=False)
    stale = ((have_status & ~settled)            # an outcome written since, or a corrupt row
             | (settled & ~have_status)          # its outcome was cleared (it runs again)
             | (missing & have_dir)              # it started
             | (incomplete & ~have_dir & ~have_status))  # its leftovers were removed
    for i in always:
        if 0 <= i < n:
            stale[i] = True
    return np.flatnonzero(stale).astype(np.int64)


def current_index(master: str | Path) -> pa.Table | None:
    """The index as last written if nothing was listed differently since (its ``status/`` and
    ``points/`` folders unchanged), else None: what ``mozaik search status`` shows of a
    finished or idle search without loading the search (10^6 points: no point made)."""
    master = Path(master)
    listed = _folder_times(master)
    try:
        table = pq.read_table(master / INDEX_FILE)
    except (OSError, pa.ArrowInvalid):
        return None
    if (table.schema.metadata or {}).get(_LISTED_KEY) != listed.encode():
        return None
    return table


def read_index(master: str | Path) -> pa.Table:
    """The index of a master directory (as last written)."""
    path = Path(master) / INDEX_FILE
    if not path.is_file():
        msg = f"{master} has no {INDEX_FILE}: run the search first (mozaik search run)"
        raise ConfigError(msg)
    return pq.read_table(path)


def todo_points(index: pa.Table, *, resume: bool, rerun_exploded: bool = False) -> list[int]:
    """Points to run: missing, incomplete and corrupt ones; failed ones too with ``resume``;
    exploded ones only with ``rerun_exploded``."""
    rerun = ({"missing", "incomplete", "corrupt"} | ({"failed"} if resume else set())
             | ({"exploded"} if rerun_exploded else set()))
    ids: Sequence[int] = index["point_id"].to_pylist()
    return [i for i, s in zip(ids, index["status"].to_pylist(), strict=True) if s in rerun]
