"""The import architecture of core, the plugin distributions and the examples' plugins.

Every import counts: module level, inside functions and under ``if TYPE_CHECKING:``. The rules:

1. Core's subpackages form layers (``LAYERS``, printed by ``test_print_layer_order``; run
   ``pytest mozaik-core/tests/test_architecture.py -s -k layer_order``); an import may only
   point down (or stay inside its own subpackage).
2. A private module or name (a dotted part starting with ``_``) is used only inside the package
   that owns it: ``mozaik._errors`` by ``mozaik.*``, ``mozaik.plugin._manager`` by
   ``mozaik.plugin.*``, ``mozaik_visual.stimuli._natural`` by ``mozaik_visual.stimuli.*``.
   Plugins use public names (``mozaik.MozaikError``).
3. Core imports no plugin; a plugin imports no other plugin (only core's public API).
4. A first-party import inside a function is allowed only where it buys start-up time, each one
   listed in ``FUNCTION_LEVEL_ALLOWLIST`` with the reason.
5. No import cycle among modules at import time (module-level imports outside ``TYPE_CHECKING``).

The checker is ``check(roots)``: it reads sources with ``ast`` (nothing is imported), so the
rules can be tried on planted code in ``tmp_path``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# bottom -> top; the root's private modules (mozaik._errors, mozaik._version) and the root
# package ``mozaik`` itself are the ground under every layer
LAYERS: tuple[str, ...] = (
    "config", "plugin", "study", "stimulus", "ads", "datastore", "model", "experiments",
    "analysis", "plot", "export", "workflow", "controller", "search", "backends", "builtin",
    "testing", "cli",
)
CORE = "mozaik"

# source roots (folders holding top-level packages) of every first-party distribution: core,
# the four plugins, the examples' plugins and the test plugins core's tests install
ROOTS: tuple[Path, ...] = (
    REPO / "mozaik-core" / "src",
    REPO / "mozaik-visual" / "src",
    REPO / "mozaik-analysis" / "src",
    REPO / "mozaik-plot" / "src",
    REPO / "mozaik-hpc" / "src",
    *sorted(p for p in (REPO / "examples").glob("*/src") if p.is_dir()),
    *sorted(p for p in (REPO / "mozaik-core" / "tests" / "data").glob("*/src") if p.is_dir()),
)

_REGISTRATION = ("registration hook: the plugin's component modules (and what they import) load "
                 "only when the registry first asks for that kind, not when the entry point loads")
_CLI = ("CLI: one module holds several commands (`run` and `analyse`; `search run`, `status`, "
        "`collate`, `plot`) and their --help; each command's machinery (controller, datastore, "
        "search) loads only when that command runs")
_KIND = ("kind keys (mozaik_component_kind): the package defining a kind (model with neo, "
         "plot with matplotlib's base classes...) loads only when the registry first builds that "
         "kind's table, which imports it anyway")
_SEARCH = ("search supervisor: `mozaik search status`, `collate` and the supervisor of a run "
           "import mozaik.search (0.26 s); the workflow, controller and datastore (neo: another "
           "0.3-0.6 s) load only in the process that runs or reads a point")
_BUILD = ("builds a network: mozaik.model and neo (about 0.2 s) load only in a process that "
          "builds one, not in a search supervisor, `mozaik show`/`analyse` or a complete run")
_EXPLORER = ("`mozaik serve`: the explorer (aiohttp 2.6 s, the datastore, search and plot "
             "packages 6.6 s more, measured at load average 14 on 2 cores) loads only when the "
             "command runs: `mozaik --help` and every other command stay as fast, and a missing "
             "`explorer` extra is reported as such")

# (importing module, imported module) -> why the import sits inside a function
FUNCTION_LEVEL_ALLOWLIST: Mapping[tuple[str, str], str] = {
    ("mozaik.builtin._plugin", "mozaik.builtin._model_components"): _REGISTRATION,
    ("mozaik.builtin._plugin", "mozaik.builtin._workflow_components"): _REGISTRATION,
    ("mozaik.builtin._plugin", "mozaik.ads"): _REGISTRATION,
    ("mozaik.builtin._plugin", "mozaik.builtin._exporters"): _REGISTRATION,
    ("mozaik.builtin._exporters", "mozaik.builtin._nwb"): _REGISTRATION,
    ("mozaik.builtin._exporters", "mozaik.builtin._sonata"): _REGISTRATION,
    ("mozaik.builtin._exporters", "mozaik.builtin._sonata_network"): _REGISTRATION,
    ("mozaik.builtin._plugin", "mozaik.export"): _KIND,
    ("mozaik.builtin._model_components", "mozaik.model"): _REGISTRATION,
    ("mozaik.builtin._model_components", "mozaik.builtin._sonata_import"): _REGISTRATION,
    ("mozaik.builtin._workflow_components", "mozaik.stimulus"): _REGISTRATION,
    ("mozaik.builtin._workflow_components", "mozaik.experiments"): _REGISTRATION,
    ("mozaik.builtin._workflow_components", "mozaik.backends"): _REGISTRATION,
    ("mozaik.builtin._plugin", "mozaik.model"): _KIND,
    ("mozaik.builtin._plugin", "mozaik.stimulus"): _KIND,
    ("mozaik.builtin._plugin", "mozaik.experiments"): _KIND,
    ("mozaik.builtin._plugin", "mozaik.analysis"): _KIND,
    ("mozaik.builtin._plugin", "mozaik.plot"): _KIND,
    ("mozaik.builtin._plugin", "mozaik.backends"): _KIND,
    ("mozaik.search._master", "mozaik.controller"): _SEARCH,
    ("mozaik.search._master", "mozaik.workflow"): _SEARCH,
    ("mozaik.search._master", "mozaik.datastore"): _SEARCH,
    ("mozaik.search._values", "mozaik.datastore"): _SEARCH,
    ("mozaik.search._collate", "mozaik.datastore"): _SEARCH,
    ("mozaik_visual._plugin", "mozaik_visual.stimuli"): _REGISTRATION,
    ("mozaik_visual._plugin", "mozaik_visual.experiments"): _REGISTRATION,
    ("mozaik_visual._plugin", "mozaik_visual.space"): _REGISTRATION,
    ("mozaik_visual._plugin", "mozaik_visual.retina"): _REGISTRATION,
    ("mozaik_visual._plugin_cortex", "mozaik_visual.cortex"): _REGISTRATION,
    ("mozaik_visual._plugin_cortex", "mozaik_visual.perturbation"): _REGISTRATION,
    ("mozaik_plot._plugin", "mozaik_plot._network"): _REGISTRATION,
    ("mozaik_plot._plugin", "mozaik_plot._recordings"): _REGISTRATION,
    ("mozaik_plot._plugin", "mozaik_plot._values"): _REGISTRATION,
    ("mozaik_plot._plugin", "mozaik_plot._signals"): _REGISTRATION,
    ("mozaik_plot._plugin", "mozaik_plot._search_plot"): _REGISTRATION,
    ("mozaik_plot._plugin", "mozaik_plot._optimisation_plot"): _REGISTRATION,
    ("mozaik_plot._plugin", "mozaik_plot._report"): _REGISTRATION,
    ("mozaik_plot._plugin", "mozaik_plot._serve_command"): _REGISTRATION,
    ("mozaik_plot._serve_command", "mozaik_plot.explorer"): _EXPLORER,
    ("mozaik.cli._main", "mozaik.plugin"): _CLI,
    ("mozaik.cli._run", "mozaik.controller"): _CLI,
    ("mozaik.cli._run", "mozaik.datastore"): _CLI,
    ("mozaik.cli._run", "mozaik.workflow"): _CLI,
    ("mozaik.cli._search", "mozaik.search"): _CLI,
    ("mozaik.cli._search", "mozaik.backends"): _CLI,
    ("mozaik.cli._run", "mozaik.backends"): _CLI,
    ("mozaik.controller._steps", "mozaik.model"): _BUILD,
    ("mozaik_hpc._network", "mozaik.model"): _BUILD,
    ("mozaik.testing._backend_contract", "mozaik.controller"): (
        "pytest plugin: `mozaik.testing` is loaded by every test session of every plugin; the "
        "controller (the run machinery) loads only when a backend contract test runs"),
}


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to an absolute dotted name."""

    module: str  # the importing module
    target: str  # the imported module (for ``from X import name``: X, or X.name for a submodule)
    names: tuple[str, ...]  # the dotted names brought in (X.name for each ``from X import name``)
    file: Path
    line: int
    function_level: bool
    type_checking: bool


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports_of(root: Path, path: Path, modules: frozenset[str]) -> Iterator[Import]:
    module = _module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def visit(node: ast.AST, in_function: bool, in_type_checking: bool) -> Iterator[Import]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, (alias.name,), path, node.lineno,
                             in_function, in_type_checking)
            return
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names = tuple(f"{target}.{a.name}" for a in node.names if a.name != "*")
            submodules = [name for name in names if name in modules]
            if submodules:  # ``from pkg import submodule``: depends on the submodule
                for name in submodules:
                    yield Import(module, name, (name,), path, node.lineno, in_function,
                                 in_type_checking)
            if len(submodules) < len(node.names):
                yield Import(module, target, tuple(n for n in names if n not in submodules),
                             path, node.lineno, in_function, in_type_checking)
            return
        function = in_function or isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from visit(child, function, True)
            for child in node.orelse:
                yield from visit(child, function, in_type_checking)
            return
        for child in ast.iter_child_nodes(node):
            yield from visit(child, function, in_type_checking)

    yield from visit(tree, False, False)


