"""``mozaik plugin new``: a working plugin distribution, ready to install, test and publish.

The generated distribution has a pyproject with the ``mozaik`` entry point and a pin on this
mozaik-core's major version, a ``src/`` layout with one example component of the chosen kind,
tests that subclass :mod:`mozaik.testing`'s contract suites, an example study that uses the
component on NEST, a README, a CHANGELOG and ``py.typed``.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import textwrap
from pathlib import Path

import click

from mozaik._errors import MozaikError
from mozaik.cli._scaffold_kinds import KindTemplate
from mozaik.cli._scaffold_model import MODEL_KINDS
from mozaik.cli._scaffold_workflow import WORKFLOW_KINDS
from mozaik.plugin import HOOK_API_VERSION, kind_label

__all__ = ["KINDS", "new_plugin", "plugin"]

#: Every kind ``mozaik plugin new --kind`` knows, with its template.
KINDS: dict[str, KindTemplate] = {**MODEL_KINDS, **WORKFLOW_KINDS}

_NAME = re.compile(r"^(mozaik-)?(?P<short>[a-z][a-z0-9]*(-[a-z0-9]+)*)$")

# the hook and factory protocol of each component kind, for _plugin.py
_FACTORY = {"input_spaces": "InputSpaceFactory", "sheets": "SheetFactory",
            "connectors": "ConnectorFactory", "connector_functions": "ConnectorFunctionFactory",
            "stimuli": "StimulusFactory", "experiments": "ExperimentFactory",
            "analyses": "AnalysisFactory", "plots": "PlotFactory", "backends": "BackendFactory"}
# the package each factory protocol lives in, with its kind
_FACTORY_HOME = {"InputSpaceFactory": "model", "SheetFactory": "model",
                 "ConnectorFactory": "model", "ConnectorFunctionFactory": "model",
                 "StimulusFactory": "stimulus", "ExperimentFactory": "experiments",
                 "AnalysisFactory": "analysis", "PlotFactory": "plot",
                 "BackendFactory": "controller"}


def core_pin() -> str:
    """The requirement on mozaik-core a generated plugin declares: this major version.

    For a 0.x core the minor version is the compatibility line (``>=0.1,<0.2``).
    """
    major, minor = (int(p) for p in md.version("mozaik-core").split(".")[:2])
    upper = f"{major + 1}" if major else f"0.{minor + 1}"
    return f"mozaik-core>={major}.{minor},<{upper}"


def _names(name: str) -> dict[str, str]:
    found = _NAME.match(name)
    if not found:
        msg = (f"plugin name {name!r}: use lower-case letters, digits and hyphens, starting with "
               "a letter, e.g. 'cochlea' or 'mozaik-cochlea'")
        raise MozaikError(msg)
    short = found["short"]
    return {"__DIST__": f"mozaik-{short}", "__PKG__": f"mozaik_{short.replace('-', '_')}",
            "__EP__": short.replace("-", "_"),
            "__P__": "".join(part.capitalize() for part in short.split("-"))}


def _fill(text: str, tokens: dict[str, str]) -> str:
    for token, value in tokens.items():
        text = text.replace(token, value)
    return text


def _plugin_module(template: KindTemplate) -> str:
    factories = sorted({_FACTORY[r.kind] for r in template.registrations})
    homes: dict[str, list[str]] = {}
    for factory in factories:
        homes.setdefault(_FACTORY_HOME[factory], []).append(factory)
    lines = ['"""The entry point of __DIST__: registers its components lazily."""', "",
             "from __future__ import annotations", "", "from typing import TYPE_CHECKING, Any",
             "", "from mozaik.plugin import ComponentSpec, hookimpl", "", "if TYPE_CHECKING:",
             *(f"    from mozaik.{home} import {', '.join(names)}"
               for home, names in sorted(homes.items())), "",
             f"MOZAIK_HOOK_API = {tuple(HOOK_API_VERSION)!r}", ""]
    for kind in dict.fromkeys(r.kind for r in template.registrations):
        items = [r for r in template.registrations if r.kind == kind]
        imports = "".join(f"        {n},\n" for r in items for n in sorted((r.name,
                                                                           f"{r.name}Params")))
        specs = "".join(f'        ComponentSpec(\n            name="{r.name}",\n'
                        f"            config_cls={r.name}Params,\n            factory={r.name},\n"
                        f'            summary="{r.summary}",\n        ),\n' for r in items)
        hook = f"def mozaik_{kind}() -> list[ComponentSpec[Any, {_FACTORY[kind]}[Any]]]:"
        lines += ["", "@hookimpl", hook, f"    from __PKG__ import (\n{imports}    )", "",
                  f"    return [\n{specs}    ]", ""]
    return "\n".join(lines)


def _init_module(template: KindTemplate) -> str:
    names = sorted(n for r in template.registrations for n in (r.name, f"{r.name}Params"))
    body = "".join(f"    {n},\n" for n in names)
    listed = "".join(f'    "{n}",\n' for n in names)
    return (f'"""__DIST__: a Mozaik plugin."""\n\nfrom __future__ import annotations\n\n'
            f"from __PKG__._components import (\n{body})\n\n__all__ = [\n{listed}]\n")


def _tests(template: KindTemplate) -> str:
    provides: dict[str, list[str]] = {}
    for r in template.registrations:
        provides.setdefault(r.kind, []).append(r.name)
    contracts = sorted({*template.contracts, "PluginDistributionContract"})
    return (f'"""The plugin\'s promises, checked by mozaik.testing\'s contract suites."""\n\n'
            f"from __future__ import annotations\n\n"
            f"from mozaik.testing import {', '.join(contracts)}\n\n\n"
            f"class TestDiscovery(PluginDistributionContract):\n"
            f'    distribution = "__DIST__"\n    entry_point = "__EP__"\n'
            f"    provides = {provides!r}\n\n\n" + template.tests)


