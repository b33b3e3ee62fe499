"""``mozaik search``: run a parameter search, show its index, collate its results, draw it."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["search"]

#: ``mozaik search status`` lists every point of a search up to this size (beyond: counts).
_LIST_AT_MOST = 200
#: Unfinished points listed beyond it.
_SHOWN = 20


@click.group("search")
def search() -> None:
    """Parameter searches: many runs of one study, one master directory."""


@search.command("run")
@click.argument("search_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Master directory (default: searches/<search name>).")
@click.option("--backend", "backend_name", metavar="NAME",
              help="A registered backend or an alias its plugin declares, e.g. local "
                   "(default: the file's backend; `mozaik plugins` lists them).")
@click.option("--resource", "resources", multiple=True, metavar="KEY=VALUE",
              help="A backend parameter, over the file's resources (repeatable), e.g. "
                   "workers=2 (local); partition=debug, max_parallel=50 (slurm).")
@click.option("--resume", is_flag=True,
              help="Rerun the failed, missing, killed and corrupt points of an existing master "
                   "directory (only those).")
@click.option("--rerun-exploded", is_flag=True,
              help="Also rerun the points whose network ran away (status exploded); without "
                   "it they count as finished.")
@click.option("--dry-run", is_flag=True,
              help="Show what would be run (the batch script for slurm); run nothing.")
@click.option("--yes", is_flag=True,
              help="Go on without asking: more points than the safety limit (10,000 a run), "
                   "a Slurm task estimated to exceed its time limit.")
@click.option("--quiet", is_flag=True, help="No per-point progress lines.")
def run(search_file: Path, out: Path | None, backend_name: str | None,
        resources: tuple[str, ...], resume: bool, rerun_exploded: bool, dry_run: bool,
        yes: bool, quiet: bool) -> None:
    """Run the search SEARCH_FILE: every point of it, through the chosen backend, then draw
    the search file's plots (if any) into MASTER/figures. Prints a line as points end (at
    most one a second) with the time left, and while a cluster's tasks wait, their states."""
    from mozaik.backends import search_backend
    from mozaik.search import SearchOptions, load_search, run_search

    spec = load_search(search_file)
    master = out if out is not None else Path("searches") / spec.name
    backend = search_backend(spec, backend_name, resources)
    try:
        summary = run_search(spec, master, backend, resume=resume,
                             options=SearchOptions(dry_run=dry_run, yes=yes,
                                                   progress=not quiet),
                             rerun_exploded=rerun_exploded)
    except KeyboardInterrupt:
        click.echo(f"\nInterrupted. Finished points are safe; the interrupted ones are "
                   f"recorded as incomplete. Go on with: mozaik search run {search_file} "
                   f"--out {master} --resume", err=True)
        click.get_current_context().exit(130)
    if dry_run:
        return
    if not summary.ran:
        click.echo(f"{master}: nothing to do: {summary.done} of {summary.points} points done")
        if spec.plots:
            click.echo(f"(to draw the search's figures again: mozaik search plot {master})")
        return
    exploded = f", {summary.exploded} exploded" if summary.exploded else ""
    click.echo(f"{master}: ran {len(summary.ran)} point(s); {summary.done} of "
               f"{summary.points} done, {summary.failed} failed{exploded}")
    if summary.failed:
        click.echo(f"see: mozaik search status {master}; rerun failed points with "
                   f"mozaik search run {search_file} --out {master} --resume", err=True)
    if spec.plots and summary.done:
        _draw(master)


def _draw(master: Path) -> None:
    from mozaik.search import plot_search

    files = plot_search(master)
    shown = ", ".join(str(f) for f in files if f.suffix != ".json") or "nothing to draw"
    click.echo(f"figures: {shown}")


@search.command("status")
@click.argument("master", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--point", "point_id", type=int, metavar="ID",
              help="Show one point in full: its parameters, error and log tail.")
@click.option("--all", "show_all", is_flag=True,
              help=f"One line per point even for a search of more than {_LIST_AT_MOST} points.")
@click.option("--check", is_flag=True,
              help="Read every point's status file again and quick-check every finished "
                   "point's store (slow on large searches: about 30 ms a point).")
