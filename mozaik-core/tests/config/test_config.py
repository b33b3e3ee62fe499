from __future__ import annotations

import textwrap
from pathlib import Path

import attrs
import pytest
from mozaik import ConfigError
from mozaik.config import (
    Distribution,
    ExpressionError,
    load_config,
    parse_expression,
    structure,
)
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.study import load_study
from mozaik.testing import register_components


@attrs.frozen(kw_only=True)
class CellParams:
    tau_m: float = 20.0
    v_rest: float | Distribution = -60.0


@attrs.frozen(kw_only=True)
class ToySheetParams:
    sx: float
    density: float
    cell: CellParams = CellParams()
    labels: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ToyConnectorParams:
    probability: float
    weight_uS: float = 0.004


@attrs.frozen(kw_only=True)
class ToyExperimentParams:
    duration_ms: float


@pytest.fixture
def toys(bare_plugin_manager: PluginManager) -> PluginManager:
    def spec(name: str, cls: type) -> ComponentSpec:
        return ComponentSpec(name=name, config_cls=cls, factory=lambda *a: a, summary=name)

    register_components(bare_plugin_manager, "sheets", spec("ToySheet", ToySheetParams),
                        name="toy-sheets")
    register_components(bare_plugin_manager, "connectors",
                        spec("ToyConnector", ToyConnectorParams), name="toy-conn")
    register_components(bare_plugin_manager, "experiments",
                        spec("ToyExperiment", ToyExperimentParams), name="toy-exp")
    return bare_plugin_manager


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


STUDY = """
    name: toy
    simulator: {backend: mock, time_step: 0.1, seed: 3}
    sheets:
      exc:
        component: ToySheet
        params:
          sx: 1000.0
          density: 800.0
          cell: !include cells/exc.yaml
      inh:
        component: ToySheet
        params:
          sx: ref('sheets.exc.params.sx') / 2
          density: "ref('sheets.exc.params.density') * 0.25"
    connectors:
      exc_inh:
        component: ToyConnector
        source: exc
        target: inh
        params: {probability: !expr 0.02 * 2}
    experiments:
      - component: ToyExperiment
        params: {duration_ms: ref('sheets.inh.params.sx') + sqrt(16)}
"""


def test_full_study_loads(tmp_path: Path, toys: PluginManager) -> None:
    write(tmp_path / "cells/exc.yaml", "tau_m: 15.0\nv_rest: {distribution: normal, mu: -60.0, "
          "sigma: 2.0}\n")
    study = load_study(write(tmp_path / "study.yaml", STUDY))
    exc = study.sheets["exc"].params
    assert exc.cell == CellParams(tau_m=15.0, v_rest=Distribution(
        name="normal", params={"mu": -60.0, "sigma": 2.0}))
    assert study.sheets["inh"].params.sx == 500.0
    assert study.sheets["inh"].params.density == 200.0
    assert study.connectors["exc_inh"].params.probability == pytest.approx(0.04)
    assert study.experiments[0].params.duration_ms == 504.0
    assert study.simulator.backend == "mock" and study.simulator.seed == 3
    # the resolved tree keeps distributions as plain data for the manifest
    assert study.resolved["sheets"]["exc"]["params"]["cell"]["v_rest"]["distribution"] == "normal"
    # a directory means its study.yaml
    assert load_study(tmp_path).name == "toy"


def test_overrides_by_dotted_path(tmp_path: Path, toys: PluginManager) -> None:
    write(tmp_path / "cells/exc.yaml", "tau_m: 15.0\n")
    study = load_study(write(tmp_path / "study.yaml", STUDY),
                       ["sheets.exc.params.density=2000", "experiments.0.params.duration_ms=7"])
    assert study.sheets["exc"].params.density == 2000.0
    assert study.sheets["inh"].params.density == 500.0  # refs see the override
    assert study.experiments[0].params.duration_ms == 7.0


def test_override_typo_suggests(tmp_path: Path, toys: PluginManager) -> None:
    write(tmp_path / "cells/exc.yaml", "tau_m: 15.0\n")
    with pytest.raises(ConfigError, match="did you mean 'sheets.exc.params.density'"):
        load_study(write(tmp_path / "study.yaml", STUDY), ["sheets.exc.params.densty=1"])
    with pytest.raises(ConfigError, match="dotted.path=value"):
        load_study(tmp_path / "study.yaml", ["sheets.exc.params.density"])


def test_missing_include(tmp_path: Path) -> None:
    f = write(tmp_path / "a.yaml", "x: !include nowhere.yaml\n")
    with pytest.raises(ConfigError) as info:
        load_config(f)
    text = str(info.value)
    assert "nowhere.yaml" in text and "a.yaml:1" in text and "relative to the including" in text


def test_include_cycle(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "x: !include b.yaml\n")
    write(tmp_path / "b.yaml", "y: !include sub/c.yaml\n")
    write(tmp_path / "sub/c.yaml", "z: !include ../a.yaml\n")
    with pytest.raises(ConfigError, match=r"include cycle: .*a.yaml -> .*b.yaml -> .*c.yaml -> "
                       r".*a.yaml"):
        load_config(tmp_path / "a.yaml")


