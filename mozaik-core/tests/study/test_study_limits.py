"""Study validation and sizes (issue 18): every float parameter is finite unless its type says
otherwise, NEST thread counts the machine cannot serve are refused, and a study's network is
estimated (neurons, connections, memory) and refused when it cannot fit, before anything is
built."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import attrs
import pytest
import yaml
from click.testing import CliRunner
from mozaik import ConfigError
from mozaik.cli._main import cli
from mozaik.config import NonFiniteFloat, SimulatorConfig, structure
from mozaik.model import CellParams, build_model
from mozaik.model._build_progress import building
from mozaik.study import (
    NEST_BYTES_PER_CONNECTION,
    NEST_BYTES_PER_NEURON,
    check_size,
    check_threads,
    estimate_size,
    load_study,
)

STUDY = """\
name: limits
simulator: {backend: mock, threads: 1}
sheets:
  exc:
    component: Sheet
    params:
      cell:
        model: IF_cond_exp
        params: {cm: 0.2, v_thresh: -50.0}
        initial_values:
          v: {distribution: uniform, low: -60.0, high: -59.0}
      placement: {n_neurons: N}
connectors:
  exc_exc:
    component: FixedProbabilityConnector
    source: exc
    target: exc
    params: {probability: P, weight_uS: 0.004, delay_ms: 1.0}
experiments:
  - component: NoStimulation
    params: {duration_ms: 100.0}
  - component: PoissonNetworkKick
    params: {duration_ms: 50.0, drive_period_ms: 20.0, sheets: [exc], rate_hz: 10.0,
             weight_uS: 0.01, fraction: 0.2}
