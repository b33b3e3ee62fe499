"""The run directory's lifecycle with real processes and real signals (fake networks): the
directory and its manifest exist before the network is built, a run killed anywhere is closed
out when resumed, SIGINT/SIGTERM/SIGHUP stop a run at a safe point, and a second run into a
busy directory stops before building and leaves the first one's log alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from mozaik import StoreLockedError
from mozaik.cli._main import cli
from mozaik.controller import LOG_FILE, RunInterrupted, run_study, study_from_run_dir
from mozaik.datastore import DataStore, check_store
from mozaik.plugin import PluginManager
from mozaik.study import Study
from test_controller import _spikes
from workflow_helpers import FakeModel

TOY_CLI = Path(__file__).resolve().parents[1] / "support" / "toy_cli.py"
PRESENTATIONS = 3


def _toy(*args: str, **env: str) -> subprocess.Popen[str]:
    """``mozaik ARGS`` with the toy components, in a new process."""
    environ = {**os.environ, "MOZAIK_DISABLE_PLUGIN_AUTOLOAD": "1", **env}
    return subprocess.Popen([sys.executable, str(TOY_CLI), *args], env=environ, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_in_foreground)


def _in_foreground() -> None:
    """Start a child as a foreground command: its stopping signals at their defaults (a shell
    that started these tests in the background ignores SIGINT, and children inherit that)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[str],
              timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the run ended first:\n{process.communicate()[1]}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _stored_lines(run_dir: Path) -> int:
    try:
        return (run_dir / LOG_FILE).read_text().count("] stored ")
    except FileNotFoundError:
        return 0


def _log(run_dir: Path) -> str:
    try:
        return (run_dir / LOG_FILE).read_text()
    except FileNotFoundError:
        return ""


def _flat(text: str) -> str:
    """An error paragraph with its line wrapping undone."""
    return " ".join(text.replace("-\n  ", "-").split())


def _sessions(run_dir: Path) -> list[dict[str, object]]:
    with DataStore.open(run_dir) as store:
        return list(store.manifest["sessions"])


