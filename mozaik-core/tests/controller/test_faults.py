"""Faults of a run's storage through the CLI (fake network): a full disk, a run directory that is
read-only before or during the run or holds a complete run on read-only media, and a complete
run whose payload file was cut short.

The faults are real: where this process may mount (root, as in CI), a small tmpfs for the full
disk (ENOSPC) and a read-only bind mount (EROFS); otherwise the file size limit
(``RLIMIT_FSIZE``: EFBIG) and taking the write bits away (EACCES; as root, with the capability
that lets root ignore them dropped for the test's thread).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mozaik._errors import DataStoreFormatError
from mozaik.analysis import Analysis
from mozaik.cli._main import cli
from mozaik.controller import run_study
from mozaik.datastore import DataStore, check_store, damaged_presentations
from mozaik.plugin import HOOK_API_VERSION, ComponentSpec, PluginManager, hookimpl
from mozaik.study import Study
from mozaik.testing import register_components
from test_controller import _spikes
from workflow_helpers import FakeModel, ToyAnalysisParams

ROOT = os.geteuid() == 0


def _can_mount() -> bool:
    """Whether this process may mount file systems (root with CAP_SYS_ADMIN)."""
    if not ROOT or not shutil.which("mount"):
        return False
    with tempfile.TemporaryDirectory() as probe:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", probe],
                              capture_output=True, check=False)
        if done.returncode:
            return False
        subprocess.run(["umount", probe], check=True)
    return True


MOUNT = _can_mount()

@pytest.fixture
def fake_build(monkeypatch: pytest.MonkeyPatch) -> list[FakeModel]:
    """Make the controller build fake networks instead of PyNN ones."""
    import mozaik.model

    built: list[FakeModel] = []

    def build(study: object, registry: object = None) -> FakeModel:
        built.append(FakeModel(study))  # type: ignore[arg-type]
        return built[-1]

    monkeypatch.setattr(mozaik.model, "build_model", build)
    return built


def _invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def _flat(text: str) -> str:
    """Output with the error paragraph's line wrapping undone."""
    return " ".join(text.replace("-\n  ", "-").split())


@contextlib.contextmanager
def _mounted(*args: str) -> Iterator[None]:
    target = args[-1]
    subprocess.run(["mount", *args], check=True)
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", target], check=True)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make the folder ``path`` read-only for this process, as the OS enforces it: a read-only
    bind mount where this process may mount, else no write bits (and, as root, without the
    capability that lets root ignore them)."""
    if MOUNT:
        with _mounted("--bind", str(path), str(path)):
            subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
            yield
        return
    folders = [path, *(p for p in path.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    try:
        with _without_capabilities(_CAP_DAC_OVERRIDE, _CAP_FOWNER) if ROOT else (
                contextlib.nullcontext()):
            yield
    finally:
        for folder in folders:
            folder.chmod(0o755)


_CAP_DAC_OVERRIDE, _CAP_FOWNER = 1, 3  # linux/capability.h


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


@contextlib.contextmanager
def _without_capabilities(*caps: int) -> Iterator[None]:
    """Drop ``caps`` from this thread's effective set (kept in the permitted set, restored)."""
    libc = ctypes.CDLL(None, use_errno=True)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    assert libc.capget(ctypes.byref(header), data) == 0, os.strerror(ctypes.get_errno())
    saved = data[0].effective
    for cap in caps:
        data[0].effective &= ~(1 << cap)
    assert libc.capset(ctypes.byref(header), data) == 0, os.strerror(ctypes.get_errno())
    try:
        yield
    finally:
        data[0].effective = saved
        libc.capset(ctypes.byref(header), data)


@contextlib.contextmanager
def small_disk(path: Path) -> Iterator[tuple[Callable[[], None], Callable[[], None]]]:
    """A folder ``path`` on a small disk; yields functions that fill the disk up and free it."""
    path.mkdir()
    if MOUNT:
        filler = path / "filler"

        def fill() -> None:
            with open(filler, "wb") as fh, contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()

        with _mounted("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(path)):
            yield fill, lambda: filler.unlink()
        return
    # without the right to mount: no file may grow past one byte (EFBIG, not ENOSPC: the same
    # failed write to the run's code)
    saved = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        yield (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (1, saved[1])),
               lambda: resource.setrlimit(resource.RLIMIT_FSIZE, saved))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, saved)
        signal.signal(signal.SIGXFSZ, handler)