def _files(kind: str, template: KindTemplate) -> dict[str, str]:
    first = template.registrations[0]
    label = kind_label(first.kind)
    return {
        "pyproject.toml": textwrap.dedent(f"""\
            [build-system]
            requires = ["hatchling>=1.21"]
            build-backend = "hatchling.build"

            [project]
            name = "__DIST__"
            version = "0.1.0"
            description = "A Mozaik plugin: the {label} {first.name}."
            readme = "README.md"
            requires-python = ">=3.11"
            dependencies = ["{core_pin()}"]

            [project.optional-dependencies]
            test = ["pytest>=8"]
            nest = ["mozaik-core[nest]"]

            [project.entry-points.mozaik]
            __EP__ = "__PKG__._plugin"

            [tool.hatch.build.targets.wheel]
            packages = ["src/__PKG__"]

            [tool.pytest.ini_options]
            addopts = "-p mozaik.testing"
            """),
        "README.md": textwrap.dedent(f"""\
            # __DIST__

            A Mozaik plugin providing the {label} `{first.name}`.

            ```bash
            pip install -e .[test]
            pytest                              # the contract suites of mozaik.testing
            mozaik plugins                      # lists {first.name} under __DIST__
            mozaik run examples/study.yaml      # a small study using it (needs NEST)
            ```
            """),
        "CHANGELOG.md": "# Changelog\n\n## 0.1.0\n\n- First release: "
                        f"the {label} `{first.name}`, generated by `mozaik plugin new`.\n",
        ".gitignore": "__pycache__/\n*.egg-info/\n.venv/\nruns/\n",
        "src/__PKG__/__init__.py": _init_module(template),
        "src/__PKG__/_plugin.py": _plugin_module(template),
        "src/__PKG__/_components.py": template.module,
        "src/__PKG__/py.typed": "",
        "tests/test_components.py": _tests(template),
        "examples/study.yaml": ("# A small study that uses the plugin's component (NEST).\n"
                                f"name: __EP___{kind}\n"
                                "simulator: {backend: nest, time_step: 0.1, seed: 3}\n"
                                "controller: {null_stimulus_period: 20.0}\n" + template.study),
    }


def new_plugin(name: str, kind: str, parent: Path) -> Path:
    """Write the plugin distribution ``mozaik-<name>`` with one ``kind`` component.

    Parameters
    ----------
    name : str
        ``cochlea`` or ``mozaik-cochlea``: the distribution is ``mozaik-cochlea``, its package
        ``mozaik_cochlea``.
    kind : str
        One of :data:`KINDS`.
    parent : pathlib.Path
        Folder that receives the distribution's folder (named like the distribution).

    Returns
    -------
    pathlib.Path
        The distribution's folder.
    """
    if kind not in KINDS:
        msg = f"unknown kind {kind!r} for --kind; choose one of: {', '.join(KINDS)}"
        raise MozaikError(msg)
    tokens = _names(name)
    root = parent / tokens["__DIST__"]
    if root.exists():
        msg = f"{root} already exists; choose another name or remove it first"
        raise MozaikError(msg)
    for relative, text in _files(kind, KINDS[kind]).items():
        path = root / _fill(relative, tokens)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_fill(text, tokens))
    return root


@click.group("plugin")
def plugin() -> None:
    """Write plugin distributions."""


@plugin.command("new")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(list(KINDS)),
              help="Kind of the example component the plugin starts with.")
@click.option("--out", "parent", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Folder to create the plugin in.")
def new(name: str, kind: str, parent: Path) -> None:
    """Create the plugin distribution mozaik-NAME with one example component of KIND.

    It is ready to install (pip install -e mozaik-NAME[test]), test (pytest, with
    mozaik.testing's contract suites) and run (mozaik run mozaik-NAME/examples/study.yaml).
    """
    root = new_plugin(name, kind, parent)
    click.echo(f"created {root}")
    click.echo(f"next: pip install -e {root}[test] && pytest {root}/tests")
