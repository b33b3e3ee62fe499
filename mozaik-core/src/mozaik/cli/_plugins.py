"""``mozaik plugins``: what is installed and what each plugin provides."""

from __future__ import annotations

import json
from typing import Any

import click

from mozaik.ads import AnalysisDataStructure
from mozaik.plugin import ADS_KIND, COMPONENT_KINDS, get_plugin_manager, kind_label

__all__ = ["plugins"]


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def plugins(as_json: bool) -> None:
    """List installed plugin distributions, their versions and every component they provide."""
    manager = get_plugin_manager()
    registry = manager.registry
    report: list[dict[str, Any]] = []
    for info in manager.plugins():
        kinds: dict[str, list[dict[str, str]]] = {}
        for kind in COMPONENT_KINDS:
            items = [c for c in registry.kind(kind).values() if c.plugin == info.name]
            if items:
                kinds[kind] = [{"name": c.name, "summary": c.summary} for c in items]
        classes = [a for a in registry.analysis_data_structures(AnalysisDataStructure).values()
                   if a.plugin == info.name]
        if classes:
            kinds[ADS_KIND] = [{"name": a.identifier, "summary": a.summary} for a in classes]
        commands = [c.name or "" for c, owner in manager.cli_commands() if owner.name == info.name]
        report.append({**info.as_dict(), "components": kinds, "commands": commands})
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    if not manager.autoload:
        click.echo("(plugin autoload is off: MOZAIK_DISABLE_PLUGIN_AUTOLOAD is set)")
    for entry in report:
        click.echo(f"{entry['distribution']} {entry['version']}  (plugin {entry['name']!r})")
        if not entry["components"] and not entry["commands"]:
            click.echo("    provides nothing yet")
        for kind, items in entry["components"].items():
            click.echo(f"    {kind_label(kind, plural=True)}:")
            width = max(len(i["name"]) for i in items)
            for item in items:
                click.echo(f"      {item['name']:<{width}}  {item['summary']}".rstrip())
        if entry["commands"]:
            click.echo(f"    commands: {', '.join(entry['commands'])}")
