"""``mozaik export RUN_DIR --format NAME``: write a run to an interchange format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from mozaik import ExportError
from mozaik.cli._show import _parse_filter
from mozaik.datastore import DataStore, param_filter_query
from mozaik.export import EXPORTERS, build_exporter
from mozaik.plugin import get_registry

__all__ = ["export"]


def _parse_param(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        msg = f"export parameter {text!r} is not KEY=VALUE; write e.g. --param species=Mus"
        raise ExportError(msg)
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return key.strip(), value


@click.command("export")
@click.argument("run_dir", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--format", "format_", metavar="NAME",
              help="Registered export format (mozaik export --list shows them).")
@click.option("--out", type=click.Path(path_type=Path),
              help="File to write (default: RUN_DIR/exports/<run name><suffix>).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Exporter parameter, e.g. --param species='Felis catus' for nwb (repeatable; "
              "VALUE is JSON if it parses, else text).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
@click.option("--list", "list_", is_flag=True, help="List the installed formats and exit.")
@click.option("--sheet", "sheets", multiple=True, help="Only this sheet (repeatable: any of).")
@click.option("--stimulus", "stimuli", multiple=True, help="Only this stimulus class (repeatable).")
@click.option("-f", "--filter", "filters", multiple=True, metavar="KEY=VALUE",
              help="param_filter_query filter, as for mozaik show (repeatable).")
def export(run_dir: str | None, format_: str | None, out: Path | None,
           params: tuple[str, ...], overwrite: bool,
           list_: bool, sheets: tuple[str, ...], stimuli: tuple[str, ...],
           filters: tuple[str, ...]) -> None:
    """Export the run in RUN_DIR (or the part a query selects) to an interchange format:
    `mozaik export runs/va --format nwb`. Without --format (or with --list) it lists the
    installed formats."""
    registry = get_registry()
    table = registry[EXPORTERS]
    if list_ or format_ is None or run_dir is None:
        click.echo("Installed export formats:")
        for name in sorted(table):
            component = table[name]
            click.echo(f"  {name:10s} {component.summary} ({component.distribution})")
        if not list_ and (format_ is None or run_dir is None):
            click.echo("Usage: mozaik export RUN_DIR --format NAME [--out PATH]")
        return
    exporter = build_exporter(registry, format_, dict(_parse_param(p) for p in params))
    store = DataStore.open(run_dir, mode="r")
    criteria: dict[str, list[Any]] = {}
    if sheets:
        criteria["sheet_name"] = list(sheets)
    if stimuli:
        criteria["st_name"] = list(stimuli)
    for text in filters:
        key, value = _parse_filter(text)
        criteria.setdefault(key, []).extend(value if isinstance(value, list) else [value])
    view = (param_filter_query(store, **criteria)  # type: ignore[arg-type]
            if criteria else store.full_view())
    path = out if out is not None else (
        store.root / "exports" / f"{store.root.name}{type(exporter).suffix}")
    written = exporter.export(view, path, overwrite=overwrite, query=criteria)
    click.echo(f"Wrote {written} ({format_})")
