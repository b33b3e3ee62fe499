"""The hook reference documents every hook specification."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from mozaik.config import SimulatorConfig
from mozaik.model import SHEETS, Model
from mozaik.plugin import PluginManager, _spec

DOCS = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"


def test_every_hook_is_documented() -> None:
    documented = set(re.findall(r"^### (mozaik_\w+)\s*$", DOCS.read_text(), flags=re.M))
    specs = {name for name, fn in inspect.getmembers(_spec, inspect.isfunction)
             if name.startswith("mozaik_")}
    assert specs, "no hook specs found"
    missing = specs - documented
    stale = documented - specs
    assert not missing, f"hooks missing from docs/hooks.md: {sorted(missing)}"
    assert not stale, f"docs/hooks.md documents hooks that do not exist: {sorted(stale)}"


def test_every_hook_spec_has_an_example() -> None:
    for name, fn in inspect.getmembers(_spec, inspect.isfunction):
        if name.startswith("mozaik_"):
            assert "Example::" in (fn.__doc__ or ""), f"{name} needs an example in its docstring"


def _code_block(first_line: str) -> str:
    """The fenced code block of docs/hooks.md whose first line is ``first_line``."""
    for block in re.findall(r"^```\w*\n(.*?)^```", DOCS.read_text(), flags=re.M | re.S):
        if block.startswith(first_line + "\n"):
            return block
    raise AssertionError(f"docs/hooks.md has no code block starting with {first_line!r}")


def _install_example(site: Path) -> None:
    project = tomllib.loads(_code_block("# pyproject.toml of mozaik-somelab"))["project"]
    package = site / "mozaik_somelab"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "_plugin.py").write_text(_code_block("# src/mozaik_somelab/_plugin.py"))
    info = site / f"mozaik_somelab-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    points = "".join(f"{k} = {v}\n" for k, v in project["entry-points"]["mozaik"].items())
    (info / "entry_points.txt").write_text(f"[mozaik]\n{points}")


def test_example_plugin_is_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_example(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = PluginManager(autoload=True).registry
    component = registry[SHEETS]["BarrelSheet"]
    assert component.distribution == "mozaik-somelab"
    model = Model(SimulatorConfig(backend="mock", seed=3), name="docs", registry=registry)
    sheet = model.create_sheet("l4", {"n_barrels": 4, "neurons_per_barrel": 5,
                                      "cell": {"model": "IF_cond_exp"}}, component="BarrelSheet")
    assert sheet.size == 20 and sheet.positions_um.shape == (20, 2)
    assert list(sheet.annotations["barrel"]) == [b for b in range(4) for _ in range(5)]
    for module in [m for m in sys.modules if m.startswith("mozaik_somelab")]:
        del sys.modules[module]


def test_example_plugin_tests_pass(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _install_example(site)
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_somelab.py").write_text(_code_block("# tests/test_somelab.py"))
    env = {k: v for k, v in os.environ.items() if k != "MOZAIK_DISABLE_PLUGIN_AUTOLOAD"}
    env["PYTHONPATH"] = str(site)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "mozaik.testing",
                           "-p", "no:cacheprovider", str(tests)], capture_output=True,
                          text=True, cwd=tmp_path, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "14 passed" in done.stdout  # 6 discovery and 8 sheet contract tests


def test_lazy_exports_example(tmp_path: Path) -> None:
    """The doc's lazy ``__init__`` imports its submodule on first attribute access only."""
    package = tmp_path / "mozaik_lab"
    package.mkdir()
    (package / "__init__.py").write_text(_code_block("# mozaik_lab/__init__.py"))
    (package / "_figures.py").write_text("class BarrelMap:\n    pass\n")
    probe = ("import sys, mozaik_lab\n"
             "assert 'mozaik_lab._figures' not in sys.modules\n"
             "assert 'BarrelMap' in dir(mozaik_lab)\n"
             "assert mozaik_lab.BarrelMap.__module__ == 'mozaik_lab._figures'\n"
             "try:\n    mozaik_lab.Missing\nexcept AttributeError as e:\n    print(e)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    assert "has no attribute 'Missing'" in result.stdout


_DOTTED = re.compile(r"\bmozaik(?:\.[A-Za-z_]\w*)+")
_NOT_API = (".log", ".json", ".yaml", ".py", ".toml", ".md", ".html", ".png")


def _resolves(name: str) -> bool:
    import importlib

    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            if not hasattr(obj, part):
                return False
            obj = getattr(obj, part)
        return True
    return False


def _docstrings(module: ModuleType) -> list[tuple[str, str]]:
    """(where, docstring) of a module and of everything defined in it, methods included."""
    out = [(module.__name__, module.__doc__ or "")]
    for name, obj in vars(module).items():
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        out.append((f"{module.__name__}.{name}", inspect.getdoc(obj) or ""))
        if inspect.isclass(obj):
            out += [(f"{module.__name__}.{name}.{k}", inspect.getdoc(v) or "")
                    for k, v in vars(obj).items() if callable(v) or isinstance(v, property)]
    return out


def test_every_dotted_mozaik_name_in_a_docstring_exists() -> None:
    """A docstring that names ``mozaik.x.y`` names something that can be imported (issue 18:
    ``mozaik.config.load_study`` was named in two docstrings but lives in ``mozaik.study``)."""
    import importlib
    import pkgutil

    import mozaik

    broken = []
    for info in pkgutil.walk_packages(mozaik.__path__, "mozaik."):
        module = importlib.import_module(info.name)
        for where, doc in _docstrings(module):
            for name in set(_DOTTED.findall(doc)):
                if not name.endswith(_NOT_API) and not _resolves(name):
                    broken.append(f"{where}: {name}")
    assert not broken, "docstrings name what does not exist:\n" + "\n".join(sorted(broken))
