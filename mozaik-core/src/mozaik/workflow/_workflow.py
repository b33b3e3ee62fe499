"""Running analyses and plots on a datastore, and loading workflow files."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mozaik._errors import AnalysisError, MozaikError
from mozaik.ads import AnalysisDataStructure
from mozaik.analysis import ANALYSES, Analysis
from mozaik.datastore import DataStore, DataStoreView, now_iso, refuse_links
from mozaik.plot import PLOTS, Plot
from mozaik.plugin import Registry
from mozaik.study import Entry, load_workflow_sections
from mozaik.workflow._steps import (
    MANIFEST_FIELD,
    Step,
    declaration,
    plan_steps,
    query_of,
    records,
    stale_results,
    step_record,
    step_view,
    unchanged,
    view_digest,
)

__all__ = ["FIGURES_DIR", "failed_plots", "load_workflow", "pending_steps", "run_workflow"]

log = logging.getLogger("mozaik.workflow")

#: Folder of a run directory that plots are drawn into.
FIGURES_DIR = "figures"

def load_workflow(file: str | Path, overrides: Sequence[str] = (),
                  registry: Registry | None = None, include_roots: Sequence[str | Path] = (),
                  ) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    """Load the ``analyses`` and ``plots`` sections of a workflow file (or of a whole study).

    See :func:`mozaik.study.load_workflow_sections`, which this calls.

    Returns
    -------
    (analyses, plots) : tuple of Entry each

    Raises
    ------
    ConfigError
        Naming the file, dotted path and problem (e.g. an analysis that is not installed).
    """
    return load_workflow_sections(file, overrides, registry, include_roots)


def _check_results(entry: Entry, results: Any) -> list[AnalysisDataStructure]:
    if results is None:
        msg = (f"{entry.path} ({entry.name}).run(view) returned None; an analysis returns the "
               "sequence of analysis data structures it computed (empty if none)")
        raise AnalysisError(msg)
    out = list(results)
    for ads in out:
        if not isinstance(ads, AnalysisDataStructure):
            msg = (f"{entry.path} ({entry.name}).run(view) returned {ads!r}; it must return "
                   "AnalysisDataStructure instances")
            raise AnalysisError(msg)
    return out


def _run_analysis(step: Step, view: DataStoreView, store: DataStore) -> list[int]:
    """Run one analysis and store its results, tagged with the step; returns their ids."""
    entry = step.entry
    typed = entry.of(ANALYSES)
    analysis = typed.registered.built(typed.factory(typed.params), Analysis)
    results = _check_results(entry, analysis.run(view))
    provenance = {"workflow_step": step.id,
                  "analysis_params": json.dumps(declaration(entry), sort_keys=True)}
    return [store.add_analysis_result(ads, replace=True, provenance=provenance)
            for ads in results]


def _draw_plot(step: Step, view: DataStoreView, store: DataStore) -> list[str]:
    """Draw one plot; returns the files written, relative to the run directory."""
    entry = step.entry
    # absolute, so what the plot derives from it means the same whatever the current directory
    figures = Path(os.path.abspath(store.root / FIGURES_DIR))
    refuse_links(store.root, [FIGURES_DIR])
    figures.mkdir(exist_ok=True)
    # a plot writes its figure through matplotlib, which follows links: none may be planted
    refuse_links(figures, [p.name for p in figures.iterdir()])
    typed = entry.of(PLOTS)
    plot = typed.registered.built(typed.factory(typed.params), Plot)
    written = list(plot.draw(view, figures / f"{step.index:02d}_{entry.name}.png") or [])
    if not written:
        log.warning("%s %s: nothing to draw", entry.path, entry.name)
    return [_run_relative(store.root, path) for path in written]


def _run_relative(root: str | Path, path: str | Path) -> str:
    """A file a plot wrote, as the manifest records it: relative to the run directory ``root``.

    A relative ``path`` is where the plot wrote it, so relative to the current directory (as
    ``<run_dir>/figures/...`` is when ``root`` is relative); one that names no file there but
    names one under ``root`` is taken as relative to ``root``. A file outside the run
    directory is recorded absolute.
    """
    base = Path(os.path.abspath(root))
    full = Path(os.path.abspath(path))
    if not Path(path).is_absolute() and not full.exists() and (base / path).exists():
        full = Path(os.path.abspath(base / path))
    for inside, file in ((base, full), (base.resolve(), full.resolve())):
        if file.is_relative_to(inside):
            return file.relative_to(inside).as_posix()
    return str(full)


def _failure(entry: Entry, store: DataStore, exc: Exception) -> AnalysisError:
    what = (f"{entry.path} ({entry.name}) failed: {exc}" if isinstance(exc, MozaikError) else
            f"{entry.path} ({entry.name}, from {entry.registered.distribution}) failed: "
            f"{type(exc).__name__}: {exc}")
    msg = (f"{what}. The recordings are safe in {store.root}; fix the problem and run "
           f"`mozaik analyse {store.root}`")
    return AnalysisError(msg)


def _empty_query(step: Step, view: DataStoreView, messages: Sequence[str]) -> bool:
    """Warn (and return True) when the step's query selects nothing."""
    if not query_of(step.entry) or view.n_segments or view.n_analysis_results:
        return False
    why = f" ({'; '.join(messages)})" if messages else ""
    log.warning("%s %s: its query %s selects nothing in the store%s; nothing computed, "
                "nothing stored", step.entry.path, step.entry.name, query_of(step.entry), why)
    return True


