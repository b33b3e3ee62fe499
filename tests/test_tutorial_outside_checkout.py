"""The getting-started commands as a new user types them, from a folder outside the checkout.

Getting started (docs/getting-started.md, "Use mozaik from any folder") and the tutorial say:
activate the environment (``source .venv/bin/activate``), then ``mozaik run <study>`` from the
user's own folder, then the next step the run prints (``next: mozaik show ...``). Here: a bash
shell that sources this environment's own ``bin/activate`` (no other PATH entry for mozaik, no
PYTHONPATH), in a temporary folder outside the checkout, runs the V1 example (the tutorial's
finished study) at the kill-and-resume test's tiny size through ``--set``, then the printed
``mozaik show`` command word for word, then ``mozaik show runs/`` (the runs of the folder) and
``mozaik show runs/latest``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from v1_sizes import V1_TINY

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
ENV = Path(sys.prefix)
ACTIVATE = ENV / "bin" / "activate"
#: The V1 example at seconds (v1_sizes.V1_TINY), no figures.
TINY = (
    *V1_TINY,
    "plots=[]",
)


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` in a new bash after ``source bin/activate``, with a PATH that has no other
    way to mozaik (a user's login PATH) and nothing of the test's own environment."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "MOZAIK_DISABLE_PLUGIN_AUTOLOAD")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    script = f"source {shlex.quote(str(ACTIVATE))} && {command}"
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def test_run_and_next_step_from_a_folder_outside_the_checkout(tmp_path: Path) -> None:
    folder = tmp_path / "my-study"
    folder.mkdir()
    assert ROOT not in folder.resolve().parents
    assert _shell("command -v mozaik", folder).stdout.strip() == str(ENV / "bin" / "mozaik")
    study = ROOT / "examples" / "v1_pushpull"
    sets = " ".join(f"--set {shlex.quote(o)}" for o in TINY)
    run = _shell(f"mozaik run {shlex.quote(str(study))} {sets}", folder)
    assert run.returncode == 0, run.stderr[-3000:]
    printed = re.search(r"^next: (mozaik show \S+) \(", run.stdout + run.stderr, re.M)
    assert printed, f"no next step printed:\n{run.stdout[-2000:]}"
    show = _shell(printed.group(1), folder)
    assert show.returncode == 0, show.stderr[-3000:]
    assert "V1_Exc_L4" in show.stdout and "orientation_rad" in show.stdout, show.stdout
    runs = _shell("mozaik show runs/", folder)
    assert runs.returncode == 0 and "v1_pushpull" in runs.stdout, runs.stdout + runs.stderr
    latest = _shell("mozaik show runs/latest", folder)
    assert latest.returncode == 0 and "V1_Exc_L4" in latest.stdout, latest.stderr[-2000:]
