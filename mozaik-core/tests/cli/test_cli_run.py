"""``mozaik run`` and ``mozaik analyse`` through the CLI (fake network, no simulator)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from mozaik.cli._main import cli
from mozaik.datastore import DataStore
from mozaik.plugin import PluginManager
from workflow_helpers import CALLS, FakeModel


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


def _invoke(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _flat(text: str) -> str:
    """Output with the error paragraph's line wrapping undone."""
    return " ".join(text.replace("-\n  ", "-").split())


def test_run_then_resume_by_run_dir(toy_manager: PluginManager, study_file: Callable[..., Path],
                                    fake_build: list[FakeModel], tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _invoke("run", str(study_file()), "--out", str(out), "--seed", "5",
                     "--progress", "off")
    assert result.exit_code == 0, result.output
    assert f"{out}: 3 presentation(s) stored; 1 analyses, 1 plots" in result.output
    with DataStore.open(out) as store:
        assert store.manifest["config"]["simulator"]["seed"] == 5
    result = _invoke("run", str(out), "--progress", "off")
    assert result.exit_code == 0
    # the docs' "nothing to do": said, and nothing redrawn (issue 26)
    assert f"{out}: complete, nothing to do (every presentation stored, every analysis and plot " \
        "up to date)" in result.output
    with DataStore.open(out) as store:
        steps = store.manifest["workflow"]
    assert {k for k in steps if k.startswith("plots/")} and all(
        "finished" in v for v in steps.values())
    assert len(fake_build) == 1  # a complete run builds no network
    # the last line says what to do next
    assert result.output.strip().splitlines()[-1] == (
        f"next: mozaik show {out} (what was stored); mozaik analyse {out} (re-run analyses "
        "and plots)")


def test_default_run_dir_is_named_from_study_time_and_overrides(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _invoke("run", str(study_file()), "--set", "sheets.exc.params.size=4",
                     "--threads", "1", "--progress", "off")
    assert result.exit_code == 0, result.output
    [run_dir] = [p for p in (tmp_path / "runs").iterdir() if p.name != "latest"]
    assert run_dir.name.startswith("toy_2")
    assert re.search(r"_size-4_threads-1_[0-9a-f]{6}$", run_dir.name), run_dir.name


def test_latest_links_the_newest_run_and_show_lists_the_runs(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    names = []
    for size in (4, 5):
        result = _invoke("run", str(study_file()), "--set", f"sheets.exc.params.size={size}",
                         "--progress", "off")
        assert result.exit_code == 0, result.output
        latest = tmp_path / "runs" / "latest"
        assert latest.is_symlink() and not Path(str(latest.readlink())).is_absolute()
        names.append(latest.resolve().name)
        # the printed next step works as printed, from where the run was started
        show = result.output.strip().splitlines()[-1].split("; ")[0].removeprefix("next: ")
        shown = _invoke(*show.removesuffix(" (what was stored)").split()[1:])
        assert shown.exit_code == 0 and "Status        : complete" in shown.output
    assert names[0] != names[1] and names[1].endswith(
        re.search(r"_size-5_[0-9a-f]{6}$", names[1])[0])  # type: ignore[index]
    result = _invoke("show", "runs/")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["run", "status", "study", "started", "presentations"]
    assert [line.split()[0] for line in lines[1:]] == names
    assert lines[2].split()[1:3] == ["(latest)", "complete"] and lines[2].split()[-1] == "3/3"
    listed = json.loads(_invoke("show", "runs", "--json").output)
    assert [r["run"] for r in listed] == names and listed[1]["latest"]


def test_a_run_directory_cannot_take_overrides(toy_manager: PluginManager,
                                               study_file: Callable[..., Path],
                                               fake_build: list[FakeModel],
                                               tmp_path: Path) -> None:
    out = tmp_path / "run"
    _invoke("run", str(study_file()), "--out", str(out), "--progress", "off")
    result = _invoke("run", str(out), "--seed", "9")
    assert result.exit_code == 1
    text = _flat(result.output)
    assert "is a run directory" in text and "simulator.seed=9" in text


def test_changed_study_into_old_run_dir_is_refused(toy_manager: PluginManager,
                                                   study_file: Callable[..., Path],
                                                   fake_build: list[FakeModel],
                                                   tmp_path: Path) -> None:
    out = tmp_path / "run"
    _invoke("run", str(study_file()), "--out", str(out), "--progress", "off")
    result = _invoke("run", str(study_file()), "--out", str(out), "--seed", "8")
    assert result.exit_code == 1
    assert "different configuration" in result.output
    assert "simulator.seed: 3 in the run, 8 now" in _flat(result.output)


def test_missing_nest_says_how_to_install_it(toy_manager: PluginManager,
                                             study_file: Callable[..., Path],
                                             tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nest", None)  # what Python sees when NEST is absent
    out = tmp_path / "run"
    result = _invoke("run", str(study_file()), "--simulator", "nest", "--out", str(out))
    assert result.exit_code == 1
    assert "the simulator 'nest' (simulator.backend) is not installed" in _flat(result.output)
    assert "pip install 'mozaik-core[nest]'" in _flat(result.output)
    assert not out.exists()  # checked before anything is written


def test_unknown_backend(toy_manager: PluginManager, study_file: Callable[..., Path],
                         tmp_path: Path) -> None:
    result = _invoke("run", str(study_file()), "--simulator", "nestt", "--out",
                     str(tmp_path / "r"))
    assert result.exit_code == 1 and "no backend of that name" in result.output


def test_analyse_runs_the_workflow_without_simulating(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path) -> None:
    out = tmp_path / "run"
    _invoke("run", str(study_file()), "--out", str(out), "--progress", "off")
    CALLS.clear()
    # the stored study's analyses and plots are unchanged: skipped, saying so
    result = _invoke("analyse", str(out))
    assert result.exit_code == 0, result.output
    assert "0 analyses run, 0 plots drawn, 2 unchanged or empty (skipped)" in result.output
    assert "inputs, parameters and code unchanged since" in result.output
    assert CALLS == []
    # --force runs them again
    result = _invoke("analyse", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert "1 analyses run, 1 plots drawn" in result.output
    assert CALLS == [("analysis", "first", 3), ("plot", "raster", 3)]
    # a workflow file with other analyses
    workflow = study_file("""\
    analyses:
      - {component: ToyAnalysis, params: {label: second}}
      - {component: ToyAnalysis, params: {label: ref('analyses.0.params.label')}}
    """, name="workflow.yaml")
    CALLS.clear()
    result = _invoke("analyse", str(out), str(workflow))
    assert result.exit_code == 0, result.output
    assert CALLS == [("analysis", "second", 3), ("analysis", "second", 3)]
    assert len(fake_build) == 1  # no network was built for analysing
    assert "analyses.1 ToyAnalysis (analyses/ToyAnalysis#2) done" in (
        out / "mozaik.log").read_text()


def test_analyse_names_unknown_components(toy_manager: PluginManager,
                                          study_file: Callable[..., Path],
                                          fake_build: list[FakeModel], tmp_path: Path) -> None:
    out = tmp_path / "run"
    _invoke("run", str(study_file()), "--out", str(out), "--progress", "off")
    workflow = study_file("plots: [{component: RasterPlott}]\n", name="wf.yaml")
    result = _invoke("analyse", str(out), str(workflow))
    assert result.exit_code == 1
    assert "plots.0.component: unknown plot 'RasterPlott'; installed plots: ToyPlot" in _flat(
        result.output)


def test_analyse_needs_a_run_directory(toy_manager: PluginManager, tmp_path: Path) -> None:
    result = _invoke("analyse", str(tmp_path))
    assert result.exit_code == 1 and "not a Mozaik datastore" in result.output


def test_ctrl_c_marks_the_run_interrupted_and_says_how_to_resume(
        toy_manager: PluginManager, study_file: Callable[..., Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import mozaik.model

    class Interrupted(FakeModel):
        def run(self, duration: float) -> None:
            if len(self.run_log) == 3:
                raise KeyboardInterrupt
            super().run(duration)

    monkeypatch.setattr(mozaik.model, "build_model", lambda s, registry=None: Interrupted(s))
    out = tmp_path / "run"
    result = _invoke("run", str(study_file()), "--out", str(out), "--progress", "off")
    assert result.exit_code == 130
    assert f"complete the run with: mozaik run {out}" in _flat(result.output)
    with DataStore.open(out) as store:
        assert store.manifest["status"] == "interrupted"
        assert len(store.presentations()) == 1


FAILING_PLOT = """\
  - {component: ToyPlot, params: {title: broken, fail: true}}
  - {component: ToyPlot, params: {title: after}}
"""


def test_a_failing_plot_leaves_the_run_complete_and_says_so(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toy = study_file().read_text()  # the toy study (TOY_STUDY of support/toy_fixtures.py)
    study = study_file(toy + FAILING_PLOT, name="failing.yaml")
    monkeypatch.chdir(tmp_path)
    result = _invoke("run", str(study), "--out", "runs/one", "--progress", "off")
    assert result.exit_code == 1, result.output
    text = _flat(result.output)
    assert ("simulation complete, 1 plot(s) failed: plots.1 (ToyPlot, from mozaik-toy-plot) "
            "failed: ValueError: toy plot failed on purpose") in text
    assert "mozaik analyse runs/one" in text
    with DataStore.open("runs/one") as store:
        manifest = store.manifest
    # the simulation is complete: the manifest says so, and records the plot's failure
    assert manifest["status"] == "complete"
    assert manifest["sessions"][-1]["status"] == "complete"
    assert "toy plot failed on purpose" in manifest["workflow"]["plots/ToyPlot#2"]["failed"]
    assert manifest["workflow"]["plots/ToyPlot#3"]["files"] == ["figures/02_ToyPlot.png"]
    assert [c[:2] for c in CALLS] == [("analysis", "first"), ("plot", "raster"),
                                      ("plot", "after")]
    # analyse tries the failed plot again, and only it
    CALLS.clear()
    result = _invoke("analyse", "runs/one")
    assert result.exit_code == 1
    assert "analyses complete, 1 plot(s) failed: plots.1 (ToyPlot" in _flat(result.output)
    assert "0 analyses run, 0 plots drawn, 3 unchanged or empty (skipped)" in result.output
    assert CALLS == []


def test_a_plot_never_writes_through_a_link_planted_in_figures(
        toy_manager: PluginManager, study_file: Callable[..., Path],
        fake_build: list[FakeModel], tmp_path: Path) -> None:
    """`figures/00_RasterPlot.png -> ~/file` was overwritten by the next `mozaik analyse`:
    now the plot fails alone, naming the link, and the file it points to is untouched."""
    import os

    run_dir = tmp_path / "run"
    assert _invoke("run", str(study_file()), "--out", str(run_dir), "--progress",
                   "off").exit_code == 0
    victim = tmp_path / "victim"
    victim.write_text("precious")
    figure = run_dir / "figures" / "00_ToyPlot.png"
    figure.unlink()
    os.symlink(victim, figure)
    result = _invoke("analyse", str(run_dir), "--force")
    assert result.exit_code == 1
    assert "is a symbolic link" in _flat(result.output)
    assert victim.read_text() == "precious"