def status(master: Path, point_id: int | None, show_all: bool, check: bool) -> None:
    """One line per point of the search in MASTER: status, parameters, the first line of its
    error (in full, with the log tail: --point ID); for an optimising search also the best
    point so far and the trial history. A search of more than 200 points gets counts per
    status and its unfinished points' lines (the first 20) instead (every line: --all).

    Only what changed since the last index is read (points that ended, started or were
    cleared); --check reads everything again and checks every finished point's store."""
    import pyarrow.compute as pc

    from mozaik.search import (
        INDEX_COLUMNS,
        TRIALS_FILE,
        current_index,
        history_lines,
        load_master,
        refresh_index,
    )

    table = None if check else current_index(master)
    if table is None:  # something changed since the index was written: read what changed
        table = refresh_index(master, load_master(master), incremental=not check, check=check)
    parameters = [c for c in table.column_names if c not in INDEX_COLUMNS]
    if point_id is not None:
        if not 0 <= point_id < table.num_rows:
            msg = f"--point {point_id}: the search has points 0 to {table.num_rows - 1}"
            raise click.BadParameter(msg)
        row = table.slice(point_id, 1).to_pylist()[0]
        click.echo(f"p{point_id:05d} {row['status']} ({row['run_dir'] or 'no run directory'})")
        for p in parameters:
            click.echo(f"  {p} = {row[p]}")
        if row["signal"]:
            click.echo(f"its process was killed by {row['signal']}")
        elif row["exit_code"] not in (None, 0):
            click.echo(f"its process exited with status {row['exit_code']}")
        if row["error"]:
            click.echo(f"error: {row['error']}")
        if row["log_tail"]:
            click.echo(f"log tail:\n{row['log_tail']}")
        return
    shown = table
    if table.num_rows > _LIST_AT_MOST and not show_all:
        counts = pc.value_counts(table["status"]).to_pylist()
        text = ", ".join(f"{c['counts']} {c['values']}" for c in
                         sorted(counts, key=lambda c: -int(c["counts"])))
        click.echo(f"{master}: {table.num_rows} points: {text}")
        shown = table.filter(pc.not_equal(table["status"], "done")).slice(0, _SHOWN)
        if shown.num_rows:
            click.echo(f"unfinished points (the first {shown.num_rows}; all of them: --all):")
    rows = shown.to_pylist()
    for row in rows:
        values = ", ".join(f"{p}={row[p]}" for p in parameters)
        error = f"  {row['error'].splitlines()[0]}" if row["error"] else ""
        click.echo(f"p{row['point_id']:05d} {row['status']:<10} {values}{error}")
    if any(row["error"] for row in rows):
        click.echo(f"(a point's whole error and log tail: mozaik search status {master} "
                   "--point ID)")
    if (master / TRIALS_FILE).is_file():  # an optimising search
        click.echo("optimisation (trial i is point i):")
        for line in history_lines(master):
            click.echo(f"  {line}")


@search.command("collate")
@click.argument("master", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Parquet file (default: MASTER/collated.parquet).")
def collate(master: Path, out: Path | None) -> None:
    """Collate the SingleValues of every finished point of MASTER into one Parquet table
    (one row per point and value: point_id, the varied parameters, sheet_name,
    analysis_algorithm, stimulus_id, value_name, value, value_units)."""
    from mozaik.search import COLLATED_FILE, collate_search

    table = collate_search(master, out)
    click.echo(f"{out or master / COLLATED_FILE}: {table.num_rows} rows")


@search.command("plot")
@click.argument("master", type=click.Path(exists=True, file_okay=False, path_type=Path))
def plot(master: Path) -> None:
    """Collate the finished points of MASTER and draw the search file's plots (search plots,
    e.g. mozaik-plot's ParameterSearchPlot) into MASTER/figures/<NN>_<Name>.png."""
    from mozaik.search import load_master

    if not load_master(master).plots:
        click.echo(f"{master}: the search declares no plots; add a plots: section to its "
                   f"search file and run `mozaik search run SEARCH_FILE --out {master}` (it "
                   "records the plots and runs no finished point again), then this")
        return
    _draw(master)