def _after_first_presentation(manager: PluginManager, action: Callable[[], None]) -> None:
    """Run ``action`` once, when the first presentation is stored."""
    fired: list[bool] = []

    @hookimpl
    def mozaik_after_presentation(run_dir: Path, stimulus: str, trial: int,
                                  wall_time_s: float) -> None:
        if not fired:
            fired.append(True)
            action()

    plugin = types.ModuleType("mozaik_test_fault")
    plugin.MOZAIK_HOOK_API = HOOK_API_VERSION  # type: ignore[attr-defined]
    plugin.mozaik_after_presentation = mozaik_after_presentation  # type: ignore[attr-defined]
    manager.register(plugin, "fault", distribution="mozaik-test-fault")


def _leftovers(run_dir: Path) -> list[str]:
    return sorted(p.name for p in run_dir.rglob("*") if p.name.endswith(".tmp")
                  or p.name in (".writer.lock", ".writer.reserve"))


def _stimulus_segments(run_dir: Path) -> int:
    with DataStore.open(run_dir) as store:
        seg = store.segment_index.to_pylist()
    return len({r["presentation_id"] for r in seg if not r["is_null"]})


# ---------------------------------------------------------------------------- full disk
def test_a_full_disk_mid_run_ends_in_one_paragraph_and_the_run_resumes(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert _invoke("run", str(study_file()), "--out", str(reference), "--progress",
                   "off").exit_code == 0
    with small_disk(tmp_path / "disk") as (fill, free):
        run_dir = tmp_path / "disk" / "run"
        _after_first_presentation(toy_manager, fill)
        result = _invoke("run", str(study_file()), "--out", str(run_dir), "--progress", "off")
        free()
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        text = _flat(result.output)
        assert f"Error: writing to the run directory {run_dir} failed: " in text
        assert "1 presentation(s) stored before that are safe" in text
        assert f"then complete the run with `mozaik run {run_dir}`" in text
        assert text.count("Error:") == 1 and "run failed: writing" not in text  # one paragraph
        assert _leftovers(run_dir) == []  # no .tmp file, no lock
        assert _stimulus_segments(run_dir) == 1
        if MOUNT:  # a full disk: the writer's reserve makes room to record the failure
            assert "the failure is recorded in its manifest" in text
            manifest = json.loads((run_dir / "manifest.json").read_text())
            assert manifest["status"] == "failed"
            assert "No space left on device" in manifest["sessions"][-1]["error"]
        # space again: the run completes to the store of an uninterrupted run
        result = _invoke("run", str(run_dir), "--progress", "off")
        assert result.exit_code == 0, result.output
        assert _spikes(run_dir) == _spikes(reference)
        assert check_store(run_dir) == []
        manifest = json.loads((run_dir / "manifest.json").read_text())
        assert manifest["status"] == "complete"


def test_a_full_disk_during_analyses_ends_in_one_paragraph(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as (fill, free):
        run_dir = tmp_path / "disk" / "run"
        assert _invoke("run", str(study_file()), "--out", str(run_dir), "--progress",
                       "off").exit_code == 0

        class DiskFiller(Analysis):
            def __init__(self, params: ToyAnalysisParams) -> None:
                pass

            def run(self, view: object) -> list[object]:
                fill()
                return []

        register_components(toy_manager, "analyses", ComponentSpec(
            name="DiskFiller", config_cls=ToyAnalysisParams, factory=DiskFiller),
            name="filler", distribution="mozaik-test-filler")
        workflow = study_file("analyses: [{component: DiskFiller}]\n", name="workflow.yaml")
        result = _invoke("analyse", str(run_dir), str(workflow))
        free()
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        text = _flat(result.output)
        assert f"Error: writing to the run directory {run_dir} failed: " in text
        assert "The recordings and every result stored before are safe" in text
        assert f"then run `mozaik analyse {run_dir}` again" in text
        assert _leftovers(run_dir) == []
        assert check_store(run_dir) == []


# ---------------------------------------------------------------------------- read-only
def test_a_read_only_run_directory_is_refused_before_the_network_is_built(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    with read_only(media):
        result = _invoke("run", str(study_file()), "--out", str(media / "run"), "--progress",
                         "off")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    text = _flat(result.output)
    assert f"Error: cannot write to the run directory {media / 'run'} (it would be made in " \
           f"{media}): " in text
    assert "nothing was done" in text
    assert fake_build == []  # refused before building
    assert list(media.iterdir()) == []


def test_a_run_directory_made_read_only_mid_run_keeps_what_was_stored(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert _invoke("run", str(study_file()), "--out", str(reference), "--progress",
                   "off").exit_code == 0
    run_dir = tmp_path / "run"
    with contextlib.ExitStack() as stack:
        _after_first_presentation(toy_manager, lambda: stack.enter_context(read_only(run_dir)))
        result = _invoke("run", str(study_file()), "--out", str(run_dir), "--progress", "off")
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        text = _flat(result.output)
        assert f"Error: writing to the run directory {run_dir} failed: " in text
        assert "1 presentation(s) stored before that are safe" in text
        assert "its manifest could not be updated" in text
        assert text.count("Error:") == 1
        assert _stimulus_segments(run_dir) == 1
    # writable again: the run completes to the store of an uninterrupted run
    result = _invoke("run", str(run_dir), "--progress", "off")
    assert result.exit_code == 0, result.output
    assert _spikes(run_dir) == _spikes(reference)
    assert check_store(run_dir) == []


def test_a_complete_run_on_read_only_media_is_read_and_analysed_without_writing(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    assert _invoke("run", str(study_file()), "--out", str(run_dir), "--progress",
                   "off").exit_code == 0
    with read_only(run_dir):
        result = _invoke("analyse", str(run_dir))
        assert result.exit_code == 0, result.output
        assert f"{run_dir}: 0 analyses run, 0 plots drawn, 2 unchanged" in result.output
        result = _invoke("show", str(run_dir))
        assert result.exit_code == 0, result.output
        for args in (("analyse", str(run_dir), "--force"), ("run", str(run_dir))):
            result = _invoke(*args)
            assert result.exit_code == 1
            assert "Traceback" not in result.output
            assert f"Error: cannot write to the run directory {run_dir}: " in _flat(
                result.output)


# ---------------------------------------------------------------------------- damaged payloads
def _truncate_payload(run_dir: Path, *, null: bool) -> int:
    """Cut the spike payload of the second stimulus presentation (or its blank) in half."""
    with DataStore.open(run_dir) as store:
        rows = [r for r in store.segment_index.to_pylist() if r["is_null"] == null]
    row = sorted(rows, key=lambda r: r["presentation_id"])[1 if not null else 0]
    path = run_dir / row["spikes_file"]
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)
    return int(row["presentation_id"])


@pytest.mark.parametrize("null", [False, True], ids=["stimulus", "blank"])
def test_a_complete_run_with_a_truncated_payload_is_refused_then_repaired(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path, null: bool) -> None:
    run_dir = tmp_path / "run"
    assert _invoke("run", str(study_file()), "--out", str(run_dir), "--progress",
                   "off").exit_code == 0
    uninterrupted = _spikes(run_dir)
    pid = _truncate_payload(run_dir, null=null)
    result = _invoke("run", str(run_dir), "--progress", "off")
    assert result.exit_code == 1
    text = _flat(result.output)
    assert f"Error: run directory {run_dir} holds 1 damaged presentation(s)" in text
    assert f"presentation {pid} (" in text
    assert f"Run `mozaik run {run_dir} --repair` to drop them" in text
    assert len(fake_build) == 1  # refused before building
    result = _invoke("run", str(run_dir), "--progress", "off", "--repair")
    assert result.exit_code == 0, result.output
    assert "repair: dropped 1 damaged presentation(s)" in result.output
    assert _spikes(run_dir) == uninterrupted
    assert check_store(run_dir) == []
    with DataStore.open(run_dir) as store:
        assert store.manifest["status"] == "complete"
        assert len(store.manifest["repairs"]) == 1


def test_the_repair_asks_on_a_terminal(toy_manager: PluginManager,
                                       study_file: Callable[..., Path],
                                       fake_build: list[FakeModel], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import mozaik.cli._run

    run_dir = tmp_path / "run"
    _invoke("run", str(study_file()), "--out", str(run_dir), "--progress", "off")
    uninterrupted = _spikes(run_dir)
    _truncate_payload(run_dir, null=False)
    monkeypatch.setattr(mozaik.cli._run, "_interactive", lambda: True)
    result = _invoke("run", str(run_dir), "--progress", "off", input="\n")
    assert result.exit_code == 1
    assert "Drop the damaged presentations and simulate them again? [y/N]" in result.output
    result = _invoke("run", str(run_dir), "--progress", "off", input="y\n")
    assert result.exit_code == 0, result.output
    assert _spikes(run_dir) == uninterrupted


def test_run_study_refuses_a_damaged_run(toy_study: Callable[..., Study],
                                         tmp_path: Path) -> None:
    study = toy_study()
    run_study(study, tmp_path / "run", progress="off", build_model=FakeModel)
    _truncate_payload(tmp_path / "run", null=False)
    with DataStore.open(tmp_path / "run") as store:
        assert len(damaged_presentations(store)) == 1
    with pytest.raises(DataStoreFormatError, match="holds 1 damaged presentation"):
        run_study(study, tmp_path / "run", progress="off", build_model=FakeModel)


@pytest.mark.nest
def test_a_repaired_nest_run_has_the_spikes_of_the_uninterrupted_run(
        plugin_manager: PluginManager, tmp_path: Path) -> None:
    from test_run_nest import STUDY
    from test_run_nest import _spikes as nest_spikes

    study = tmp_path / "study.yaml"
    study.write_text(STUDY)
    run_dir = tmp_path / "run"
    assert _invoke("run", str(study), "--out", str(run_dir), "--progress",
                   "off").exit_code == 0
    uninterrupted = nest_spikes(run_dir)
    # the second stimulus: the network state it starts from must be restored by replaying
    pid = _truncate_payload(run_dir, null=False)
    result = _invoke("run", str(run_dir), "--progress", "off")
    assert result.exit_code == 1
    assert f"presentation {pid} (" in _flat(result.output)
    assert f"`mozaik run {run_dir} --repair`" in _flat(result.output)
    result = _invoke("run", str(run_dir), "--progress", "off", "--repair")
    assert result.exit_code == 0, result.output
    assert "1 presentation(s) stored, 1 replayed" in result.output
    assert nest_spikes(run_dir) == uninterrupted
    assert sum(len(v) for v in uninterrupted.values()) > 50


def test_a_write_fault_is_found_behind_the_run_errors_only_inside_the_run_directory(
        tmp_path: Path) -> None:
    import errno

    from mozaik._errors import SimulationError
    from mozaik.controller import write_fault

    run_dir = tmp_path / "run"
    full = OSError(errno.ENOSPC, "No space left on device")  # as Arrow raises it: no file
    try:
        try:
            raise full
        except OSError as exc:
            raise SimulationError("presentation 2/3 failed") from exc
    except SimulationError as wrapped:
        assert write_fault(wrapped, run_dir) is full
    inside = PermissionError(errno.EACCES, "Permission denied", str(run_dir / "manifest.json"))
    outside = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "data.npy"))
    assert write_fault(inside, run_dir) is inside
    assert write_fault(outside, run_dir) is None
    assert write_fault(ValueError("not storage"), run_dir) is None


def test_a_payload_with_fewer_row_groups_than_the_index_names_is_damaged(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    run_dir = tmp_path / "run"
    run_study(toy_study(), run_dir, progress="off", build_model=FakeModel)
    with DataStore.open(run_dir) as store:
        assert damaged_presentations(store) == []
        row = next(r for r in store.segment_index.to_pylist() if not r["is_null"])
    path = run_dir / row["spikes_file"]
    table = pq.read_table(path)
    pq.write_table(table.slice(0, 1), path)  # valid Parquet of the format, one row group
    with DataStore.open(run_dir) as store:
        [damaged] = damaged_presentations(store)
    assert damaged.presentation_id == row["presentation_id"]
    assert not damaged.is_null and damaged.trial == row["trial"]
    assert "names row groups 1..1 but the file has 1" in str(damaged)
