"""``mozaik config check`` validates everything ``mozaik run`` validates before building
(issue 8 part 3), blames ``--set`` problems on the command line, and the study layout is one
list of sections in :mod:`mozaik.study` (issue 7 part 5)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from mozaik import ConfigError
from mozaik.cli._main import cli
from mozaik.config import ComponentRef, component_refs, non_negative
from mozaik.model import FunctionEntry
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.study import (
    SECTIONS,
    STUDY_SECTIONS,
    WORKFLOW_SECTIONS,
    load_study,
    load_workflow_sections,
)
from mozaik.testing import register_components


@attrs.frozen(kw_only=True)
class VonMisesParams:
    """A plugin's connector function parameters (the issue's ``kappa: -1`` case)."""

    kappa: float = attrs.field(validator=non_negative)
    peak: float = 1.0


@attrs.frozen(kw_only=True)
class ToyBackendParams:
    workers: int = attrs.field(default=1, validator=non_negative)


@pytest.fixture
def with_plugin(plugin_manager: PluginManager) -> PluginManager:
    """Core's built-ins plus a plugin's connector function and backend."""
    register_components(plugin_manager, "connector_functions", ComponentSpec(
        name="VonMises", config_cls=VonMisesParams, factory=lambda p: p, summary="toy"),
        name="toy-functions")
    register_components(plugin_manager, "backends", ComponentSpec(
        name="ToyBackend", config_cls=ToyBackendParams, factory=lambda p: p, summary="toy"),
        name="toy-backends")
    return plugin_manager


STUDY = """\
name: nested
simulator: {backend: mock}
sheets:
  exc:
    component: Sheet
    params:
      placement: {n_neurons: 10}
connectors:
  exc_exc:
    component: ModularBernoulliConnector
    source: exc
    target: exc
    params:
      weight_functions:
        f1: {component: GaussianDistance, params: {sigma_um: 100.0}}
        f2:
          component: VonMises
          params: {kappa: KAPPA}
      weight_expression: f1 * f2
      base_weight_uS: 0.001
