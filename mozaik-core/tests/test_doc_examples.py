"""Every example in README.md and docs/*.md runs (issue 8 part 3), so none can drift again.

Fenced blocks are handled by language:

* ``bash``: every command is run, in document order, in one scratch folder that sees the
  repository's ``examples/`` (a line ending in ``\\`` continues on the next). ``mozaik ...``
  commands run as written (``uv run`` dropped: the test already runs inside the environment);
  a ``mozaik run`` of a study runs with ``--out`` so that ``runs/<dir>`` in a later command of
  the same file names it (a file without a run of its own: the first run); for the studies of
  :data:`SMALL` it first passes ``mozaik config check`` as written, then runs with their
  overrides appended so that the demo stays small. Other commands are
  errors unless listed in :data:`SETUP` with a reason. A bash block preceded by
  ``<!-- fresh-env -->`` runs in a fresh ``uv venv`` that holds only this checkout's
  mozaik-core with NEST (a reader who installed mozaik-core), in the same folder: its
  ``pip install`` runs as ``uv pip install`` aimed at that environment, ``pytest`` and
  ``mozaik`` from its ``bin/``, so that nothing lands in the test's own environment.
* ``python``: run in a fresh interpreter, in the same folder and order as the bash blocks (so
  that it may read what they wrote).
* ``yaml``: a block with ``name:`` and ``sheets:`` is a study and must validate (its includes
  are written from :data:`INCLUDES`); inline ``--set PATH=VALUE`` mentions in the same file
  must apply to it. A block with ``study:`` and ``parameters:`` is a search file and must
  validate relative to :data:`SEARCH_EXAMPLE`. A block preceded by ``<!-- file: PATH -->`` is
  the content (or, for the same PATH again, the continuation) of a file the reader writes: these
  files are written into the scratch folder before the commands run, each study among them must
  validate (with the file's ``--set`` mentions) and each search file must load.
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
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest
import yaml
from mozaik.controller import is_run_dir
from mozaik.plugin import PluginManager
from mozaik.search import load_search, search_from_mapping
from mozaik.study import load_study
from mozaik.testing import use_plugin_manager
from mozaik.workflow import load_workflow

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

#: Appended to ``mozaik run STUDY`` of these studies so that the demo is small: the Vogels &
#: Abbott network at 250 neurons, 150 ms. Any other study runs at the size its command shows.
SMALL = {"examples/vogels_abbott2005": ["--set", "sheets.exc.params.placement.n_neurons=200",
                                        "--set", "experiments.1.params.duration_ms=50.0"]}

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
WRITES = re.compile(r"^<!--\s*file:\s*(?P<path>[\w./-]+)\s*-->\s*$")
FRESH = re.compile(r"^<!--\s*fresh-env\s*-->\s*$")
#: What a fresh-environment block may run besides ``mozaik``: ``pip install`` is run as
#: ``uv pip install`` aimed at the fresh environment, the others from its ``bin/``.
FRESH_COMMANDS = ("pip", "pytest")
FENCE = re.compile(r"^```(?P<lang>[\w-]*|\{[\w-]+\})\s*$")


@attrs.frozen
class Block:
    file: str
    line: int
    lang: str
    text: str
    not_run: str | None
    writes: str | None = None  # the file the reader writes this block into
    fresh: bool = False  # run in a fresh environment holding only this mozaik-core

    def __str__(self) -> str:
        return f"{self.file}:{self.line} ({self.lang or 'no language'})"


def read_blocks(path: Path, root: Path = ROOT) -> list[Block]:
    """The fenced code blocks of a markdown file, with the mark (not-run, file, fresh-env)
    before each; blocks name the file relative to ``root``."""
    lines = path.read_text().splitlines()
    name = str(path.relative_to(root))
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
        writes = WRITES.match(previous.strip())
        blocks.append(Block(name, start + 1, opening["lang"], "\n".join(body) + "\n",
                            mark["reason"] if mark else None,
                            writes["path"] if writes else None,
                            bool(FRESH.match(previous.strip()))))
        i += 1
    return blocks


def our_blocks() -> list[Block]:
    return [b for path in DOCS for b in read_blocks(path)
            if str(path.relative_to(ROOT)) not in TESTED_ELSEWHERE]


def commands(block: Block) -> list[list[str]]:
    """The commands of a bash block: comments dropped, ``\\`` continuations joined, ``&&``
    chains split."""
    found = []
    for line in re.sub(r"\\\n", " ", block.text).splitlines():
        words = shlex.split(line, comments=True)
        while words:
            cut = words.index("&&") if "&&" in words else len(words)
            found.append(words[:cut])
            words = words[cut + 1:]
    return [c for c in found if c]


def test_blocks_marks_and_continuations_are_read(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(textwrap.dedent("""\
        <!-- file: v1/a.yaml -->
        ```yaml
        name: x
        ```

        <!-- fresh-env -->
        ```bash
        mozaik run v1 --set 'a=[1.0,2.0]' \\
            --set b=2 && mozaik show runs/x  # shown
        ```
    """))
    first, second = read_blocks(page, tmp_path)
    assert (first.writes, first.fresh, first.not_run) == ("v1/a.yaml", False, None)
    assert second.fresh and second.writes is None
    assert commands(second) == [["mozaik", "run", "v1", "--set", "a=[1.0,2.0]", "--set", "b=2"],
                                ["mozaik", "show", "runs/x"]]


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
                assert (command[0] == "mozaik" or " ".join(command) in SETUP
                        or (block.fresh and command[0] in FRESH_COMMANDS)), (
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
    return [b for b in our_blocks() if b.lang == "yaml" and not b.not_run and not b.writes]


def _set_mentions(doc: str) -> list[str]:
    """The inline ``--set PATH=VALUE`` mentions of a documentation file's prose."""
    return re.findall(r"`--set ([^`\s]+=[^`\s]+)`", (ROOT / doc).read_text())


