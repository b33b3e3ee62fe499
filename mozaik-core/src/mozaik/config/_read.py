"""Reading configuration files from untrusted sources: where they may come from, how big they
may be, and YAML composed with bounded depth and size.

A study file is input from strangers, so every file read here is checked first:

* an include must be a regular ``.yaml``/``.yml`` file inside the top-level study file's folder
  tree, or under a folder the user names explicitly (``--include-root DIR`` on the command line,
  or the :data:`INCLUDE_PATH_ENV` environment variable, folders separated by ``os.pathsep``);
  absolute paths, ``..`` and symbolic links are judged by the file they finally point at;
* device files, FIFOs and folders are refused before they are opened, and files larger than
  :data:`MAX_FILE_BYTES` are refused;
* YAML nests at most :data:`MAX_DEPTH` levels and a file has at most :data:`MAX_NODES` nodes, so
  that neither deep nesting nor an alias bomb can exhaust the stack or the memory.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from mozaik._errors import ConfigError
from mozaik.config._expr import Expr, ExpressionError, parse_expression

__all__ = [
    "INCLUDE_PATH_ENV",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INCLUDE_DEPTH",
    "MAX_NODES",
    "IncludePolicy",
    "TreeBuilder",
    "compose_text",
    "deep_merge",
    "join",
    "read_yaml_file",
]

INCLUDE_TAG = "!include"
EXPR_TAG = "!expr"
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

#: Largest configuration file read, in bytes (1 MiB).
MAX_FILE_BYTES = 1024 * 1024
#: Most values a configuration may hold, counting every use of a YAML alias and every include.
MAX_NODES = 100_000
#: Deepest nesting of mappings and lists, across includes.
MAX_DEPTH = 64
#: Longest chain of files including each other.
MAX_INCLUDE_DEPTH = 32
#: Environment variable naming extra folders includes may come from (``os.pathsep``-separated).
INCLUDE_PATH_ENV = "MOZAIK_INCLUDE_PATH"

YAML_SUFFIXES = (".yaml", ".yml")


@attrs.frozen
class IncludePolicy:
    """The folders includes may come from: the top-level file's folder and named roots.

    Attributes
    ----------
    roots : tuple of pathlib.Path
        Resolved folders; an include must resolve to a file inside one of them.
    named : tuple of pathlib.Path
        The roots the user named (option or environment), to mention in messages.
    """

    roots: tuple[Path, ...]
    named: tuple[Path, ...] = ()

    @classmethod
    def for_file(cls, top: Path, extra_roots: Iterable[str | Path] = (),
                 environ: Mapping[str, str] | None = None) -> IncludePolicy:
        """The policy for the study file ``top``: its folder, ``extra_roots`` and the folders
        in :data:`INCLUDE_PATH_ENV`."""
        env = os.environ if environ is None else environ
        named = [Path(p) for p in extra_roots]
        named += [Path(p) for p in env.get(INCLUDE_PATH_ENV, "").split(os.pathsep) if p]
        resolved = [top.resolve().parent, *(p.expanduser().resolve() for p in named)]
        return cls(roots=tuple(dict.fromkeys(resolved)), named=tuple(named))

    def check(self, target: Path, written: str, where: str) -> Path:
        """The resolved path of an include, or a ConfigError saying why it is refused.

        Parameters
        ----------
        target : pathlib.Path
            The include joined to the including file's folder.
        written : str
            The include as written, for the message.
        where : str
            ``file:line: dotted.path`` of the include.
        """
        resolved = target.resolve()
        if not any(resolved.is_relative_to(root) for root in self.roots):
            allowed = ", ".join(str(r) for r in self.roots)
            msg = (f"{where}: include {written!r} resolves to {resolved}, outside the folders "
                   f"includes may come from ({allowed}); an include must be inside the "
                   "top-level study file's folder tree, or under a folder named with "
                   f"--include-root DIR or in the {INCLUDE_PATH_ENV} environment variable")
            raise ConfigError(msg)
        if resolved.suffix.lower() not in YAML_SUFFIXES:
            msg = (f"{where}: include {written!r} resolves to {resolved}, which is not a YAML "
                   f"file; includes must end in {' or '.join(YAML_SUFFIXES)}")
            raise ConfigError(msg)
        return resolved


def _file_bytes(file: Path, where: str) -> bytes:
    """The content of a regular file of at most :data:`MAX_FILE_BYTES` bytes."""
    try:
        info = file.stat()
    except FileNotFoundError:
        hint = "; include paths are relative to the including file" if where else ""
        msg = f"{where or 'configuration'}: file {str(file)!r} does not exist{hint}"
        raise ConfigError(msg) from None
    except OSError as exc:
        msg = f"{where or 'configuration'}: cannot read {str(file)!r}: {exc.strerror or exc}"
        raise ConfigError(msg) from None
    if not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, FIFO or socket"
        msg = (f"{where or 'configuration'}: {str(file)!r} is {what}, not a regular file; "
               "configuration must come from regular YAML files")
        raise ConfigError(msg)
    too_big = (f"{where or 'configuration'}: {str(file)!r} is larger than the limit of "
               f"{MAX_FILE_BYTES} bytes (MAX_FILE_BYTES) for a configuration file")
    if info.st_size > MAX_FILE_BYTES:
        raise ConfigError(too_big)
    try:
        with file.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                msg = f"{where or 'configuration'}: {str(file)!r} is not a regular file"
                raise ConfigError(msg)
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        msg = f"{where or 'configuration'}: cannot read {str(file)!r}: {exc.strerror or exc}"
        raise ConfigError(msg) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(too_big)
    return data


try:  # libyaml's event parser, ~6 times faster than PyYAML's pure-Python scanner and parser
    from yaml._yaml import CParser as _FastParser

    class _Base(Composer, _FastParser, SafeConstructor, Resolver):
        def __init__(self, text: str) -> None:
            _FastParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    class _Base(yaml.SafeLoader):  # type: ignore[no-redef]
        pass


class _Bounded:
    """A safe YAML loader composing at most :data:`MAX_NODES` nodes nested at most
    ``max_depth`` levels; a limit hit is a ConfigError naming the file, line and path.

    Composition is PyYAML's own (in Python, so that it can be bounded); events come from
    libyaml when PyYAML was built with it.
    """

    def __init__(self, text: str, origin: str, path: str, max_depth: int) -> None:
        super().__init__(text)  # type: ignore[call-arg]
        self.origin = origin
        self.max_depth = max_depth
        self.node_count = 0
        self.path_parts: list[str] = [path] if path else []

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if parent is not None:
            part = (str(index.value) if isinstance(index, yaml.ScalarNode) else
                    "<key>" if index is None or isinstance(index, yaml.Node) else str(index))
            self.path_parts.append(part)
        try:
            if not self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
                self.node_count += 1
                self._check_limits()
            node: yaml.Node | None = super().compose_node(parent, index)  # type: ignore[misc]
            return node
        finally:
            if parent is not None:
                self.path_parts.pop()

    def _check_limits(self) -> None:
        depth = len(self.path_parts)
        if depth <= self.max_depth and self.node_count <= MAX_NODES:
            return
        event = self.peek_event()  # type: ignore[attr-defined]
        mark = getattr(event, "start_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        place = f"{self.origin}{line}: {'.'.join(self.path_parts) or 'top level'}"
        if depth > self.max_depth:
            msg = (f"{place}: mappings and lists nest more than {MAX_DEPTH} levels deep "
                   "(MAX_DEPTH, counted across includes)")
        else:
            msg = f"{place}: the file has more than {MAX_NODES} YAML nodes (MAX_NODES)"
        raise ConfigError(msg)


class BoundedLoader(_Bounded, _Base):
    """The bounded loader on libyaml's event parser (when PyYAML has it)."""