"""


def write(tmp_path: Path, n: int = 20, p: float = 0.1) -> Path:
    file = tmp_path / "study.yaml"
    file.write_text(STUDY.replace("N}", f"{n}}}").replace("P,", f"{p},"))
    return file


# -- finite floats --------------------------------------------------------------------------------


@pytest.mark.parametrize(("item", "path"), [
    ("experiments.0.params.duration_ms=.inf", "experiments.0.params.duration_ms"),
    ("sheets.exc.params.cell.params.cm=.nan", "sheets.exc.params.cell.params.cm"),
    ("sheets.exc.params.cell.params.v_thresh=.nan", "sheets.exc.params.cell.params.v_thresh"),
    ("sheets.exc.params.cell.initial_values.v.high=.inf",
     "sheets.exc.params.cell.initial_values.v"),
    ("connectors.exc_exc.params.weight_uS=-.inf", "connectors.exc_exc.params.weight_uS"),
])
def test_non_finite_floats_are_refused(tmp_path: Path, item: str, path: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_study(write(tmp_path), [item])
    message = str(info.value)
    assert f"{path}: " in message and "finite" in message, message
    # one problem: the sheet with a bad parameter still exists for the experiment naming it
    assert message.startswith("1 configuration problem(s)"), message
    assert ("got inf" in message) or ("got nan" in message) or ("got -inf" in message), message


def test_non_finite_float_in_a_file_names_file_and_line(tmp_path: Path) -> None:
    file = write(tmp_path)
    file.write_text(file.read_text().replace("{duration_ms: 100.0}", "{duration_ms: .inf}"))
    with pytest.raises(ConfigError) as info:
        load_study(file)
    expected = (f"{file}:21: experiments.0.params.duration_ms: expected a finite number (inf "
                "and nan are not allowed for this parameter), got inf")
    assert expected in str(info.value)


@attrs.frozen(kw_only=True)
class _Window:
    t_stop_ms: NonFiniteFloat = math.inf
    t_start_ms: float = 0.0


def test_non_finite_float_marker_opts_out() -> None:
    assert structure({"t_stop_ms": math.inf}, _Window).t_stop_ms == math.inf
    assert math.isnan(structure({"t_stop_ms": math.nan}, _Window).t_stop_ms)
    with pytest.raises(ConfigError, match="t_start_ms: expected a finite number"):
        structure({"t_start_ms": math.inf}, _Window)


def test_cell_parameters_from_python_are_finite() -> None:
    with pytest.raises(ValueError, match="'v_thresh' must be a finite number"):
        CellParams(params={"v_thresh": math.nan})
    with pytest.raises(ValueError, match="initial value 'v' must be a finite"):
        CellParams(initial_values={"v": math.inf})


# -- threads --------------------------------------------------------------------------------------


def test_absurd_thread_counts_are_refused_everywhere(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"simulator.threads: threads must be between 1 and "
                                          r"1024 \(MAX_THREADS\), got 100000"):
        load_study(write(tmp_path), ["simulator.threads=100000"])


def test_threads_beyond_the_machine() -> None:
    assert check_threads(2, cores=2) == []
    assert "share cores" in check_threads(3, cores=2)[0]
    with pytest.raises(ConfigError, match="1000 NEST threads on a machine with 2 core"):
        check_threads(1000, cores=2)
    check_threads(32, cores=2)  # 16 per core: a cluster's layout reproduced on a laptop


@pytest.mark.nest
def test_setting_up_nest_refuses_threads_the_machine_cannot_serve(monkeypatch:
                                                                 pytest.MonkeyPatch) -> None:
    from mozaik.model import Model

    monkeypatch.setattr("mozaik.study._size.machine_cores", lambda: 2)
    with pytest.raises(ConfigError, match="simulator.threads: 1000 NEST threads"):
        Model(SimulatorConfig(backend="nest", threads=1000))


# -- size ---------------------------------------------------------------------------------------


def test_estimate_counts_neurons_connections_and_memory(tmp_path: Path) -> None:
    estimate = estimate_size(load_study(write(tmp_path, n=20_000, p=1.0)))
    assert estimate.neurons == {"exc": 20_000}
    assert estimate.total_connections == 4e8
    assert estimate.memory_bytes > 4e8 * NEST_BYTES_PER_CONNECTION["static"] + (
        20_000 * NEST_BYTES_PER_NEURON)
    assert "20,000 neurons, 400,000,000 connections" in estimate.summary()


def test_too_large_is_refused_with_the_override_named(tmp_path: Path) -> None:
    estimate = estimate_size(load_study(write(tmp_path, n=20_000, p=1.0)))
    with pytest.raises(ConfigError) as info:
        check_size(estimate, memory_bytes=8 * 10**9, cores=2)
    message = str(info.value)
    assert "--allow-large" in message and "controller.allow_large" in message
    assert "connectors.exc_exc: 400,000,000" in message and "8.0 GB" in message
    warnings = check_size(estimate, allow_large=True, memory_bytes=8 * 10**9, cores=2)
    assert "more than half" in warnings[0]
    assert check_size(estimate, memory_bytes=24 * 10**9, cores=2)  # above half: a warning
    assert check_size(estimate, memory_bytes=10**12, cores=2) == []
    huge = estimate_size(load_study(write(tmp_path, n=10**7, p=0.0)))
    with pytest.raises(ConfigError, match="10,000,000 neurons"):
        check_size(huge, memory_bytes=24 * 10**9, cores=2)


def test_config_check_and_run_refuse_a_study_too_large(tmp_path: Path) -> None:
    file = write(tmp_path, n=10**7, p=0.0)
    runner = CliRunner()
    result = runner.invoke(cli, ["config", "check", str(file), "-q"])
    assert result.exit_code != 0 and "--allow-large" in result.output, result.output
    assert "Traceback" not in result.output
    allowed = runner.invoke(cli, ["config", "check", str(file), "--allow-large"])
    assert allowed.exit_code == 0, allowed.output
    assert "size: 10,000,000 neurons" in allowed.output
    out = tmp_path / "run"
    refused = runner.invoke(cli, ["run", str(file), "--out", str(out)])
    assert refused.exit_code != 0 and "--allow-large" in refused.output, refused.output
    assert not out.exists()  # refused before anything was built or written


def test_build_logs_expected_connections(tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    study = load_study(write(tmp_path, n=20, p=0.5))
    with caplog.at_level(logging.INFO, logger="mozaik.model"):
        model = build_model(study)
    model.end()
    assert "building connector 1/1 'exc_exc' (FixedProbabilityConnector, exc -> exc), ~200 " \
           "connections expected" in caplog.text


def test_long_builds_log_progress(caplog: pytest.LogCaptureFixture) -> None:
    import time

    with caplog.at_level(logging.INFO, logger="mozaik.model"), building(
            "connector 'big'", 4e8, interval_s=0.05, made=lambda: 1234):
        time.sleep(0.3)
    assert ("connector 'big': still building after 0 s, 1,234 connections made, ~400,000,000 "
            "connections expected") in caplog.text


PROJECTION = {"weight_uS": 0.004, "delay_ms": 1.0}
MODULAR = {"base_weight_uS": 0.001, "delay_expression": "1.0"}


@pytest.mark.parametrize(("component", "params", "exact"), [
    ("AllToAllConnector", PROJECTION, True),
    ("OneToOneConnector", PROJECTION, True),
    ("FixedProbabilityConnector", {**PROJECTION, "probability": 0.3}, False),
    ("FixedNumberPreConnector", {**PROJECTION, "n": 4}, True),
    ("FixedNumberPostConnector", {**PROJECTION, "n": 4}, True),
    ("DistanceDependentProbabilityConnector",
     {**PROJECTION, "probability": "0.5 * exp(-d / 1e9)"}, False),
    ("FromListConnector", {**PROJECTION, "connections": [[0, 1], [2, 3], [4, 5]]}, True),
    ("ModularBernoulliConnector", {**MODULAR, "weight_expression": "0.3"}, False),
    ("ModularSamplingConnector", {**MODULAR, "num_samples": 4}, None),
])
def test_each_builtin_connector_estimates_its_size(tmp_path: Path, component: str,
                                                   params: dict[str, object],
                                                   exact: bool | None) -> None:
    """The estimate of every built-in connector against what it builds (mock backend, 30 x 30
    neurons): exact for deterministic rules, within 5 standard deviations for random ones, an
    upper bound (None) for sampling with replacement."""
    file = write(tmp_path, n=30)
    data = yaml.safe_load(file.read_text())
    data["connectors"]["exc_exc"].update(component=component, params=params)
    file.write_text(yaml.safe_dump(data))
    study = load_study(file)
    estimate = estimate_size(study)
    assert not estimate.connectors[0].upper_bound
    expected = estimate.total_connections
    model = build_model(study)
    built = model.projections["exc_exc"].size()
    model.end()
    if exact:
        assert built == expected
    elif exact is None:
        assert 0 < built <= expected
    else:
        assert abs(built - expected) <= 5 * math.sqrt(expected) + 1, (built, expected)


@pytest.mark.parametrize("item", [
    "sheets.exc.params.recorders=[{variables: [spikes], neurons: {random_percent: .nan}}]",
    "sheets.exc.params.recorders=[{variables: [spikes], neurons: {grid_step_um: .inf}}]",
])
def test_non_finite_values_outside_float_fields_are_refused(tmp_path: Path, item: str) -> None:
    with pytest.raises(ConfigError, match="positive finite number"):
        load_study(write(tmp_path), [item])


def test_non_finite_modular_expression_is_refused(tmp_path: Path) -> None:
    file = write(tmp_path)
    data = yaml.safe_load(file.read_text())
    data["connectors"]["exc_exc"].update(component="ModularBernoulliConnector", params={
        "base_weight_uS": 0.001, "delay_expression": "1.0", "weight_expression": math.nan})
    file.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="weight_expression: an expression must give finite"):
        load_study(file)
