"""``mozaik show RUN_DIR``: print a readable summary of a datastore."""

from __future__ import annotations

import json
from typing import Any

import click

from mozaik._errors import DataStoreError
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
    analysis results, and a quick integrity check of the files (`mozaik check` does a full one)."""
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