@pytest.mark.parametrize("block", _study_blocks(), ids=str)
def test_yaml_examples_validate(block: Block, tmp_path: Path,
                                plugin_manager: PluginManager) -> None:
    if re.search(r"^study:", block.text, re.M) and re.search(r"^parameters:", block.text, re.M):
        # a search file, relative to the docs' example search (its plugins' plots unchecked:
        # core alone runs this too; tests/test_example_search.py draws the example's)
        search = search_from_mapping(yaml.safe_load(block.text), SEARCH_EXAMPLE,
                                     check_plots=False)
        assert (search.points or search.optimisation is not None) and search.plots
        return
    if not (re.search(r"^name:", block.text, re.M) and re.search(r"^sheets:", block.text, re.M)):
        pytest.fail(f"{block}: a yaml block that is not a study: mark it or teach this test")
    for name, content in INCLUDES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    (tmp_path / "study.yaml").write_text(block.text)
    load_study(tmp_path / "study.yaml")
    for item in _set_mentions(block.file):
        study = load_study(tmp_path / "study.yaml", [item])
        assert study.tree.sources[item.split("=")[0]].startswith("command line")


def write_files(blocks: list[Block], folder: Path) -> dict[str, list[Block]]:
    """Write the ``<!-- file: PATH -->`` blocks into ``folder`` (the same PATH again appends);
    return the blocks of each PATH."""
    files: dict[str, list[Block]] = {}
    for block in blocks:
        if block.writes and not block.not_run:
            assert not Path(block.writes).is_absolute() and ".." not in Path(block.writes).parts, (
                f"{block}: write files under the folder the commands run in, not {block.writes}")
            files.setdefault(block.writes, []).append(block)
    for name, parts in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("".join(b.text for b in parts))
    return files


def check_written_files(files: dict[str, list[Block]], tmp_path: Path) -> None:
    """Each study the reader writes validates (with its page's ``--set`` mentions), each search
    file loads (its varied paths exist in its study), and each other file is used by one.

    Called by :func:`test_examples_run` with every installed plugin (the tutorial's study uses
    mozaik-visual's components, which core's own test session does not have)."""
    assert "v1/study.yaml" in files, "the tutorial's study is no longer written block by block"
    used: set[str] = set()
    for name, parts in files.items():
        text = (tmp_path / name).read_text()
        if re.search(r"^sheets:", text, re.M):
            study = load_study(tmp_path / name)
            used |= {str((tmp_path / w.rsplit(":", 1)[0]).resolve())
                     for w in study.tree.sources.values()}
            for item in _set_mentions(parts[0].file):
                study = load_study(tmp_path / name, [item])
                assert study.tree.sources[item.split("=")[0]].startswith("command line")
        elif re.search(r"^study:", text, re.M):
            search = load_search(tmp_path / name)
            used |= {str(search.study.resolve()), str((tmp_path / name).resolve())}
            if search.workflow is not None:
                load_workflow(search.workflow)
                used.add(str(search.workflow.resolve()))
        else:
            continue
        used.add(str((tmp_path / name).resolve()))
    unused = [n for n in files if str((tmp_path / n).resolve()) not in used]
    assert not unused, f"files the docs write but no study or search uses: {unused}"


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


