"""Loading configuration files: YAML (safe), includes, overrides and reference resolution.

The result is a :class:`ConfigTree`: plain dicts, lists and scalars, plus a map from every dotted
path to the ``file:line`` it came from, so later errors can point at the place to fix.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from mozaik._errors import ConfigError
from mozaik.config._expr import Expr, ExpressionError, NotANumberError, evaluate, shown_expression
from mozaik.config._read import (
    MAX_DEPTH,
    MAX_INCLUDE_DEPTH,
    MAX_NODES,
    IncludePolicy,
    TreeBuilder,
    _short,
    compose_text,
    join,
)

__all__ = ["ConfigTree", "apply_overrides", "get_path", "load_config", "load_tree", "resolve"]


#: The name of the study file looked up when a directory is given.
STUDY_FILE = "study.yaml"


@attrs.define
class ConfigTree:
    """A loaded configuration tree with the origin of every node.

    Attributes
    ----------
    data : dict
        The tree: dicts, lists, scalars (and :class:`Expr` before :func:`resolve`).
    sources : dict of str to str
        Dotted path -> ``"file:line"`` where that value was written.
    root : pathlib.Path
        The top-level file.
    """

    data: dict[str, Any]
    sources: dict[str, str]
    root: Path

    def where(self, path: str) -> str:
        """``file:line`` of ``path``, or of its closest ancestor that has one."""
        parts = path.split(".") if path else []
        while parts:
            found = self.sources.get(".".join(parts))
            if found:
                return found
            parts.pop()
        return str(self.root)


def load_tree(file: str | Path, include_roots: Iterable[str | Path] = ()) -> ConfigTree:
    """Load ``file`` (a study directory means its ``study.yaml``) with its includes.

    Parameters
    ----------
    file : path
        The top-level configuration file, or a folder holding ``study.yaml``.
    include_roots : iterable of path
        Folders, besides the top-level file's own folder tree and those named in the
        ``MOZAIK_INCLUDE_PATH`` environment variable, that includes may come from.

    Raises
    ------
    ConfigError
        For unreadable, oversized or non-regular files, includes outside the allowed folders,
        invalid YAML, and configurations beyond the size and depth limits of
        :mod:`mozaik.config`.
    """
    file = Path(file)
    if file.is_dir():
        file = file / STUDY_FILE
    loader = TreeBuilder(IncludePolicy.for_file(file, include_roots))
    try:
        data = loader.load_file(file.resolve(), "", None)
    except RecursionError:
        msg = (f"{file}: the configuration nests too deeply to read (limits: {MAX_DEPTH} levels, "
               f"{MAX_INCLUDE_DEPTH} include levels)")
        raise ConfigError(msg) from None
    if not isinstance(data, dict):
        msg = (f"{file}:1: top level: the top level must be a mapping of names to values, got "
               f"{_short(data)}")
        raise ConfigError(msg)
    return ConfigTree(data=data, sources=loader.sources, root=file.resolve())


_INDEX = re.compile(r"-?[0-9]+")


def _index(part: str, items: list[Any]) -> int | None:
    """``part`` as an index into ``items``, or None."""
    if _INDEX.fullmatch(part) and -len(items) <= int(part) < len(items):
        return int(part)
    return None


def get_path(data: Any, path: str) -> Any:
    """The value at dotted ``path`` (list items by index); raises ``KeyError`` naming the miss."""
    node = data
    done: list[str] = []
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and _index(part, node) is not None:
            node = node[int(part)]
        else:
            here = ".".join(done) or "the top level"
            options = list(node) if isinstance(node, dict) else (
                [str(i) for i in range(len(node))] if isinstance(node, list) else [])
            close = difflib.get_close_matches(part, options, n=1)
            shown = options if len(options) <= 20 else [*options[:20], "..."]
            hint = f"; did you mean {'.'.join([*done, close[0]])!r}?" if close else (
                f"; {here} has: {', '.join(shown)}" if options else
                f"; {here} is a value, not a mapping")
            raise KeyError(f"{path!r} does not exist: no {part!r} in {here}{hint}")
        done.append(part)
    return node


def _override_value(item: str, path: str, text: str) -> Any:
    """The value of one ``--set`` item: a YAML value (bounded like a file, no includes)."""
    origin = f"command line (--set {item})"
    if not text.strip():
        return ""
    node, loader = compose_text(text, origin, path, depth=path.count(".") + 1)
    try:
        if node is None:
            return None
        return TreeBuilder(None).convert(node, Path(origin), path, loader, path.count(".") + 1)
    except ConfigError as exc:
        # the loader names "<origin>:1"; a command line has no line numbers
        message = str(exc).replace(f"{origin}:1:", f"{origin}:")
        raise ConfigError(message) from None
    finally:
        loader.dispose()


def apply_overrides(tree: ConfigTree, overrides: Iterable[str]) -> ConfigTree:
    """Apply command-line overrides ``dotted.path=value`` (value parsed as YAML).

    The parent of the path must exist; the leaf may be new (an optional parameter not written in
    the file). Values containing ``ref(`` become expressions. Every problem in an override, and
    every later problem in the value it set, is blamed on the command line (``--set ...``), not
    on the file.
    """
    data = copy.deepcopy(tree.data)
    sources = dict(tree.sources)
    for item in overrides:
        path, sep, text = item.partition("=")
        path = path.strip()
        origin = f"command line (--set {item})"
        if not sep or not path:
            msg = (f"{origin}: an override must look like dotted.path=value, "
                   "e.g. sheets.exc.params.placement.n_neurons=800")
            raise ConfigError(msg)
        value = _override_value(item, path, text)
        parent_path, _, leaf = path.rpartition(".")
        try:
            parent = get_path(data, parent_path) if parent_path else data
        except KeyError as exc:
            msg = f"{origin}: {path}: {exc.args[0]}"
            raise ConfigError(msg) from None
        if isinstance(parent, dict):
            if leaf not in parent and parent:
                close = difflib.get_close_matches(leaf, list(parent), n=1)
                if close:
                    msg = (f"{origin}: {path}: {parent_path or 'the top level'} has no "
                           f"{leaf!r}; did you mean {join(parent_path, close[0])!r}?")
                    raise ConfigError(msg)
            parent[leaf] = value
        elif isinstance(parent, list) and _index(leaf, parent) is not None:
            parent[int(leaf)] = value
        else:
            msg = f"{origin}: {path}: {parent_path!r} is not a mapping or a list with that index"
            raise ConfigError(msg)
        for key in [k for k in sources if k == path or k.startswith(f"{path}.")]:
            del sources[key]
        sources[path] = origin
    return ConfigTree(data=data, sources=sources, root=tree.root)


class _Budget:
    """Counts the values references copy, so that references cannot multiply a tree beyond
    :data:`MAX_NODES` values (a ``ref`` bomb, like a YAML alias bomb)."""

    def __init__(self) -> None:
        self.used = 0

    def charge(self, value: Any) -> None:
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict | list):
                self.used += len(item)
                if self.used > MAX_NODES:
                    msg = (f"references copy more than {MAX_NODES} values in all (MAX_NODES); "
                           "refer to smaller parts of the tree")
                    raise ExpressionError(msg)
                stack.extend(item.values() if isinstance(item, dict) else item)


def resolve(tree: ConfigTree) -> ConfigTree:
    """Evaluate every expression; reference cycles and missing targets are errors.

    All problems of the tree are reported together in one :class:`ConfigError`.
    """
    data = copy.deepcopy(tree.data)
    done: dict[str, Any] = {}
    failed: dict[str, Exception] = {}  # a path that failed once fails again at once
    problems: list[str] = []
    budget = _Budget()

    def value_at(path: str, stack: tuple[str, ...]) -> Any:
        if path in done:
            return done[path]
        node = get_path(data, path)
        return materialise(node, path, stack)

    def materialise(node: Any, path: str, stack: tuple[str, ...]) -> Any:
        if isinstance(node, Expr):
            if path in failed:
                raise failed[path]
            try:
                return computed(node, path, stack)
            except (ExpressionError, _CycleError) as exc:
                if not isinstance(exc, _CycleError):
                    failed[path] = exc
                raise
        if isinstance(node, dict):
            budget.used += len(node)
            return {k: materialise(v, join(path, k), stack) for k, v in node.items()}
        if isinstance(node, list):
            budget.used += len(node)
            return [materialise(v, join(path, i), stack) for i, v in enumerate(node)]
        return node

    def computed(node: Expr, path: str, stack: tuple[str, ...]) -> Any:
        if path in stack:
            cycle = " -> ".join([*stack[stack.index(path):], path])
            msg = f"reference cycle: {cycle}"
            raise _CycleError(msg)
        if len(stack) >= MAX_REF_DEPTH:
            msg = (f"references chain more than {MAX_REF_DEPTH} deep (MAX_REF_DEPTH): "
                   f"{' -> '.join(stack[:3])} -> ... -> {path}")
            raise _ChainTooLong(msg)

        looked_up: list[tuple[str, Any]] = []

        def lookup(ref_path: str) -> Any:
            try:
                value = value_at(ref_path, (*stack, path))
            except KeyError as exc:
                raise _MissingReference(f"ref({ref_path!r}): {exc.args[0]}",
                                        ref_path) from None
            looked_up.append((ref_path, value))
            return value

        try:
            value = evaluate(node, lookup)
        except NotANumberError as exc:
            # the operand came from a reference: the problem is where that value was written
            culprit = next((p for p, v in looked_up if v is exc.value), None)
            if culprit is None:
                raise
            raise _BadReferencedValue(str(exc), culprit, exc.value) from None
        done[path] = value
        budget.charge(value)
        return copy.deepcopy(value)

    # one problem a reference brings into many expressions (a missing target, a value that is
    # not a number) is reported once, with every expression it breaks
    shared: dict[tuple[str, str], list[str]] = {}

    def visit(node: Any, path: str) -> Any:
        if isinstance(node, Expr):
            try:
                return value_at(path, ())
            except (_MissingReference, _BadReferencedValue) as exc:
                key = (exc.ref_path, type(exc).__name__)
                if key not in shared:
                    shared[key] = []
                    problems.append("")  # filled in below, in order of first appearance
                    slots[key] = len(problems) - 1
                    first[key] = (path, node, exc)
                shared[key].append(path)
                return None
            except (ExpressionError, _CycleError) as exc:
                problems.append(f"{tree.where(path)}: {path}: {exc}")
                if isinstance(exc, _ChainTooLong):  # every later value of the chain fails too
                    raise ConfigError(problems[-1], problems) from None
                return None
        if isinstance(node, dict):
            return {k: visit(v, join(path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [visit(v, join(path, i)) for i, v in enumerate(node)]
        return node

    slots: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], tuple[str, Expr, Exception]] = {}
    resolved = visit(data, "")
    for key, users in shared.items():
        path, node, exc = first[key]
        problems[slots[key]] = _shared_problem(tree, path, node, exc, users)
    if problems:
        msg = f"{len(problems)} problem(s) in {tree.root}:\n  " + "\n  ".join(problems)
        raise ConfigError(msg, problems)
    return ConfigTree(data=resolved, sources=tree.sources, root=tree.root)


def _shared_problem(tree: ConfigTree, path: str, node: Expr, exc: Exception,
                    users: list[str]) -> str:
    """One problem a reference causes in every expression in ``users``."""
    if isinstance(exc, _BadReferencedValue):
        value = exc.value
        names = ", ".join(users)
        return (f"{tree.where(exc.ref_path)}: {exc.ref_path}: {value!r} "
                f"({type(value).__name__}) is not a number, but {len(users)} expression(s) do "
                f"arithmetic on it ({names}, e.g. {shown_expression(node.text)}), and only numbers "
                "can be combined; give a number")
    others = [u for u in users if u != path]
    also = f" (also used by {', '.join(others)})" if others else ""
    return f"{tree.where(path)}: {path}: {exc}{also}"


#: Longest chain of references (``a: ref('b')``, ``b: ref('c')``, ...).
MAX_REF_DEPTH = 50


class _CycleError(Exception):
    """A reference cycle or a too long chain: depends on the path taken, so not cached."""


class _ChainTooLong(_CycleError):
    """References chain beyond :data:`MAX_REF_DEPTH`."""


class _MissingReference(ExpressionError):
    """A ``ref()`` names a path that does not exist."""

    def __init__(self, message: str, ref_path: str) -> None:
        super().__init__(message)
        self.ref_path = ref_path


class _BadReferencedValue(ExpressionError):
    """Arithmetic on a referenced value that is not a number: blamed where it was written."""

    def __init__(self, message: str, ref_path: str, value: Any) -> None:
        super().__init__(message)
        self.ref_path = ref_path
        self.value = value


def load_config(file: str | Path, overrides: Iterable[str] = (),
                include_roots: Iterable[str | Path] = ()) -> ConfigTree:
    """Load, override and resolve a configuration file: the tree ready for structuring
    (see :func:`load_tree` for ``include_roots``)."""
    return resolve(apply_overrides(load_tree(file, include_roots), overrides))
