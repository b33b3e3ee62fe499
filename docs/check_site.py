"""Checks of the built documentation site (run by ``nox -s docs`` after sphinx-build).

The configuration reference has a section for every component every installed distribution
registers (each of the five first-party distributions installed and registering components),
with the component's summary and a row for every field of its parameters class; the CLI
reference has every subcommand. Every field of a first-party component has a description (from
the numpydoc ``Parameters`` section of its parameters class or of a base class).

Usage: ``python docs/check_site.py BUILD_DIR``.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import attrs
import click
from mozaik.cli._main import cli
from mozaik.plugin import PluginManager

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
from mozaik_config_reference import field_rows  # the docs build's own extension

FIRST_PARTY = ("mozaik-core", "mozaik-visual", "mozaik-analysis", "mozaik-plot", "mozaik-hpc")


def main(build: Path) -> int:
    page = (build / "configuration.html").read_text()
    sections = dict(re.findall(r'<section id="(config-[a-z_]+-[a-z0-9_]+)">(.*?)(?=<section|$)',
                               page, flags=re.S))
    registry = PluginManager(autoload=True).registry
    problems, seen = [], set()
    for component in registry.all():
        ident = f"config-{component.kind}-{component.name}".lower()
        seen.add(component.distribution)
        if ident not in sections:
            problems.append(f"{component.distribution}: {component.kind} {component.name} has "
                            "no section in the configuration reference")
            continue
        text = html.unescape(re.sub(r"<[^>]+>", " ", sections[ident]))
        if not component.summary.strip():
            problems.append(f"{component.distribution}: {component.kind} {component.name} has "
                            "no summary: give its ComponentSpec a summary=")
        cls = component.config_cls
        for name, *_, description in field_rows(cls) if attrs.has(cls) else ():
            if name not in text.split():
                problems.append(f"{component.name}: field {name} is not in its table")
            elif component.distribution in FIRST_PARTY and not description:
                problems.append(f"{component.distribution}: {component.name}: field {name} "
                                f"has no description: document it in the Parameters section "
                                f"of {cls.__qualname__} (or of the base class it comes from)")
    installed = {p.distribution for p in PluginManager(autoload=True).plugins()}
    missing = [d for d in FIRST_PARTY if d not in installed]
    if missing:
        problems.append(f"distributions not installed for the docs build: {missing}")
    silent = [d for d in FIRST_PARTY if d in installed and d not in seen]
    if silent:
        problems.append(f"distributions with no component in the reference: {silent}")
    commands = (build / "cli.html").read_text()
    with click.Context(cli) as ctx:
        for name in cli.list_commands(ctx):
            if f'id="mozaik-{name}"' not in commands:
                problems.append(f"mozaik {name} is missing from the CLI reference")
    for problem in problems:
        print(problem, file=sys.stderr)
    n = sum(1 for _ in registry.all())
    print(f"configuration reference: {n} components of {len(seen)} distributions with "
          f"components ({', '.join(sorted(seen))}); {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
