"""Loading configuration files: YAML (safe), includes, overrides and reference resolution.

The result is a :class:`ConfigTree`: plain dicts, lists and scalars, plus a map from every dotted
path to the ``file:line`` it came from, so later errors can point at the place to fix.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from mozaik._errors import ConfigError
from mozaik.config._expr import Expr, ExpressionError, evaluate, parse_expression

__all__ = ["ConfigTree", "apply_overrides", "get_path", "load_config", "load_tree", "resolve"]

INCLUDE_TAG = "!include"
EXPR_TAG = "!expr"
MERGE_KEY = "<<"

_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

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


def join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


class _Loader:
    """Builds the tree from YAML nodes so that every value keeps its file and line."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}
        self.stack: list[Path] = []

    def load_file(self, file: Path, path: str, where: str | None) -> Any:
        file = file.resolve()
        if file in self.stack:
            chain = " -> ".join(str(f) for f in [*self.stack, file])
            msg = f"include cycle: {chain}; remove one of these includes"
            raise ConfigError(msg)
        if not file.is_file():
            origin = f"{where}: " if where else ""
            msg = (f"{origin}configuration file {str(file)!r} does not exist"
                   + ("; include paths are relative to the including file" if where else ""))
            raise ConfigError(msg)
        try:
            loader = yaml.SafeLoader(file.read_text())
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
        except yaml.YAMLError as exc:
            msg = f"{file}: not valid YAML: {exc}"
            raise ConfigError(msg) from None
        self.stack.append(file)
        try:
            if node is None:
                return {}
            return self.convert(node, file, path, loader)
        finally:
            self.stack.pop()

    def convert(self, node: yaml.Node, file: Path, path: str, loader: yaml.SafeLoader) -> Any:
        where = f"{file}:{node.start_mark.line + 1}"
        self.sources.setdefault(path, where)
        if node.tag == INCLUDE_TAG:
            target = file.parent / str(node.value)
            return self.load_file(target, path, where)
        if node.tag == EXPR_TAG:
            return self.expression(str(node.value), where, path)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
            msg = (f"{where}: {path or 'top level'}: unsupported YAML tag {node.tag!r}; "
                   f"Mozaik understands {INCLUDE_TAG} and {EXPR_TAG} only")
            raise ConfigError(msg)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            merged: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    key = MERGE_KEY
                else:
                    key = self.scalar(key_node, where, path, loader)
                if key == MERGE_KEY:
                    bases = value_node.value if isinstance(value_node, yaml.SequenceNode) else [
                        value_node]
                    for base_node in bases:
                        base = self.convert(base_node, file, path, loader)
                        if not isinstance(base, dict):
                            msg = f"{where}: '<<' must merge mappings, got {base!r}"
                            raise ConfigError(msg)
                        merged = deep_merge(merged, base)
                    continue
                if not isinstance(key, str | int):
                    msg = f"{where}: mapping keys must be names, got {key!r}"
                    raise ConfigError(msg)
                if key in out:
                    msg = f"{file}:{key_node.start_mark.line + 1}: key {key!r} appears twice"
                    raise ConfigError(msg)
                out[str(key)] = self.convert(value_node, file, join(path, key), loader)
            return deep_merge(merged, out)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(n, file, join(path, i), loader) for i, n in enumerate(node.value)]
        value = self.scalar(node, where, path, loader)
        if isinstance(value, str) and "ref(" in value:
            return self.expression(value, where, path)
        return value

    @staticmethod
    def scalar(node: yaml.Node, where: str, path: str, loader: yaml.SafeLoader) -> Any:
        try:
            return loader.construct_object(node)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            msg = f"{where}: {path or 'top level'}: {problem}"
            raise ConfigError(msg) from None

    @staticmethod
    def expression(text: str, where: str, path: str) -> Expr:
        try:
            return parse_expression(text)
        except ExpressionError as exc:
            msg = f"{where}: {path}: {exc}"
            raise ConfigError(msg) from None


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``; mappings merge, everything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_tree(file: str | Path) -> ConfigTree:
    """Load ``file`` (a study directory means its ``study.yaml``) with its includes."""
    file = Path(file)
    if file.is_dir():
        file = file / STUDY_FILE
    loader = _Loader()
    data = loader.load_file(file, "", None)
    if not isinstance(data, dict):
        msg = f"{file}: the top level must be a mapping of names to values, got {data!r}"
        raise ConfigError(msg)
    return ConfigTree(data=data, sources=loader.sources, root=file.resolve())


def _split(path: str) -> list[str]:
    return [p for p in path.split(".")]


