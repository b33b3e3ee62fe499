"""The attrs validators of every parameter class, in core and in plugins.

One set, one meaning, one error: each validator checks a number against a rule (``> 0``,
``in [0, 1]``, ...), refuses ``inf`` and ``nan`` unless the field opts out, and raises
:class:`~mozaik.config.ParameterError` with the message ``<field> must be <rule>, got <value>``;
when the value came from a file, :func:`mozaik.config.structure` prefixes the file, line and
dotted path of the field.

``None`` passes every validator (it means "not given" in an optional field), and so does a
:class:`~mozaik.config.Distribution`: its parameters are checked to be finite when it is
structured, and the values it draws are checked where they are drawn.

A float parameter whose type is :data:`~mozaik.config.NonFiniteFloat` may be ``inf`` or ``nan``;
its validator says so too, with :attr:`Rule.allow_non_finite`::

    t_stop_ms: NonFiniteFloat = attrs.field(default=math.inf,
                                            validator=positive.allow_non_finite)

The converter refuses a parameter class whose type and validator disagree.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import attrs

from mozaik.config._structure import Distribution, ParameterError

__all__ = [
    "Rule",
    "at_least",
    "each",
    "finite",
    "in_range",
    "non_negative",
    "positive",
    "probability",
    "whole_number",
]


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _always(_value: float) -> bool:
    return True


@attrs.frozen(kw_only=True)
class Rule:
    """An attrs validator: the value is a number obeying a rule.

    Use the ready ones (:data:`positive`, :data:`non_negative`, :data:`finite`,
    :data:`probability`) or build one with :func:`in_range`, :func:`at_least` or
    :func:`whole_number`; they are used as ``attrs.field(validator=positive)``.

    Parameters
    ----------
    text : str
        The rule as the message states it, e.g. ``"> 0"`` (empty: any finite number).
    test : callable
        Whether a number obeys the rule.
    allows_non_finite : bool
        ``inf`` and ``nan`` pass the finiteness check (``inf``/``-inf`` still meet ``test``);
        only with a :data:`~mozaik.config.NonFiniteFloat` field, whose documentation says what
        they mean.
    whole : bool
        The value must be an integer (not a bool, not a float).
    """

    text: str
    test: Callable[[float], bool] = attrs.field(default=_always, eq=False, repr=False)
    allows_non_finite: bool = False
    whole: bool = False

    def __call__(self, _inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        self.check(attribute.name, value)

    @property
    def allow_non_finite(self) -> Rule:
        """This rule letting ``nan`` and ``inf`` through (``-inf`` too if the rule holds)."""
        return attrs.evolve(self, allows_non_finite=True)

    def rule(self) -> str:
        """What a value must be, as the message says it."""
        kind = "a whole number" if self.whole else "a finite number"
        if self.allows_non_finite:
            return f"{self.text} or nan" if self.text else "a number"
        return f"{kind} {self.text}".rstrip()

    def check(self, name: str, value: object) -> None:
        """Raise :class:`~mozaik.config.ParameterError` naming ``name`` (a field or a dotted
        path below it) if ``value`` breaks the rule; ``None`` and distributions pass."""
        if value is None or isinstance(value, Distribution):
            return
        if self.whole and not (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
            msg = f"{name} must be {self.rule()}, got {value!r} ({type(value).__name__})"
            raise ParameterError(name, msg)
        if not _is_number(value):
            msg = f"{name} must be a number, got {value!r} ({type(value).__name__})"
            raise ParameterError(name, msg)
        # an integer is finite however large (float() would overflow beyond 1.8e308)
        number = int(value) if isinstance(value, numbers.Integral) else float(value)  # type: ignore[arg-type]
        if isinstance(number, float) and math.isnan(number) and self.allows_non_finite:
            return
        if (isinstance(number, float) and not math.isfinite(number)
                and not self.allows_non_finite):
            msg = (f"{name} must be {self.rule()} (inf and nan are not allowed for this "
                   f"parameter), got {value!r}")
            raise ParameterError(name, msg)
        if not self.test(number):
            text = self.text if not self.allows_non_finite else self.rule()
            msg = f"{name} must be {text}, got {value!r}"
            raise ParameterError(name, msg)


#: Any finite number.
finite = Rule(text="")
#: A finite number > 0.
positive = Rule(text="> 0", test=lambda x: x > 0)
#: A finite number >= 0.
non_negative = Rule(text=">= 0", test=lambda x: x >= 0)
#: A finite number in [0, 1].
probability = Rule(text="in [0, 1] (a probability)", test=lambda x: 0.0 <= x <= 1.0)


def _bound(number: float) -> str:
    return f"{number:g}"


def in_range(low: float, high: float, *, include_low: bool = True,
             include_high: bool = True) -> Rule:
    """A validator: a finite number between ``low`` and ``high``.

    Parameters
    ----------
    low, high : float
        The bounds, in the unit of the field.
    include_low, include_high : bool
        Whether each bound itself is allowed (``[`` and ``]`` in the message) or not (``(``
        and ``)``).

    Example
    -------
    ``fraction: float = attrs.field(default=1.0, validator=in_range(0, 1, include_low=False))``
    """
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        msg = f"in_range needs finite bounds with low <= high, got low={low!r}, high={high!r}"
        raise ValueError(msg)
    left = "[" if include_low else "("
    right = "]" if include_high else ")"

    def test(x: float) -> bool:
        above = x >= low if include_low else x > low
        below = x <= high if include_high else x < high
        return above and below

    return Rule(text=f"in {left}{_bound(low)}, {_bound(high)}{right}", test=test)


def at_least(minimum: float) -> Rule:
    """A validator: a finite number >= ``minimum``."""
    return Rule(text=f">= {_bound(minimum)}", test=lambda x: x >= minimum)


def whole_number(minimum: int = 0) -> Rule:
    """A validator: an integer (not a bool, not a float) >= ``minimum``, e.g. a count of
    trials (``whole_number(1)``)."""
    return Rule(text=f">= {minimum}", test=lambda x: x >= minimum, whole=True)


def each(rule: Rule) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    """A validator: every item of a sequence obeys ``rule``; a bad item is named by its index,
    ``size_um.1 must be > 0, got -5.0`` (so its dotted path ends in the index)."""

    def validate(_inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        for index, item in enumerate(value):
            rule.check(f"{attribute.name}.{index}", item)

    return validate
