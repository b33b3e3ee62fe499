"""The ``mozaik`` click group: lazy subcommands and uniform error reporting."""

from __future__ import annotations

import importlib
import logging
import sys
import textwrap
from typing import Any

import click

from mozaik._errors import MozaikError

__all__ = ["main"]

# name -> (module, attribute): imported only when the command runs, so `mozaik --help` is fast
_CORE_COMMANDS: dict[str, tuple[str, str, str]] = {
    "analyse": ("mozaik.cli._run", "analyse",
                "Re-run analyses and plots on a saved run without simulating."),
    "check": ("mozaik.cli._check", "check", "Verify a run directory's files against its index."),
    "config": ("mozaik.cli._config", "config", "Inspect and validate study configuration files."),
    "describe": ("mozaik.cli._describe", "describe",
                 "Look a component up: parameters, units, defaults, docs, an example."),
    "export": ("mozaik.cli._export", "export",
               "Export a run to an interchange format (NIX, NWB...; --list shows them)."),
    "plugin": ("mozaik.cli._scaffold", "plugin",
               "Write plugin distributions (mozaik plugin new NAME --kind KIND)."),
    "plugins": ("mozaik.cli._plugins", "plugins",
                "List installed plugins and the components they provide."),
    "run": ("mozaik.cli._run", "run", "Build the model, run its experiments, store everything."),
    "search": ("mozaik.cli._search", "search",
               "Parameter searches: run one, show its points, collate their results."),
    "show": ("mozaik.cli._show", "show", "Summarise a run directory: sheets, stimuli, results."),
}


def _error_paragraph(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    first, _, rest = text.partition("\n")
    wrapped = textwrap.fill(first, width=100, subsequent_indent="  ")
    return f"Error: {wrapped}" + (f"\n{rest}" if rest else "")


class MozaikGroup(click.Group):
    """Adds lazily imported core commands and plugin commands; turns errors into messages."""

    def _plugin_commands(self) -> dict[str, click.Command]:
        from mozaik.plugin import get_plugin_manager

        found: dict[str, click.Command] = {}
        owners: dict[str, str] = {}
        for command, info in get_plugin_manager().cli_commands():
            name = command.name or ""
            if name in _CORE_COMMANDS or name in found:
                first = "mozaik-core" if name in _CORE_COMMANDS else owners[name]
                msg = (f"the subcommand {name!r} is provided twice: by {first} and by "
                       f"{info.distribution}; uninstall or block one of them")
                raise MozaikError(msg)
            found[name] = command
            owners[name] = info.distribution
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(_CORE_COMMANDS)
        try:
            names |= set(self._plugin_commands())
        except MozaikError as exc:
            click.echo(_error_paragraph(exc), err=True)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _CORE_COMMANDS:
            module, attr, _ = _CORE_COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            return command
        return self._plugin_commands().get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, info[2]) for name, info in sorted(_CORE_COMMANDS.items())]
        try:
            rows += [(n, c.get_short_help_str(60)) for n, c in self._plugin_commands().items()]
        except MozaikError as exc:
            click.echo(_error_paragraph(exc), err=True)
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MozaikError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(_error_paragraph(exc), err=True)
            ctx.exit(1)


@click.group(cls=MozaikGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug logs).")
@click.version_option(package_name="mozaik-core", prog_name="mozaik")
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: int) -> None:
    """Mozaik: declare a spiking network model, its experiments, analyses and plots, and run
    them on PyNN/NEST into an Arrow/Parquet datastore."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``mozaik`` script."""
    try:
        cli.main(args=argv, prog_name="mozaik", standalone_mode=True)
    except MozaikError as exc:  # raised while resolving a command, before invoke
        if "--debug" in (argv if argv is not None else sys.argv):
            raise
        click.echo(_error_paragraph(exc), err=True)
        sys.exit(1)
