"""``mozaik show RUN_DIR``: print a readable summary of a datastore."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pyarrow.compute as pc

from mozaik._errors import DataStoreError, MozaikError
from mozaik.controller import is_run_dir
from mozaik.datastore import DataStore, param_filter_query, summarize, summary_data

__all__ = ["show"]


def _parse_filter(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        msg = (
            f"filter {text!r} is not KEY=VALUE; write e.g. -f st_orientation=0.0 or "
            f"-f value_name=rate"
        )
        raise DataStoreError(msg)
    try:
        value = json.loads(raw)  # numbers, true/false, null, "quoted strings", [lists]
    except ValueError:
        value = raw
    return key.strip(), value


def _run_rows(folder: Path) -> list[dict[str, Any]]:
    """One row per run directory directly inside ``folder`` (oldest first): its name, status,
    study, start time, presentations stored of planned, and whether ``latest`` points at it."""
    latest = folder / "latest"
    target = latest.resolve() if latest.is_symlink() else None
    rows = []
    for path in sorted(p for p in folder.iterdir() if not p.is_symlink() and p.is_dir()):
        if not is_run_dir(path):
            continue
        row: dict[str, Any] = {"run": path.name, "latest": path.resolve() == target}
        try:
            with DataStore.open(path, mode="r") as store:
                manifest = store.manifest
                seg = store.segment_index
                real = seg.filter(pc.invert(seg["is_null"])) if seg.num_rows else seg
                stored = len(pc.unique(real["presentation_id"]))
        except MozaikError as exc:
            row.update(status="unreadable", problem=str(exc).splitlines()[0])
            rows.append(row)
            continue
        plan = manifest.get("plan")
        row.update(status=manifest.get("status") or "unknown", study=manifest.get("study") or "",
                   started=str(manifest.get("start_time") or "")[:19],
                   presentations=f"{stored}/{len(plan)}" if isinstance(plan, list)
                   else str(stored))
        rows.append(row)
    return sorted(rows, key=lambda r: (str(r.get("started", "")), r["run"]))


def _runs_table(rows: list[dict[str, Any]]) -> str:
    heads = ("run", "status", "study", "started", "presentations")
    cells = [[str(r.get(h, "")) + (" (latest)" if h == "run" and r["latest"] else "")
              for h in heads] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
              for row in cells]
    return "\n".join(lines)


@click.command("show")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=str))
@click.option("--sheet", "sheets", multiple=True, help="Only this sheet (repeatable: any of).")
@click.option("--stimulus", "stimuli", multiple=True, help="Only this stimulus class (repeatable).")
@click.option(
    "-f",
    "--filter",
    "filters",
    multiple=True,
    metavar="KEY=VALUE",
    help="param_filter_query filter, e.g. st_orientation=0.0 or value_name=rate; VALUE is JSON "
    "if it parses ([0, 1.5] means any of), else text. Repeated keys mean any of.",
)
@click.option("--ads/--no-ads", default=True, help="List analysis results (default: yes).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as one JSON object (every presentation, not only the first).")
def show(
    run_dir: str,
    sheets: tuple[str, ...],
    stimuli: tuple[str, ...],
    filters: tuple[str, ...],
    ads: bool,
    as_json: bool,
) -> None:
    """Print a summary of the datastore in RUN_DIR: sheets (neurons, mean firing rate, recorded
    variables), one line per stimulus with its parameters, the firing rate of each presentation,
    analysis results, and a quick integrity check of the files (`mozaik check` does a full one).
    RUN_DIR may also be a folder of runs (runs/): then one line per run with its status."""
    folder = Path(run_dir)
    if folder.is_dir() and not is_run_dir(folder):
        rows = _run_rows(folder)
        if rows:
            click.echo(json.dumps(rows, indent=2) if as_json else _runs_table(rows))
            return
    store = DataStore.open(run_dir, mode="r")
    criteria: dict[str, list[Any]] = {}
    if sheets:
        criteria["sheet_name"] = list(sheets)
    if stimuli:
        criteria["st_name"] = list(stimuli)
    for text in filters:
        key, value = _parse_filter(text)
        values = value if isinstance(value, list) else [value]
        criteria.setdefault(key, []).extend(values)
    view = param_filter_query(store, **criteria) if criteria else store  # type: ignore[arg-type]
    if as_json:
        data = summary_data(view, ads=ads)
        data["filter"] = criteria
        click.echo(json.dumps(data, indent=2))
        return
    if criteria:
        shown = ", ".join(f"{k} in {v}" for k, v in criteria.items())
        click.echo(f"Filter        : {shown}")
    click.echo(summarize(view, ads=ads))