def _env() -> dict[str, str]:
    # as a user types it: with every installed plugin (core's tests turn autoload off)
    return {k: v for k, v in os.environ.items() if k != "MOZAIK_DISABLE_PLUGIN_AUTOLOAD"}


def _mozaik(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([MOZAIK, *args], capture_output=True, text=True, timeout=900,
                          cwd=cwd, env=_env())
    assert proc.returncode == 0, f"mozaik {shlex.join(args)} failed:\n{proc.stderr[-3000:]}"
    return proc


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def _checked(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=900, cwd=cwd, env=env)
    assert proc.returncode == 0, (f"{shlex.join(args)} failed:\n{proc.stdout[-3000:]}\n"
                                  f"{proc.stderr[-3000:]}")


def fresh_environment(folder: Path) -> tuple[Path, dict[str, str]]:
    """A new ``uv venv`` holding this checkout's mozaik-core with NEST and nothing else of the
    test's environment (the reader who installed mozaik-core), and the variables to run in it."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MOZAIK_", "VIRTUAL_ENV", "PYTHON", "UV_", "CONDA"))}
    venv = folder / ".fresh-venv"
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    _checked([*_uv(), "venv", "-q", "--python", str(base if base.exists() else sys.executable),
              str(venv)], folder, env)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    _fresh_install(venv, ["-e", f"{ROOT / 'mozaik-core'}[nest]"], folder, env)
    return venv, env


def _fresh_install(venv: Path, args: list[str], cwd: Path, env: dict[str, str]) -> None:
    """``uv pip install ARGS`` into ``venv``: from the uv cache if it has everything."""
    install = [*_uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *args]
    offline = subprocess.run([*install, "--offline"], capture_output=True, text=True,
                             cwd=cwd, env=env, check=False)
    if offline.returncode != 0:  # the cache lacks something: fetch it
        _checked(install, cwd, env)


def _run_fresh(block: Block, folder: Path, fresh: list[tuple[Path, dict[str, str]]]) -> int:
    """Run a fresh-environment block's commands in ``folder`` (the environment is made once)."""
    if not fresh:
        fresh.append(fresh_environment(folder))
    venv, env = fresh[0]
    for command in commands(block):
        if command[:2] == ["pip", "install"]:
            _fresh_install(venv, command[2:], folder, env)
        else:
            exe = venv / "bin" / command[0]
            assert exe.is_file(), f"{block}: {command[0]} is not in the fresh environment"
            _checked([str(exe), *command[1:]], folder, env)
    return len(commands(block))


def _study_arg(args: list[str]) -> str:
    return args[1].rstrip("/").removesuffix("/study.yaml")


@pytest.mark.nest
def test_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Write the files the docs write, then run the bash and python blocks in document order in
    a scratch folder that sees the repository's examples."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    blocks = our_blocks()
    monkeypatch.delenv("MOZAIK_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    with use_plugin_manager(PluginManager(autoload=True)):
        check_written_files(write_files(blocks, tmp_path), tmp_path)
    runs: dict[str, list[str]] = {}  # documentation file -> its runs, in order
    every: list[str] = []
    fresh: list[tuple[Path, dict[str, str]]] = []
    ran = 0
    for block in blocks:
        if block.not_run or block.lang not in ("bash", "python"):
            continue
        if block.fresh:
            ran += _run_fresh(block, tmp_path, fresh)
            continue
        if block.lang == "python":
            proc = subprocess.run([sys.executable, "-c", block.text], capture_output=True,
                                  text=True, timeout=600, cwd=tmp_path, env=_env())
            assert proc.returncode == 0, f"{block} failed:\n{proc.stderr[-3000:]}"
            ran += 1
            continue
        for command in commands(block):
            if " ".join(command) in SETUP:
                continue
            args = command[2:] if command[:2] == ["uv", "run"] else command
            mine = runs.get(block.file) or every[:1]
            args = [a.replace("runs/<dir>", mine[-1] if mine else "runs/<dir>")
                    for a in args[1:]]
            if args[0] == "run" and not is_run_dir(tmp_path / args[1]):
                small = SMALL.get(_study_arg(args), [])
                if small:  # the command as written validates, though it runs smaller
                    _mozaik(["config", "check", "-q", *args[1:]], tmp_path)
                out = f"runs/demo{len(every)}"
                _mozaik([*args, *small, "--progress", "off", "--out", out], tmp_path)
                runs.setdefault(block.file, []).append(out)
                every.append(out)
            else:
                _mozaik(args, tmp_path)
            ran += 1
    assert ran >= 4 and runs.get("README.md"), "the README's quick start was not run"
