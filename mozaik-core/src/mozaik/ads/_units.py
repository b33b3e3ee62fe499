"""Units of analysis data structures: a safe parser of quantities unit strings."""

from __future__ import annotations

import re
from typing import Any

import quantities as pq

from mozaik._errors import AnalysisDataStructureError

__all__ = ["parse_units", "to_units", "units_string"]

_TOKEN = re.compile(r"\s*(?:(\*\*)|([A-Za-z_][A-Za-z_0-9]*)|(-?\d+(?:\.\d+)?)|([*/()]))")


def parse_units(text: str) -> pq.Quantity:
    """Parse a quantities units string (``"mV"``, ``"1/s"``, ``"kg*m**2/(s**3*A)"``).

    A small parser over unit names, ``*``, ``/``, ``**`` with numeric powers and parentheses;
    unlike quantities' own string lookup it evaluates no Python code.

    Raises
    ------
    ValueError
        If ``text`` is not such a string or names an unknown unit.
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            msg = f"unexpected character at {pos} in units {text!r}"
            raise ValueError(msg)
        pos = m.end()
        kind = ("pow", "name", "num", "op")[m.lastindex - 1]  # type: ignore[operator]
        tokens.append((kind, m.group(m.lastindex)))  # type: ignore[arg-type]
    tokens.append(("end", ""))
    i = 0

    def peek() -> tuple[str, str]:
        return tokens[i]

    def take() -> tuple[str, str]:
        nonlocal i
        i += 1
        return tokens[i - 1]

    def factor() -> pq.Quantity:
        kind, tok = take()
        if kind == "name":
            unit = getattr(pq, tok, None)
            if not isinstance(unit, pq.Quantity):
                msg = f"unknown unit {tok!r} in {text!r}"
                raise ValueError(msg)
            base = pq.Quantity(1.0, unit)
        elif kind == "num" and float(tok) == 1.0:
            base = pq.Quantity(1.0, pq.dimensionless)
        elif (kind, tok) == ("op", "("):
            base = expr()
            if take() != ("op", ")"):
                msg = f"unbalanced parentheses in units {text!r}"
                raise ValueError(msg)
        else:
            msg = f"unexpected {tok or 'end'!r} in units {text!r}"
            raise ValueError(msg)
        if peek()[0] == "pow":
            take()
            kind, tok = take()
            if kind != "num":
                msg = f"expected a number after ** in units {text!r}"
                raise ValueError(msg)
            power = float(tok)
            base = base ** (int(power) if power.is_integer() else power)
        return base

    def expr() -> pq.Quantity:
        out = factor()
        while peek() in (("op", "*"), ("op", "/")):
            _, op = take()
            rhs = factor()
            out = out * rhs if op == "*" else out / rhs
        return out

    result = expr()
    if peek()[0] != "end":
        msg = f"unexpected {peek()[1]!r} in units {text!r}"
        raise ValueError(msg)
    return pq.Quantity(1.0, result.units)


def to_units(owner: str, name: str, value: Any) -> pq.Quantity:
    if value is None:
        msg = (
            f"{owner}: units field {name!r} is missing; pass quantities units such as pq.Hz or "
            f"pq.mV (pq.dimensionless for unitless values)"
        )
        raise AnalysisDataStructureError(msg)
    try:
        if isinstance(value, str):
            return parse_units(value)
        if isinstance(value, pq.Quantity):
            return pq.Quantity(1.0, value.units)
    except (LookupError, ValueError, TypeError) as exc:
        msg = f"{owner}: units field {name!r} = {value!r} cannot be parsed by quantities ({exc})"
        raise AnalysisDataStructureError(msg) from exc
    msg = (
        f"{owner}: units field {name!r} = {value!r} is a {type(value).__name__}; expected "
        f"quantities "
        f"units such as pq.Hz or a string such as 'Hz'"
    )
    raise AnalysisDataStructureError(msg)


def units_string(units: pq.Quantity) -> str:
    """Return the canonical quantities string of units (``"mV"``, ``"1/s"``, ...)."""
    return str(units.dimensionality.string)


