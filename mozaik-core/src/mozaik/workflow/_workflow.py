"""Running analyses and plots on a datastore, and loading workflow files."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from mozaik._errors import AnalysisError, MozaikError
from mozaik.ads import AnalysisDataStructure
from mozaik.datastore import DataStore
from mozaik.plugin import Registry
from mozaik.study import ComponentEntry, load_workflow_sections

__all__ = ["FIGURES_DIR", "load_workflow", "pending_steps", "run_workflow"]

log = logging.getLogger("mozaik.workflow")

#: Folder of a run directory that plots are drawn into.
FIGURES_DIR = "figures"

def load_workflow(file: str | Path, overrides: Sequence[str] = (),
                  registry: Registry | None = None, include_roots: Sequence[str | Path] = (),
                  ) -> tuple[tuple[ComponentEntry, ...], tuple[ComponentEntry, ...]]:
    """Load the ``analyses`` and ``plots`` sections of a workflow file (or of a whole study).

    See :func:`mozaik.study.load_workflow_sections`, which this calls.

    Returns
    -------
    (analyses, plots) : tuple of ComponentEntry each

    Raises
    ------
    ConfigError
        Naming the file, dotted path and problem (e.g. an analysis that is not installed).
    """
    return load_workflow_sections(file, overrides, registry, include_roots)


def _entry_record(entry: ComponentEntry) -> dict[str, Any]:
    params = attrs.asdict(entry.params) if attrs.has(type(entry.params)) else entry.params
    record: dict[str, Any] = json.loads(json.dumps(
        {"path": entry.path, "component": entry.name, "params": params}, default=str))
    return record


def _run_analysis(entry: ComponentEntry, store: DataStore) -> None:
    analysis = entry.build(entry.params)
    results = analysis.run(store.full_view())
    if results is None:
        msg = (f"{entry.path} ({entry.name}).run(view) returned None; an analysis returns the "
               "sequence of analysis data structures it computed (empty if none)")
        raise AnalysisError(msg)
    for ads in results:
        if not isinstance(ads, AnalysisDataStructure):
            msg = (f"{entry.path} ({entry.name}).run(view) returned {ads!r}; it must return "
                   "AnalysisDataStructure instances")
            raise AnalysisError(msg)
        store.add_analysis_result(ads, replace=True)


def _draw_plot(entry: ComponentEntry, store: DataStore, index: int) -> None:
    figures = store.root / FIGURES_DIR
    figures.mkdir(exist_ok=True)
    plot = entry.build(entry.params)
    written = list(plot.draw(store.full_view(), figures / f"{index:02d}_{entry.name}.png") or [])
    if not written:
        log.warning("%s %s: nothing to draw", entry.path, entry.name)


def _failure(entry: ComponentEntry, store: DataStore, exc: Exception) -> AnalysisError:
    what = (f"{entry.path} ({entry.name}) failed: {exc}" if isinstance(exc, MozaikError) else
            f"{entry.path} ({entry.name}, from {entry.registered.distribution}) failed: "
            f"{type(exc).__name__}: {exc}")
    msg = (f"{what}. The recordings are safe in {store.root}; fix the problem and run "
           f"`mozaik analyse {store.root}`")
    return AnalysisError(msg)


def run_workflow(store: DataStore, analyses: Sequence[ComponentEntry],
                 plots: Sequence[ComponentEntry], *, skip_done: bool = False) -> tuple[int, int]:
    """Run analyses, then plots, on a store, without simulating.

    An analysis is built with ``factory(params)`` and called as ``analysis.run(view)``; every
    analysis data structure it returns is stored with ``add_analysis_result(ads,
    replace=True)``, so running it again replaces its earlier results, and the next analysis
    sees them. A plot is called as ``plot.draw(view, path)`` with
    ``path = <run_dir>/figures/<NN>_<Plot>.png`` and returns the files it wrote. Every finished
    step is recorded in the manifest (``workflow_done``); with ``skip_done`` steps recorded
    there are not run again.

    Returns
    -------
    (int, int)
        Number of analyses run and of plots drawn.

    Raises
    ------
    AnalysisError
        Naming the failing entry; the recordings and earlier results stay in the store.
    """
    done: list[dict[str, Any]] = list(store.manifest.get("workflow_done") or [])
    counts = [0, 0]
    for kind, entries in (("analysis", analyses), ("plot", plots)):
        for i, entry in enumerate(entries):
            record = _entry_record(entry)
            if skip_done and record in done:
                log.info("%s %s: done in an earlier session; not repeated", entry.path,
                         entry.name)
                continue
            start = time.perf_counter()
            try:
                if kind == "analysis":
                    _run_analysis(entry, store)
                else:
                    _draw_plot(entry, store, i)
            except AnalysisError:
                raise
            except Exception as exc:
                raise _failure(entry, store, exc) from exc
            counts[0 if kind == "analysis" else 1] += 1
            log.info("%s %s done in %.2f s", entry.path, entry.name, time.perf_counter() - start)
            if record not in done:
                done.append(record)
                store.update_manifest(workflow_done=done)
    return counts[0], counts[1]


def pending_steps(store: DataStore, analyses: Sequence[ComponentEntry],
                  plots: Sequence[ComponentEntry]) -> int:
    """How many of ``analyses`` and ``plots`` the manifest does not record as done."""
    done = list(store.manifest.get("workflow_done") or [])
    return sum(_entry_record(e) not in done for e in (*analyses, *plots))