def read_imports(roots: Iterable[Path]) -> tuple[list[Import], frozenset[str]]:
    """Every import of every ``.py`` file under ``roots``, and the set of modules found."""
    files = {_module_name(root, p): (root, p) for root in roots for p in sorted(root.rglob("*.py"))}
    modules = frozenset(files)
    imports = [imp for root, path in files.values() for imp in _imports_of(root, path, modules)]
    return imports, modules


def _top(name: str) -> str:
    return name.partition(".")[0]


def _layer(name: str) -> str | None:
    """Core's layer of a module: ``mozaik.plugin._manager`` -> ``plugin``; None for the ground
    (``mozaik`` and its private root modules)."""
    parts = name.split(".")
    if len(parts) < 2 or parts[1].startswith("_"):
        return None
    return parts[1]


def _private_owner(name: str) -> str | None:
    """The package that owns a private dotted name, None when nothing in it is private:
    ``mozaik.plugin._manager.x`` -> ``mozaik.plugin``; ``mozaik._errors`` -> ``mozaik``."""
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not (part.startswith("__") and part.endswith("__")):
            return ".".join(parts[:i])
    return None


def _where(imp: Import) -> str:
    kind = "function-level " if imp.function_level else (
        "TYPE_CHECKING " if imp.type_checking else "")
    return f"{imp.file}:{imp.line}: {kind}import of {imp.target} in {imp.module}"