class _PureBoundedLoader(_Bounded, yaml.SafeLoader):
    """The bounded loader on PyYAML's pure-Python parser, which streams events one by one.

    libyaml (PyYAML >= 6.0.4) refuses flow collections nested about 1,000 levels deep before
    handing over the first event, so its error names neither line nor path; this parser lets
    the :data:`MAX_DEPTH` check fire at the first level too deep.
    """


#: Either bounded loader: what composing a text returns.
AnyBoundedLoader = BoundedLoader | _PureBoundedLoader


def compose_text(text: str, origin: str, path: str = "", depth: int = 0
                 ) -> tuple[yaml.Node | None, AnyBoundedLoader]:
    """Compose YAML ``text`` into one node tree with bounded depth and size.

    Parameters
    ----------
    text : str
        The YAML.
    origin : str
        What to call it in messages (a file name, ``command line``).
    path : str
        Dotted path the text's top node lands at (for messages).
    depth : int
        Nesting depth the text starts at (for includes).
    """
    loader: AnyBoundedLoader = BoundedLoader(
        text, origin, path, max(0, MAX_DEPTH - depth))
    try:
        try:
            return loader.get_single_node(), loader
        except yaml.YAMLError as exc:
            if "nesting depth" not in str(exc):
                raise
            loader = _PureBoundedLoader(text, origin, path, max(0, MAX_DEPTH - depth))
            return loader.get_single_node(), loader
    except yaml.YAMLError as exc:
        msg = f"{origin}: not valid YAML: {exc}"
        raise ConfigError(msg) from None
    except RecursionError:
        msg = f"{origin}: the YAML nests too deeply to read (the limit is {MAX_DEPTH} levels)"
        raise ConfigError(msg) from None


