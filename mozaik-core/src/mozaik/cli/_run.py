"""``mozaik run`` and ``mozaik analyse``: run a study, (re)run analyses on a stored run."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mozaik._errors import ConfigError, RunExploded, StoreLockedError
from mozaik.cli._config import ALLOW_LARGE_HELP, INCLUDE_ROOT_HELP, check_study_size
from mozaik.config import STUDY_FILE
from mozaik.study import load_study

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mozaik.controller import RunSummary
    from mozaik.study import Entry, Study

__all__ = ["analyse", "run"]

_PROGRESS = click.Choice(["auto", "bar", "log", "off"])


def _summary_line(s: RunSummary) -> str:
    if s.planned and s.stored_before == s.planned and not (s.presented or s.replayed
                                                           or s.analyses or s.plots):
        return (f"{s.run_dir}: complete, nothing to do (every presentation stored, every "
                f"analysis and plot up to date); {s.total_s:.1f} s")
    parts = [f"{s.presented} presentation(s) stored"]
    if s.replayed:
        parts.append(f"{s.replayed} replayed")
    if s.stored_before:
        parts.append(f"{s.stored_before} already stored")
    if s.planned and s.stored_before == s.planned:
        parts.append("nothing to simulate")
    return (f"{s.run_dir}: {', '.join(parts)}; {s.analyses} analyses, {s.plots} plots; "
            f"{s.total_s:.1f} s (build {s.build_s:.1f} s, simulate {s.simulate_s:.1f} s, "
            f"store {s.store_s + s.collect_s:.1f} s)")


def _next_steps(run_dir: Path, study: Study) -> str:
    analyse = (f"mozaik analyse {run_dir} (re-run analyses and plots)" if (
        study.analyses or study.plots) else
        f"mozaik analyse {run_dir} WORKFLOW_FILE (add analyses and plots)")
    return f"next: mozaik show {run_dir} (what was stored); {analyse}"


LATEST = "latest"


def _link_latest(run_dir: Path) -> None:
    """Point ``<parent>/latest`` at the run directory just started (replaced atomically, a
    relative link so the folder can move); a file system without links just has none."""
    link = run_dir.parent / LATEST
    if link.exists() and not link.is_symlink():
        return  # never replace a real file or folder named latest
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    temporary = run_dir.parent / f".{LATEST}.{os.getpid()}"
    try:
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(run_dir.name, target_is_directory=True)
        os.replace(temporary, link)
    except OSError:
        temporary.unlink(missing_ok=True)


def _not_a_target(target: Path) -> str | None:
    """Why ``target`` is neither a study nor a run directory, with the command to use; None
    if it may be one of them."""
    from mozaik.controller import is_run_dir

    hint = (f"if a run was to be stored there, start it with the study: mozaik run STUDY --out "
            f"{target} (the run directory is made as the run starts, before the network is "
            "built)")
    if not target.exists():
        if target.suffix in (".yaml", ".yml"):
            return (f"study file {target} does not exist; pass a study file, a folder with "
                    f"{STUDY_FILE}, or a run directory")
        return f"{target} does not exist: it is neither a study file nor a run directory; {hint}"
    if target.is_dir() and not is_run_dir(target) and not (target / STUDY_FILE).is_file():
        return (f"{target} is neither a run directory (no manifest.json) nor a study folder "
                f"(no {STUDY_FILE}); {hint}")
    return None


@click.command("run")
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="Override a parameter by dotted path, e.g. "
                   "sheets.exc.params.placement.n_neurons=800 (repeatable).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Run directory. If it holds a run of this study, the run is completed. "
                   "Default: runs/<name>_<timestamp>[_<overrides>_<hash>], and runs/latest then "
                   "links to it.")
@click.option("--simulator", metavar="NAME", help="PyNN backend (simulator.backend), e.g. nest.")
@click.option("--threads", type=click.IntRange(min=1), help="Threads per process "
              "(simulator.threads).")
@click.option("--seed", type=click.IntRange(min=0), help="Master seed (simulator.seed).")
@click.option("--backend", "backend_name", metavar="NAME",
              help="Execution backend: a registered backend or an alias its plugin declares, "
                   "e.g. local (default: the study's backend: section, else LocalBackend).")
@click.option("--progress", type=_PROGRESS, default=None,
              help="Progress bar, one log line per stimulus, or nothing; default auto: a bar on "
                   "a terminal.")
@click.option("--include-root", "include_roots", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help=INCLUDE_ROOT_HELP)
@click.option("--no-replay", is_flag=True,
              help="When completing a run, do not re-simulate stored presentations to restore "
                   "the network state: missing ones start from a fresh network.")
@click.option("--repair", is_flag=True,
              help="If stored presentations lost their payload files (missing or cut short), "
                   "drop them and simulate them again; without it the run asks on a terminal, "
                   "and stops elsewhere.")
@click.option("--allow-large", is_flag=True, help=ALLOW_LARGE_HELP)
@click.pass_context
def run(ctx: click.Context, target: Path, overrides: tuple[str, ...], out: Path | None,
        simulator: str | None, threads: int | None, seed: int | None,
        backend_name: str | None, progress: str | None, include_roots: tuple[Path, ...],
        no_replay: bool, repair: bool, allow_large: bool) -> None:
    """Run the study TARGET (a study YAML file, or a folder with study.yaml): build the
    network, present every stimulus, store the recordings, run the analyses and plots.

    TARGET may also be a run directory: the run is then completed with the configuration it
    was started with (an interrupted run resumes; what is stored is not simulated again unless
    the network state must be restored, see --no-replay; a complete run returns at once).

    Before building, the network's size is estimated from the study (neurons, connections,
    memory): a network larger than this machine's memory is refused unless --allow-large is
    given, and one above half of it gives a warning.
    The run directory exists from the moment the run starts, so a run stopped while building
    its network resumes this way too.

    SIGINT (Ctrl-C), SIGTERM (e.g. Slurm at the time limit) and SIGHUP stop the run at a safe
    point: what is stored stays stored, and the exit status is 128 + the signal's number.

    A sheet whose rate crosses its controller.runaway threshold stops the run ("exploded"):
    what was simulated is stored, analyses and plots are not run, and the exit status is 3.
    """
    from mozaik.backends import RunOptions, study_backend
    from mozaik.controller import default_run_dir, is_run_dir, study_from_run_dir

    problem = _not_a_target(target)
    if problem is not None:
        raise ConfigError(problem)
    items = list(overrides)
    for path, value in (("simulator.backend", simulator), ("simulator.threads", threads),
                        ("simulator.seed", seed)):
        if value is not None:
            items.append(f"{path}={value}")
    if is_run_dir(target):
        if items:
            msg = (f"{target} is a run directory: it is completed with the configuration it "
                   f"was started with, so --set/--simulator/--threads/--seed cannot change it "
                   f"(got {', '.join(items)}); to run a changed study, pass the study file")
            raise ConfigError(msg)
        if out is not None and out.resolve() != target.resolve():
            msg = (f"{target} is a run directory, which is completed in place; drop --out "
                   f"{out}, or pass the study file to start a new run there")
            raise ConfigError(msg)
        study = study_from_run_dir(target)
        run_dir = target
    else:
        study = load_study(target, items, include_roots=include_roots)
        run_dir = out if out is not None else default_run_dir(study.name, items)
    for line in check_study_size(study, allow_large):  # before anything is built or written
        click.echo(line, err=True)
    backend = study_backend(study, backend_name)
    _repair_if_damaged(run_dir, study, repair)
    click.echo(f"run directory: {run_dir}", err=True)
    if out is None and run_dir != target:
        _link_latest(run_dir)
    try:
        options = RunOptions(progress=progress, replay=False if no_replay else None)
        summary = backend.run(study, run_dir, options)
    except RunExploded as exc:
        from mozaik.controller import EXPLODED_EXIT_STATUS

        click.echo(f"Run exploded: {exc}. See `mozaik show {run_dir}`.", err=True)
        ctx.exit(EXPLODED_EXIT_STATUS)
    except KeyboardInterrupt as exc:  # SIGINT, SIGTERM, SIGHUP: see RunInterrupted
        name = getattr(exc, "signal_name", "SIGINT")
        click.echo(f"\nInterrupted by {name}. What was stored is safe; complete the run with: "
                   f"mozaik run {run_dir}", err=True)
        ctx.exit(getattr(exc, "exit_status", 130))
    click.echo(_summary_line(summary))
    click.echo(_next_steps(run_dir, study))
    _exit_if_plots_failed(ctx, run_dir, study.plots, "simulation complete")


def _exit_if_plots_failed(ctx: click.Context, run_dir: Path, plots: Sequence[Any],
                          done: str) -> None:
    """Say which plots failed (recorded in the run's manifest) and exit with status 1."""
    from mozaik.controller import is_run_dir
    from mozaik.datastore import DataStore
    from mozaik.workflow import failed_plots

    if not plots or not is_run_dir(run_dir):  # a batch backend may not have run it yet
        return
    with DataStore.open(run_dir) as store:
        errors = failed_plots(store, plots)
    if errors:
        click.echo(f"{done}, {len(errors)} plot(s) failed: " + "; ".join(errors), err=True)
        ctx.exit(1)


def _interactive() -> bool:
    """Whether a person can answer a question (standard input and error are terminals)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _repair_if_damaged(run_dir: Path, study: Study, repair: bool) -> None:
    """Drop the damaged presentations of an existing run of ``study`` in ``run_dir`` with the
    user's consent (``--repair``, or yes on a terminal); refuse without it."""
    from mozaik.controller import config_differences, is_run_dir, repair_run
    from mozaik.datastore import DataStore

    def consent(message: str) -> bool:
        if repair:
            return True
        if not _interactive():
            return False
        click.echo(message, err=True)
        return click.confirm("Drop the damaged presentations and simulate them again?",
                             default=False, err=True)

    if not is_run_dir(run_dir):
        return
    with DataStore.open(run_dir, mode="r") as store:
        stored = store.manifest.get("config")
    if isinstance(stored, dict) and config_differences(stored, study.resolved):
        return  # the run refuses another study with its own message
    repaired = repair_run(run_dir, confirm=consent)
    if repaired:
        click.echo(f"repair: dropped {len(repaired)} damaged presentation(s) of {run_dir} "
                   f"({', '.join(str(d.presentation_id) for d in repaired)}); simulating them "
                   "again", err=True)


@click.command("analyse")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("workflow_file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="Override a parameter of WORKFLOW_FILE by dotted path (repeatable).")
@click.option("--force", is_flag=True, help="Run every analysis and plot, also unchanged ones.")
def analyse(run_dir: Path, workflow_file: Path | None, overrides: tuple[str, ...],
            force: bool) -> None:
    """Run analyses and plots on the stored run RUN_DIR, without simulating.

    The analyses and plots are those of WORKFLOW_FILE (a YAML file with `analyses:` and
    `plots:` sections, or a whole study file) or, without it, those of the study the run was
    made with. Results go back into the store; figures into RUN_DIR/figures. An analysis or
    plot whose inputs, parameters and code are unchanged since it last ran is skipped (and
    logged as such); one that runs again replaces its results, and the analyses reading them
    run again too.
    """
    from mozaik.controller import (
        analyses_write_failed,
        check_writable,
        run_logging,
        study_from_run_dir,
        write_fault,
    )
    from mozaik.datastore import DataStore
    from mozaik.workflow import failed_plots, load_workflow, run_workflow

    if workflow_file is not None:
        analyses, plots = load_workflow(workflow_file, overrides)
    else:
        if overrides:
            msg = "--set applies to a WORKFLOW_FILE; pass one, or drop --set"
            raise ConfigError(msg)
        study = study_from_run_dir(run_dir)
        analyses, plots = study.analyses, study.plots
    if not analyses and not plots:
        where = workflow_file or f"the study stored in {run_dir}"
        click.echo(f"nothing to do: {where} declares no analyses or plots; pass a "
                   "WORKFLOW_FILE with analyses: and plots: sections", err=True)
        return
    writes = force or _pending(run_dir, analyses, plots) > 0  # else read-only media will do
    if writes:
        check_writable(run_dir, writes="the analyses and plots")
    try:
        with run_logging(run_dir, "log"), DataStore.open(run_dir, mode="a" if writes else "r"
                                                         ) as store:
            n_analyses, n_plots = run_workflow(store, analyses, plots, force=force)
            failed = len(failed_plots(store, plots))
    except StoreLockedError as exc:
        who = "another mozaik process" + ("" if exc.holder == "unknown" else
                                          f" (PID {exc.holder})")
        msg = (f"{who} is writing {run_dir}; wait for it to finish, then run `mozaik analyse "
               f"{run_dir}` again")
        raise StoreLockedError(msg, root=run_dir, holder=exc.holder) from None
    except Exception as exc:
        fault = write_fault(exc, run_dir)  # the disk filled up, the folder became read-only
        if fault is None:
            raise
        raise analyses_write_failed(run_dir, fault) from exc
    skipped = len(analyses) + len(plots) - n_analyses - n_plots - failed
    click.echo(f"{run_dir}: {n_analyses} analyses run, {n_plots} plots drawn"
               + (f", {skipped} unchanged or empty (skipped)" if skipped else ""))
    _exit_if_plots_failed(click.get_current_context(), run_dir, plots, "analyses complete")


def _pending(run_dir: Path, analyses: Sequence[Entry],
             plots: Sequence[Entry]) -> int:
    """How many of ``analyses`` and ``plots`` would run on the stored run (read, not written)."""
    from mozaik.datastore import DataStore
    from mozaik.workflow import pending_steps

    with DataStore.open(run_dir, mode="r") as store:
        return pending_steps(store, analyses, plots)
