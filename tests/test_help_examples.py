"""Every example in every ``--help`` of the ``mozaik`` command line runs.

Examples are found in the help texts, not listed by hand: the ``e.g. ...`` of each option's help
and every ``mozaik ...`` command a command's help quotes (in backticks, in parentheses, or after
"example:"). Each is run by the runner of its (command, option); an example with no runner fails
the test, so a new example cannot go unrun. One tiny study (4 neurons, 20 ms, no analyses)
runs once on NEST for the examples that need a run directory (about 10 s in all).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from mozaik.cli import cli

pytestmark = pytest.mark.nest

REPO = Path(__file__).resolve().parents[1]
VA = REPO / "examples" / "vogels_abbott2005"
SEARCH = REPO / "examples" / "vogels_abbott2005_search" / "search.yaml"
V1_STORE = REPO / "docs" / "format" / "example_runs" / "with_analyses"

TINY = """\
name: tiny
simulator: {backend: nest, time_step: 0.1, seed: 1}
sheets:
  exc:
    component: Sheet
    params:
      cell: {model: IF_cond_exp}
      placement: {kind: uniform, size_um: [100.0, 100.0], n_neurons: 4}
      recorders: [{variables: [spikes], neurons: all}]
experiments:
  - {component: NoStimulation, params: {duration_ms: 20.0}}
"""

_OPTION_EXAMPLE = re.compile(r"e\.g\. (.+?)(?= \(repeatable| \(default|; VALUE|\.$|$)")
_COMMAND_EXAMPLE = re.compile(r"`(mozaik [^`]+)`|\((mozaik [^)]+)\)|example: (mozaik [^)]+)")


def help_examples() -> Iterator[tuple[str, str, str]]:
    """(command, option or 'doc', example) of every example in every help text."""

    def walk(command: click.Command, path: list[str], parent: click.Context | None
             ) -> Iterator[tuple[str, str, str]]:
        ctx = click.Context(command, info_name=path[-1], parent=parent)
        name = " ".join(path)
        for param in command.params:
            text = " ".join((getattr(param, "help", None) or "").split())
            for found in _OPTION_EXAMPLE.finditer(text):
                yield name, param.opts[-1], found[1]
        doc = " ".join((command.help or "").split())
        for found in _COMMAND_EXAMPLE.finditer(doc):
            yield name, "doc", next(g for g in found.groups() if g)
        if isinstance(command, click.Group):
            for child in command.list_commands(ctx):
                sub = command.get_command(ctx, child)
                if sub is not None:
                    yield from walk(sub, [*path, child], ctx)

    yield from walk(cli, ["mozaik"], None)


def mozaik(*args: str | Path) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, f"mozaik {shlex.join(map(str, args))}:\n{result.output}"
    return result.output


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("help")
    (folder / "study.yaml").write_text(TINY)
    mozaik("run", folder / "study.yaml", "--out", folder / "run")
    return folder / "run"


def _command(example: str, run_dir: Path) -> list[str]:
    """The words of a quoted ``mozaik ...`` command, its placeholders made real."""
    words = shlex.split(example)[1:]
    return [str(run_dir) if w in ("RUN_DIR", "runs/va") else w for w in words]


def _resources(example: str, run_dir: Path, tmp: Path) -> None:
    # "workers=2 (local); partition=debug, max_parallel=50 (slurm)": each group with its backend
    for group in example.split(";"):
        found = re.fullmatch(r"\s*(.+?)\s*\((\w+)\)\s*", group)
        assert found, f"--resource example {group!r} does not name its backend: (local)..."
        items, backend = found.groups()
        options = [a for item in items.split(",") for a in ("--resource", item.strip())]
        mozaik("search", "run", SEARCH, "--backend", backend, *options, "--dry-run",
               "--out", tmp / f"search_{backend}")


RUNNERS: dict[tuple[str, str], Callable[[str, Path, Path], object]] = {
    ("mozaik config check", "--set"): lambda e, r, t: mozaik("config", "check", VA, "--quiet",
                                                              "--set", e),
    ("mozaik run", "--set"): lambda e, r, t: mozaik(
        "run", t / "study.yaml", "--set", e, "--out", t / "run_set"),
    ("mozaik run", "--simulator"): lambda e, r, t: mozaik(
        "run", t / "study.yaml", "--simulator", e, "--out", t / "run_simulator"),
    ("mozaik run", "--backend"): lambda e, r, t: mozaik(
        "run", t / "study.yaml", "--backend", e, "--out", t / "run_backend"),
    ("mozaik search run", "--backend"): lambda e, r, t: mozaik(
        "search", "run", SEARCH, "--backend", e, "--dry-run", "--out", t / "search"),
    ("mozaik search run", "--resource"): _resources,
    ("mozaik show", "--filter"): lambda e, r, t: [mozaik("show", V1_STORE, "-f", item)
                                                  for item in e.split(" or ")],
    ("mozaik export", "--param"): lambda e, r, t: mozaik(
        "export", r, "--format", "nwb", *shlex.split(e.removesuffix(" for nwb")),
        "--out", t / "species.nwb"),
    ("mozaik export", "doc"): lambda e, r, t: mozaik(*_command(e, r), "--out", t / "va.nwb"),
    ("mozaik describe", "doc"): lambda e, r, t: mozaik(*_command(e, r)),
    ("mozaik show", "doc"): lambda e, r, t: mozaik(*_command(e, r), r),
}

#: Examples run by another test (a fresh environment is needed), and which test.
ELSEWHERE = {
    ("mozaik plugin new", "doc"): "mozaik-core/tests/cli/test_scaffold.py::"
                                  "test_round_trip_in_a_fresh_environment",
}


def test_every_help_example_runs(tiny_run: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "study.yaml").write_text(TINY)
    found = list(help_examples())
    keys = {(command, where) for command, where, _ in found}
    assert ("mozaik config check", "--set") in keys and ("mozaik show", "--filter") in keys
    unrun = [f"{c} {w}: {e!r}" for c, w, e in found
             if (c, w) not in RUNNERS and (c, w) not in ELSEWHERE]
    assert not unrun, f"help examples with no runner here: {unrun}"
    for command, where, example in found:
        if (command, where) in RUNNERS:
            RUNNERS[command, where](example, tiny_run, tmp_path)
    stale = sorted(set(RUNNERS) - keys)
    assert not stale, f"runners of examples no help text has any more: {stale}"
