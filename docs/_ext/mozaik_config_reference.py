"""Sphinx extension: the configuration reference, generated from the registry at build time.

The directive ``mozaik-config-reference`` asks the plugin manager (autoload on: every installed
distribution) for every registered component of every kind and writes, per component, its
distribution, summary and one table row per field of its ``config_cls``: name, type, units,
default and the description from the numpydoc ``Parameters`` section of the class docstring.
Nothing is written by hand, so the reference cannot drift from the code.

:func:`field_rows` is plain Python (no Sphinx) so that a test can check the parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

__all__ = ["field_rows", "parameter_docs", "setup"]

#: Unit suffixes of field names (``delay_ms``) and what they mean.
UNIT_SUFFIXES = {"ms": "ms", "s": "s", "um": "um", "mm": "mm", "mm2": "mm^2",
                 "per_mm2": "1/mm^2", "hz": "Hz", "uS": "uS", "nS": "nS", "nA": "nA",
                 "pA": "pA", "mV": "mV", "nF": "nF", "deg": "deg", "rad": "rad",
                 "cd_m2": "cd/m^2", "px": "px", "um_per_deg": "um/deg"}

_HEADER = re.compile(r"^\s*Parameters\s*\n\s*-{3,}\s*\n", re.M)
_SECTION_END = re.compile(r"^\s*\n\s*[A-Z][A-Za-z ]+\n\s*-{3,}\s*$", re.M)
_ENTRY = re.compile(r"^(?P<indent>\s*)(?P<names>[A-Za-z_][\w, ]*?)\s*:\s*(?P<type>.*)$")


def _section(doc: str) -> list[str]:
    found = _HEADER.search(doc)
    if not found:
        return []
    rest = doc[found.end():]
    end = _SECTION_END.search(rest)
    return (rest[:end.start()] if end else rest).splitlines()


def parameter_docs(cls: type) -> dict[str, tuple[str, str]]:
    """Field name -> (declared type text, description) from the numpydoc Parameters section."""
    lines = _section(cls.__doc__ or "")
    found: dict[str, tuple[str, list[str]]] = {}
    current: list[str] = []
    base = None
    for line in lines:
        entry = _ENTRY.match(line)
        indent = len(line) - len(line.lstrip())
        if entry and (base is None or indent <= base):
            base = indent
            current = []
            for name in (n.strip() for n in entry["names"].split(",")):
                found[name] = (entry["type"].strip(), current)
        elif line.strip():
            current.append(line.strip())
    return {name: (kind, _plain(" ".join(text))) for name, (kind, text) in found.items()}


def _plain(text: str) -> str:
    """Docstring markup to plain text: ``:class:`X``` and ````x```` become ``X`` and ``x``."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text)
    return text.replace("``", "")


def _units(name: str, declared: str) -> str:
    for suffix in sorted(UNIT_SUFFIXES, key=len, reverse=True):
        if name.endswith("_" + suffix):
            return UNIT_SUFFIXES[suffix]
    parts = [p.strip() for p in declared.split(",")[1:]]
    units = [p for p in parts if p and p not in ("optional",) and not p.startswith("default")]
    return units[0] if units else ""


def _default(field: attrs.Attribute[Any]) -> str:
    if field.default is attrs.NOTHING:
        return "required"
    factory = getattr(field.default, "factory", None)
    if isinstance(field.default, attrs.Factory) and factory is not None:  # type: ignore[arg-type]
        try:
            return repr(factory())
        except TypeError:
            return f"{getattr(factory, '__name__', 'factory')}()"
    return repr(field.default)


def inherited_parameter_docs(cls: type) -> dict[str, tuple[str, str]]:
    """:func:`parameter_docs` of ``cls`` and of its base classes: a field inherited from a base
    parameters class is documented there; the most derived class's entry wins."""
    docs: dict[str, tuple[str, str]] = {}
    for klass in reversed(cls.__mro__):
        if klass is not object:
            docs.update(parameter_docs(klass))
    return docs


def field_rows(cls: type) -> list[tuple[str, str, str, str, str]]:
    """(name, type, units, default, description) of every field of an attrs class (the
    description from its class's or a base class's numpydoc ``Parameters`` section)."""
    docs = inherited_parameter_docs(cls)
    rows = []
    for field in attrs.fields(cls):
        declared, text = docs.get(field.name, ("", ""))
        kind = field.type if isinstance(field.type, str) else getattr(field.type, "__name__",
                                                                       str(field.type))
        rows.append((field.name, str(kind or declared.split(",")[0]),
                     _units(field.name, declared), _default(field), text))
    return rows


def _table(rows: list[tuple[str, str, str, str, str]]) -> nodes.table:
    heads = ("parameter", "type", "units", "default", "description")
    table = nodes.table()
    group = nodes.tgroup(cols=len(heads))
    table += group
    for width in (18, 20, 8, 14, 40):
        group += nodes.colspec(colwidth=width)

    def row(cells: tuple[str, ...], literal: bool) -> nodes.row:
        line = nodes.row()
        for i, cell in enumerate(cells):
            entry = nodes.entry()
            entry += nodes.paragraph("", "", nodes.literal(cell, cell) if literal and i < 2
                                     else nodes.Text(cell))
            line += entry
        return line

    head = nodes.thead()
    head += row(heads, literal=False)
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += row(cells, literal=True)
    group += body
    return table


def _components() -> Iterator[tuple[str, Any]]:
    from mozaik.plugin import COMPONENT_KINDS, PluginManager

    registry = PluginManager(autoload=True).registry
    for kind in COMPONENT_KINDS:
        for component in registry.kind(kind).values():
            yield kind, component


class ConfigReference(SphinxDirective):
    """``mozaik-config-reference``: one section per kind, one subsection per component."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from mozaik.plugin import kind_label

        docs: set[str] = getattr(self.env, "mozaik_config_docs", set())
        self.env.mozaik_config_docs = docs | {self.env.docname}  # type: ignore[attr-defined]
        by_kind: dict[str, list[Any]] = {}
        for kind, component in _components():
            by_kind.setdefault(kind, []).append(component)
        sections: list[nodes.Node] = []
        for kind, components in by_kind.items():
            label = kind_label(kind, plural=True)
            section = nodes.section(ids=[f"config-{kind}"], names=[f"config-{kind}"])
            section += nodes.title(label.capitalize(), label.capitalize())
            for component in components:
                ident = f"config-{kind}-{component.name}".lower()
                sub = nodes.section(ids=[ident], names=[ident])
                sub += nodes.title(component.name, component.name)
                cls = component.config_cls
                where = (f"{component.summary} (distribution {component.distribution}, "
                         f"parameters class {cls.__module__}.{cls.__qualname__})")
                sub += nodes.paragraph(where, where)
                rows = field_rows(cls) if attrs.has(cls) else []
                sub += _table(rows) if rows else nodes.paragraph("No parameters.",
                                                                 "No parameters.")
                section += sub
            sections.append(section)
        return sections


def _reread(_app: Sphinx, env: Any, *_changes: Any) -> list[str]:
    """Pages with the reference are re-read on every build: installing a plugin changes them
    without changing any source file."""
    return sorted(getattr(env, "mozaik_config_docs", set()))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("mozaik-config-reference", ConfigReference)
    app.connect("env-get-outdated", _reread)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
