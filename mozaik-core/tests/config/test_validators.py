"""The one set of parameter validators in :mod:`mozaik.config` (issue 20 part 6): finite-aware,
one error type (``ParameterError``), one message (``<field> must be <rule>, got <value>``), the
dotted path from the structuring layer, and the ``NonFiniteFloat`` opt-out kept consistent."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mozaik import ConfigError, MozaikError, PluginError
from mozaik.config import (
    Distribution,
    NonFiniteFloat,
    ParameterError,
    ProblemCollector,
    Rule,
    at_least,
    each,
    finite,
    in_range,
    non_negative,
    positive,
    probability,
    structure,
    whole_number,
)
from mozaik.experiments import NoStimulationParams, PoissonNetworkKickParams
from mozaik.model import (
    GaussianDistanceParams,
    ModularBernoulliParams,
    NoiseParams,
    PlacementParams,
    RecorderParams,
    SynapseParams,
)
from mozaik.stimulus import InternalStimulusParams

numbers = st.floats(allow_nan=True, allow_infinity=True) | st.integers()


def _holds(rule: Rule, value: object) -> bool:
    @attrs.frozen
    class Holder:
        x: Any = attrs.field(validator=rule)

    try:
        Holder(value)
    except ParameterError as exc:
        assert isinstance(exc, MozaikError) and isinstance(exc, ValueError)
        assert exc.name == "x"
        assert str(exc).startswith("x must be "), str(exc)
        assert f"got {value!r}" in str(exc)
        return False
    return True


# -- the rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "law"), [
    (finite, lambda x: True),
    (positive, lambda x: x > 0),
    (non_negative, lambda x: x >= 0),
    (probability, lambda x: 0 <= x <= 1),
    (in_range(-1.5, 2.0), lambda x: -1.5 <= x <= 2.0),
    (in_range(0.0, 1.0, include_low=False), lambda x: 0 < x <= 1),
    (in_range(0.0, 100.0, include_high=False), lambda x: 0 <= x < 100),
    (at_least(3), lambda x: x >= 3),
])
@given(value=numbers)
def test_a_rule_takes_exactly_the_finite_numbers_that_obey_it(rule: Rule, law: Any,
                                                               value: float) -> None:
    is_finite = isinstance(value, int) or math.isfinite(value)  # an int may exceed a float
    assert _holds(rule, value) == (is_finite and law(value))


@given(value=numbers)
def test_the_non_finite_opt_out_takes_nan_and_the_infinities_the_rule_allows(value: float) -> None:
    expected = math.isnan(value) or value > 0
    assert _holds(positive.allow_non_finite, value) == expected
    assert _holds(finite.allow_non_finite, value)


@given(value=st.integers(-50, 50) | st.floats(allow_nan=True) | st.booleans())
def test_whole_number_takes_integers_only(value: object) -> None:
    expected = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    assert _holds(whole_number(1), value) == expected


@pytest.mark.parametrize(("rule", "value", "message"), [
    (positive, 0.0, "x must be > 0, got 0.0"),
    (positive, math.nan, "x must be a finite number > 0 (inf and nan are not allowed for this "
                         "parameter), got nan"),
    (non_negative, -math.inf, "x must be a finite number >= 0 (inf and nan are not allowed "
                              "for this parameter), got -inf"),
    (finite, math.inf, "x must be a finite number (inf and nan are not allowed for this "
                       "parameter), got inf"),
    (probability, 1.5, "x must be in [0, 1] (a probability), got 1.5"),
    (in_range(0.0, 1.0, include_low=False), 0.0, "x must be in (0, 1], got 0.0"),
    (at_least(2.5), 1, "x must be >= 2.5, got 1"),
    (whole_number(1), 0, "x must be >= 1, got 0"),
    (whole_number(1), 2.0, "x must be a whole number >= 1, got 2.0 (float)"),
    (positive, "1", "x must be a number, got '1' (str)"),
    (positive, True, "x must be a number, got True (bool)"),
    (positive.allow_non_finite, -math.inf, "x must be > 0 or nan, got -inf"),
])
def test_one_message_style(rule: Rule, value: object, message: str) -> None:
    with pytest.raises(ParameterError) as info:
        rule.check("x", value)
    assert str(info.value) == message


def test_none_numpy_numbers_and_distributions_pass() -> None:
    normal = Distribution(name="normal", params={"mu": -1.0, "sigma": 1.0})
    for rule in (finite, positive, non_negative, probability, in_range(0, 1)):
        rule.check("x", None)
        rule.check("x", normal)
    positive.check("x", np.float64(0.5))
    positive.check("x", 10**400)  # beyond a float: still a finite integer
    whole_number(1).check("x", np.int64(3))
    with pytest.raises(ParameterError, match="x must be > 0, got"):
        positive.check("x", np.float32(-1.0))


def test_in_range_needs_finite_ordered_bounds() -> None:
    with pytest.raises(ValueError, match="low <= high"):
        in_range(1.0, 0.0)
    with pytest.raises(ValueError, match="finite bounds"):
        in_range(0.0, math.inf)


@attrs.frozen(kw_only=True)
class _Patch:
    size_um: tuple[float, float] = attrs.field(validator=each(positive))


@attrs.frozen(kw_only=True)
class _Map:
    patch: _Patch


def test_each_names_the_bad_item() -> None:
    with pytest.raises(ParameterError) as info:
        _Patch(size_um=(10.0, -5.0))
    assert info.value.name == "size_um.1"
    with pytest.raises(ConfigError) as err:
        structure({"patch": {"size_um": [10.0, -5.0]}}, _Map, path="sheets.v1.params")
    assert ("sheets.v1.params.patch.size_um.1: size_um.1 must be > 0, got -5.0"
            in str(err.value))


# -- the dotted path ------------------------------------------------------------------------------


def test_a_file_value_names_its_dotted_path() -> None:
    with pytest.raises(ConfigError) as info:
        structure({"variables": ["v"], "interval_ms": 0.0}, RecorderParams,
                  path="sheets.exc.params.recorders.0")
    assert ("sheets.exc.params.recorders.0.interval_ms: interval_ms must be > 0, got 0.0"
            in str(info.value))


# -- the NonFiniteFloat opt-out -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Window:
    """``t_stop_ms`` inf runs to the end; nan is refused by no one (documented opt-out)."""

    t_stop_ms: NonFiniteFloat = attrs.field(default=math.inf,
                                            validator=positive.allow_non_finite)
    t_start_ms: float = attrs.field(default=0.0, validator=non_negative)


@attrs.frozen(kw_only=True)
class _TypedButRefused:
    t_stop_ms: NonFiniteFloat = attrs.field(default=1.0, validator=positive)


@attrs.frozen(kw_only=True)
class _AllowedButNotTyped:
    t_stop_ms: float = attrs.field(default=1.0, validator=[positive.allow_non_finite])


def test_the_opt_out_is_the_same_from_a_file_and_from_python() -> None:
    assert structure({"t_stop_ms": math.inf}, _Window).t_stop_ms == math.inf
    assert math.isnan(structure({"t_stop_ms": math.nan}, _Window).t_stop_ms)
    assert _Window(t_stop_ms=math.inf).t_stop_ms == math.inf
    with pytest.raises(ConfigError, match="t_stop_ms: t_stop_ms must be > 0 or nan, got -inf"):
        structure({"t_stop_ms": -math.inf}, _Window)
    with pytest.raises(ConfigError, match="t_start_ms: expected a finite number"):
        structure({"t_start_ms": math.inf}, _Window)
    with pytest.raises(ParameterError, match="t_start_ms must be a finite number >= 0"):
        _Window(t_start_ms=math.inf)


@pytest.mark.parametrize(("cls", "says"), [
    (_TypedButRefused, "_TypedButRefused.t_stop_ms is typed NonFiniteFloat .* but its "
                       "validator refuses them"),
    (_AllowedButNotTyped, "_AllowedButNotTyped.t_stop_ms has a validator that lets inf and "
                          "nan through .* but is not typed NonFiniteFloat"),
])
def test_a_type_and_a_validator_that_disagree_are_refused(cls: type, says: str) -> None:
    with pytest.raises(PluginError, match=says):
        structure({}, cls)


# -- core's parameter classes refuse what they used to let through ------------------------------


@pytest.mark.parametrize(("build", "field"), [
    # mozaik.config.positive let nan through
    (lambda: NoStimulationParams(duration_ms=math.nan), "duration_ms"),
    # the model's local positive let inf through, its non_negative nan
    (lambda: PlacementParams(density_per_mm2=math.inf), "density_per_mm2"),
    (lambda: GaussianDistanceParams(sigma_um=math.inf), "sigma_um"),
    (lambda: NoiseParams(rate_exc_hz=math.nan), "rate_exc_hz"),
    (lambda: ModularBernoulliParams(base_weight_uS=math.nan), "base_weight_uS"),
    (lambda: SynapseParams(U=math.inf), "U"),
    # the stimulus's duration check raised a bare ValueError
    (lambda: InternalStimulusParams(duration_ms=math.inf), "duration_ms"),
    (lambda: PoissonNetworkKickParams(duration_ms=10.0, drive_period_ms=5.0, sheets=("e",),
                                      rate_hz=10.0, weight_uS=0.1, fraction=math.nan),
     "fraction"),
    (lambda: NoStimulationParams(duration_ms=10.0, num_trials=True), "num_trials"),
])
def test_core_parameters_refuse_non_finite_values_with_a_parameter_error(build: Any,
                                                                         field: str) -> None:
    with pytest.raises(ParameterError) as info:
        build()
    assert info.value.name == field
    assert str(info.value).startswith(f"{field} must be ")


def test_a_negative_sheet_size_names_the_item() -> None:
    # the check ran after construction and blamed the whole placement, without the item
    with pytest.raises(ConfigError) as info:
        structure({"size_um": [100.0, -1.0], "n_neurons": 4}, PlacementParams,
                  path="sheets.exc.params.placement")
    assert ("sheets.exc.params.placement.size_um.1: size_um.1 must be >= 0, got -1.0"
            in str(info.value))


def test_a_problem_collector_names_the_field_of_a_parameter_error() -> None:
    problems = ProblemCollector()
    with problems.section("experiments.0.params"):
        NoStimulationParams(duration_ms=0.0)
    assert problems.problems == [
        "experiments.0.params.duration_ms: duration_ms must be > 0, got 0.0"]
