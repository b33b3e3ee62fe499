"""The Stimulus base class and core's Null and InternalStimulus stimuli."""

from __future__ import annotations

import attrs
import pytest
from mozaik._errors import ConfigError, MozaikError
from mozaik.config import structure
from mozaik.plugin import PluginManager
from mozaik.stimulus import (
    InternalStimulus,
    InternalStimulusParams,
    NullStimulus,
    NullStimulusParams,
    Stimulus,
    StimulusIdentity,
    flatten_params,
    unflatten_params,
)


def test_identity_is_registered_name_plus_flat_params_without_trial() -> None:
    params = InternalStimulusParams(duration=100.0, protocol="Kick",
                                    direct_stimulation={"rate": 20.0, "sheets": "exc,inh"})
    stimulus = InternalStimulus(params, trial=3)
    identity = stimulus.identity()
    assert identity == StimulusIdentity(name="InternalStimulus", params={
        "duration": 100.0, "protocol": "Kick", "direct_stimulation.rate": 20.0,
        "direct_stimulation.sheets": "exc,inh"})
    assert "trial" not in identity.params
    assert stimulus.trial == 3 and stimulus.duration == 100.0
    assert StimulusIdentity.from_string(identity.to_string()) == identity


def test_trials_share_the_identity_but_not_equality() -> None:
    params = NullStimulusParams(duration=50.0)
    a, b = NullStimulus(params, trial=0), NullStimulus(params, trial=1)
    assert a.identity() == b.identity()
    assert a != b and a == b.with_trial(0)
    assert len({a, b, b.with_trial(1)}) == 2


def test_flatten_and_unflatten() -> None:
    @attrs.frozen
    class Inner:
        x: float = 1.0
        cells: tuple[int, ...] = (1, 2)

    @attrs.frozen
    class Outer:
        duration: float = 5.0
        inner: Inner = Inner()

    flat = flatten_params(Outer())
    assert flat == {"duration": 5.0, "inner.x": 1.0, "inner.cells": "[1, 2]"}
    assert unflatten_params(flat) == {"duration": 5.0, "inner": {"x": 1.0, "cells": "[1, 2]"}}


def test_stimulus_errors_name_the_stimulus() -> None:
    class Nameless(Stimulus):
        pass

    with pytest.raises(MozaikError, match="no registered name"):
        Nameless(NullStimulusParams(duration=1.0))
    with pytest.raises(MozaikError, match="'Null'.*trial"):
        NullStimulus(NullStimulusParams(duration=1.0), trial=-1)
    with pytest.raises(MozaikError, match="'duration'"):
        NullStimulus({"duration": 1.0})


def test_params_are_validated_with_dotted_paths() -> None:
    with pytest.raises(ConfigError, match=r"experiments\.0\.params.*duration must be"):
        structure({"duration": 0}, NullStimulusParams, path="experiments.0.params")
    with pytest.raises(ConfigError, match="direct_stimulation.a must be a scalar"):
        structure({"duration": 1.0, "direct_stimulation": {"a": [1, 2]}},
                  InternalStimulusParams, path="x")


def test_core_registers_its_stimuli(plugin_manager: PluginManager) -> None:
    table = plugin_manager.registry.stimuli()
    assert set(table) >= {"Null", "InternalStimulus"}
    spec = table["InternalStimulus"]
    params = structure({"duration": 10.0}, spec.config_cls, path="p")
    stimulus = spec.factory(params)
    assert isinstance(stimulus, InternalStimulus)
    # an identity turns back into the stimulus through the registry
    rebuilt = stimulus.identity().to_instance(
        lambda name: lambda flat: table[name].factory(
            structure(unflatten_params(flat), table[name].config_cls, path=name)))
    assert rebuilt == stimulus