def check(roots: Sequence[Path],
          allowlist: Mapping[tuple[str, str], str] = FUNCTION_LEVEL_ALLOWLIST,
          layers: Sequence[str] = LAYERS) -> list[str]:
    """Every violation of the architecture's rules in the sources under ``roots``.

    Parameters
    ----------
    roots : sequence of Path
        Source folders, each holding top-level packages (``mozaik-core/src``).
    allowlist : mapping of (str, str) to str
        Allowed function-level imports, (importing module, imported module) -> reason.
    layers : sequence of str
        Core's subpackages, bottom to top.

    Returns
    -------
    list of str
        One line per violation, naming file, line, both modules and the rule broken.
    """
    imports, modules = read_imports(roots)
    first_party = {_top(m) for m in modules}
    rank = {name: i for i, name in enumerate(layers)}
    problems: list[str] = []
    for imp in imports:
        if _top(imp.target) not in first_party:
            continue
        user, used = _top(imp.module), _top(imp.target)
        # 3. core imports no plugin, a plugin no other plugin
        if user == CORE and used != CORE:
            problems.append(f"{_where(imp)}: core imports the plugin package {used}; core must "
                            "stay importable without plugins")
        elif user != used and used != CORE:
            problems.append(f"{_where(imp)}: plugin {user} imports plugin {used}; plugins "
                            "depend on core's public API only")
        # 1. layers
        if user == CORE == used:
            low, high = _layer(imp.module), _layer(imp.target)
            for layer in (low, high):
                if layer is not None and layer not in rank:
                    problems.append(f"{_where(imp)}: core subpackage mozaik.{layer} is not in "
                                    "the layer order; add it to LAYERS")
            if (low in rank and high in rank and rank[high] > rank[low]) or (
                    low is None and high is not None):
                problems.append(f"{_where(imp)}: back-edge {low or 'ground'} -> {high}; an "
                                f"import may only point down ({' < '.join(layers)})")
        # 2. private names stay in their package
        for name in (imp.target, *imp.names):
            owner = _private_owner(name)
            if owner is not None and imp.module != owner and not imp.module.startswith(
                    f"{owner}."):
                problems.append(f"{_where(imp)}: private {name} used outside {owner}; export "
                                f"it from {owner}'s __init__ (or another public module) and "
                                "import the public name")
                break
        # 4. function-level imports
        if imp.function_level and (imp.module, imp.target) not in allowlist:
            problems.append(f"{_where(imp)}: function-level import not in "
                            "FUNCTION_LEVEL_ALLOWLIST; import it at module level, or list it "
                            "with the start-up time it buys")
    # 5. import-time cycles
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for imp in imports:
        if not (imp.function_level or imp.type_checking) and imp.target in modules \
                and imp.target != imp.module:
            graph[imp.module].add(imp.target)
    problems.extend("import cycle at import time: " + " <-> ".join(c) for c in _cycles(graph))
    return problems


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


