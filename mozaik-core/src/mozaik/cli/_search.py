"""``mozaik search``: run a parameter search, show its index, collate its results."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["search"]


@click.group("search")
def search() -> None:
    """Parameter searches: many runs of one study, one master directory."""


@search.command("run")
@click.argument("search_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Master directory (default: searches/<search name>).")
@click.option("--backend", "backend_name", metavar="NAME",
              help="local, slurm, mpi or a registered backend (default: the file's backend).")
@click.option("--resource", "resources", multiple=True, metavar="KEY=VALUE",
              help="A backend parameter, over the file's resources (repeatable), e.g. "
                   "partition=debug, max_parallel=50, workers=2.")
@click.option("--resume", is_flag=True,
              help="Rerun the failed, missing, killed and corrupt points of an existing master "
                   "directory (only those).")
@click.option("--dry-run", is_flag=True,
              help="Show what would be run (the batch script for slurm); run nothing.")
def run(search_file: Path, out: Path | None, backend_name: str | None,
        resources: tuple[str, ...], resume: bool, dry_run: bool) -> None:
    """Run the search SEARCH_FILE: every point of it, through the chosen backend."""
    from mozaik.search import load_search, run_search, search_backend

    spec = load_search(search_file)
    master = out if out is not None else Path("searches") / spec.name
    backend = search_backend(spec, backend_name, resources)
    summary = run_search(spec, master, backend, resume=resume, dry_run=dry_run)
    if dry_run:
        return
    if not summary.ran:
        click.echo(f"{master}: nothing to do: {summary.done} of {summary.points} points done")
        return
    click.echo(f"{master}: ran {len(summary.ran)} point(s); {summary.done} of "
               f"{summary.points} done, {summary.failed} failed")
    if summary.failed:
        click.echo(f"see: mozaik search status {master}; rerun failed points with "
                   f"mozaik search run {search_file} --out {master} --resume", err=True)


@search.command("status")
@click.argument("master", type=click.Path(exists=True, file_okay=False, path_type=Path))
def status(master: Path) -> None:
    """One line per point of the search in MASTER: status, parameters, error."""
    from mozaik.search import load_master, refresh_index

    spec = load_master(master)
    index = refresh_index(master, spec)
    for row in index.to_pylist():
        values = ", ".join(f"{p}={row[p]}" for p in spec.parameters)
        error = f"  {row['error']}" if row["error"] else ""
        click.echo(f"p{row['point_id']:05d} {row['status']:<10} {values}{error}")


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
