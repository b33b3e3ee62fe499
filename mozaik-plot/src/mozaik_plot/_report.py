"""``mozaik report RUN_DIR``: one self-contained HTML page per run (images as data URIs)."""

from __future__ import annotations

import base64
import contextlib
import html
import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click
from mozaik import DataStoreError, MozaikError
from mozaik.ads import Connections, SingleValue
from mozaik.datastore import (
    DataStore,
    DataStoreView,
    open_for_write,
    read_run_file,
    read_run_json,
    summary_data,
)
from mozaik.workflow import MANIFEST_FIELD

from mozaik_plot._data import results_of

__all__ = ["REPORT_NAME", "report_command", "write_report"]

#: File name of the report inside the run directory.
REPORT_NAME = "report.html"

_IMAGE_TYPES = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml"}

_CSS = """
body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ccc;padding-bottom:3px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;
font-size:13px;text-align:left;vertical-align:top}th{background:#f2f2f2}
figure{margin:12px 0 24px}figure img{max-width:100%;border:1px solid #ddd;
box-sizing:border-box}
figcaption{font-size:12px;color:#555}code{font-size:12px}
td{white-space:pre-wrap;overflow-wrap:anywhere}table{max-width:100%}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    return f"<table><tr>{head}</tr>{body}</table>"


def _flat(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``(dotted.key, value)`` of a nested parameter mapping; a distribution (a mapping with
    ``distribution``) and a list stay one value."""
    if isinstance(value, Mapping) and "distribution" not in value and "component" not in value:
        out = []
        for key, item in value.items():
            out += _flat(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, Mapping) and "component" in value:  # a component named inside
        inner = _flat(value.get("params") or {}, f"{prefix}.params" if prefix else "params")
        return [(prefix or "component", str(value["component"])), *inner]
    if isinstance(value, Mapping):
        shown = ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in value.items() if k != "distribution")
        return [(prefix, f"{value['distribution']}({shown})")]
    if isinstance(value, float):
        return [(prefix, f"{value:.6g}")]
    return [(prefix, json.dumps(value) if isinstance(value, list | dict) else str(value))]


def _parameters(params: Any) -> str:
    """A component's parameters as ``key = value`` lines (one cell of a table)."""
    return "\n".join(f"{k} = {v}" for k, v in _flat(params if isinstance(params, Mapping)
                                                     else {}))


