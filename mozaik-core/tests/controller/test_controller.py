"""The controller on a fake network: presentation protocol, store contents, manifest, hooks,
progress, log file, resume (replay and skip), analyses and plots."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from mozaik._errors import AnalysisError, ConfigError, SimulationError
from mozaik.backends import BACKENDS, LocalBackend, RunOptions
from mozaik.controller import (
    LOG_FILE,
    config_differences,
    default_run_dir,
    run_dir_name,
    run_study,
    study_from_run_dir,
)
from mozaik.datastore import DataStore
from mozaik.plugin import PluginManager
from mozaik.study import Study
from mozaik.testing import HookCallRecorder
from workflow_helpers import CALLS, FakeModel


def _spikes(run_dir: Path) -> dict[tuple[str, int, str], list[float]]:
    """Every stored spike, by (stimulus id, trial, sheet); blanks included."""
    out = {}
    with DataStore.open(run_dir) as store:
        for null in (False, True):
            for sheet in store.sheets():
                view = store.full_view()
                rows = view.segment_index.to_pylist()
                arrays = view.spike_arrays(sheet, null=null)
                for row in rows:
                    if row["sheet_name"] != sheet or row["is_null"] != null:
                        continue
                    mask = arrays.segment_id == row["segment_id"]
                    key = (row["stimulus_id"] + ("#null" if null else ""), row["trial"], sheet)
                    out[key] = sorted(np.round(arrays.times[mask], 6).tolist())
    return out


def test_fresh_run_stores_every_presentation_with_blanks(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    study = toy_study()
    models: list[FakeModel] = []

    def build(s: Study) -> FakeModel:
        models.append(FakeModel(s))
        return models[-1]

    summary = run_study(study, tmp_path / "run", progress="log", build_model=build)
    assert (summary.planned, summary.presented, summary.replayed) == (3, 3, 0)
    assert (summary.analyses, summary.plots) == (1, 1)
    model = models[0]
    assert model.ended
    # blank of 50 ms before each stimulus; stimuli of 100, 100, 200 ms, run in chunks of
    # controller.progress_chunk_ms (100 ms by default)
    assert model.run_log == [(0.0, 50.0), (50.0, 100.0), (150.0, 50.0), (200.0, 100.0),
                             (300.0, 50.0), (350.0, 100.0), (450.0, 100.0)]
    with DataStore.open(tmp_path / "run") as store:
        stimuli = store.presentations()
        blanks = store.presentations(null=True)
        assert [t for _, t in stimuli] == [0, 1, 0]
        assert len(blanks) == 3 and all(s.name == "Null" for s, _ in blanks)
        rows = store.segment_index.to_pylist()
        spans = sorted({(r["t_start"], r["t_stop"], r["is_null"]) for r in rows})
        assert spans == [(0.0, 50.0, True), (50.0, 150.0, False), (150.0, 200.0, True),
                         (200.0, 300.0, False), (300.0, 350.0, True), (350.0, 550.0, False)]
        assert store.sheets() == ["exc", "inh"]
        manifest = store.manifest
    assert manifest["status"] == "complete" and manifest["end_time"]
    assert manifest["study"] == "toy"
    assert manifest["config"] == json.loads(json.dumps(study.resolved))
    provenance = manifest["provenance"]
    assert {"name": "toy_analysis", "distribution": "mozaik-toy-analysis",
            "version": "0.0.1"} in provenance["plugins"]
    assert "mozaik-core" in {p["distribution"] for p in provenance["plugins"]}
    assert provenance["simulator"]["backend"] == "mock"
    assert provenance["host"]
    [session] = manifest["sessions"]
    assert session["status"] == "complete" and session["presented"] == 3
    assert set(session) >= {"build_s", "simulate_s", "store_s", "started", "finished"}
    assert CALLS == [("analysis", "first", 3), ("plot", "raster", 3)]
    assert (tmp_path / "run" / "figures" / "00_ToyPlot.png").read_text() == "raster"


def test_log_lines_and_log_file(toy_study: Callable[..., Study], tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    run_study(toy_study(), tmp_path / "run", progress="log", build_model=FakeModel)
    err = capsys.readouterr().err
    assert "[1/3] stored experiments.0 InternalStimulus(NoStimulation) trial 0" in err
    assert "ETA" in err and "t = 550 ms" in err
    log = (tmp_path / "run" / LOG_FILE).read_text()
    assert "[3/3] stored" in log and "run complete" in log


def test_bar_mode_keeps_the_console_quiet_but_logs_to_file(
        toy_study: Callable[..., Study], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    run_study(toy_study(), tmp_path / "run", progress="bar", build_model=FakeModel)
    err = capsys.readouterr().err
    assert "3/3" in err and "stim" in err  # the tqdm bar
    assert "[1/3] stored" not in err
    assert "[1/3] stored" in (tmp_path / "run" / LOG_FILE).read_text()


def test_lifecycle_hooks(toy_study: Callable[..., Study], tmp_path: Path,
                         recorder: HookCallRecorder) -> None:
    run_dir = tmp_path / "run"
    study = toy_study()
    run_study(study, run_dir, progress="off", build_model=FakeModel)
    names = [n for n in recorder.names() if n in (
        "mozaik_run_started", "mozaik_before_presentation", "mozaik_after_presentation",
        "mozaik_run_finished")]
    assert names == ["mozaik_run_started"] + ["mozaik_before_presentation",
                                              "mozaik_after_presentation"] * 3 + [
        "mozaik_run_finished"]
    started = recorder.of("mozaik_run_started")[0].kwargs
    assert started["run_dir"] == run_dir and started["config"]["name"] == "toy"
    before = [c.kwargs for c in recorder.of("mozaik_before_presentation")]
    assert [(b["index"], b["total"], b["trial"]) for b in before] == [(0, 3, 0), (1, 3, 1),
                                                                      (2, 3, 0)]
    assert json.loads(before[0]["stimulus"])["name"] == "InternalStimulus"
    after = recorder.of("mozaik_after_presentation")[0].kwargs
    assert after["wall_time_s"] >= 0
    assert isinstance(recorder.of("mozaik_run_finished")[0].kwargs["store"], DataStore)


def test_duplicate_presentations_are_presented_once(toy_study: Callable[..., Study],
                                                    tmp_path: Path) -> None:
    text = """\
    name: dup
    simulator: {backend: mock}
    sheets: {exc: {component: ToySheet}}
    experiments:
      - {component: NoStimulation, params: {duration_ms: 100.0, num_trials: 2}}
      - {component: NoStimulation, params: {duration_ms: 100.0, num_trials: 3}}
    """
    summary = run_study(toy_study(text=text), tmp_path / "run", progress="off",
                        build_model=FakeModel)
    assert summary.planned == 3 and summary.presented == 3


def test_reset_instead_of_blank(toy_study: Callable[..., Study], tmp_path: Path) -> None:
    models: list[FakeModel] = []

    def build(s: Study) -> FakeModel:
        models.append(FakeModel(s))
        return models[-1]

    run_study(toy_study("controller.reset=true"), tmp_path / "run", progress="off",
              build_model=build)
    assert models[0].resets == 2
    assert models[0].run_log == [(0.0, 100.0), (0.0, 100.0), (0.0, 100.0), (100.0, 100.0)]
    with DataStore.open(tmp_path / "run") as store:
        assert store.presentations(null=True) == []


def _crash_then_resume(toy_study: Callable[..., Study], run_dir: Path, fail_on_run: int,
                       *overrides: str, replay: bool | None = None) -> tuple[object, list]:
    study = toy_study(*overrides)
    with pytest.raises(SimulationError, match=r"presentation 2/3 .*trial 1.*1 presentation"):
        run_study(study, run_dir, progress="off",
                  build_model=lambda s: FakeModel(s, fail_on_run=fail_on_run))
    with DataStore.open(run_dir) as store:
        assert len(store.presentations()) == 1
        manifest = store.manifest
    assert manifest["status"] == "failed"
    assert "fake simulator crashed" in manifest["sessions"][0]["error"]
    models: list[FakeModel] = []

    def build(s: Study) -> FakeModel:
        models.append(FakeModel(s))
        return models[-1]

    summary = run_study(toy_study(*overrides), run_dir, progress="off", replay=replay,
                        build_model=build)
    return summary, models


def test_resume_replays_to_restore_state(toy_study: Callable[..., Study],
                                         tmp_path: Path) -> None:
    run_study(toy_study(), tmp_path / "whole", progress="off", build_model=FakeModel)
    summary, models = _crash_then_resume(toy_study, tmp_path / "run", 3)
    assert (summary.stored_before, summary.replayed, summary.presented) == (1, 1, 2)
    assert _spikes(tmp_path / "run") == _spikes(tmp_path / "whole")
    with DataStore.open(tmp_path / "run") as store:
        assert [s["status"] for s in store.manifest["sessions"]] == ["failed", "complete"]
    # the blank of the crashed presentation was stored before the crash: not written twice
    assert len(_spikes(tmp_path / "run")) == 12


def test_resume_without_replay_starts_from_a_fresh_network(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    run_study(toy_study(), tmp_path / "whole", progress="off", build_model=FakeModel)
    summary, models = _crash_then_resume(toy_study, tmp_path / "run", 3, replay=False)
    assert (summary.replayed, summary.presented) == (0, 2)
    assert models[0].run_log[0] == (0.0, 50.0)  # the blank before the second stimulus
    assert len(models[0].run_log) == 5  # blank, stimulus, blank, two chunks
    assert _spikes(tmp_path / "run") != _spikes(tmp_path / "whole")


def test_resume_with_reset_skips_stored_presentations(toy_study: Callable[..., Study],
                                                      tmp_path: Path) -> None:
    summary, models = _crash_then_resume(toy_study, tmp_path / "run", 1,
                                         "controller.reset=true")
    assert (summary.replayed, summary.presented) == (0, 2)
    assert models[0].run_log == [(0.0, 100.0), (0.0, 100.0), (100.0, 100.0)]


def test_completed_run_is_not_simulated_or_analysed_again(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    run_study(toy_study(), tmp_path / "run", progress="off", build_model=FakeModel)
    CALLS.clear()
    models: list[FakeModel] = []

    def build(s: Study) -> FakeModel:
        models.append(FakeModel(s))
        return models[-1]

    summary = run_study(toy_study(), tmp_path / "run", progress="off", build_model=build)
    assert (summary.presented, summary.replayed, summary.stored_before) == (0, 0, 3)
    assert (summary.analyses, summary.plots) == (0, 0)
    assert models == [] and CALLS == []  # decided from the manifest's plan: nothing built
    assert summary.build_s == 0.0


def test_complete_run_without_analyses_done_runs_only_them(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    with pytest.raises(AnalysisError):
        run_study(toy_study("analyses.0.params.fail=true"), tmp_path / "run", progress="off",
                  build_model=FakeModel)
    CALLS.clear()
    with DataStore.open(tmp_path / "run", mode="a") as store:  # the analysis is fixed
        config = store.manifest["config"]
        config["analyses"][0]["params"]["fail"] = False
        store.update_manifest(config=config)
    models: list[FakeModel] = []
    summary = run_study(study_from_run_dir(tmp_path / "run"), tmp_path / "run",
                        progress="off", build_model=lambda s: models.append(FakeModel(s)))
    assert models == [] and (summary.presented, summary.analyses, summary.plots) == (0, 1, 1)
    assert CALLS == [("analysis", "first", 3), ("plot", "raster", 3)]


def test_another_configuration_cannot_resume_a_run(toy_study: Callable[..., Study],
                                                   tmp_path: Path) -> None:
    run_study(toy_study(), tmp_path / "run", progress="off", build_model=FakeModel)
    with pytest.raises(ConfigError, match=r"sheets\.exc\.params\.size: 6 in the run, 7 now"):
        run_study(toy_study("sheets.exc.params.size=7"), tmp_path / "run", progress="off",
                  build_model=FakeModel)


def test_a_non_empty_folder_is_not_a_run_directory(toy_study: Callable[..., Study],
                                                   tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty and holds no Mozaik datastore"):
        run_study(toy_study(), tmp_path / "run", progress="off", build_model=FakeModel)


def test_failing_analysis_names_the_entry_and_keeps_recordings(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    study = toy_study("analyses.0.params.fail=true")
    with pytest.raises(AnalysisError, match=r"analyses\.0 \(ToyAnalysis, from "
                       r"mozaik-toy-analysis\) failed: ValueError.*mozaik analyse"):
        run_study(study, tmp_path / "run", progress="off", build_model=FakeModel)
    with DataStore.open(tmp_path / "run") as store:
        assert len(store.presentations()) == 3


def test_study_from_run_dir_and_local_backend(toy_study: Callable[..., Study],
                                              toy_manager: PluginManager,
                                              tmp_path: Path) -> None:
    study = toy_study("simulator.seed=11")
    summary = LocalBackend(build_model=FakeModel).run(study, tmp_path / "run",
                                                      RunOptions(progress="off"))
    assert summary.presented == 3
    again = study_from_run_dir(tmp_path / "run", toy_manager.registry)
    assert again.resolved == json.loads(json.dumps(study.resolved))
    assert again.simulator.seed == 11 and again.analyses[0].name == "ToyAnalysis"
    assert toy_manager.registry[BACKENDS]["LocalBackend"].factory is LocalBackend


def test_same_seed_same_spikes_other_seed_other_spikes(toy_study: Callable[..., Study],
                                                       tmp_path: Path) -> None:
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        run_study(toy_study(f"simulator.seed={seed}"), tmp_path / name, progress="off",
                  build_model=FakeModel)
    assert _spikes(tmp_path / "a") == _spikes(tmp_path / "b") != _spikes(tmp_path / "c")


def test_run_dir_names() -> None:
    import datetime as dt

    now = dt.datetime(2026, 11, 21, 9, 5, 7)
    assert run_dir_name("VA 2005", [], now) == "VA-2005_20261121-090507"
    name = run_dir_name("va", ["sheets.exc.params.size=800", "simulator.seed=3"], now)
    assert re.fullmatch(r"va_20261121-090507_size-800_seed-3_[0-9a-f]{6}", name), name
    # two list items with one leaf name never look alike (the hash is of the whole overrides)
    one = run_dir_name("va", ["experiments.0.params.duration_ms=500"], now)
    two = run_dir_name("va", ["experiments.1.params.duration_ms=500"], now)
    assert one != two and one.startswith("va_20261121-090507_duration_ms-500_")
    # the 202 characters with '=' and '[': short and shell-safe now
    values = [f"sheets.exc.params.placement.size_um=[{i}.0, {i}.0]" for i in range(8)] + [
        "connectors.exc_exc.params.probability=64.0 / ref('sheets.exc.params.n')"]
    long = run_dir_name("vogels_abbott2005", values, now)
    assert len(long) <= 96 and re.fullmatch(r"[A-Za-z0-9._-]+", long), long
    first = default_run_dir("va", [], parent="/nonexistent-parent", now=now)
    assert first.name == "va_20261121-090507"


def test_config_differences() -> None:
    a = {"x": {"y": 1, "z": [1, 2]}, "k": "v"}
    b = {"x": {"y": 2, "z": [1, 3]}, "n": 1}
    assert config_differences(a, b) == [
        "k: 'v' in the run, absent now", "n: absent in the run, 1 now",
        "x.y: 1 in the run, 2 now", "x.z.1: 2 in the run, 3 now"]
    assert config_differences(a, a) == []


def test_a_study_that_fails_to_build_leaves_no_run_directory(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    def broken(s: Study) -> FakeModel:
        raise ConfigError("connectors.x.params.kappa: must be >= 0, got -1")

    with pytest.raises(ConfigError, match="kappa"):
        run_study(toy_study(), tmp_path / "run", progress="off", build_model=broken)
    assert not (tmp_path / "run").exists()
    # an experiment naming a sheet that does not exist is refused when the study is loaded,
    # before any run directory could be made
    text = """\
    name: bad
    simulator: {backend: mock}
    sheets: {exc: {component: ToySheet}}
    experiments:
      - {component: PoissonNetworkKick, params: {duration_ms: 100.0, drive_period_ms: 50.0,
                                                 sheets: [nope], rate_hz: 10.0, weight_uS: 0.1}}
    """
    with pytest.raises(ConfigError, match=r"experiments\.0\.params\.sheets\.0: sheet 'nope'"):
        toy_study(text=text)
    assert not (tmp_path / "run").exists()


def test_a_run_directory_without_presentations_takes_a_corrected_study(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    with pytest.raises(SimulationError):  # the first presentation crashes: nothing stored
        run_study(toy_study("sheets.exc.params.size=9"), run_dir, progress="off",
                  build_model=lambda s: FakeModel(s, fail_on_run=0))
    with DataStore.open(run_dir) as store:
        assert store.presentations() == [] and len(store.neuron_ids("exc")) == 9
    summary = run_study(toy_study(), run_dir, progress="off", build_model=FakeModel)
    assert summary.presented == 3
    with DataStore.open(run_dir) as store:
        assert store.manifest["config"]["sheets"]["exc"]["params"]["size"] == 6
        assert [s["status"] for s in store.manifest["sessions"]] == ["complete"]
        assert len(store.neuron_ids("exc")) == 6  # the stale network's 9 neurons are gone
    assert "failed" in (run_dir / LOG_FILE).read_text()  # the log of the first try is kept


def test_stimulus_names_are_checked_against_the_registry(
        toy_manager: PluginManager, tmp_path: Path) -> None:
    from mozaik.controller import plan_presentations
    from mozaik.experiments import Experiment
    from mozaik.stimulus import InternalStimulus, InternalStimulusParams

    class Misnamed(InternalStimulus):
        name = "Internal"
        __slots__ = ()

    class Shows(Experiment):
        def stimuli(self) -> list:
            return [Misnamed(InternalStimulusParams(duration_ms=10.0))]

    with pytest.raises(SimulationError, match=r"experiments\.0 \(Shows\) presents a Misnamed "
                       r"whose name is 'Internal', but it is registered as 'InternalStimulus'"):
        plan_presentations([Shows(None, None)], toy_manager.registry)


def test_the_build_is_reported_and_progress_moves_within_a_presentation(
        toy_study: Callable[..., Study], tmp_path: Path) -> None:
    from mozaik.controller import Progress

    run_study(toy_study("controller.progress_chunk_ms=50"), tmp_path / "run", progress="log",
              build_model=FakeModel)
    log = (tmp_path / "run" / LOG_FILE).read_text()
    assert "building the network" in log and "exc (6 neurons), inh (3 neurons)" in log
    seen: list[float] = []

    class Bar(Progress):
        def simulated(self, sim_ms: float, t_now_ms: float, label: str = "") -> None:
            seen.append(t_now_ms)
            super().simulated(sim_ms, t_now_ms, label)

    import mozaik.controller._steps as run_module

    original = run_module.Progress
    run_module.Progress = Bar  # type: ignore[misc]
    try:
        run_study(toy_study("controller.progress_chunk_ms=50"), tmp_path / "run2",
                  progress="off", build_model=FakeModel)
    finally:
        run_module.Progress = original  # type: ignore[misc]
    # 50 ms chunks: the 200 ms stimulus moves the progress four times
    assert seen == [50.0, 100.0, 150.0, 200.0, 250.0, 300.0, 350.0, 400.0, 450.0, 500.0, 550.0]


def test_a_run_of_an_older_format_is_not_completed(toy_study: Callable[..., Study],
                                                   tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    with pytest.raises(SimulationError):  # one presentation stored, then a crash
        run_study(toy_study(), run_dir, progress="off",
                  build_model=lambda s: FakeModel(s, fail_on_run=3))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["format_version"] = 1
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match=r"datastore format 1 by an older mozaik-core .*"
                       r"duration -> duration_ms.*new run directory"):
        run_study(toy_study(), run_dir, progress="off", build_model=FakeModel)