def _run_step(store: DataStore, steps: Sequence[Step], k: int, force: bool) -> str:
    """Run step ``k`` unless unchanged; returns ``"ran"``, ``"skipped"`` or, for a plot that
    raised (recorded as failed in the manifest), its error message."""
    step = steps[k]
    entry = step.entry
    view, messages = step_view(store, steps, k)
    if _empty_query(step, view, messages):
        return "skipped"
    inputs = view_digest(view)
    done = records(store)
    old = done.get(step.id)
    if unchanged(step, old, inputs, store):
        if not force:
            stale = stale_results(store, step, old.get("ads_ids", []) if old else [])
            if stale and store.writable:  # a crash after the last commit left them
                store.remove_analysis_results(stale)
            log.info("%s %s (%s): inputs, parameters and code unchanged since %s; skipped",
                     entry.path, entry.name, step.id, (old or {}).get("finished"))
            return "skipped"
        # forced: forget the record first, so a crash mid-way is not taken for unchanged
        store.update_manifest(**{MANIFEST_FIELD: {k2: v for k2, v in done.items()
                                                  if k2 != step.id}})
    start = time.perf_counter()
    ids: list[int] = []
    files: list[str] = []
    try:
        if step.kind == "analysis":
            ids = _run_analysis(step, view, store)
        else:
            files = _draw_plot(step, view, store)
    except Exception as exc:
        # the workflow's own checks name the entry already
        own = isinstance(exc, AnalysisError) and str(exc).startswith(entry.path)
        if step.kind == "analysis":
            if own:
                raise
            raise _failure(entry, store, exc) from exc
        error = exc if own else _failure(entry, store, exc)
        # a figure is not data: record the failure and go on with the other plots
        log.error("%s", error)
        log.debug("traceback of the failed plot %s", entry.path, exc_info=exc)
        record = step_record(step, inputs, finished=now_iso(),
                             seconds=time.perf_counter() - start, failed=str(error))
        store.update_manifest(**{MANIFEST_FIELD: {**records(store), step.id: record}})
        return str(error)
    seconds = time.perf_counter() - start
    record = step_record(step, inputs, ads_ids=ids, files=files, finished=now_iso(),
                         seconds=seconds)
    # the manifest rewrite is the commit: only then are the step's older results removed
    store.update_manifest(**{MANIFEST_FIELD: {**records(store), step.id: record}})
    if step.kind == "analysis":
        store.remove_analysis_results(stale_results(store, step, ids))
    log.info("%s %s (%s) done in %.2f s%s", entry.path, entry.name, step.id, seconds,
             f": {len(ids)} result(s)" if step.kind == "analysis" else "")
    return "ran"


