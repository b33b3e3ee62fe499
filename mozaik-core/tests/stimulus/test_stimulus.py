"""The Stimulus base class and core's Null and InternalStimulus stimuli."""

from __future__ import annotations

import attrs
import pytest
from mozaik._errors import ConfigError, MozaikError
from mozaik.config import structure
from mozaik.plugin import PluginManager
from mozaik.stimulus import (
    STIMULI,
    InternalStimulus,
    InternalStimulusParams,
    NullStimulus,
    NullStimulusParams,
    Stimulus,
    StimulusIdentity,
    flatten_params,
    stimulus_from_identity,
    unflatten_params,
)


def test_identity_is_registered_name_plus_flat_params_without_trial() -> None:
    params = InternalStimulusParams(duration_ms=100.0, protocol="Kick",
                                    direct_stimulation={"rate": 20.0, "sheets": "exc,inh"})
    stimulus = InternalStimulus(params, trial=3)
    identity = stimulus.identity()
    assert identity == StimulusIdentity(name="InternalStimulus", params={
        "duration_ms": 100.0, "protocol": "Kick", "direct_stimulation.rate": 20.0,
        "direct_stimulation.sheets": "exc,inh"})
    assert "trial" not in identity.params
    assert stimulus.trial == 3 and stimulus.duration_ms == 100.0
    assert StimulusIdentity.from_string(identity.to_string()) == identity


def test_trials_share_the_identity_but_not_equality() -> None:
    params = NullStimulusParams(duration_ms=50.0)
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
        duration_ms: float = 5.0
        inner: Inner = Inner()

    flat = flatten_params(Outer())
    assert flat == {"duration_ms": 5.0, "inner.x": 1.0, "inner.cells": "[1, 2]"}
    assert unflatten_params(flat) == {"duration_ms": 5.0, "inner": {"x": 1.0, "cells": "[1, 2]"}}


def test_stimulus_errors_name_the_stimulus() -> None:
    class Nameless(Stimulus):
        pass

    with pytest.raises(MozaikError, match="no registered name"):
        Nameless(NullStimulusParams(duration_ms=1.0))
    with pytest.raises(MozaikError, match="'Null'.*trial"):
        NullStimulus(NullStimulusParams(duration_ms=1.0), trial=-1)
    with pytest.raises(MozaikError, match="'duration_ms'"):
        NullStimulus({"duration_ms": 1.0})


def test_params_are_validated_with_dotted_paths() -> None:
    with pytest.raises(ConfigError, match=r"experiments\.0\.params.*duration_ms must be"):
        structure({"duration_ms": 0}, NullStimulusParams, path="experiments.0.params")
    with pytest.raises(ConfigError, match="direct_stimulation.a must be a scalar"):
        structure({"duration_ms": 1.0, "direct_stimulation": {"a": [1, 2]}},
                  InternalStimulusParams, path="x")


def test_core_registers_its_stimuli(plugin_manager: PluginManager) -> None:
    table = plugin_manager.registry[STIMULI]
    assert set(table) >= {"Null", "InternalStimulus"}
    spec = table["InternalStimulus"]
    params = structure({"duration_ms": 10.0}, spec.config_cls, path="p")
    stimulus = spec.factory(params)
    assert isinstance(stimulus, InternalStimulus)
    # an identity turns back into the stimulus through the registry
    rebuilt = stimulus_from_identity(stimulus.identity(), plugin_manager.registry, trial=0)
    assert rebuilt == stimulus and type(rebuilt) is InternalStimulus


@attrs.frozen(kw_only=True)
class _GratingParams:
    duration_ms: float
    orientations_rad: tuple[float, ...]
    label: str = "[not a list]"
    inner: _Inner = attrs.field(factory=lambda: _Inner())


@attrs.frozen(kw_only=True)
class _Inner:
    cells: tuple[int, ...] = (1, 2)
    contrast: float = 0.5


class _Grating(Stimulus):
    name = "ToyGrating"
    __slots__ = ()


def _grating_manager() -> PluginManager:
    from mozaik.plugin import ComponentSpec
    from mozaik.testing import register_components

    manager = PluginManager(autoload=False)
    register_components(manager, "stimuli", ComponentSpec(
        name="ToyGrating", config_cls=_GratingParams, factory=_Grating))
    return manager


def test_identity_round_trips_nested_and_list_params_through_the_registry() -> None:
    registry = _grating_manager().registry
    stimulus = _Grating(_GratingParams(duration_ms=20.0, orientations_rad=(0.0, 1.5),
                                       inner=_Inner(cells=(3, 4, 5), contrast=0.25)), trial=2)
    text = stimulus.identity().to_string()  # what the datastore keeps
    rebuilt = stimulus_from_identity(StimulusIdentity.from_string(text), registry, trial=2)
    assert rebuilt == stimulus
    assert rebuilt.params == stimulus.params  # lists and nested classes, not JSON strings
    assert rebuilt.params.label == "[not a list]"  # a str field keeps its text


def test_restoring_an_unknown_or_changed_stimulus_names_it() -> None:
    from mozaik._errors import UnknownComponentError

    registry = _grating_manager().registry
    with pytest.raises(UnknownComponentError, match="'Gone'.*installed.*ToyGrating"):
        stimulus_from_identity(StimulusIdentity("Gone", {"duration_ms": 1.0}), registry)
    stale = StimulusIdentity("ToyGrating", {"duration_ms": 1.0, "orientations_rad": "[0]",
                                            "phase": 1.0})
    with pytest.raises(ConfigError, match="phase"):
        stimulus_from_identity(stale, registry)
