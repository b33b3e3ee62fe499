"""``mozaik check RUN_DIR``: verify a datastore's files against its index and manifest."""

from __future__ import annotations

import json
import sys

import attrs
import click
import pyarrow.compute as pc

from mozaik.datastore import DataStore, check_store

__all__ = ["check"]


@click.command("check")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def check(run_dir: str, as_json: bool) -> None:
    """Verify the datastore in RUN_DIR, like SQLite's PRAGMA integrity_check.

    Every file the index names must exist inside RUN_DIR with the schema of the format; spike
    and trace counts must match the index; no orphan payload or .tmp file may be left; a run
    whose manifest says complete must have a consolidated index. Exits with 1 and lists every
    problem, or prints a one-line OK summary and exits with 0.
    """
    problems = check_store(run_dir)
    summary: dict[str, int] = {}
    if not problems:
        store = DataStore.open(run_dir, mode="r")
        seg = store.segment_index
        summary = {
            "presentations": len(pc.unique(seg["presentation_id"])),
            "segments": seg.num_rows,
            "spikes": int(pc.sum(seg["n_spikes"]).as_py() or 0),
            "analysis_results": store.n_analysis_results,
        }
    if as_json:
        click.echo(json.dumps({"run_dir": run_dir, "ok": not problems, "summary": summary,
                               "problems": [attrs.asdict(p) for p in problems]}, indent=2))
    elif problems:
        click.echo(f"{run_dir}: {len(problems)} problem(s)", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    else:
        shown = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items())
        click.echo(f"OK {run_dir}: {shown}")
    if problems:
        sys.exit(1)
