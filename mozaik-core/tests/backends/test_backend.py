"""The Backend base class, core's LocalBackend against the backend contract (on PyNN's mock
backend: no NEST), and `mozaik run` choosing its backend through the registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from mozaik import UnknownComponentError
from mozaik.backends import Backend, LocalBackend, RunOptions
from mozaik.cli._main import cli
from mozaik.controller import RunSummary
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.study import Study
from mozaik.testing import BackendContract, register_components


class TestLocalBackend(BackendContract):
    name = "LocalBackend"
    example_params = {"progress": "off"}

    def manager(self) -> PluginManager:
        return PluginManager(autoload=False)  # core's built-ins only


def test_backend_is_abstract() -> None:
    class NoRun(Backend):
        pass

    with pytest.raises(TypeError, match="abstract"):
        NoRun(None)  # type: ignore[abstract]
    assert issubclass(LocalBackend, Backend)


backend_calls: list[tuple[str, Any, RunOptions | None]] = []


@attrs.frozen(kw_only=True)
class RecordingParams:
    label: str = "default"


class RecordingBackend(Backend[RecordingParams]):
    """Records how `mozaik run` called it instead of running anything."""

    def run(self, study: Study, run_dir: Path, options: RunOptions | None = None) -> RunSummary:
        backend_calls.append((self.params.label, run_dir, options))
        return RunSummary(run_dir=run_dir, planned=0, stored_before=0, presented=0,
                          replayed=0, analyses=0, plots=0, build_s=0.0, simulate_s=0.0,
                          collect_s=0.0, store_s=0.0, analysis_s=0.0, total_s=0.0)


@pytest.fixture
def recording(toy_manager: PluginManager) -> PluginManager:
    register_components(toy_manager, "backends", ComponentSpec(
        name="RecordingBackend", config_cls=RecordingParams, factory=RecordingBackend,
        summary="records its calls", aliases=("rec",)), name="recording",
        distribution="mozaik-recording")
    backend_calls.clear()
    return toy_manager


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_uses_the_backend_option(recording: PluginManager, study_file: Callable[..., Path],
                                     tmp_path: Path) -> None:
    result = _invoke("run", str(study_file()), "--out", str(tmp_path / "r"), "--backend",
                     "RecordingBackend", "--progress", "log")
    assert result.exit_code == 0, result.output
    assert backend_calls == [("default", tmp_path / "r", RunOptions(progress="log", replay=None))]


def test_run_uses_the_study_backend_section(recording: PluginManager,
                                            study_file: Callable[..., Path],
                                            tmp_path: Path) -> None:
    text = """\
    name: toy
    simulator: {backend: mock}
    sheets: {exc: {component: ToySheet}}
    experiments: [{component: NoStimulation, params: {duration_ms: 10.0}}]
    backend: {component: RecordingBackend, params: {label: from-study}}
    """
    result = _invoke("run", str(study_file(text)), "--out", str(tmp_path / "r"),
                     "--no-replay")
    assert result.exit_code == 0, result.output
    assert backend_calls == [("from-study", tmp_path / "r",
                              RunOptions(progress=None, replay=False))]


def test_unknown_backend_lists_the_installed_ones(recording: PluginManager,
                                                  study_file: Callable[..., Path],
                                                  tmp_path: Path) -> None:
    result = _invoke("run", str(study_file()), "--out", str(tmp_path / "r"), "--backend",
                     "Slurm")
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "'Slurm'" in text and "LocalBackend (local), RecordingBackend (rec)" in text
    assert "comes with the plugin distribution that registers it" in text  # the hint
    assert not (tmp_path / "r").exists()


def test_run_accepts_an_alias_the_plugin_declares(recording: PluginManager,
                                                  study_file: Callable[..., Path],
                                                  tmp_path: Path) -> None:
    result = _invoke("run", str(study_file()), "--out", str(tmp_path / "r"), "--backend", "rec")
    assert result.exit_code == 0, result.output
    assert backend_calls == [("default", tmp_path / "r", RunOptions())]


def test_an_alias_of_the_study_backend_keeps_its_section(recording: PluginManager,
                                                         study_file: Callable[..., Path],
                                                         tmp_path: Path) -> None:
    text = """\
    name: toy
    simulator: {backend: mock}
    sheets: {exc: {component: ToySheet}}
    experiments: [{component: NoStimulation, params: {duration_ms: 10.0}}]
    backend: {component: RecordingBackend, params: {label: from-study}}
    """
    result = _invoke("run", str(study_file(text)), "--out", str(tmp_path / "r"), "--backend",
                     "rec")
    assert result.exit_code == 0, result.output
    assert backend_calls[0][0] == "from-study"


def test_run_and_search_resolve_backends_alike(recording: PluginManager,
                                               study_file: Callable[..., Path],
                                               tmp_path: Path) -> None:
    from mozaik.backends import search_backend, study_backend
    from mozaik.search import search_from_mapping
    from mozaik.study import load_study

    path = study_file()
    search = search_from_mapping({"study": str(path), "parameters": {"simulator.seed": [1, 2]},
                                  "backend": "rec", "resources": {"label": "swept"}},
                                 tmp_path, check_plots=False, check_values=False)
    backend = search_backend(search)
    assert isinstance(backend, RecordingBackend) and backend.params.label == "swept"
    assert isinstance(search_backend(search, "local"), LocalBackend)
    study = load_study(path)
    assert isinstance(study_backend(study, "rec"), RecordingBackend)
    errors = []
    for resolve in (lambda: search_backend(search, "Slurm"),
                    lambda: study_backend(study, "Slurm")):
        with pytest.raises(UnknownComponentError) as info:
            resolve()
        errors.append(str(info.value))
    assert errors[0] == errors[1]  # one resolution, one message


@attrs.frozen(kw_only=True)
class FancyParams:
    pass


def fancy_backend(params: FancyParams, /) -> Backend:
    import mozaik_fancy_cluster_client  # type: ignore[import-not-found]  # noqa: F401

    raise AssertionError("not reached: the client is not installed")


def test_a_backend_lacking_a_package_names_its_install_hint(
        toy_manager: PluginManager, study_file: Callable[..., Path], tmp_path: Path) -> None:
    register_components(toy_manager, "backends", ComponentSpec(
        name="FancyBackend", config_cls=FancyParams, factory=fancy_backend,
        install_hint="pip install 'mozaik-fancy[client]'"), name="fancy",
        distribution="mozaik-fancy")
    result = _invoke("run", str(study_file()), "--out", str(tmp_path / "r"), "--backend",
                     "FancyBackend")
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "backend 'FancyBackend' (mozaik-fancy) cannot be built" in text
    assert "mozaik_fancy_cluster_client" in text and "pip install 'mozaik-fancy[client]'" in text


def test_the_build_reports_sheets_and_connectors_with_counts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mozaik.controller import run_study
    from mozaik.study import load_study
    from mozaik.testing import use_plugin_manager
    from mozaik.testing._backend_contract import contract_study_text

    manager = PluginManager(autoload=False)
    path = tmp_path / "study.yaml"
    path.write_text(contract_study_text("mock"))
    with use_plugin_manager(manager):
        run_study(load_study(path, registry=manager.registry), tmp_path / "run", progress="bar")
    err = capsys.readouterr().err
    # shown above the bar, in order, before the first presentation
    assert "building sheet 1/2 'exc' (Sheet)" in err and "sheet 'exc': 16 neurons" in err
    assert "building connector 1/1 'exc_inh' (FixedProbabilityConnector, exc -> inh)" in err
    assert "connector 'exc_inh': " in err and " connections in " in err
    assert err.index("connections in") < err.index("4/4 stim")  # the bar follows the build
    assert "[1/4] stored" not in err  # per-presentation lines are the bar's, not the console's


def test_an_alias_two_backends_declare_is_refused(recording: PluginManager,
                                                  study_file: Callable[..., Path],
                                                  tmp_path: Path) -> None:
    register_components(recording, "backends", ComponentSpec(
        name="OtherBackend", config_cls=RecordingParams, factory=RecordingBackend,
        aliases=("rec",)), name="other", distribution="mozaik-other")
    result = _invoke("run", str(study_file()), "--out", str(tmp_path / "r"), "--backend", "rec")
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "'rec' is declared by OtherBackend (mozaik-other) and RecordingBackend" in text
    assert backend_calls == []
