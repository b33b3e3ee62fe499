"""Fixtures of the model tests: a builtins-only registry, study files, mock and NEST models."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from mozaik.config import SimulatorConfig
from mozaik.model import Model
from mozaik.plugin import PluginManager, Registry
from mozaik.study import Study, load_study

CELL = ("{tau_m: 20.0, v_rest: -60.0, v_thresh: -50.0, v_reset: -60.0, tau_refrac: 5.0, "
        "tau_syn_E: 5.0, tau_syn_I: 10.0, e_rev_E: 0.0, e_rev_I: -80.0, cm: 0.2}")


def study_text(backend: str = "mock", seed: int = 42, n_exc: int = 160, n_inh: int = 40,
               extra_connectors: str = "") -> str:
    """A small Vogels & Abbott style study (dense enough to be active in a short run)."""
    return textwrap.dedent(f"""\
        name: va_small
        simulator: {{backend: {backend}, time_step: 0.1, min_delay: 0.1, max_delay: 10.0,
                    threads: 1, seed: {seed}}}
        sheets:
          exc:
            component: Sheet
            params:
              cell:
                model: IF_cond_exp
                params: {CELL}
                initial_values: {{v: {{distribution: uniform, low: -60.0, high: -50.0}}}}
              placement: {{kind: uniform, size_um: [400.0, 400.0], n_neurons: {n_exc}}}
              recorders:
                - {{variables: [spikes], neurons: all}}
                - {{variables: [v, gsyn_exc, gsyn_inh], neurons: {{random_n: 5}}, interval_ms: 1.0}}
              background_noise: {{rate_exc_hz: 3000.0, weight_exc_uS: 0.002,
                                  rate_inh_hz: 1000.0, weight_inh_uS: 0.002}}
          inh:
            component: Sheet
            params:
              cell:
                model: IF_cond_exp
                params: {CELL}
                initial_values: {{v: {{distribution: uniform, low: -60.0, high: -50.0}}}}
              placement: {{kind: grid, size_um: [400.0, 400.0], n_neurons: {n_inh}}}
              recorders: [{{variables: [spikes], neurons: {{random_percent: 50}}}}]
              background_noise: {{rate_exc_hz: 3000.0, weight_exc_uS: 0.002}}
        connectors:
          exc_exc: {{component: FixedProbabilityConnector, source: exc, target: exc,
                    params: {{probability: 0.1, weight_uS: 0.004, delay_ms: 0.2}}}}
          exc_inh: {{component: FixedProbabilityConnector, source: exc, target: inh,
                    params: {{probability: 0.1, weight_uS: 0.004, delay_ms: 0.2}}}}
          inh_exc: {{component: FixedProbabilityConnector, source: inh, target: exc,
                    params: {{probability: 0.1, weight_uS: 0.051, delay_ms: 0.2,
                             receptor: inhibitory}}}}
          inh_inh:
            component: ModularSamplingConnector
            source: inh
            target: inh
            params:
              weight_functions: {{f1: {{component: GaussianDistance, params: {{sigma_um: 150.0}}}}}}
              weight_expression: f1
              delay_functions: {{d: {{component: LinearDistance,
                                    params: {{offset: 0.2, slope_per_um: 0.002}}}}}}
              delay_expression: d
              base_weight_uS: 0.051
              num_samples: 5
              receptor: inhibitory
        {textwrap.indent(textwrap.dedent(extra_connectors), '  ')}""")


@pytest.fixture
def registry() -> Registry:
    return PluginManager(autoload=False).registry


@pytest.fixture
def write_study(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "study.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


@pytest.fixture
def load(write_study: Callable[[str], Path], registry: Registry
         ) -> Callable[..., Study]:
    def _load(text: str, overrides: tuple[str, ...] = ()) -> Study:
        return load_study(write_study(text), overrides, registry=registry)

    return _load


@pytest.fixture
def mock_model(registry: Registry) -> Model:
    return Model(SimulatorConfig(backend="mock", seed=3), name="mock", registry=registry)


@pytest.fixture
def nest_model(registry: Registry) -> Callable[..., Model]:
    def make(seed: int = 1, time_step: float = 0.1) -> Model:
        return Model(SimulatorConfig(backend="nest", seed=seed, time_step=time_step),
                     name="nest", registry=registry)

    return make
