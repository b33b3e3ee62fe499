"""Core's import graph: no cycle among mozaik's modules, no private module used across packages.

Only module-level imports count (imports inside functions and ``if TYPE_CHECKING:`` blocks
are not executed at import time, so they cannot form an import cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import mozaik

ROOT = Path(mozaik.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level_imports(tree: ast.Module, module: str, is_package: bool,
                          modules: frozenset[str] = frozenset()) -> set[str]:
    """Dotted names of the mozaik modules imported at module level; ``modules`` are every
    module of the package (to tell ``from pkg import submodule`` from ``from pkg import name``)."""
    out: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    target = f"{base}.{node.module}" if node.module else base
                else:
                    target = node.module or ""
                # ``from pkg import submodule`` depends on the submodule, ``from pkg import
                # name`` on the package's __init__
                submodules = {f"{target}.{a.name}" for a in node.names} & modules
                out.update(submodules)
                if len(submodules) < len(node.names):
                    out.add(target)
            elif isinstance(node, ast.If) and not _is_type_checking(node.test):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return {name for name in out if name == "mozaik" or name.startswith("mozaik.")}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        imported = _module_level_imports(tree, module, path.name == "__init__.py",
                                         frozenset(files))
        graph[module] = {name for name in imported if name in files and name != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
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


def _package_of(module: str) -> str:
    """The package a module belongs to: ``mozaik.plugin._manager`` -> ``mozaik.plugin``."""
    parts = module.split(".")
    while parts and parts[-1].startswith("_"):
        parts.pop()
    return ".".join(parts)


def test_graph_sees_the_modules() -> None:
    graph = _graph()
    assert "mozaik.plugin._manager" in graph
    assert "mozaik.plugin._registry" in graph["mozaik.plugin._manager"]


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_type_checking_and_function_imports_do_not_count() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import mozaik.a\n"
        "if TYPE_CHECKING:\n    import mozaik.b\n"
        "def f():\n    import mozaik.c\n"
    )
    found = _module_level_imports(ast.parse(source), "mozaik.x", False)
    assert found == {"mozaik.a"}


def test_no_import_cycle() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import cycles among mozaik's modules:\n" + "\n".join(
        " <-> ".join(c) for c in cycles)


def test_no_private_module_imported_from_another_package() -> None:
    offenders = []
    for module, deps in _graph().items():
        for dep in deps:
            private = any(part.startswith("_") for part in dep.split(".")[1:])
            # a package's private modules serve it and its subpackages (mozaik._errors serves
            # every mozaik package); any other package must import the public name
            owner, user = _package_of(dep), _package_of(module)
            if private and user != owner and not user.startswith(f"{owner}."):
                offenders.append(f"{module} imports {dep}")
    assert not offenders, "private modules imported across packages (export the name from " \
        "the package's __init__ instead):\n" + "\n".join(sorted(offenders))