def test_the_run_directory_exists_and_is_locked_while_the_network_is_built(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    seen: dict[str, object] = {}

    def build(s: Study) -> FakeModel:
        with DataStore.open(run_dir) as store:
            seen.update(store.manifest)
        with pytest.raises(StoreLockedError, match=f"pid {os.getpid()}"):
            DataStore.open(run_dir, mode="a")
        return FakeModel(s)

    run_study(toy_study(), run_dir, progress="off", build_model=build)
    assert seen["status"] == "building" and "plan" not in seen
    assert seen["config"] == toy_study().resolved
    [session] = seen["sessions"]  # type: ignore[misc]
    assert session["status"] == "building" and session["pid"] == os.getpid()
    assert session["stored_before"] == 0


def test_a_run_killed_while_building_is_built_again_from_its_directory(
        study_file: Callable[..., Path], toy_study: Callable[..., Study],
        tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    process = _toy("run", str(study_file()), "--out", str(run_dir), "--progress", "off",
                   TOY_KILL_IN_BUILD="1")
    _, err = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, err
    assert f"run directory: {run_dir}" in err
    [killed] = _sessions(run_dir)
    assert killed["status"] == "building"

    summary = run_study(study_from_run_dir(run_dir), run_dir, progress="off",
                        build_model=FakeModel)
    assert summary.presented == PRESENTATIONS
    killed, complete = _sessions(run_dir)
    assert (killed["status"], killed["ended_in"], killed["presented"]) == ("killed", "building", 0)
    assert killed["finished"] is None and killed["last_write"] is not None
    assert complete["status"] == "complete" and complete["resumed"] is True


def test_a_killed_session_is_closed_out_with_what_it_stored(
        toy_manager: PluginManager, study_file: Callable[..., Path], tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    # model.run calls: blank, stimulus, blank, stimulus (killed): one presentation stored
    process = _toy("run", str(study_file()), "--out", str(run_dir), "--progress", "log",
                   TOY_KILL_ON_RUN="3")
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    [running] = _sessions(run_dir)
    assert running["status"] == "running"

    summary = run_study(study_from_run_dir(run_dir), run_dir, progress="off",
                        build_model=FakeModel)
    assert (summary.stored_before, summary.presented) == (1, PRESENTATIONS - 1)
    killed, complete = _sessions(run_dir)
    assert (killed["status"], killed["ended_in"], killed["presented"]) == ("killed", "running", 1)
    assert killed["last_write"] >= killed["started"]  # type: ignore[operator]
    assert complete["stored_before"] == 1


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stopping_signal_stores_what_is_complete_and_says_how_to_resume(
        signum: signal.Signals, study_file: Callable[..., Path],
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    process = _toy("run", str(study_file()), "--out", str(run_dir), "--progress", "log",
                   TOY_SLOW_S="0.15")
    try:
        _wait_for(lambda: _stored_lines(run_dir) >= 1, process)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in err
    assert (f"Interrupted by {signum.name}. What was stored is safe; complete the run with: "
            f"mozaik run {run_dir}") in err
    with DataStore.open(run_dir) as store:
        assert store.manifest["status"] == "interrupted"
        [session] = store.manifest["sessions"]
        stored = len(store.presentations())
    assert session["status"] == "interrupted" and session["signal"] == signum.name
    assert 1 <= stored < PRESENTATIONS and session["presented"] == stored
    assert not [p for p in run_dir.rglob("*") if p.name.endswith(".tmp")]
    assert not (run_dir / ".writer.lock").exists()  # closed cleanly
    assert f"interrupted by {signum.name}" in (run_dir / LOG_FILE).read_text()

    # resuming gives what an uninterrupted run gives
    run_study(study_from_run_dir(run_dir), run_dir, progress="off", build_model=FakeModel)
    run_study(toy_study(), tmp_path / "whole", progress="off", build_model=FakeModel)
    assert _spikes(run_dir) == _spikes(tmp_path / "whole")
    assert [s["status"] for s in _sessions(run_dir)] == ["interrupted", "complete"]
    assert check_store(run_dir) == []


def test_a_signal_while_a_presentation_is_written_waits_for_the_write(
        toy_study: Callable[..., Study], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    run_dir = tmp_path / "run"
    write = DataStore.write_presentation

    def write_then_signal(self: DataStore, *args: object, **kwargs: object) -> object:
        os.kill(os.getpid(), signal.SIGTERM)  # delivered while the write is going on
        return write(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DataStore, "write_presentation", write_then_signal)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(RunInterrupted) as caught:
        run_study(toy_study("controller.null_stimulus_period=0"), run_dir, progress="off",
                  build_model=FakeModel)
    assert caught.value.exit_status == 128 + signal.SIGTERM
    with DataStore.open(run_dir) as store:
        assert len(store.presentations()) == 1  # the write it interrupted is whole
        assert store.manifest["sessions"][0]["signal"] == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) == before  # the handlers are given back


def test_a_second_run_into_a_busy_directory_stops_before_building(
        toy_manager: PluginManager, study_file: Callable[..., Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import mozaik.model

    built: list[Study] = []
    monkeypatch.setattr(mozaik.model, "build_model",
                        lambda s, registry=None: built.append(s) or FakeModel(s))
    run_dir, go = tmp_path / "run", tmp_path / "go"
    first = _toy("run", str(study_file()), "--out", str(run_dir), "--progress", "log",
                 TOY_BUILD_WAIT=str(go))
    try:
        _wait_for(lambda: "building the network" in _log(run_dir), first)
        log_before = _log(run_dir)
        for args in (["run", str(study_file()), "--out", str(run_dir)], ["run", str(run_dir)]):
            result = CliRunner().invoke(cli, [*args, "--progress", "log"])
            assert result.exit_code == 1, result.output
            message = _flat(result.output)
            assert (f"Error: another mozaik process (PID {first.pid}) is writing the run "
                    f"directory {run_dir}; wait for it to finish") in message
            assert "DataStore.open" not in message and "Traceback" not in message
        assert built == []  # nothing was built
        assert _log(run_dir) == log_before  # nothing was written into the other's log
        go.write_text("go")
        _, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
    finally:
        go.write_text("go")
        first.kill()
    assert [s["status"] for s in _sessions(run_dir)] == ["complete"]
    assert "run failed" not in _log(run_dir)


def test_a_run_directory_that_was_never_made_suggests_the_study(
        toy_manager: PluginManager, tmp_path: Path) -> None:
    missing = tmp_path / "runs" / "toy_20260101"
    result = CliRunner().invoke(cli, ["run", str(missing)])
    assert result.exit_code == 1
    message = _flat(result.output)
    assert f"{missing} does not exist" in message
    assert f"mozaik run STUDY --out {missing}" in message
    # a folder that a run never got to write a manifest into says the same
    missing.mkdir(parents=True)
    (missing / LOG_FILE).write_text("")
    message = _flat(CliRunner().invoke(cli, ["run", str(missing)]).output)
    assert f"{missing} is neither a run directory" in message
    assert f"mozaik run STUDY --out {missing}" in message


def test_analyse_of_a_run_being_written_names_the_writer(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_study(toy_study(), run_dir, progress="off", build_model=FakeModel)
    with DataStore.open(run_dir, mode="a"):  # a writer (this process, on its own lock)
        # --force: analyses to redo (with nothing to redo analyse only reads, which is allowed)
        result = CliRunner().invoke(cli, ["analyse", str(run_dir), "--force"])
    assert result.exit_code == 1
    assert (f"another mozaik process (PID {os.getpid()}) is writing {run_dir}; wait for it to "
            f"finish, then run `mozaik analyse {run_dir}` again") in _flat(result.output)


def test_a_signal_ignored_by_the_caller_stays_ignored() -> None:
    """`nohup mozaik run ...` must survive its terminal closing: a stopping signal the process
    was started with ignored (SIGHUP under nohup, SIGINT in a shell's background job) is not
    turned into an interruption; the others are, and are given back afterwards."""
    from mozaik.controller._signals import SignalGuard

    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        guard = SignalGuard()
        guard.install()
        try:
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) == guard._handle
        finally:
            guard.restore()
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) != guard._handle
    finally:
        signal.signal(signal.SIGHUP, before)
