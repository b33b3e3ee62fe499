"""Reference text generated from the code: component parameters and the command line.

One source for three readers: ``mozaik describe NAME`` prints a component's entry, and the
committed pages ``docs/configuration.md`` and ``docs/cli.md`` hold the generated reference of
every installed component and of every command (a test regenerates them and diffs, so the pages
read in the repository are the ones the code implies).

A component's fields come from its parameters class (``config_cls``): name, type, units,
default ("required" when there is none) and the description from the numpydoc ``Parameters``
section of the class or of a base class.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import attrs
import click

from mozaik.plugin import COMPONENT_KINDS, AnyComponent, Registry, kind_label

__all__ = ["cli_reference", "component_reference", "configuration_reference", "field_rows",
           "parameter_docs", "replace_generated"]

#: Unit suffixes of field names (``delay_ms``) and what they mean; a name may also be a unit
#: itself (``um_per_deg``).
UNIT_SUFFIXES = {"ms": "ms", "s": "s", "um": "um", "mm": "mm", "mm2": "mm^2",
                 "per_mm2": "1/mm^2", "hz": "Hz", "uS": "uS", "nS": "nS", "nA": "nA",
                 "pA": "pA", "mV": "mV", "nF": "nF", "deg": "deg", "rad": "rad",
                 "cd_m2": "cd/m^2", "px": "px", "um_per_deg": "um/deg"}

#: The markers between which a page holds generated text.
BEGIN = "<!-- BEGIN GENERATED: {what} (do not edit; `python docs/generate.py` rewrites it) -->"
END = "<!-- END GENERATED: {what} -->"

_HEADER = re.compile(r"^\s*Parameters\s*\n\s*-{3,}\s*\n", re.M)
_SECTION_END = re.compile(r"^\s*\n\s*[A-Z][A-Za-z ]+\n\s*-{3,}\s*$", re.M)
_ENTRY = re.compile(r"^(?P<indent>\s*)(?P<names>[A-Za-z_][\w, ]*?)\s*:\s*(?P<type>.*)$")

Row = tuple[str, str, str, str, str]


def _section(doc: str) -> list[str]:
    found = _HEADER.search(doc)
    if not found:
        return []
    rest = doc[found.end():]
    end = _SECTION_END.search(rest)
    return (rest[:end.start()] if end else rest).splitlines()


def _plain(text: str) -> str:
    """Docstring markup to plain text: ``:class:`X``` and ````x```` become ``X`` and ``x``."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text)
    return text.replace("``", "")


def parameter_docs(cls: type) -> dict[str, tuple[str, str]]:
    """Field name -> (declared type text, description) from the numpydoc ``Parameters``
    section of ``cls``'s own docstring."""
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


def inherited_parameter_docs(cls: type) -> dict[str, tuple[str, str]]:
    """:func:`parameter_docs` of ``cls`` and of its base classes (the most derived wins)."""
    docs: dict[str, tuple[str, str]] = {}
    for klass in reversed(cls.__mro__):
        if klass is not object:
            docs.update(parameter_docs(klass))
    return docs


def _top_level_parts(declared: str) -> list[str]:
    """``declared`` split at the commas outside brackets: ``(str, str), um`` has two parts."""
    parts, depth, current = [], 0, ""
    for char in declared:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def _units(name: str, declared: str) -> str:
    """The units the numpydoc type gives after the type (``float, um/deg``), else the unit
    suffix of the name (``delay_ms``), else none."""
    extra = [p for p in _top_level_parts(declared)[1:]
             if p and p != "optional" and not p.startswith("default")]
    if extra:
        return extra[0]
    for suffix in sorted(UNIT_SUFFIXES, key=len, reverse=True):
        if name == suffix or name.endswith("_" + suffix):
            return UNIT_SUFFIXES[suffix]
    return ""


def _default(field: attrs.Attribute[Any]) -> str:
    if field.default is attrs.NOTHING:
        return "required"
    factory = getattr(field.default, "factory", None)
    if isinstance(field.default, attrs.Factory) and factory is not None:  # type: ignore[arg-type]
        if getattr(field.default, "takes_self", False):
            return "computed from the other parameters"
        try:
            return repr(factory())
        except TypeError:
            return f"{getattr(factory, '__name__', 'factory')}()"
    return repr(field.default)