# -- the real tree -------------------------------------------------------------------------------


def test_print_layer_order() -> None:
    """Prints the rules this file enforces (run with ``-s``); asserts only that roots exist."""
    modules = read_imports(ROOTS)[1]
    print("\nlayers of core (package mozaik), bottom -> top; an import may only point down:")
    print("  ground (mozaik, mozaik._errors, mozaik._version)")
    for i, layer in enumerate(LAYERS, start=1):
        reserved = "" if f"{CORE}.{layer}" in modules else " (reserved, not created yet)"
        print(f"  {i:2d}. mozaik.{layer}{reserved}")
    print("plugins (" + ", ".join(sorted({_top(m) for m in modules} - {CORE}))
          + ") import core's public names only, never each other")
    print("private names (_x) are used only inside the package that owns them")
    print("function-level first-party imports: only those FUNCTION_LEVEL_ALLOWLIST lists, "
          "each with the start-up time it buys")
    assert all(root.is_dir() for root in ROOTS)


def test_reads_every_distribution() -> None:
    _, modules = read_imports(ROOTS)
    tops = {_top(m) for m in modules}
    assert {"mozaik", "mozaik_visual", "mozaik_analysis", "mozaik_plot", "mozaik_hpc",
            "mozaik_tonotopy", "mozaik_barrels"} <= tops


def test_architecture_of_the_tree() -> None:
    problems = check(ROOTS)
    assert not problems, f"{len(problems)} architecture violations:\n" + "\n".join(problems)


def test_allowlist_has_no_stale_entry() -> None:
    imports, _ = read_imports(ROOTS)
    used = {(imp.module, imp.target) for imp in imports if imp.function_level}
    stale = sorted(set(FUNCTION_LEVEL_ALLOWLIST) - used)
    assert not stale, f"allowlisted function-level imports that no longer exist: {stale}"