def _run_section(summary: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    run = summary["run"]
    config = manifest.get("config") or {}
    provenance = manifest.get("provenance") or {}
    provenance = provenance if isinstance(provenance, Mapping) else {}
    command = provenance.get("command")
    seeds = manifest.get("seeds")
    rows = [("study", config.get("name")), ("description", config.get("description")),
            ("run directory", run.get("run_dir")), ("status", run.get("status")),
            ("started", run.get("start_time")), ("finished", run.get("end_time")),
            ("host", run.get("host")),
            ("simulator", f"{run.get('simulator')} {run.get('simulator_version') or ''}"),
            ("command line", shlex.join(str(c) for c in command)
             if isinstance(command, list) else "not recorded"),
            ("study file", manifest.get("config_file") or "not recorded"),
            ("git commit of the study", provenance.get("model_git_commit")
             or "not in a git repository (or not recorded)"),
            ("seeds", ", ".join(f"{k} {v}" for k, v in seeds.items())
             if isinstance(seeds, Mapping) else "not recorded")]
    dists = sorted((run.get("distributions") or {}).items())
    return ("<h2>Run</h2>" + _table(("field", "value"), rows) + "<h3>Provenance</h3>"
            + _table(("distribution", "version"), dists))


def _model_section(view: DataStoreView, summary: Mapping[str, Any],
                   manifest: Mapping[str, Any]) -> str:
    sheets = [(s["name"], s["neurons"], s.get("mean_rate_hz"),
               ", ".join(f"{k} ({v})" for k, v in (s.get("variables") or {}).items()))
              for s in summary["sheets"]]
    stored = {str(c.proj_name): c for c in results_of(view, "Connections")
              if isinstance(c, Connections)}
    config = manifest.get("config") or {}
    connectors = []
    for name, entry in (config.get("connectors") or {}).items():
        entry = entry if isinstance(entry, Mapping) else {}
        count = len(stored.pop(name).weights) if name in stored else "not stored"
        connectors.append((name, entry.get("component"), entry.get("source"),
                           entry.get("target"), count, _parameters(entry.get("params"))))
    connectors += [(name, "", c.source_name, c.target_name, len(c.weights), "")
                   for name, c in stored.items()]
    models = []
    for name, entry in (config.get("sheets") or {}).items():
        entry = entry if isinstance(entry, Mapping) else {}
        found = entry.get("params")
        params: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        found = params.get("cell")
        cell: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        rest = {k: v for k, v in params.items() if k not in ("cell", "recorders")}
        models.append((name, entry.get("component"), cell.get("model", ""),
                       _parameters({"params": cell.get("params") or {},
                                    "initial_values": cell.get("initial_values") or {}}),
                       _parameters(rest)))
    sensory = config.get("sensory_input")
    inputs = ("<h3>Sensory input</h3>" + _table(
        ("component", "parameters"), [(sensory.get("component"),
                                       _parameters(sensory.get("params")))])
              if isinstance(sensory, Mapping) else "")
    return ("<h2>Model</h2><h3>Sheets</h3>"
            + _table(("sheet", "neurons", "mean rate (Hz)", "recorded (neurons)"), sheets)
            + "<h3>Sheet parameters</h3>"
            + _table(("sheet", "component", "cell model", "cell parameters (PyNN units: mV, "
                      "ms, nF, nA, uS)", "other parameters"), models)
            + inputs + "<h3>Connectors</h3>"
            + _table(("connector", "component", "source", "target", "synapses",
                      "parameters (weights, probabilities, delays, ...)"), connectors))


def _experiments_section(summary: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    experiments = [(i, e.get("component"), json.dumps(e.get("params"), sort_keys=True))
                   for i, e in enumerate((manifest.get("config") or {}).get("experiments")
                                         or []) if isinstance(e, Mapping)]
    stimuli = [(s["name"], json.dumps(s["params"], sort_keys=True), len(s["trials"]),
                s.get("duration_ms")) for s in summary["stimuli"]]
    return ("<h2>Experiments and stimuli</h2>"
            + _table(("#", "experiment", "parameters"), experiments)
            + _table(("stimulus", "parameters", "trials", "duration (ms)"), stimuli))


#: Largest figure embedded in a report (bytes).
MAX_FIGURE_BYTES = 64 << 20


def _figure(root: Path, rel: str) -> str:
    where = f"the report's figure {rel}"
    try:
        data = base64.b64encode(read_run_file(root, rel, where, MAX_FIGURE_BYTES)).decode("ascii")
    except MozaikError as exc:
        return f"<p>{_e(rel)} is not embedded: {_e(str(exc))}</p>"
    caption = f"<b>{_e(Path(rel).name)}</b>"
    sidecar = str(Path(rel).with_suffix(".json"))
    record = None
    if (root / sidecar).is_file():
        with contextlib.suppress(MozaikError):
            record = read_run_json(root, sidecar, f"the sidecar of {rel}")
    if isinstance(record, Mapping):
        said = record.get("caption")
        if isinstance(said, str) and said:
            caption += f" &mdash; {_e(said)} <i>({_e(str(record.get('plot')))})</i>"
        else:  # a figure drawn before captions (or by a plot that writes none)
            query = record.get("query") or {}
            selected = (f", query <code>{_e(json.dumps(query, sort_keys=True, default=str))}"
                        "</code>") if query else ""
            caption += f" &mdash; {_e(str(record.get('plot')))}{selected}"
    return (f'<figure><img alt="{_e(Path(rel).stem)}" src="data:'
            f'{_IMAGE_TYPES[Path(rel).suffix]};base64,{data}"><figcaption>{caption}'
            "</figcaption></figure>")


def figure_files(manifest: Mapping[str, Any]) -> list[str]:
    """The figures a report shows: the PNGs and GIFs the run's plot steps recorded in its
    manifest (paths relative to the run directory), sorted, so in step order
    (``NN_Plot.png``). Files merely lying in ``figures/`` are not shown: a run directory may
    come from a stranger."""
    records = manifest.get(MANIFEST_FIELD)
    files: list[str] = []
    for record in records.values() if isinstance(records, Mapping) else ():
        named = record.get("files") if isinstance(record, Mapping) else None
        for rel in named if isinstance(named, list) else ():
            if isinstance(rel, str) and Path(rel).suffix in (".png", ".gif") and (
                    rel not in files):
                files.append(rel)
    return sorted(files)


def _figures_section(root: Path, manifest: Mapping[str, Any]) -> str:
    files = figure_files(manifest)
    if not files:
        return (f"<h2>Figures</h2><p>No figures in {_e(str(root))} (none recorded by its "
                "plot steps).</p>")
    return "<h2>Figures</h2>" + "".join(_figure(root, rel) for rel in files)


def _values_section(view: DataStoreView) -> str:
    rows = [(v.sheet_name, v.value_name, f"{float(v.value):.6g}", v.value_units.dimensionality,
             v.stimulus_id.name if v.stimulus_id else "", v.analysis_algorithm)
            for v in results_of(view, "SingleValue") if isinstance(v, SingleValue)]
    if not rows:
        return "<h2>Single values</h2><p>No SingleValue results in the store.</p>"
    return "<h2>Single values</h2>" + _table(
        ("sheet", "quantity", "value", "units", "stimulus", "analysis"), rows)


def write_report(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the HTML report of the run in ``run_dir``; return its path.

    Parameters
    ----------
    run_dir : path
        A run directory (a datastore).
    out : path, optional
        Where to write (default ``<run_dir>/report.html``).

    Raises
    ------
    DataStoreError
        If the page cannot be written there (a read-only run directory, a full disk).
    """
    root = Path(run_dir)
    store = DataStore.open(root, "r")
    try:
        summary = summary_data(store)
        manifest = store.manifest
        view = store.full_view()
        name = (manifest.get("config") or {}).get("name") or root.name
        parts = [_run_section(summary, manifest), _model_section(view, summary, manifest),
                 _experiments_section(summary, manifest), _figures_section(root, manifest),
                 _values_section(view)]
    finally:
        store.close()
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Mozaik run '
            f"{_e(name)}</title><style>{_CSS}</style></head><body><h1>Mozaik run {_e(name)}</h1>"
            + "".join(parts) + "</body></html>\n")
    target = Path(out) if out is not None else root / REPORT_NAME
    try:
        # into the run: never through a link a stranger planted; elsewhere: the user's choice
        with open(open_for_write(target) if out is None else target, "w",
                  encoding="utf-8") as fh:
            fh.write(page)
    except OSError as exc:
        where = ("" if out is not None else
                 f"; write it elsewhere with `mozaik report {run_dir} -o PATH`")
        msg = (f"cannot write the report {target}: {exc.strerror or exc} (a read-only run "
               f"directory or a full disk?){where}")
        raise DataStoreError(msg) from exc
    return target


@click.command("report")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the page (default RUN_DIR/report.html).")
def report_command(run_dir: Path, output: Path | None) -> None:
    """Write a self-contained HTML report of the run in RUN_DIR (figures embedded)."""
    click.echo(str(write_report(run_dir, output)))
