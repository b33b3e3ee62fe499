"""``mozaik config``: inspect configuration files."""

from __future__ import annotations

import json
from pathlib import Path

import click
import yaml

from mozaik.config import ConfigTree
from mozaik.study import Study, check_densities, check_size, estimate_size, load_study

__all__ = ["ALLOW_LARGE_HELP", "INCLUDE_ROOT_HELP", "check_study_size", "config"]

INCLUDE_ROOT_HELP = ("A folder includes may come from besides the study file's own folder tree "
                     "(repeatable; also the MOZAIK_INCLUDE_PATH environment variable, folders "
                     "separated by ':').")


ALLOW_LARGE_HELP = ("Build the network even if its estimated memory exceeds this machine's "
                    "(also controller.allow_large: true in the study).")


def check_study_size(study: Study, allow_large: bool, *, summary: bool = True) -> list[str]:
    """Check the study's estimated size against this machine and return the lines to print
    (the estimate, unless ``summary`` is false, and every warning); a network that would not
    fit in this machine's memory (unless allowed), or more NEST threads than it can serve, is a
    ConfigError (see :func:`mozaik.study.check_size`)."""
    estimate = estimate_size(study)
    warnings = check_densities(study) + check_size(
        estimate, allow_large=allow_large or study.controller.allow_large)
    return ([f"# {estimate.summary()}"] if summary else []) + [f"Warning: {w}" for w in warnings]


def _scalar(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10**6).strip().removesuffix(
        "\n...").removesuffix("...").strip()


def _short(where: str, base: Path) -> str:
    """``where`` (``/abs/study.yaml:12``) relative to ``base`` when it is inside it."""
    path, sep, line = where.rpartition(":")
    if not sep or not path.startswith("/"):
        return where
    try:
        return f"{Path(path).relative_to(base)}:{line}"
    except ValueError:
        return where


def with_origins(tree: ConfigTree, base: Path) -> list[str]:
    """The resolved tree as YAML, every value followed by a comment naming the file and line
    it came from (or the ``--set`` item); a list of scalars is one line. Paths are relative to
    ``base`` when inside it."""
    lines: list[str] = []

    def emit(value: object, path: str, indent: str, head: str) -> None:
        where = _short(tree.where(path), base)
        if isinstance(value, dict) and value:
            lines.append(f"{indent}{head}".rstrip())
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                emit(item, child, indent + ("  " if head else ""), f"{_scalar(key)}:")
        elif isinstance(value, list) and value and any(isinstance(v, dict | list)
                                                      for v in value):
            lines.append(f"{indent}{head}")
            for i, item in enumerate(value):
                emit(item, f"{path}.{i}", indent + "  ", "-")
        else:
            text = f"{head} {_scalar(value)}" if head else _scalar(value)
            lines.append(f"{indent}{text}  # {where}")

    for key, item in tree.data.items():
        emit(item, str(key), "", f"{_scalar(key)}:")
    # a list item that is a mapping: its first key goes on the dash's line
    merged: list[str] = []
    for line in lines:
        if merged and merged[-1].lstrip() == "-" and line.startswith(merged[-1][:-1] + "  "):
            merged[-1] = merged[-1] + " " + line[len(merged[-1]) + 1:]
        else:
            merged.append(line)
    return merged


@click.group("config")
def config() -> None:
    """Inspect and validate study configuration files."""


@config.command("check")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="Override a parameter by dotted path, e.g. "
                   "sheets.exc.params.placement.n_neurons=800 (repeatable).")
@click.option("--include-root", "include_roots", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help=INCLUDE_ROOT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the resolved tree as JSON.")
@click.option("--origins/--no-origins", default=True,
              help="Follow every value of the printed tree with the file and line it came from "
                   "(or the --set item) as a YAML comment (default: yes).")
@click.option("--quiet", "-q", is_flag=True, help="Only validate; print nothing on success "
              "(warnings still go to stderr).")
@click.option("--allow-large", is_flag=True, help=ALLOW_LARGE_HELP)
def check(file: Path, overrides: tuple[str, ...], include_roots: tuple[Path, ...],
          as_json: bool, origins: bool, quiet: bool, allow_large: bool) -> None:
    """Load FILE (a study YAML or a folder with study.yaml), resolve includes, references and
    overrides, and validate everything a run validates before it builds the network: every
    component's parameters (including components named inside them, such as a modular
    connector's functions), experiments, analyses and plots, and the network's estimated size
    (neurons, connections, memory) and NEST threads against this machine. Print the resolved
    tree, each value with the file and line it came from."""
    study = load_study(file, overrides, include_roots=include_roots)
    size = check_study_size(study, allow_large, summary=not quiet)
    if quiet:
        for line in size:
            click.echo(line, err=True)
        return
    if as_json:
        click.echo(json.dumps(study.resolved, indent=2))
    elif origins:
        click.echo("\n".join(with_origins(study.tree, Path.cwd())))
    else:
        click.echo(yaml.safe_dump(study.resolved, sort_keys=False).rstrip())
    for line in size:
        click.echo(line, err=True)
    n_sheets, n_conn, n_exp = len(study.sheets), len(study.connectors), len(study.experiments)
    click.echo(f"# OK: study {study.name!r}: {n_sheets} sheet(s), {n_conn} connector(s), "
               f"{n_exp} experiment(s), {len(study.analyses)} analysis(es), "
               f"{len(study.plots)} plot(s)", err=True)