def _type_text(cls: type, field: attrs.Attribute[Any]) -> str:
    """The field's type as written in the source (``NoiseParams | None``): the annotation string
    of the class that declares it, the same whether or not something (cattrs) has resolved the
    class's types since; a resolved type is written without module prefixes."""
    for klass in cls.__mro__:
        written = vars(klass).get("__annotations__", {}).get(field.name)
        if isinstance(written, str):
            return written
    kind = field.type
    if kind is None or isinstance(kind, str):
        return kind or ""
    text = kind.__name__ if isinstance(kind, type) else str(kind)
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", text)


def field_rows(cls: type) -> list[Row]:
    """(name, type, units, default, description) of every field of the attrs class ``cls``."""
    docs = inherited_parameter_docs(cls)
    rows = []
    for field in attrs.fields(cls):
        declared, text = docs.get(field.name, ("", ""))
        kind = _type_text(cls, field)
        rows.append((field.name, str(kind or _top_level_parts(declared)[0]),
                     _units(field.name, declared), _default(field), text))
    return rows


def _code(text: str) -> str:
    """``text`` as inline code in Markdown, whatever backticks it holds."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def component_reference(component: AnyComponent[Callable[..., object]], *,
                        heading: str = "###") -> str:
    """The Markdown entry of one component: its name, kind, distribution, summary, parameters
    class and one list item per field (a list wraps on any page width, a table does not)."""
    cls = component.config_cls
    public = itertools.takewhile(lambda part: not part.startswith("_"), cls.__module__.split("."))
    qualname = ".".join([*public, cls.__qualname__])
    lines = [f"{heading} {component.name}", "",
             f"{kind_label(component.kind).capitalize()} from **{component.distribution}**: "
             f"{component.summary.strip() or '(no summary)'}. Parameters class "
             f"{_code(qualname)}.", ""]
    rows = field_rows(cls) if attrs.has(cls) else []
    if not rows:
        lines.append("No parameters.")
    for name, kind, units, default, text in rows:
        facts = [_code(kind)] + ([units] if units else [])
        facts.append("required" if default == "required" else f"default {_code(default)}")
        lines.append(f"- **{name}** ({', '.join(facts)})" + (f": {text}" if text else ""))
    return "\n".join(lines) + "\n"


def configuration_reference(registry: Registry) -> str:
    """The Markdown reference of every component of ``registry``: a section per kind, an
    entry per component (:func:`component_reference`), sorted by name."""
    parts = []
    for kind in COMPONENT_KINDS:
        components = sorted(registry.kind(kind).values(), key=lambda c: c.name)
        if not components:
            continue
        parts.append(f"### {kind_label(kind, plural=True).capitalize()}\n")
        parts.extend(component_reference(c, heading="####") for c in components)
    return "\n".join(parts)


def _command_reference(command: click.Command, path: list[str], ctx: click.Context,
                       out: list[str]) -> None:
    name = " ".join(path)
    out.append(f"{'#' * min(len(path) + 1, 4)} {name}\n")
    sub = click.Context(command, info_name=path[-1], parent=ctx)
    out.append("```text\n" + command.get_help(sub).rstrip() + "\n```\n")
    if isinstance(command, click.Group):
        for child in command.list_commands(sub):
            found = command.get_command(sub, child)
            if found is not None and not found.hidden:
                _command_reference(found, [*path, child], sub, out)


def cli_reference(group: click.Group, prog: str = "mozaik") -> str:
    """The Markdown reference of the command line: the ``--help`` text of ``group`` and of
    every (sub)command, as ``mozaik CMD --help`` prints it (80 columns)."""
    out: list[str] = []
    settings = {**group.context_settings, "terminal_width": 80, "max_content_width": 80}
    with click.Context(group, info_name=prog, **settings) as ctx:
        out.append("## " + prog + "\n")
        out.append("```text\n" + group.get_help(ctx).rstrip() + "\n```\n")
        for child in group.list_commands(ctx):
            found = group.get_command(ctx, child)
            if found is not None and not found.hidden:
                _command_reference(found, [prog, child], ctx, out)
    return "\n".join(out)


def replace_generated(page: str, what: str, text: str) -> str:
    """``page`` with the text between its BEGIN/END GENERATED markers for ``what`` replaced
    by ``text``."""
    begin, end = BEGIN.format(what=what), END.format(what=what)
    head, found, rest = page.partition(begin)
    _, found_end, tail = rest.partition(end)
    if not found or not found_end:
        msg = f"the page has no {begin!r} ... {end!r} markers: add them where {what} goes"
        raise ValueError(msg)
    return f"{head}{begin}\n\n{text.strip()}\n\n{end}{tail}"
