"""The ``mozaik`` command line.

Subcommands come from core (``run``, ``analyse``, ``show``, ``plugins``, ``config``) and from
plugins through the ``mozaik_cli_commands`` hook. Errors print one paragraph and exit with 1;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

from mozaik.cli._main import cli, main
from mozaik.cli._reference import (
    cli_reference,
    component_reference,
    configuration_reference,
    field_rows,
    parameter_docs,
    replace_generated,
)

__all__ = [
    "cli",
    "cli_reference",
    "component_reference",
    "configuration_reference",
    "field_rows",
    "main",
    "parameter_docs",
    "replace_generated",
]
