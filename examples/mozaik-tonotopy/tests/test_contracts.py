"""mozaik-tonotopy keeps every promise core relies on: mozaik.testing's contract suites."""

from __future__ import annotations

import numpy as np
import pytest
from mozaik import ConfigError
from mozaik.config import SimulatorConfig
from mozaik.model import Model
from mozaik.plugin import PluginManager
from mozaik.testing import (
    ConnectorContract,
    ExperimentContract,
    InputSpaceContract,
    PluginDistributionContract,
    SheetContract,
    StimulusContract,
)
from mozaik_tonotopy import Cochlea, CochleaParams, FrequencySpace, FrequencySpaceParams, PureTone
from mozaik_tonotopy import PureToneParams as Tone


class TestDiscovery(PluginDistributionContract):
    distribution = "mozaik-tonotopy"
    entry_point = "tonotopy"
    provides = {"input_spaces": ["FrequencySpace"], "sensory_inputs": ["Cochlea"],
                "stimuli": ["PureTone"], "sheets": ["TonotopicSheet"],
                "connectors": ["TonotopicConnector"], "experiments": ["ToneSweep"]}


class TestFrequencySpace(InputSpaceContract):
    name = "FrequencySpace"
    example_params = {"low_hz": 100.0, "high_hz": 10000.0}
    pictured_stimuli = (("PureTone", {"frequency_hz": 1000.0, "duration_ms": 80.0}),
                        ("Null", {"duration_ms": 20.0}))


class TestPureTone(StimulusContract):
    name = "PureTone"
    example_params = {"frequency_hz": 1000.0}


class TestTonotopicSheet(SheetContract):
    name = "TonotopicSheet"
    example_params = {"n_neurons": 20, "cell": {"model": "IF_cond_exp"}}

    def test_best_frequency_rises_along_x(self) -> None:
        sheet = self.build()
        best = sheet.annotations["best_frequency_hz"]
        order = np.argsort(sheet.positions_um[:, 0])
        assert np.all(np.diff(best[order]) > 0)
        assert 200.0 <= best.min() < best.max() <= 8000.0


class TestTonotopicConnector(ConnectorContract):
    name = "TonotopicConnector"
    example_params = {"bandwidth_um": 50.0, "weight_uS": 0.01, "delay_ms": 1.0}


class TestToneSweep(ExperimentContract):
    name = "ToneSweep"
    example_params = {"frequencies_hz": [300.0, 3000.0], "duration_ms": 50.0, "num_trials": 2}


def _model() -> tuple[Model, Cochlea]:
    model = Model(SimulatorConfig(backend="mock", seed=2), name="t",
                  registry=PluginManager(autoload=True).registry)
    model.input_space = FrequencySpace(FrequencySpaceParams())
    return model, Cochlea("cochlea", CochleaParams(n_channels=8), model)


def test_a_tone_drives_the_channels_tuned_to_it() -> None:
    _, cochlea = _model()
    rates = cochlea.rates_hz(1000.0)
    assert np.argmax(rates) == np.argmin(np.abs(np.log2(cochlea.best_hz / 1000.0)))
    assert rates.max() > 10 * rates.min()
    cochlea.present(PureTone(Tone(frequency_hz=1000.0)), 0.0)


def test_cochlea_needs_the_frequency_space() -> None:
    model = Model(SimulatorConfig(backend="mock", seed=2), name="t",
                  registry=PluginManager(autoload=True).registry)
    with pytest.raises(ConfigError, match="FrequencySpace"):
        Cochlea("cochlea", CochleaParams(), model)


def test_an_inverted_range_is_refused() -> None:
    with pytest.raises(ValueError, match="high_hz"):
        FrequencySpaceParams(low_hz=1000.0, high_hz=500.0)