# -- the checker on planted code -----------------------------------------------------------------


def _plant(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


_CLEAN = {
    "mozaik/__init__.py": "from mozaik._errors import MozaikError\n",
    "mozaik/_errors.py": "class MozaikError(Exception): ...\n",
    "mozaik/config/__init__.py": "from mozaik.config._load import load\n",
    "mozaik/config/_load.py": "from mozaik._errors import MozaikError\ndef load(): ...\n",
    "mozaik/plugin/__init__.py": "from mozaik.config import load\n",
    "mozaik_fake/__init__.py": "from mozaik import MozaikError\nfrom mozaik.plugin import load\n",
    "mozaik_fake/stimuli/__init__.py": "from mozaik_fake.stimuli._base import base\n",
    "mozaik_fake/stimuli/_base.py": "def base(): ...\n",
    "mozaik_fake/experiments/__init__.py": "from mozaik_fake.stimuli import base\n",
}


def test_checker_passes_clean_code(tmp_path: Path) -> None:
    assert check([_plant(tmp_path, _CLEAN)], allowlist={}) == []


def test_checker_refuses_a_back_edge(tmp_path: Path) -> None:
    planted = {**_CLEAN, "mozaik/config/_up.py": (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from mozaik.plugin import load\n")}
    problems = check([_plant(tmp_path, planted)], allowlist={})
    assert len(problems) == 1
    assert "back-edge config -> plugin" in problems[0] and "_up.py:3" in problems[0]


def test_checker_refuses_a_private_import_in_a_plugin(tmp_path: Path) -> None:
    planted = {**_CLEAN, "mozaik_fake/_use.py": "from mozaik._errors import MozaikError\n"}
    problems = check([_plant(tmp_path, planted)], allowlist={})
    assert len(problems) == 1
    assert "private mozaik._errors used outside mozaik" in problems[0]


def test_checker_refuses_a_private_import_from_a_sibling_subpackage(tmp_path: Path) -> None:
    planted = {**_CLEAN, "mozaik_fake/experiments/_protocols.py":
               "from mozaik_fake.stimuli import _base\n"}
    problems = check([_plant(tmp_path, planted)], allowlist={})
    assert len(problems) == 1
    assert "private mozaik_fake.stimuli._base used outside mozaik_fake.stimuli" in problems[0]


def test_checker_refuses_a_function_level_import_outside_the_allowlist(tmp_path: Path) -> None:
    planted = {**_CLEAN, "mozaik/plugin/_lazy.py": "def f():\n    from mozaik.config import load\n"}
    root = _plant(tmp_path, planted)
    problems = check([root], allowlist={})
    assert len(problems) == 1
    assert "function-level import not in FUNCTION_LEVEL_ALLOWLIST" in problems[0]
    assert check([root], allowlist={("mozaik.plugin._lazy", "mozaik.config"): "why"}) == []


def test_checker_refuses_cross_plugin_and_core_to_plugin_imports(tmp_path: Path) -> None:
    planted = {**_CLEAN, "mozaik_other/__init__.py": "import mozaik_fake\n",
               "mozaik/config/_x.py": "import mozaik_fake\n"}
    problems = check([_plant(tmp_path, planted)], allowlist={})
    assert len(problems) == 2
    assert any("plugin mozaik_other imports plugin mozaik_fake" in p for p in problems)
    assert any("core imports the plugin package mozaik_fake" in p for p in problems)


def test_checker_refuses_an_import_time_cycle(tmp_path: Path) -> None:
    planted = {**_CLEAN, "mozaik/config/_a.py": "from mozaik.config import _b\n",
               "mozaik/config/_b.py": "from mozaik.config import _a\n"}
    problems = check([_plant(tmp_path, planted)], allowlist={})
    assert problems == ["import cycle at import time: mozaik.config._a <-> mozaik.config._b"]
