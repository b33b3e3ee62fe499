"""Bad configurations fail with messages naming the place and the fix."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from mozaik import ConfigError, SimulationError, SimulatorNotInstalledError
from mozaik.config import SimulatorConfig
from mozaik.model import Model, RecorderParams, build_model, import_backend

from .conftest import study_text


def test_unknown_cell_type_lists_valid_ones(load) -> None:
    with pytest.raises(ConfigError) as info:
        load(study_text().replace("model: IF_cond_exp", "model: IF_cond_expo", 1))
    text = str(info.value)
    assert "sheets.exc.params.cell" in text
    assert "IF_cond_expo" in text and "IF_curr_exp" in text and "Did you mean 'IF_cond_exp'" in text


def test_unknown_cell_parameter_lists_valid_ones(load) -> None:
    with pytest.raises(ConfigError) as info:
        load(study_text().replace("tau_m: 20.0", "tau_mem: 20.0", 1))
    text = str(info.value)
    assert "sheets.exc.params.cell" in text and "tau_mem" in text
    assert "v_thresh" in text and "Did you mean 'tau_m'" in text


def test_unknown_state_variable(load) -> None:
    with pytest.raises(ConfigError, match="no state variable 'u'"):
        load(study_text().replace("initial_values: {v:", "initial_values: {u:", 1))


def test_recorder_variable_the_cell_cannot_record(load) -> None:
    text = textwrap.dedent("""\
        name: s
        simulator: {backend: mock}
        sheets:
          lgn:
            component: Sheet
            params:
              cell: {model: SpikeSourcePoisson, params: {rate: 10.0}}
              placement: {n_neurons: 10}
              recorders: [{variables: [spikes, v]}]
        """)
    with pytest.raises(ConfigError) as info:
        load(text)
    text = str(info.value)
    assert "sheets.lgn.params" in text and "cannot record 'v'" in text and "spikes" in text


@pytest.mark.parametrize(("recorder", "message"), [
    ("{variables: [vm]}", "cannot record 'vm'"),
    ("{variables: spikes}", "must be a list"),
    ("{variables: [spikes], neurons: {random_q: 3}}", "neurons must be 'all'"),
    ("{variables: [spikes], neurons: {random_percent: 300}}", "random_percent"),
    ("{variables: [v], interval_ms: -1.0}", "interval_ms must be > 0"),
])
def test_bad_recorders(load, recorder: str, message: str) -> None:
    text = study_text().replace("- {variables: [spikes], neurons: all}", f"- {recorder}", 1)
    with pytest.raises(ConfigError, match=message) as info:
        load(text)
    assert "sheets.exc.params.recorders.0" in str(info.value)


def test_two_sampling_intervals_in_one_sheet(load) -> None:
    text = study_text().replace("- {variables: [spikes], neurons: all}",
                                "- {variables: [v], interval_ms: 0.5}", 1)
    with pytest.raises(ConfigError, match="one interval"):
        load(text)


def test_connector_to_missing_sheet(load) -> None:
    text = study_text().replace("source: inh, target: exc", "source: inh, target: l23", 1)
    with pytest.raises(ConfigError) as info:
        load(text)
    text = str(info.value)
    assert "connectors.inh_exc.target" in text and "'l23' does not exist" in text
    assert "exc, inh" in text


def test_connector_to_missing_sheet_python_api(mock_model: Model) -> None:
    mock_model.create_sheet("exc", {"placement": {"n_neurons": 3}})
    with pytest.raises(ConfigError, match="target sheet 'l23' does not exist; sheets are: exc"):
        mock_model.create_connector("x", "exc", "l23", {"probability": 0.1},
                                    component="FixedProbabilityConnector")


@pytest.mark.parametrize("step", ["0", "0.0", "-0.1"])
def test_time_step_must_be_positive(load, step: str) -> None:
    with pytest.raises(ConfigError, match="simulator.time_step") as info:
        load(study_text().replace("time_step: 0.1", f"time_step: {step}"))
    assert "must be > 0" in str(info.value)
    with pytest.raises(ValueError, match="time_step must be > 0"):
        SimulatorConfig(time_step=float(step))


def test_min_delay_below_time_step(load) -> None:
    with pytest.raises(ConfigError, match="below time_step"):
        load(study_text().replace("min_delay: 0.1", "min_delay: 0.05"))


def test_delay_below_time_step(load, registry) -> None:
    # found when the study is loaded (mozaik config check), with its file and line
    with pytest.raises(ConfigError) as info:
        load(study_text().replace("weight_uS: 0.004, delay_ms: 0.2", "weight_uS: 0.004, "
                                  "delay_ms: 0.05", 1))
    text = str(info.value)
    assert "study.yaml:30: connectors.exc_exc.params.delay_ms: delays down to 0.05 ms" in text
    assert "below the simulator's min_delay of 0.1 ms" in text


def test_modular_delay_expression_below_min_delay(load, registry) -> None:
    study = load(study_text().replace("offset: 0.2", "offset: 0.01"))
    with pytest.raises(ConfigError, match=r"connectors.inh_inh.params.delay_expression"):
        build_model(study, registry=registry)


def test_delay_above_max_delay(load, registry) -> None:
    with pytest.raises(ConfigError, match="study.yaml:30: .*delay_ms: .*max_delay"):
        load(study_text().replace("weight_uS: 0.004, delay_ms: 0.2", "weight_uS: 0.004, "
                                  "delay_ms: 50.0", 1))


@pytest.mark.parametrize(("old", "new", "message"), [
    ("weight_expression: f1", "weight_expression: f1*f2", "the name 'f2'"),
    ("weight_expression: f1", "weight_expression: \"__import__('os')\"", "not allowed"),
    ("weight_expression: f1", "weight_expression: f1.real", "not allowed"),
    ("delay_expression: d", "delay_expression: f1", "the name 'f1'"),
])
def test_modular_expressions_are_checked_on_load(load, old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load(study_text().replace(old, new))
    assert "connectors.inh_inh.params" in str(info.value)


def test_unknown_connector_function(load, registry) -> None:
    # found when the study is loaded (mozaik config check), with its file and line
    with pytest.raises(ConfigError) as info:
        load(study_text().replace("component: GaussianDistance", "component: Gaussian"))
    text = str(info.value)
    assert "study.yaml:41: connectors.inh_inh.params.weight_functions.f1.component" in text
    assert "GaussianDistance" in text


def test_bad_connector_function_params(load, registry) -> None:
    with pytest.raises(ConfigError, match="study.yaml:41: .*weight_functions.f1.params") as info:
        load(study_text().replace("sigma_um: 150.0", "sigma: 150.0"))
    assert "sigma_um" in str(info.value)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("probability: 0.1, weight_uS: 0.004", "probability: 1.5, weight_uS: 0.004",
     "must be in \\[0, 1\\]"),
    ("weight_uS: 0.051, delay_ms: 0.2,", "weight_uS: -0.051, delay_ms: 0.2,", "must be >= 0"),
    ("receptor: inhibitory}", "receptor: gaba}", "receptor must be"),
    ("probability: 0.1, weight_uS: 0.004", "probability: 0.1, synapse: {model: stdp}, "
     "weight_uS: 0.004", "unknown synapse model"),
])
def test_bad_connector_params(load, old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(study_text().replace(old, new, 1))


def test_placement_needs_density_or_count(load) -> None:
    with pytest.raises(ConfigError, match="exactly one of density_per_mm2"):
        load(study_text().replace("n_neurons: 160", "n_neurons: 160, density_per_mm2: 10.0"))


def test_recorder_added_on_python_api_is_checked(mock_model: Model) -> None:
    sheet = mock_model.create_sheet("lgn", {"cell": {"model": "SpikeSourcePoisson"},
                                            "placement": {"n_neurons": 3}})
    with pytest.raises(ConfigError, match="cannot record 'v'"):
        sheet.add_recorder(RecorderParams(variables=("v",)))
    mock_model.run(1.0)
    with pytest.raises(SimulationError, match="before the simulation runs"):
        sheet.add_recorder(RecorderParams(variables=("spikes",)))


def test_unknown_backend() -> None:
    with pytest.raises(SimulatorNotInstalledError, match="one of: nest, mock"):
        import_backend("nestor")


def test_nest_missing_says_how_to_install() -> None:
    script = textwrap.dedent("""\
        import sys
        sys.modules["nest"] = None  # as if nest-simulator were not installed
        from mozaik import SimulatorNotInstalledError
        from mozaik.config import SimulatorConfig
        from mozaik.model import Model
        try:
            Model(SimulatorConfig(backend="nest"))
        except SimulatorNotInstalledError as exc:
            print(exc)
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "pip install mozaik-core[nest]" in out
    assert "pip install nest-simulator" in out


@pytest.mark.parametrize(("name", "value", "rule"), [
    ("tau_m", -5.0, "must be > 0 ms"),
    ("cm", 0.0, "must be > 0 nF"),
    ("tau_refrac", -1.0, "must be >= 0 ms"),
])
def test_unphysical_cell_parameters(load, name: str, value: float, rule: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(study_text(), (f"sheets.exc.params.cell.params.{name}={value}",))
    assert f"sheets.exc.params.cell.params.{name}: IF_cond_exp parameter {name!r} {rule}" in str(
        info.value)