"""


def write_study(tmp_path: Path, kappa: str = "2.0", extra: str = "") -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(STUDY.replace("KAPPA", kappa) + textwrap.dedent(extra))
    return path


def test_nested_connector_function_parameters_are_validated(tmp_path: Path,
                                                            with_plugin: PluginManager) -> None:
    assert load_study(write_study(tmp_path)).connectors["exc_exc"].name == (
        "ModularBernoulliConnector")
    with pytest.raises(ConfigError) as info:
        load_study(write_study(tmp_path, "-1"))
    text = str(info.value)
    assert (f"{tmp_path / 'study.yaml'}:18: connectors.exc_exc.params.weight_functions.f2."
            "params.kappa: kappa must be >= 0, got -1") in text


def test_config_check_refuses_what_run_refuses(tmp_path: Path,
                                               with_plugin: PluginManager) -> None:
    result = CliRunner().invoke(cli, ["config", "check", str(write_study(tmp_path, "-1"))])
    assert result.exit_code != 0
    assert "study.yaml:18: connectors.exc_exc.params.weight_functions.f2.params.kappa" in (
        result.output)
    assert "Traceback" not in result.output


def test_unknown_nested_function_is_located(tmp_path: Path, with_plugin: PluginManager) -> None:
    path = write_study(tmp_path)
    path.write_text(path.read_text().replace("component: VonMises", "component: VonMisess"))
    with pytest.raises(ConfigError) as info:
        load_study(path)
    text = str(info.value)
    assert "study.yaml:17: connectors.exc_exc.params.weight_functions.f2.component" in text
    assert "VonMises" in text


def test_nested_references_are_found_everywhere() -> None:
    @attrs.frozen(kw_only=True)
    class Holder:
        one: FunctionEntry
        many: tuple[Any, ...] = ()
        named: dict[str, Any] = attrs.field(factory=dict)

    holder = Holder(one=FunctionEntry(component="A"),
                    many=(1, FunctionEntry(component="B")),
                    named={"x": {"y": FunctionEntry(component="C")}})
    found = [(path, ref.component) for path, ref in component_refs(holder, "p")]
    assert found == [("p.one", "A"), ("p.many.1", "B"), ("p.named.x.y", "C")]
    assert isinstance(holder.one, ComponentRef) and FunctionEntry.KIND == "connector_functions"


def test_override_problems_are_blamed_on_the_command_line(tmp_path: Path,
                                                          with_plugin: PluginManager) -> None:
    path = write_study(tmp_path)
    item = "connectors.exc_exc.params.weight_functions.f2.params.kappa=-3"
    with pytest.raises(ConfigError) as info:
        load_study(path, [item])
    text = str(info.value)
    assert f"command line (--set {item}): connectors.exc_exc.params.weight_functions" in text
    assert "study.yaml:18" not in text
    # replacing a mapping: the file's lines for its old children no longer apply
    item = "sheets.exc.params.placement={n_neurons: -5}"
    with pytest.raises(ConfigError) as info:
        load_study(path, [item])
    assert f"command line (--set {item}): sheets.exc.params.placement.n_neurons" in str(
        info.value)
    assert "study.yaml:7" not in str(info.value)
    for bad, needle in [("sheets.exc.params.placement.n_neurons=[1", "not valid YAML"),
                        ("sheets.exc.prams.x=1", "did you mean"),
                        ("sheets.exc.params.placement.n_neurons=!include x.yaml",
                         "!include is not allowed here"),
                        ("sheets.exc.params.placement.n_neurons=ref('nope') + 1",
                         "'nope' does not exist")]:
        with pytest.raises(ConfigError) as info:
            load_study(path, [bad])
        assert f"command line (--set {bad})" in str(info.value) and needle in str(info.value)


def test_backend_section(tmp_path: Path, with_plugin: PluginManager) -> None:
    study = load_study(write_study(tmp_path, extra="""\
        backend: {component: ToyBackend, params: {workers: 3}}
    """))
    assert study.backend is not None and study.backend.name == "ToyBackend"
    assert study.backend.params == ToyBackendParams(workers=3)
    assert load_study(write_study(tmp_path)).backend is None
    with pytest.raises(ConfigError) as info:
        load_study(write_study(tmp_path, extra="backend: {component: ToyBackend, "
                               "params: {workers: -1}}\n"))
    assert "study.yaml:21: backend.params.workers: workers must be >= 0" in str(info.value)
    with pytest.raises(ConfigError, match=r"backend.component: unknown backend 'Nope'"):
        load_study(write_study(tmp_path, extra="backend: {component: Nope}\n"))


def test_one_list_of_sections(tmp_path: Path, with_plugin: PluginManager) -> None:
    assert tuple(s.name for s in SECTIONS) == STUDY_SECTIONS
    assert "backend" in STUDY_SECTIONS and set(WORKFLOW_SECTIONS) <= set(STUDY_SECTIONS)
    assert {s.kind for s in SECTIONS if s.name == "backend"} == {"backends"}
    with pytest.raises(ConfigError) as info:
        load_study(write_study(tmp_path, extra="bakend: {}\n"))
    assert ("bakend: unknown section (did you mean 'backend'?); a study has: "
            f"{', '.join(STUDY_SECTIONS)}") in str(
        info.value)


def test_workflow_sections(tmp_path: Path, with_plugin: PluginManager) -> None:
    path = tmp_path / "workflow.yaml"
    path.write_text("analyses: []\nplots:\n  - {component: NoSuchPlot}\nextra: 1\n")
    with pytest.raises(ConfigError) as info:
        load_workflow_sections(path)
    text = str(info.value)
    assert "workflow.yaml:4: extra: unknown section; a workflow file has analyses and plots" in (
        text)
    assert "workflow.yaml:3: plots.0.component: unknown plot 'NoSuchPlot'" in text
    # a whole study file is a workflow file too
    assert load_workflow_sections(write_study(tmp_path)) == ((), ())


def test_include_root_option(tmp_path: Path, with_plugin: PluginManager) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "placement.yaml").write_text("n_neurons: 10\n")
    study_dir = tmp_path / "study"
    study_dir.mkdir()
    path = write_study(study_dir)
    path.write_text(path.read_text().replace("placement: {n_neurons: 10}",
                                             "placement: !include ../shared/placement.yaml"))
    refused = CliRunner().invoke(cli, ["config", "check", "-q", str(path)])
    assert refused.exit_code != 0
    assert "outside the folders includes may come from" in " ".join(refused.output.split())
    accepted = CliRunner().invoke(cli, ["config", "check", "-q", "--include-root",
                                         str(shared), str(path)])
    assert accepted.exit_code == 0, accepted.output


def test_the_generic_loader_does_not_load_the_plugin_manager() -> None:
    code = ("import sys, mozaik.config; "
            "found = sorted(m for m in sys.modules if m.startswith(('mozaik.plugin', "
            "'mozaik.study', 'pluggy'))); print(found); sys.exit(1 if found else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_experiments_name_existing_sheets(tmp_path: Path, with_plugin: PluginManager) -> None:
    path = write_study(tmp_path, extra="""\
        experiments:
          - component: PoissonNetworkKick
            params: {duration_ms: 100.0, drive_period_ms: 50.0, sheets: [exc, ihn],
                     rate_hz: 10.0, weight_uS: 0.001}
          - component: CurrentInjection
            params: {sheet: nowhere, amplitudes_nA: [0.1], duration_ms: 10.0}
    """)
    with pytest.raises(ConfigError) as info:
        load_study(path)
    text = str(info.value)
    assert ("study.yaml:23: experiments.0.params.sheets.1: sheet 'ihn' does not exist; the "
            "study's sheets are: exc") in text
    assert "study.yaml:26: experiments.1.params.sheet: sheet 'nowhere' does not exist" in text


def test_constant_delays_within_the_simulator_range(tmp_path: Path,
                                                    with_plugin: PluginManager) -> None:
    path = write_study(tmp_path)
    path.write_text(path.read_text() + "  exc_exc2: {component: FixedProbabilityConnector, "
                    "source: exc, target: exc,\n    params: {probability: 0.1, delay_ms: 0.01}}\n")
    with pytest.raises(ConfigError) as info:
        load_study(path)
    assert ("study.yaml:22: connectors.exc_exc2.params.delay_ms: delays down to 0.01 ms are "
            "below the simulator's min_delay of 0.1 ms") in str(info.value)


def test_config_check_reports_hostile_files_without_a_traceback(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{c}: &{c} [{', '.join([f'*{chr(ord(c) - 1)}'] * 9)}]" for c in "bcdefghi"]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "passwd.yaml").write_text("name: x\nsheets: !include /etc/passwd\n")
    for name, needle in [("bomb.yaml", "MAX_NODES"), ("passwd.yaml", "outside the folders")]:
        result = CliRunner().invoke(cli, ["config", "check", str(tmp_path / name)])
        assert result.exit_code == 1, result.output
        assert needle in " ".join(result.output.split())
        assert "Traceback" not in result.output and "root:" not in result.output
