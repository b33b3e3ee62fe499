"""`mozaik serve` as a user starts it: a real process, stopped with Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from http_get import get_json

MOZAIK = str(Path(sys.executable).with_name("mozaik"))


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# "inherited-ignore": started the way a pytest-xdist worker or `nohup cmd &` starts a child, with
# SIGINT ignored (Python then installs no KeyboardInterrupt handler of its own)
@pytest.mark.parametrize("start", ["default", "inherited-ignore"])
def test_serve_prints_its_url_serves_and_stops_on_ctrl_c(served_dir: Path, start: str) -> None:
    proc = subprocess.Popen([MOZAIK, "serve", str(served_dir), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            preexec_fn=_ignore_sigint if start == "inherited-ignore" else None)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the server listens
        found = re.search(r"Mozaik explorer of (\S+) at (http://127\.0\.0\.1:\d+/)$",
                          line.strip())
        assert found, (line, proc.stderr.read() if proc.poll() is not None else "")
        assert found[1] == str(served_dir)
        status, data = get_json(found[2] + "api/entries")
        assert status == 200 and {e["rel"] for e in data["entries"]} >= {
            "va_example", "runs/v1_tiny", "searches/va_weights"}
        proc.send_signal(signal.SIGINT)
        start = time.monotonic()
        assert proc.wait(30) == 0 and time.monotonic() - start < 30
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_port_in_use_exits_1_with_another_port_to_try(served_dir: Path) -> None:
    import socket

    from click.testing import CliRunner
    from mozaik.cli import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", str(served_dir), "--port", str(port)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: port {port} on 127.0.0.1 is already in use")
    assert "mozaik serve --port" in result.output and "Traceback" not in result.output
