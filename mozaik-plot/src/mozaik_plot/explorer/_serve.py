"""``mozaik serve [DIR]``: start the explorer, refuse clearly when it cannot."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import secrets
import signal
import socket
import threading
from pathlib import Path

import click
from aiohttp import web
from mozaik import MozaikError

from mozaik_plot.explorer._app import make_app

__all__ = ["DEFAULT_PORT", "is_loopback", "serve"]

DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    """Whether ``host`` only reaches this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _free_port(host: str) -> int:
    with contextlib.suppress(OSError), socket.socket() as s:
        s.bind((host if is_loopback(host) else "", 0))
        return int(s.getsockname()[1])
    return 0


async def _start(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        if exc.errno == errno.EADDRINUSE:
            free = _free_port(host)
            msg = (f"port {port} on {host} is already in use (another `mozaik serve`, or "
                   f"another program); start with another port, e.g. `mozaik serve --port "
                   f"{free or port + 1}`")
            raise MozaikError(msg) from exc
        msg = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        raise MozaikError(msg) from exc
    return runner


def serve(root: str | Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *,
          token: str | None = None, echo: bool = True) -> None:
    """Serve the explorer of ``root`` until interrupted (Ctrl-C or SIGTERM).

    Parameters
    ----------
    root : path
        Directory holding run directories and search masters (at any depth up to 4).
    host : str
        Address to listen on; any other than a loopback one requires a token.
    port : int
        TCP port (0: any free one).
    token : str, optional
        The token for a non-loopback host; default: a new random one, printed.
    echo : bool
        Print the URL to open.

    Raises
    ------
    MozaikError
        If the port is in use (suggesting a free one) or the address cannot be bound.
    """
    token = "" if is_loopback(host) else (token or secrets.token_urlsafe(24))
    app = make_app(root, token=token)

    async def main() -> None:
        runner = await _start(app, host, port)
        bound = port
        for site in runner.sites:
            server = getattr(site, "_server", None)
            for sock in getattr(server, "sockets", None) or ():
                bound = int(sock.getsockname()[1])
        if echo:
            shown = f"[{host}]" if ":" in host else host
            url = f"http://{shown}:{bound}/" + (f"?token={token}" if token else "")
            click.echo(f"Mozaik explorer of {Path(root).absolute()} at {url}", err=False)
            if token:
                click.echo("Listening beyond this machine: anyone on the network with this "
                           "URL (and its token) can read the runs.")
            click.echo("Read-only; Ctrl-C stops it.")
        # Ctrl-C and SIGTERM stop the server even where the shell started it with SIGINT
        # ignored (a child inherits an ignored signal, and Python then raises no
        # KeyboardInterrupt); a server started off the main thread stops with its loop.
        stop = asyncio.Event()
        if threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()
            for number in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(number, stop.set)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