def get_path(data: Any, path: str) -> Any:
    """The value at dotted ``path`` (list items by index); raises ``KeyError`` naming the miss."""
    node = data
    done: list[str] = []
    for part in _split(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(
                part) < len(node):
            node = node[int(part)]
        else:
            here = ".".join(done) or "the top level"
            options = list(node) if isinstance(node, dict) else (
                [str(i) for i in range(len(node))] if isinstance(node, list) else [])
            close = difflib.get_close_matches(part, options, n=1)
            hint = f"; did you mean {'.'.join([*done, close[0]])!r}?" if close else (
                f"; {here} has: {', '.join(options)}" if options else
                f"; {here} is a value, not a mapping")
            raise KeyError(f"{path!r} does not exist: no {part!r} in {here}{hint}")
        done.append(part)
    return node


def apply_overrides(tree: ConfigTree, overrides: Iterable[str]) -> ConfigTree:
    """Apply command-line overrides ``dotted.path=value`` (value parsed as a YAML scalar).

    The parent of the path must exist; the leaf may be new (an optional parameter not written in
    the file). Values containing ``ref(`` become expressions.
    """
    data = copy.deepcopy(tree.data)
    sources = dict(tree.sources)
    for item in overrides:
        path, sep, text = item.partition("=")
        path = path.strip()
        if not sep or not path:
            msg = (f"override {item!r} must look like dotted.path=value, "
                   "e.g. sheets.exc.params.density=2000")
            raise ConfigError(msg)
        try:
            value = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError as exc:
            msg = f"override {item!r}: the value is not valid YAML: {exc}"
            raise ConfigError(msg) from None
        if isinstance(value, str) and "ref(" in value:
            value = _Loader.expression(value, "command line", path)
        parent_path, _, leaf = path.rpartition(".")
        try:
            parent = get_path(data, parent_path) if parent_path else data
        except KeyError as exc:
            msg = f"override {item!r}: {exc.args[0]}"
            raise ConfigError(msg) from None
        if isinstance(parent, dict):
            if leaf not in parent and parent:
                close = difflib.get_close_matches(leaf, list(parent), n=1)
                if close:
                    msg = (f"override {item!r}: {parent_path or 'the top level'} has no "
                           f"{leaf!r}; did you mean {join(parent_path, close[0])!r}?")
                    raise ConfigError(msg)
            parent[leaf] = value
        elif isinstance(parent, list) and leaf.isdigit() and int(leaf) < len(parent):
            parent[int(leaf)] = value
        else:
            msg = f"override {item!r}: {parent_path!r} is not a mapping or list index"
            raise ConfigError(msg)
        sources[path] = f"command line (--set {item})"
    return ConfigTree(data=data, sources=sources, root=tree.root)


def resolve(tree: ConfigTree) -> ConfigTree:
    """Evaluate every expression; reference cycles and missing targets are errors.

    All problems of the tree are reported together in one :class:`ConfigError`.
    """
    data = copy.deepcopy(tree.data)
    done: dict[str, Any] = {}
    problems: list[str] = []

    def value_at(path: str, stack: tuple[str, ...]) -> Any:
        if path in done:
            return done[path]
        node = get_path(data, path)
        return materialise(node, path, stack)

    def materialise(node: Any, path: str, stack: tuple[str, ...]) -> Any:
        if isinstance(node, Expr):
            if path in stack:
                cycle = " -> ".join([*stack[stack.index(path):], path])
                msg = f"reference cycle: {cycle}"
                raise _CycleError(msg)

            def lookup(ref_path: str) -> Any:
                try:
                    return value_at(ref_path, (*stack, path))
                except KeyError as exc:
                    raise ExpressionError(f"ref({ref_path!r}): {exc.args[0]}") from None

            value = evaluate(node, lookup)
            done[path] = value
            return copy.deepcopy(value)
        if isinstance(node, dict):
            return {k: materialise(v, join(path, k), stack) for k, v in node.items()}
        if isinstance(node, list):
            return [materialise(v, join(path, i), stack) for i, v in enumerate(node)]
        return node

    def visit(node: Any, path: str) -> Any:
        if isinstance(node, Expr):
            try:
                return value_at(path, ())
            except (ExpressionError, _CycleError) as exc:
                problems.append(f"{tree.where(path)}: {path}: {exc}")
                return None
        if isinstance(node, dict):
            return {k: visit(v, join(path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [visit(v, join(path, i)) for i, v in enumerate(node)]
        return node

    resolved = visit(data, "")
    if problems:
        msg = f"{len(problems)} problem(s) in {tree.root}:\n  " + "\n  ".join(problems)
        raise ConfigError(msg, problems)
    return ConfigTree(data=resolved, sources=tree.sources, root=tree.root)


class _CycleError(Exception):
    pass


def load_config(file: str | Path, overrides: Iterable[str] = ()) -> ConfigTree:
    """Load, override and resolve a configuration file: the tree ready for structuring."""
    return resolve(apply_overrides(load_tree(file), overrides))
