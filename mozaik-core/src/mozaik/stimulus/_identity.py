"""Stimulus identity: a stimulus class's registered name plus its parameters.

The identity is what the datastore keeps of a stimulus. It round-trips to a canonical JSON string
(never through ``eval``) and back to a live stimulus instance through a lookup supplied by the
plugin registry, so core imports no plugin here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from mozaik._errors import MozaikError

__all__ = ["ParamValue", "StimulusIdentity"]

#: A stimulus parameter value: a JSON-representable scalar.
ParamValue = bool | int | float | str | None


def _scalar(name: str, key: str, value: Any) -> ParamValue:
    """Return ``value`` as a plain Python scalar or raise naming the parameter."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    msg = (
        f"stimulus {name!r}: parameter {key!r} has value {value!r} of type "
        f"{type(value).__name__}; stimulus parameters must be scalars (bool, int, float, str or "
        f"None). Store sequences as separate scalar parameters or as a string."
    )
    raise MozaikError(msg)


class StimulusIdentity:
    """The identity of one stimulus: registered class name plus parameter values.

    Immutable and hashable. Two identities are equal when their canonical strings are equal,
    so ``10`` and ``10.0`` are different values (the type is part of the identity, as it is in
    the typed index columns).

    Parameters
    ----------
    name : str
        The name under which the stimulus class is registered.
    params : mapping of str to bool, int, float, str or None
        Every parameter that identifies the stimulus, including ``trial`` if the stimulus class
        declares one. Numpy scalars are converted to Python scalars. Stored in sorted key order.

    Examples
    --------
    >>> sid = StimulusIdentity(name="PoissonNetworkKick",
    ...                        params={"rate_hz": 10.0, "duration_ms": 100.0})
    >>> StimulusIdentity.from_string(sid.to_string()) == sid
    True
    """

    __slots__ = ("_name", "_params", "_string")
    _name: str
    _params: Mapping[str, ParamValue]
    _string: str

    def __init__(self, name: str, params: Mapping[str, Any] | None = None) -> None:
        if not isinstance(name, str) or not name:
            msg = f"stimulus name must be a non-empty string, got {name!r}"
            raise MozaikError(msg)
        items = {}
        for key in sorted(params or {}):
            if not isinstance(key, str) or not key:
                msg = f"stimulus {name!r}: parameter names must be non-empty strings, got {key!r}"
                raise MozaikError(msg)
            items[key] = _scalar(name, key, params[key])  # type: ignore[index]
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_params", MappingProxyType(items))
        object.__setattr__(
            self,
            "_string",
            json.dumps({"name": name, "params": items}, sort_keys=True, separators=(",", ":")),
        )

    def __setattr__(self, key: str, value: Any) -> None:
        msg = f"StimulusIdentity is immutable; use .replace({key}=...) to derive a new one"
        raise AttributeError(msg)

    @property
    def name(self) -> str:
        """The registered name of the stimulus class."""
        return self._name

    @property
    def params(self) -> Mapping[str, ParamValue]:
        """Read-only mapping of parameter name to value, in sorted key order."""
        return self._params

    def __getitem__(self, key: str) -> ParamValue:
        return self._params[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StimulusIdentity):
            return NotImplemented
        return self._string == other._string

    def __hash__(self) -> int:
        return hash(self._string)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"StimulusIdentity({self._name}: {inner})"

    def to_string(self) -> str:
        """Return the canonical JSON string ``{"name": ..., "params": {...}}`` (sorted keys)."""
        return self._string

    @classmethod
    def from_string(cls, text: str) -> StimulusIdentity:
        """Parse a string produced by :meth:`to_string`.

        Raises
        ------
        MozaikError
            If ``text`` is not such a string.
        """
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            msg = (
                f"not a stimulus identity string: {text!r} ({exc}); expected the output of "
                f"StimulusIdentity.to_string()"
            )
            raise MozaikError(msg) from exc
        if not isinstance(data, dict) or set(data) != {"name", "params"}:
            msg = (
                f"not a stimulus identity string: {text!r}; expected a JSON object with exactly "
                f"the keys 'name' and 'params'"
            )
            raise MozaikError(msg)
        if not isinstance(data["params"], dict):
            msg = f"stimulus identity {text!r}: 'params' must be a JSON object"
            raise MozaikError(msg)
        return cls(data["name"], data["params"])

    def replace(self, **params: Any) -> StimulusIdentity:
        """Return a copy with some parameters set to new values (or added)."""
        return StimulusIdentity(self._name, {**self._params, **params})

    def without(self, *names: str) -> StimulusIdentity:
        """Return a copy without the named parameters (e.g. to group over trials)."""
        return StimulusIdentity(
            self._name, {k: v for k, v in self._params.items() if k not in names}
        )

    def equal_except(self, other: StimulusIdentity, *names: str) -> bool:
        """Whether ``other`` has the same name and equal parameters apart from ``names``."""
        return self.without(*names) == other.without(*names)