def read_yaml_file(file: Path, where: str, path: str = "", depth: int = 0
                   ) -> tuple[yaml.Node | None, AnyBoundedLoader]:
    """Check, read and compose one YAML file (see :func:`compose_text`); ``where`` names the
    include that asked for it ('' for the top-level file)."""
    data = _file_bytes(file, where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{file}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise ConfigError(msg) from None
    return compose_text(text, str(file), path, depth)


def join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


class TreeBuilder:
    """Builds the tree from YAML nodes so that every value keeps its file and line.

    Bounded: at most :data:`MAX_NODES` values in all (every use of an alias counts), nesting at
    most :data:`MAX_DEPTH` levels and include chains at most :data:`MAX_INCLUDE_DEPTH` files.
    """

    def __init__(self, policy: IncludePolicy | None) -> None:
        self.sources: dict[str, str] = {}
        # paths whose source a YAML merge (``<<``) wrote: a key written after it wins
        self.from_merge: set[str] = set()
        self.stack: list[Path] = []
        self.policy = policy
        self.values = 0

    def load_file(self, file: Path, path: str, where: str | None, depth: int = 0) -> Any:
        if len(self.stack) >= MAX_INCLUDE_DEPTH:
            msg = (f"{where}: {path or 'top level'}: includes nest more than "
                   f"{MAX_INCLUDE_DEPTH} files deep (MAX_INCLUDE_DEPTH)")
            raise ConfigError(msg)
        if file in self.stack:
            chain = " -> ".join(str(f) for f in [*self.stack, file])
            msg = f"{where}: {path or 'top level'}: include cycle: {chain}; remove one of these"
            raise ConfigError(msg)
        node, loader = read_yaml_file(file, f"{where}: {path or 'top level'}" if where else "",
                                      path, depth)
        self.stack.append(file)
        try:
            if node is None:
                return {}
            return self.convert(node, file, path, loader, depth)
        finally:
            self.stack.pop()
            loader.dispose()

    def include(self, node: yaml.Node, file: Path, path: str, where: str, depth: int) -> Any:
        place = f"{where}: {path or 'top level'}"
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            msg = f"{place}: {INCLUDE_TAG} takes one file name, e.g. {INCLUDE_TAG} cells.yaml"
            raise ConfigError(msg)
        if self.policy is None:
            msg = f"{place}: {INCLUDE_TAG} is not allowed here (only in files)"
            raise ConfigError(msg)
        written = str(node.value)
        target = self.policy.check(file.parent / written, written, place)
        return self.load_file(target, path, where, depth)

    def count(self, where: str, path: str, depth: int) -> None:
        self.values += 1
        if self.values > MAX_NODES:
            msg = (f"{where}: {path or 'top level'}: the configuration holds more than "
                   f"{MAX_NODES} values (MAX_NODES; every use of a YAML alias and every "
                   "include counts)")
            raise ConfigError(msg)
        if depth > MAX_DEPTH:
            msg = (f"{where}: {path or 'top level'}: mappings and lists nest more than "
                   f"{MAX_DEPTH} levels deep (MAX_DEPTH, counted across includes)")
            raise ConfigError(msg)

    def convert(self, node: yaml.Node, file: Path, path: str, loader: AnyBoundedLoader,
                depth: int = 0) -> Any:
        where = f"{file}:{node.start_mark.line + 1}"
        self.count(where, path, depth)
        if path in self.from_merge:
            self.from_merge.discard(path)
            self.sources[path] = where
        else:
            self.sources.setdefault(path, where)
        if node.tag == INCLUDE_TAG:
            return self.include(node, file, path, where, depth)
        if node.tag == EXPR_TAG:
            if not isinstance(node, yaml.ScalarNode):
                msg = f"{where}: {path or 'top level'}: {EXPR_TAG} takes one expression"
                raise ConfigError(msg)
            return self.expression(str(node.value), where, path)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
            msg = (f"{where}: {path or 'top level'}: unsupported YAML tag {node.tag!r}; "
                   f"Mozaik understands {INCLUDE_TAG} and {EXPR_TAG} only")
            raise ConfigError(msg)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, file, path, loader, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(n, file, join(path, i), loader, depth + 1)
                    for i, n in enumerate(node.value)]
        value = self.scalar(node, where, path, loader)
        if isinstance(value, str) and "ref(" in value:
            return self.expression(value, where, path)
        return value

    def mapping(self, node: yaml.MappingNode, file: Path, path: str, loader: AnyBoundedLoader,
                depth: int) -> dict[str, Any]:
        where = f"{file}:{node.start_mark.line + 1}"
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_where = f"{file}:{key_node.start_mark.line + 1}"
            if key_node.tag == "tag:yaml.org,2002:merge":
                bases = value_node.value if isinstance(value_node, yaml.SequenceNode) else [
                    value_node]
                for base_node in bases:
                    before = set(self.sources)
                    base = self.convert(base_node, file, path, loader, depth)
                    self.from_merge |= set(self.sources) - before
                    if not isinstance(base, dict):
                        msg = (f"{where}: {path or 'top level'}: '<<' must merge mappings, got "
                               f"{_short(base)}")
                        raise ConfigError(msg)
                    merged = deep_merge(merged, base)
                continue
            key = self.scalar(key_node, key_where, path, loader) if isinstance(
                key_node, yaml.ScalarNode) and key_node.tag != INCLUDE_TAG else None
            if isinstance(key, bool) or not isinstance(key, str | int) or (
                    isinstance(key, str) and not key):
                msg = (f"{key_where}: {path or 'top level'}: mapping keys must be names, got "
                       f"{_short(key if key is not None else key_node.value)}")
                raise ConfigError(msg)
            if str(key) in out:
                msg = f"{key_where}: {join(path, key)}: key {str(key)!r} appears twice"
                raise ConfigError(msg)
            # what is written here wins over what '<<' merged in, in the sources too (the
            # merged base recorded its own lines for these paths first)
            merged_sources, self.sources = self.sources, {}
            out[str(key)] = self.convert(value_node, file, join(path, key), loader, depth + 1)
            merged_sources.update(self.sources)
            self.sources = merged_sources
        return deep_merge(merged, out)

    @staticmethod
    def scalar(node: yaml.Node, where: str, path: str, loader: AnyBoundedLoader) -> Any:
        try:
            value = loader.construct_object(node)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            msg = f"{where}: {path or 'top level'}: {problem}"
            raise ConfigError(msg) from None
        except (ValueError, TypeError, OverflowError) as exc:
            msg = f"{where}: {path or 'top level'}: cannot read {_short(node.value)}: {exc}"
            raise ConfigError(msg) from None
        if value is not None and not isinstance(value, str | int | float | bool):
            msg = (f"{where}: {path or 'top level'}: {_short(node.value)} reads as a "
                   f"{type(value).__name__}, which is not a configuration value; quote it to "
                   "make it a string")
            raise ConfigError(msg)
        return value

    @staticmethod
    def expression(text: str, where: str, path: str) -> Expr:
        try:
            return parse_expression(text)
        except ExpressionError as exc:
            msg = f"{where}: {path}: {exc}"
            raise ConfigError(msg) from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:28]}...{text[-28:]}"


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``; mappings merge, everything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out