def test_merge_include_overrides_base(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", "a: 1\nb: {c: 2, d: 3}\n")
    f = write(tmp_path / "top.yaml", "x:\n  <<: !include base.yaml\n  b: {d: 4}\n")
    assert load_config(f).data == {"x": {"a": 1, "b": {"c": 2, "d": 4}}}


def test_ref_to_missing_path(tmp_path: Path) -> None:
    f = write(tmp_path / "a.yaml", "a: {b: 1}\nc: ref('a.bb') * 2\n")
    with pytest.raises(ConfigError) as info:
        load_config(f)
    text = str(info.value)
    assert "a.yaml:2: c:" in text and "'a.bb' does not exist" in text
    assert "did you mean 'a.b'" in text


def test_ref_cycle(tmp_path: Path) -> None:
    f = write(tmp_path / "a.yaml", "a: ref('b') + 1\nb: ref('c')\nc: ref('a')\n")
    with pytest.raises(ConfigError, match=r"reference cycle: a -> b -> c -> a"):
        load_config(f)


@pytest.mark.parametrize("text", [
    "__import__('os').system('echo hi')",
    "ref('a').__class__",
    "open('x')",
    "[1, 2][0]",
    "lambda: 1",
    "'a' * 3",
    "ref('a') if 1 else 2",
    "x",
])
def test_expressions_outside_the_whitelist(text: str) -> None:
    with pytest.raises(ExpressionError, match="not allowed|cannot parse"):
        parse_expression(text)


def test_whitelist_rejection_in_a_file_names_the_place(tmp_path: Path) -> None:
    f = write(tmp_path / "a.yaml", "a: 1\nb: !expr __import__('os').getcwd()\n")
    with pytest.raises(ConfigError) as info:
        load_config(f)
    assert "a.yaml:2: b:" in str(info.value) and "not allowed" in str(info.value)


def test_arithmetic_needs_numbers(tmp_path: Path) -> None:
    f = write(tmp_path / "a.yaml", "a: hello\nb: ref('a') * 2\nc: ref('a')\n")
    with pytest.raises(ConfigError, match="only numbers can be combined"):
        load_config(f)
    f = write(tmp_path / "b.yaml", "a: {k: 1}\nc: ref('a')\n")
    assert load_config(f).data["c"] == {"k": 1}  # a lone ref copies any value


def test_all_errors_of_a_file_at_once(tmp_path: Path, toys: PluginManager) -> None:
    f = write(tmp_path / "study.yaml", """
        name: toy
        simulator: {time_step: -0.1}
        sheets:
          exc:
            component: ToySheet
            params: {sx: 10.0, density: "lots", cell: {tau_m: [1]}, colour: red}
          inh:
            component: ToySheeet
        connectors:
          e2x: {component: ToyConnector, source: exc, target: nowhere,
                params: {probability: 0.1}}
        experiments:
          - component: ToyExperiment
            params: {}
        plots: {a: 1}
        extra_section: 1
    """)
    with pytest.raises(ConfigError) as info:
        load_study(f)
    problems = info.value.problems
    text = "\n".join(problems)
    assert "study.yaml:3: simulator.time_step: time_step must be > 0" in text
    assert "sheets.exc.params.density: expected a number, got 'lots' (str)" in text
    assert "sheets.exc.params.cell.tau_m: expected a number, got [1]" in text
    assert "sheets.exc.params.colour: unknown key(s) colour" in text  # at the key's line
    assert "sheets.inh.component: unknown sheet 'ToySheeet'; installed sheets: ToySheet" in text
    assert "Did you mean 'ToySheet'" in text
    assert "connectors.e2x.target: target sheet 'nowhere' does not exist" in text
    assert "experiments.0.params.duration_ms: required key is missing" in text
    assert "extra_section: unknown section" in text
    assert "plots: expected a list" in text
    assert all(":" in p.split(" ")[0] for p in problems)  # every problem starts with file:line


def test_delay_below_time_step(tmp_path: Path, toys: PluginManager) -> None:
    f = write(tmp_path / "study.yaml", """
        name: toy
        simulator: {time_step: 0.1, min_delay: 0.05}
        sheets: {exc: {component: ToySheet, params: {sx: 1.0, density: 1.0}}}
    """)
    with pytest.raises(ConfigError, match="min_delay .* is below time_step"):
        load_study(f)


def test_distribution_errors() -> None:
    with pytest.raises(ConfigError, match="unknown distribution 'gauss'; available: .*normal"):
        structure({"tau_m": 1.0, "v_rest": {"distribution": "gauss"}}, CellParams, path="c")
    with pytest.raises(ConfigError, match="takes parameters low, high"):
        structure({"v_rest": {"distribution": "uniform", "low": 1.0}}, CellParams, path="c")


def test_no_silent_coercion() -> None:
    with pytest.raises(ConfigError, match="expected a number, got True"):
        structure({"tau_m": True}, CellParams)
    with pytest.raises(ConfigError, match="expected a number, got '20'"):
        structure({"tau_m": "20"}, CellParams)


def test_duplicate_keys_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="key 'a' appears twice"):
        load_config(write(tmp_path / "d.yaml", "a: 1\na: 2\n"))
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path / "e.yaml", "a: [1, 2\n"))


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    f = write(tmp_path / "a.yaml", "a: !!python/object/apply:os.getcwd []\n")
    with pytest.raises(ConfigError, match="a.yaml:1: a: unsupported YAML tag"):
        load_config(f)
    f = write(tmp_path / "b.yaml", "a: !!python/name:os.getcwd ''\n")
    with pytest.raises(ConfigError, match="constructor for the tag"):
        load_config(f)


def test_distribution_maps_to_pynn() -> None:
    from pyNN.random import NumpyRNG

    dist = Distribution(name="normal", params={"mu": -60.0, "sigma": 2.0})
    draws = dist.to_pynn(NumpyRNG(seed=1)).next(1000)
    assert abs(draws.mean() + 60.0) < 0.3
