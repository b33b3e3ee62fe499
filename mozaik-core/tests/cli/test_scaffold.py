"""``mozaik plugin new`` writes a plugin that installs, runs and passes its own tests (issue 13).

The round trip installs core and the generated plugin into a fresh ``uv venv`` (from the uv
cache when it has everything, else from the package index), runs the plugin's example study on
NEST with ``mozaik run``, then the plugin's own test suite with pytest in that environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from mozaik import MozaikError
from mozaik.cli._main import cli
from mozaik.cli._scaffold import KINDS, TOKEN, core_pin, new_plugin, render, template_files

CORE = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_generates_a_complete_distribution(kind: str, tmp_path: Path) -> None:
    root = new_plugin("lab", kind, tmp_path)
    assert root == tmp_path / "mozaik-lab"
    for name in ("README.md", "CHANGELOG.md", "src/mozaik_lab/py.typed",
                 "src/mozaik_lab/_plugin.py", "tests/test_components.py", "examples/study.yaml"):
        assert (root / name).is_file(), name
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["mozaik"] == {"lab": "mozaik_lab._plugin"}
    assert project["dependencies"] == [core_pin()]
    for source in root.rglob("*.py"):
        compile(source.read_text(), str(source), "exec")  # syntax only; the round trip runs it
        assert not TOKEN.search(source.read_text()), source


TEMPLATES = CORE / "src" / "mozaik" / "cli" / "_templates"


def _rendered(tmp_path: Path) -> list[Path]:
    """Every kind, rendered under its own distribution name (long ones: lines must fit)."""
    return [new_plugin(f"lab-{kind.replace('_', '-')}", kind, tmp_path) for kind in KINDS]


def test_templates_are_files_of_every_kind() -> None:
    for kind in KINDS:
        assert (TEMPLATES / kind).is_dir(), kind
        relative = set(template_files(kind))
        assert {"pyproject.toml", "src/__PKG__/_components.py", "src/__PKG__/_plugin.py",
                "tests/test_components.py", "examples/study.yaml", ".gitignore"} <= relative
    assert {p.name for p in TEMPLATES.iterdir()} == {*KINDS, "common", "README.md"}


def test_render_refuses_an_unknown_token() -> None:
    assert render("class __P__X: ...  # __init__ stays", {"P": "Lab"}) == (
        "class LabX: ...  # __init__ stays")
    with pytest.raises(MozaikError, match=r"template t.py: unknown token __PGK__; known: __P__"):
        render("from __PGK__ import x", {"P": "Lab"}, where="t.py")


def _wheel(tmp_path: Path) -> Path:
    build = [*_uv(), "build", "--wheel", "-q", "-o", str(tmp_path), str(CORE)]
    done = subprocess.run([*build, "--offline"], capture_output=True, text=True, check=False)
    if done.returncode != 0:  # the cache lacks the build backend: fetch it
        _run(build, tmp_path, dict(os.environ))
    return next(tmp_path.glob("mozaik_core-*.whl"))


def test_the_wheel_ships_every_template(tmp_path: Path) -> None:
    with zipfile.ZipFile(_wheel(tmp_path)) as wheel:
        shipped = {n for n in wheel.namelist() if "/cli/_templates/" in n}
    wanted = {f"mozaik/cli/_templates/{p.relative_to(TEMPLATES).as_posix()}"
              for p in TEMPLATES.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert wanted and wanted == shipped


def test_rendered_plugins_pass_ruff(tmp_path: Path) -> None:
    roots = _rendered(tmp_path)
    for root in roots:  # each with the settings of its own pyproject
        done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                               "--output-format", "concise", "."], cwd=root,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{root.name}:\n{done.stdout}{done.stderr}"


@pytest.mark.slow
def test_rendered_plugins_pass_mypy_strict(tmp_path: Path) -> None:
    roots = _rendered(tmp_path / "plugins")
    cache = tmp_path / "mypy-cache"  # shared: mozaik itself is analysed once
    for root in roots:  # with the strict settings of the plugin's pyproject
        done = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache),
                               "src", "tests"], cwd=root,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{root.name}:\n{done.stdout}{done.stderr}"


def test_core_pin_is_this_cores_compatibility_line() -> None:
    assert core_pin() == "mozaik-core>=0.1,<0.2"


def test_cli_creates_the_plugin_and_rejects_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["plugin", "new", "mozaik-cochlea", "--kind", "sheet",
                               "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "mozaik-cochlea" / "src" / "mozaik_cochlea" / "_components.py").is_file()
    again = runner.invoke(cli, ["plugin", "new", "cochlea", "--kind", "sheet",
                                "--out", str(tmp_path)])
    # the message is wrapped at 100 columns after a temporary path of any length
    assert again.exit_code == 1 and "already exists" in " ".join(again.output.split())
    bad = runner.invoke(cli, ["plugin", "new", "Cochlea_Lab", "--kind", "sheet",
                              "--out", str(tmp_path)])
    assert bad.exit_code == 1 and "lower-case letters" in bad.output
    unknown = runner.invoke(cli, ["plugin", "new", "x", "--kind", "retina", "--out",
                                  str(tmp_path)])
    assert unknown.exit_code == 2 and "analysis" in unknown.output


#: What ``mozaik show --json`` of the example run holds when the plugin's component was used.
USED = {"analysis": '"analysis_algorithm": "RoundtripMeanRate"',  # its result is stored
        "stimulus": '"name": "RoundtripPulse"',  # its stimuli were presented
        "sheet": '"angle_rad"'}  # the sheet's own annotation


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n" \
                                 f"{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.nest
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["analysis", "stimulus", "sheet"])
def test_round_trip_in_a_fresh_environment(kind: str, tmp_path: Path) -> None:
    root = new_plugin("roundtrip", kind, tmp_path)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MOZAIK_", "VIRTUAL_ENV", "PYTHON", "UV_", "CONDA"))}
    venv = tmp_path / "venv"
    # from the base interpreter, not from the (nox) environment these tests run in, and every
    # install aimed at the new environment by path: nothing may land in the test's own one
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    _run([*_uv(), "venv", "-q", "--python", str(base if base.exists() else sys.executable),
          str(venv)], tmp_path, env)
    env["VIRTUAL_ENV"] = str(venv)
    install = [*_uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
               "-e", f"{CORE}[nest]", "-e", f"{root}[test]"]
    offline = subprocess.run([*install, "--offline"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, check=False)
    if offline.returncode != 0:  # the cache lacks something: fetch it
        _run(install, tmp_path, env)
    python = str(venv / "bin" / "python")
    where = _run([python, "-c", "import mozaik, mozaik_roundtrip; print(mozaik.__file__)"],
                 tmp_path, env)
    assert where.startswith(str(CORE)), where
    listed = _run([str(venv / "bin" / "mozaik"), "plugins"], tmp_path, env)
    assert "mozaik-roundtrip" in listed
    _run([str(venv / "bin" / "mozaik"), "run", str(root / "examples" / "study.yaml"),
          "--out", "run", "--progress", "off"], tmp_path, env)
    shown = _run([str(venv / "bin" / "mozaik"), "show", "run", "--json"], tmp_path, env)
    assert USED[kind] in shown, f"the run does not show {USED[kind]}: the component was not used"
    tests = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root / "tests")],
                 root, env)
    assert " passed" in tests and "failed" not in tests
