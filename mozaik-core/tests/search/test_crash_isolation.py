"""A point that crashes its process fails alone: real child processes, real signals.

A tiny test-only plugin (a dist-info and a module on ``sys.path``, as an installer lays them
out) registers the analysis ``Crash``, which ends its process the way its ``how`` parameter
says: a segfault, ``abort()``, ``os._exit(3)``, or it holds (writes its pid, waits to be
released or killed). The study is the backend contract's, on PyNN's ``mock`` (no NEST).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mozaik.backends import search_backend
from mozaik.cli._main import cli
from mozaik.search import (
    Search,
    SearchSummary,
    load_search,
    point_dir,
    read_index,
    refresh_index,
    run_search,
)
from mozaik.search._master import save_definition
from mozaik.testing._backend_contract import contract_study_text


def run_own(search: Search, master: Path, **options: Any) -> SearchSummary:
    """Run ``search`` into ``master`` through its own backend (``backend:``/``resources:``)."""
    return run_search(search, master, search_backend(search), **options)


HOW = "analyses.0.params.how"
FLAG = "analyses.0.params.flag"

PLUGIN = '''
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import attrs
from mozaik.analysis import Analysis
from mozaik.plugin import ComponentSpec, hookimpl

MOZAIK_HOOK_API = (2, 0)


@attrs.frozen(kw_only=True)
class CrashParams:
    """how : str, none | segv | abort | exit | hold; flag : str, the file hold writes."""

    how: str = "none"
    flag: str = ""


class Crash(Analysis[CrashParams]):
    """Ends its process the way ``how`` says (hold: write the pid to ``flag``, then wait
    until ``flag.go`` exists)."""

    def run(self, view):
        how = self.params.how
        if how == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif how == "abort":
            os.abort()
        elif how == "exit":
            os._exit(3)
        elif how == "hold":
            Path(self.params.flag).write_text(str(os.getpid()))
            while not Path(self.params.flag + ".go").exists():
                time.sleep(0.05)
        return []


@hookimpl
def mozaik_analyses():
    return [ComponentSpec(name="Crash", config_cls=CrashParams, factory=Crash,
                          summary="ends its process")]
'''


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The plugin installed on ``sys.path`` (and ``PYTHONPATH``), plugin autoload on."""
    root = tmp_path / "site"
    info = root / "crash_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: crash-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[mozaik]\ncrash = crash_plugin\n")
    (root / "crash_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(root), os.environ.get("PYTHONPATH",
                                                                                 "")]))
    monkeypatch.delenv("MOZAIK_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    study = tmp_path / "study"
    study.mkdir()
    (study / "study.yaml").write_text(contract_study_text("mock") + textwrap.dedent("""\
        analyses:
          - {component: Crash, params: {how: none, flag: ''}}
        """))
    return tmp_path


def _search_file(folder: Path, points: list[tuple[str, str]], workers: int) -> Path:
    file = folder / "s.yaml"
    rows = "".join(f"  - {{{HOW}: {how}, {FLAG}: '{flag}'}}\n" for how, flag in points)
    file.write_text(f"study: study\nkind: list\npoints:\n{rows}"
                    f"resources: {{workers: {workers}}}\n")
    return file


def _wait_for(path: Path, timeout_s: float = 240.0) -> int:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if path.exists() and path.read_text():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def _mozaik(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from mozaik.cli import main; sys.exit(main())",
            *args]


def test_a_crash_fails_its_point_alone_and_resume_reruns_only_it(site: Path) -> None:
    file = _search_file(site, [("segv", ""), ("none", ""), ("exit", "")], workers=1)
    master = site / "m"
    first = subprocess.run(_mozaik("search", "run", str(file), "--out", str(master)),
                           capture_output=True, text=True, timeout=300, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "ran 3 point(s); 1 of 3 done, 2 failed" in first.stdout
    rows = read_index(master).to_pylist()
    assert [r["status"] for r in rows] == ["failed", "done", "failed"]
    assert [r["signal"] for r in rows] == ["SIGSEGV", None, None]
    assert [r["exit_code"] for r in rows] == [None, 0, 3]
    assert "killed by SIGSEGV (signal 11)" in rows[0]["error"]
    assert "Segmentation fault" in rows[0]["log_tail"], rows[0]["log_tail"]
    assert "crash_plugin.py" in rows[0]["log_tail"]  # faulthandler's stack of the crash
    assert "exited with status 3" in rows[2]["error"]

    shown = CliRunner().invoke(cli, ["search", "status", str(master)])
    assert "p00000 failed" in shown.output and "killed by SIGSEGV" in shown.output
    one = CliRunner().invoke(cli, ["search", "status", str(master), "--point", "0"])
    assert "its process was killed by SIGSEGV" in one.output

    done_store = point_dir(master, 1) / "manifest.json"
    before = done_store.stat().st_mtime_ns
    again = run_own(load_search(file), master, resume=True)
    assert again.ran == (0, 2), "only the broken points run again"
    assert done_store.stat().st_mtime_ns == before
    assert [r["status"] for r in read_index(master).to_pylist()] == ["failed", "done", "failed"]


def test_kill_9_and_abort_with_two_workers_lose_no_other_point(site: Path) -> None:
    a, b = site / "a.pid", site / "b.pid"
    file = _search_file(site, [("hold", str(a)), ("hold", str(b)), ("abort", ""),
                               ("none", "")], workers=2)
    master = site / "m"
    run = subprocess.Popen(_mozaik("search", "run", str(file), "--out", str(master)),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        victim = _wait_for(a)
        _wait_for(b)  # both points run at once: kill one of them
        os.kill(victim, signal.SIGKILL)
        Path(f"{b}.go").touch()
        out, _ = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == 0, out
    assert "2 of 4 done, 2 failed" in out
    rows = read_index(master).to_pylist()
    assert [r["status"] for r in rows] == ["failed", "done", "failed", "done"]
    assert [r["signal"] for r in rows] == ["SIGKILL", None, "SIGABRT", None]
    assert "kill -9, or the kernel's out-of-memory killer" in rows[0]["error"]
    assert "Aborted" in rows[2]["log_tail"]


def test_ctrl_c_stops_the_search_and_records_the_running_point(site: Path) -> None:
    a = site / "a.pid"
    file = _search_file(site, [("hold", str(a)), ("none", "")], workers=1)
    master = site / "m"
    run = subprocess.Popen(_mozaik("search", "run", str(file), "--out", str(master)),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           preexec_fn=_in_foreground)
    try:
        child = _wait_for(a)
        run.send_signal(signal.SIGINT)
        out, _ = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == 130, out
    assert "--resume" in out
    rows = read_index(master).to_pylist()
    assert [r["status"] for r in rows] == ["incomplete", "missing"]
    assert "interrupted" in rows[0]["error"]
    assert not _alive(child)


def _in_foreground() -> None:
    """Start a child as a foreground command: its stopping signals at their defaults (a shell
    that started these tests in the background ignores SIGINT, and children inherit that)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_point_outlives_no_killed_supervisor(site: Path) -> None:
    a = site / "a.pid"
    file = _search_file(site, [("hold", str(a))], workers=1)
    run = subprocess.Popen(_mozaik("search", "run", str(file), "--out", str(site / "m")),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child = _wait_for(a)
        run.kill()
        run.wait(timeout=30)
    finally:
        run.kill()
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if not _alive(child):
            break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("the point's process went on after its supervisor was killed")


def test_a_cluster_task_records_the_signal_of_its_point(site: Path) -> None:
    """What a Slurm array task runs (``python -m mozaik.search``): the point's crash is
    recorded with its signal, and the task exits 1 (Slurm: FAILED), not by the signal."""
    file = _search_file(site, [("abort", "")], workers=1)
    master = site / "m"
    save_definition(load_search(file), master)
    task = subprocess.run([sys.executable, "-m", "mozaik.search", str(master), "--point", "0"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert task.returncode == 1, task.stdout + task.stderr
    assert "point 0: failed" in task.stdout
    row = refresh_index(master).to_pylist()[0]
    assert (row["status"], row["signal"]) == ("failed", "SIGABRT")
