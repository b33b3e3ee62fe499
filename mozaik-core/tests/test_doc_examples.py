"""Every example in README.md and docs/*.md runs (issue 8 part 3), so none can drift again.

Fenced blocks are handled by language:

* ``bash``: every command is run. ``mozaik ...`` commands run as written (``uv run`` dropped:
  the test already runs inside the environment); a ``mozaik run`` of a study first passes
  ``mozaik config check`` with the command's own overrides, then runs with :data:`SMALL`
  appended so that the demo stays small, and with ``--out`` so that ``runs/<dir>`` in a later
  command names it. Other commands are errors unless listed in :data:`SETUP` with a reason.
* ``python``: run in a fresh interpreter.
* ``yaml``: a block with ``name:`` and ``sheets:`` is a study and must validate (its includes
  are written from :data:`INCLUDES`); inline ``--set PATH=VALUE`` mentions in the same file
  must apply to it. A block with ``study:`` and ``parameters:`` is a search file and must
  validate relative to :data:`SEARCH_EXAMPLE`.
* ``text``: command synopses; each ``mozaik`` subcommand exists and has every option shown.
* ``{directive}``: a MyST directive of the documentation site (``{toctree}``, ``{eval-rst}``
  with autodoc, the generated configuration and CLI references), executed by the Sphinx build
  of the docs session with warnings as errors (``docs/check_site.py`` checks what it made).

A block that cannot run here is marked in the markdown with ``<!-- not-run: reason -->`` on the
line before it; :func:`test_not_run_blocks_are_marked_and_listed` lists them. Two files are
tested elsewhere (:data:`TESTED_ELSEWHERE`).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest
import yaml
from mozaik.controller import is_run_dir
from mozaik.plugin import PluginManager
from mozaik.search import search_from_mapping
from mozaik.study import load_study

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MOZAIK = str(Path(sys.executable).with_name("mozaik"))
#: The folder search-file blocks are read relative to (the docs' example search).
SEARCH_EXAMPLE = ROOT / "examples" / "vogels_abbott2005_search"

#: Files whose blocks another test runs: the reason names it.
TESTED_ELSEWHERE = {
    "docs/hooks.md": "its example plugin is executed by the hooks documentation test (seams)",
    "docs/datastore-format.md": "its DuckDB queries run against a real run in the nox session "
                                "of the datastore format (store)",
}

#: Commands of runnable blocks that are not run, with the reason.
SETUP = {
    "pip install uv": "installs the tool that runs the other commands; the test runs inside "
                      "the environment it made",
}

#: Appended to every ``mozaik run STUDY`` so that the demo is small: 250 neurons, 150 ms.
SMALL = ["--set", "sheets.exc.params.placement.n_neurons=200",
         "--set", "experiments.1.params.duration_ms=50.0", "--progress", "off"]

CELL = ("{cm: 0.2, tau_m: 20.0, v_rest: -60.0, v_thresh: -50.0, v_reset: -60.0, tau_refrac: 5.0, "
        "e_rev_E: 0.0, e_rev_I: -80.0, tau_syn_E: 5.0, tau_syn_I: 10.0}")
#: Files the documentation's example studies include (``!include`` / ``<<: !include``).
INCLUDES = {
    "cells/exc.yaml": CELL,
    "inh_defaults.yaml": textwrap.dedent(f"""\
        cell: {{model: IF_cond_exp, params: {CELL}}}
        recorders: [{{variables: [spikes], neurons: all}}]
    """),
}

MARK = re.compile(r"^<!--\s*not-run:\s*(?P<reason>.+?)\s*-->\s*$")
FENCE = re.compile(r"^```(?P<lang>[\w-]*|\{[\w-]+\})\s*$")


@attrs.frozen
class Block:
    file: str
    line: int
    lang: str
    text: str
    not_run: str | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line} ({self.lang or 'no language'})"


def read_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a markdown file, with the not-run mark before each."""
    lines = path.read_text().splitlines()
    name = str(path.relative_to(ROOT))
    blocks, i = [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        previous = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        mark = MARK.match(previous.strip())
        blocks.append(Block(name, start + 1, opening["lang"], "\n".join(body) + "\n",
                            mark["reason"] if mark else None))
        i += 1
    return blocks


def our_blocks() -> list[Block]:
    return [b for path in DOCS for b in read_blocks(path)
            if str(path.relative_to(ROOT)) not in TESTED_ELSEWHERE]


def commands(block: Block) -> list[list[str]]:
    """The commands of a bash block: comments dropped, ``&&`` chains split."""
    found = []
    for line in block.text.splitlines():
        words = shlex.split(line, comments=True)
        while words:
            cut = words.index("&&") if "&&" in words else len(words)
            found.append(words[:cut])
            words = words[cut + 1:]
    return [c for c in found if c]


def test_files_tested_elsewhere_exist() -> None:
    for name in TESTED_ELSEWHERE:
        assert (ROOT / name).is_file(), f"{name} is no longer there; drop it from the list"


def test_every_block_is_handled_or_marked() -> None:
    blocks = our_blocks()
    assert any(b.lang == "bash" and not b.not_run for b in blocks)
    unknown = [str(b) for b in blocks if not b.not_run and not b.lang.startswith("{")
               and b.lang not in ("bash", "python", "yaml", "text")]
    assert not unknown, f"blocks no test knows how to run; run them or mark them: {unknown}"
    for block in blocks:
        if block.lang == "bash" and not block.not_run:
            for command in commands(block):
                if command[:2] == ["uv", "run"]:
                    command = command[2:]
                assert command[0] == "mozaik" or " ".join(command) in SETUP, (
                    f"{block}: {' '.join(command)!r} is neither a mozaik command nor a listed "
                    "setup step; run it in this test or mark the block not-run")
    used = {" ".join(c) for b in blocks if b.lang == "bash" and not b.not_run
            for c in commands(b)}
    assert set(SETUP) <= used, f"stale SETUP entries: {set(SETUP) - used}"


def test_not_run_blocks_are_marked_and_listed() -> None:
    marked = [(str(b), b.not_run) for b in our_blocks() if b.not_run]
    for where, reason in marked:
        print(f"not run: {where}: {reason}")  # the list, in the test's output
        assert len(reason.split()) >= 3, f"{where}: say why it is not run"
    assert ("README.md:20 (bash)", "runs every nox session, the docs session (which runs this "
            "file) among them") in marked


def _study_blocks() -> list[Block]:
    return [b for b in our_blocks() if b.lang == "yaml" and not b.not_run]


@pytest.mark.parametrize("block", _study_blocks(), ids=str)
def test_yaml_examples_validate(block: Block, tmp_path: Path,
                                plugin_manager: PluginManager) -> None:
    if re.search(r"^study:", block.text, re.M) and re.search(r"^parameters:", block.text, re.M):
        # a search file, relative to the docs' example search (its plugins' plots unchecked:
        # core alone runs this too; tests/test_example_search.py draws the example's)
        search = search_from_mapping(yaml.safe_load(block.text), SEARCH_EXAMPLE,
                                     check_plots=False)
        assert search.points and search.plots
        return
    if not (re.search(r"^name:", block.text, re.M) and re.search(r"^sheets:", block.text, re.M)):
        pytest.fail(f"{block}: a yaml block that is not a study: mark it or teach this test")
    for name, content in INCLUDES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    (tmp_path / "study.yaml").write_text(block.text)
    load_study(tmp_path / "study.yaml")
    prose = (ROOT / block.file).read_text()
    for item in re.findall(r"`--set ([^`\s]+=[^`\s]+)`", prose):
        study = load_study(tmp_path / "study.yaml", [item])
        assert study.tree.sources[item.split("=")[0]].startswith("command line")


def _synopses() -> list[tuple[Block, str]]:
    """``mozaik ...`` entries of the text blocks; indented lines continue the entry above."""
    found: list[tuple[Block, str]] = []
    for block in our_blocks():
        if block.lang != "text" or block.not_run:
            continue
        for line in block.text.splitlines():
            text = line.split("#")[0].rstrip()
            if text.startswith("mozaik "):
                found.append((block, text))
            elif text.startswith(" ") and found and found[-1][0] is block:
                found[-1] = (block, f"{found[-1][1]} {text.strip()}")
    return found


@pytest.mark.parametrize(("block", "synopsis"), _synopses(),
                         ids=[s for _, s in _synopses()] or None)
def test_command_synopses_match_the_cli(block: Block, synopsis: str) -> None:
    sub = []
    for word in synopsis.split()[1:]:
        if not re.fullmatch(r"[a-z]+", word):
            break
        sub.append(word)
    proc = subprocess.run([MOZAIK, *sub, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"{block}: mozaik {' '.join(sub)} does not exist"
    for option in re.findall(r"--[a-z][a-z-]*", synopsis):
        assert option in proc.stdout, f"{block}: mozaik {' '.join(sub)} has no {option}"


def _mozaik(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # as a user types it: with every installed plugin (core's tests turn autoload off)
    env = {k: v for k, v in os.environ.items() if k != "MOZAIK_DISABLE_PLUGIN_AUTOLOAD"}
    proc = subprocess.run([MOZAIK, *args], capture_output=True, text=True, timeout=900,
                          cwd=cwd, env=env)
    assert proc.returncode == 0, f"mozaik {shlex.join(args)} failed:\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.nest
def test_bash_examples_run(tmp_path: Path) -> None:
    """Run the bash blocks in order in a scratch folder that sees the repository's examples."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    run_dirs: list[str] = []
    ran = 0
    for block in our_blocks():
        if block.lang != "bash" or block.not_run:
            continue
        for command in commands(block):
            if " ".join(command) in SETUP:
                continue
            args = command[2:] if command[:2] == ["uv", "run"] else command
            args = [a.replace("runs/<dir>", run_dirs[0] if run_dirs else "runs/<dir>")
                    for a in args[1:]]
            if args[0] == "run" and not is_run_dir(tmp_path / args[1]):
                _mozaik(["config", "check", "-q", *args[1:]], tmp_path)
                out = f"runs/demo{len(run_dirs)}"
                _mozaik([*args, *SMALL, "--out", out], tmp_path)
                run_dirs.append(out)
            else:
                _mozaik(args, tmp_path)
            ran += 1
    assert ran >= 4 and run_dirs, "the README's quick start was not run"
