"""``mozaik describe NAME``: look a component up.

Prints what the configuration reference says of it (kind, distribution, summary, every
parameter with type, units, default and description), the documentation of its class, and a
YAML block that uses it in a study. The block is validated before it is printed, inside a small
host study, exactly as ``mozaik config check`` validates a study; it says when it could not be
made valid (a required parameter whose value cannot be guessed from its type) and which values
to fill in.
"""

from __future__ import annotations

import difflib
import inspect
import tempfile
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import click
import yaml

from mozaik._errors import MozaikError, UnknownComponentError
from mozaik.cli._reference import component_reference
from mozaik.plugin import COMPONENT_KINDS, AnyComponent, Registry, get_registry, kind_label
from mozaik.study import SECTIONS, load_study

__all__ = ["HOST_STUDY", "describe", "example_study", "example_yaml"]

Component = AnyComponent[Callable[..., object]]

#: The study an example is placed in: one small sheet named ``exc`` of core's ``Sheet``.
HOST_STUDY: dict[str, Any] = {
    "name": "describe_example",
    "sheets": {"exc": {"component": "Sheet", "params": {
        "cell": {"model": "IF_cond_exp"},
        "placement": {"kind": "grid", "size_um": [100.0, 100.0], "n_neurons": 4},
        "recorders": [{"variables": ["spikes"], "neurons": "all"}]}}},
}

_SHEET_NAMES = ("sheet", "source", "target", "sheet_name")


def _guess(name: str, kind: Any, depth: int = 0) -> object:
    """A plausible value of a required parameter from its name and type (None: no guess)."""
    text = kind if isinstance(kind, str) else kind.__name__ if isinstance(kind, type) else str(
        kind)
    text = text.replace("typing.", "").replace("collections.abc.", "")
    if name in _SHEET_NAMES or name.endswith("_sheet"):
        return "exc"
    if name == "sheets" or name.endswith("_sheets"):
        return ["exc"]
    if attrs.has(kind) and depth < 3:
        return _required_params(kind, depth + 1)
    if text.startswith(("float", "int")) and "None" not in text.split("|", 1)[0]:
        number = 100.0 if name.endswith(("_ms", "_s")) else 1.0
        return number if text.startswith("float") else int(number)
    if text.startswith(("tuple[float", "list[float", "Sequence[float")):
        return [1.0]
    if text.startswith(("tuple[int", "list[int", "Sequence[int")):
        return [0]
    if text.startswith("bool"):
        return False
    return None


def _required_params(cls: type, depth: int = 0) -> dict[str, object]:
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):
        hints = {}
    params: dict[str, object] = {}
    for field in attrs.fields(cls):
        if field.default is attrs.NOTHING:
            params[field.name] = _guess(field.name, hints.get(field.name, field.type), depth)
    return params


def _entry(component: Component) -> dict[str, Any]:
    cls = component.config_cls
    entry: dict[str, Any] = {"component": component.name}
    if component.kind == "connectors":
        entry.update(source="exc", target="exc")
    params = _required_params(cls) if attrs.has(cls) else {}
    if params:
        entry["params"] = params
    return entry


def example_study(component: Component) -> dict[str, Any] | None:
    """The host study with ``component`` in its section, or None when no study section holds
    components of its kind (stimuli, connector functions... are named inside parameters)."""
    section = next((s for s in SECTIONS if s.kind == component.kind), None)
    if section is None:
        return None
    study = {**HOST_STUDY, "name": f"describe_{component.name.lower()}"}
    entry = _entry(component)
    if section.shape == "named":
        study[section.name] = {**study.get(section.name, {}), "example": entry}
    elif section.shape == "list":
        study[section.name] = [entry]
    else:
        study[section.name] = entry
    return study


def example_yaml(component: Component, registry: Registry) -> tuple[str, str | None]:
    """The YAML block that uses ``component`` (its required parameters filled in, the others at
    their defaults) and None if the whole host study passes validation, else the problem."""
    study = example_study(component)
    if study is None:
        used = {"stimuli": "an experiment creates it (see the experiment's parameters)",
                "connector_functions": "named inside a Modular*Connector's parameters",
                "search_plots": "named in a search's plots",
                "exporters": "used by mozaik export RUN_DIR --format NAME"}
        return "", used.get(component.kind, "used inside other components' parameters")
    text = yaml.safe_dump(study, sort_keys=False, default_flow_style=None, width=88).rstrip()
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "study.yaml"
        file.write_text(text + "\n")
        try:  # as `mozaik config check` loads it
            load_study(file, registry=registry)
        except MozaikError as exc:
            return text, str(exc).replace(str(file), "study.yaml")
    return text, None


def _find(registry: Registry, name: str) -> list[Component]:
    found = [registry.kind(kind)[name] for kind in COMPONENT_KINDS
             if name in registry.kind(kind)]
    if found:
        return found
    lowered = [registry.kind(kind)[n] for kind in COMPONENT_KINDS for n in registry.kind(kind)
               if n.lower() == name.lower()]
    if lowered:
        return lowered
    names = sorted({n for kind in COMPONENT_KINDS for n in registry.kind(kind)})
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    msg = (f"no installed component is named {name!r}; {hint}`mozaik plugins` lists the "
           f"{len(names)} installed components")
    raise UnknownComponentError(msg)


@click.command("describe")
@click.argument("name")
def describe(name: str) -> None:
    """Describe the component NAME: its kind, the distribution that provides it, every
    parameter (type, units, default, description), its documentation, and a YAML example of
    it in a study, validated as config check validates a study (example: mozaik describe
    PoissonNetworkKick)."""
    registry = get_registry()
    for component in _find(registry, name):
        click.echo(component_reference(component, heading="#").rstrip())
        doc = inspect.getdoc(component.factory)
        if doc:
            click.echo(f"\n## Documentation\n\n{doc}")
        text, problem = example_yaml(component, registry)
        click.echo("\n## Example\n")
        if not text:
            click.echo(f"A {kind_label(component.kind)} has no section of its own in a study: "
                       f"{problem}.")
        elif problem is None:
            click.echo("A study that uses it (passes `mozaik config check`; the parameters "
                       "not shown keep their defaults):\n")
            click.echo(text)
        else:
            click.echo("A study that uses it, once the required values are filled in (left "
                       "null here: no value could be guessed):\n")
            click.echo(text)
            click.echo(f"\n# config check says:\n# {problem.replace(chr(10), chr(10) + '# ')}")
        click.echo("")
