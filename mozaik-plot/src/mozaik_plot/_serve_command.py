"""``mozaik serve``: the click command, light to import (the explorer loads when it runs)."""

from __future__ import annotations

from pathlib import Path

import click
from mozaik import MozaikError

__all__ = ["serve_command"]


@click.command("serve")
@click.argument("directory", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; a non-loopback address gets a token, printed.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port (0: any free port).")
def serve_command(directory: Path, host: str, port: int) -> None:
    """Browse the runs and searches under DIRECTORY in a web browser (read-only, offline)."""
    try:
        from mozaik_plot.explorer import serve
    except ImportError as exc:
        msg = (f"the explorer needs aiohttp ({exc}); install it with "
               "`pip install 'mozaik-plot[explorer]'`")
        raise MozaikError(msg) from exc
    serve(directory, host, port)