def run_workflow(store: DataStore, analyses: Sequence[Entry],
                 plots: Sequence[Entry], *, force: bool = False) -> tuple[int, int]:
    """Run analyses, then plots, on a store, without simulating; skip what is unchanged.

    Every entry is a *step* (id ``analyses/<Component>[#k]``, see
    :func:`mozaik.workflow.plan_steps`). Step ``k`` reads a view of the store: the recordings,
    the results not made by this workflow's steps, and those of the steps before it, narrowed
    by its ``query:`` (a query that selects nothing: a warning, nothing stored). An analysis is
    built with ``factory(params)`` and called as ``analysis.run(view)``; its results are stored
    tagged with the step (ADS index columns ``workflow_step`` and ``analysis_params``). A plot
    is called as ``plot.draw(view, path)`` with ``path = <run_dir>/figures/<NN>_<Plot>.png``;
    the files it returns are recorded relative to the run directory.

    Incremental: the manifest field ``workflow`` records per step the content digest of its
    view (:func:`mozaik.workflow.view_digest`), its declaration (component, parameters, query)
    and code version (distribution version and the class's ``version``). A step whose record
    matches is skipped with a log line; otherwise it runs, and its new results are committed
    (manifest rewrite) before its older ones are removed, so a crash never loses the old
    results without the new ones. A recomputed analysis gives its results new ids, which
    changes the digest of every later step whose view holds them: those run again too.

    A failing analysis stops the workflow (later steps may read its results). A failing plot
    does not: its error is logged and recorded in its step record (``failed``), the other
    plots are drawn, and the next run draws it again; :func:`failed_plots` lists such plots.

    Parameters
    ----------
    force : bool
        Run every step even if unchanged.

    Returns
    -------
    (int, int)
        Number of analyses run and of plots drawn (skipped and failed ones not counted).

    Raises
    ------
    AnalysisError
        Naming the failing analysis; the recordings and earlier results stay in the store.
    """
    steps = plan_steps(analyses, plots)
    counts = {"analysis": 0, "plot": 0}
    failed = []
    for k, step in enumerate(steps):
        outcome = _run_step(store, steps, k, force)
        counts[step.kind] += outcome == "ran"
        if outcome not in ("ran", "skipped"):
            failed.append(step.entry.path)
    if failed:
        log.error("%d plot(s) failed (%s); the recordings and analysis results are stored; "
                  "fix the problem and run `mozaik analyse %s`", len(failed), ", ".join(failed),
                  store.root)
    return counts["analysis"], counts["plot"]


def failed_plots(store: DataStore, plots: Sequence[Entry] | None = None) -> list[str]:
    """The error of every plot whose last attempt failed, as recorded by :func:`run_workflow`.

    Parameters
    ----------
    plots : sequence of Entry, optional
        Only these plots (a workflow's ``plots:``); default: every plot step on record.
    """
    done = records(store)
    ids = (None if plots is None else {s.id for s in plan_steps((), plots)})
    return [str(r["failed"]) for step_id, r in done.items()
            if r.get("kind") == "plot" and r.get("failed") and (ids is None or step_id in ids)]


def pending_steps(store: DataStore, analyses: Sequence[Entry],
                  plots: Sequence[Entry]) -> int:
    """How many of ``analyses`` and ``plots`` would run now: those without a matching record
    for the store as it is (a step re-run because an earlier one changed is not counted)."""
    steps = plan_steps(analyses, plots)
    done = records(store)
    return sum(not unchanged(s, done.get(s.id), view_digest(step_view(store, steps, k)[0]),
                             store) for k, s in enumerate(steps))
