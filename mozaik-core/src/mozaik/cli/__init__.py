"""The ``mozaik`` command line.

Subcommands come from core (``run``, ``analyse``, ``show``, ``plugins``, ``config``) and from
plugins through the ``mozaik_cli_commands`` hook. Errors print one paragraph and exit with 1;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

from mozaik.cli._main import cli, main

__all__ = ["cli", "main"]
