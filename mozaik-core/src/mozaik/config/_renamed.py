"""Renamed parameter fields: tell a study or a plugin written against an older API the new name.

Two class attributes, both ``old name -> new name`` mappings:

``renamed_fields`` on a parameters class
    Keys of that class that were renamed. A study still writing an old key gets "'duration'
    was renamed 'duration_ms'" (naming the class's distribution) instead of a bare "unknown
    key" (read by :func:`mozaik.config.structure`).
``params_renamed_fields`` on a component base class (``mozaik.stimulus.Stimulus``)
    Fields every parameters class of that kind must have, renamed. A plugin registering a
    component whose parameters class still has the old field is refused at registration,
    naming the distribution and the new name (read by the plugin manager).

Example
-------
>>> @attrs.frozen(kw_only=True)
... class KickParams:
...     renamed_fields: ClassVar[Mapping[str, str]] = {"duration": "duration_ms"}
...     duration_ms: float
"""

from __future__ import annotations

import importlib.metadata as md
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

__all__ = ["distribution_of", "old_fields", "renamed_fields", "renamed_keys_hint"]


def renamed_fields(cls: Any, attribute: str = "renamed_fields") -> Mapping[str, str]:
    """The ``old -> new`` renames a class declares in ``attribute`` (empty if none)."""
    table = getattr(cls, attribute, None)
    return table if isinstance(table, Mapping) else {}


def distribution_of(cls: Any) -> str:
    """The installed distribution whose package defines ``cls``, else its module.

    The files an installer records name the package; an editable install records none, so a
    distribution with an entry point (a plugin's ``mozaik`` entry point, core's ``mozaik``
    script) in that package is taken next. Called only to word an error: it scans the installed
    distributions.
    """
    module = getattr(cls, "__module__", "") or ""
    top = module.partition(".")[0]
    dists = md.packages_distributions().get(top, [])
    if dists:
        return dists[0]
    for dist in md.distributions():
        if any(ep.module.partition(".")[0] == top for ep in dist.entry_points):
            return str(dist.metadata["Name"])
    return f"module {module}"


def renamed_keys_hint(cls: Any, keys: Iterable[str]) -> str:
    """"; 'duration' was renamed 'duration_ms' in mozaik-core (write duration_ms)" for the
    ``keys`` of a study that ``cls`` declares renamed; empty if none."""
    table = renamed_fields(cls)
    found = [(key, table[key]) for key in sorted(keys) if key in table]
    if not found:
        return ""
    names = ", ".join(f"{old!r} was renamed {new!r}" for old, new in found)
    new = ", ".join(new for _, new in found)
    return (f"; {names} in {distribution_of(cls)} ({getattr(cls, '__name__', cls)}): write "
            f"{new} instead")


def old_fields(params_cls: Any, renames: Mapping[str, str]) -> list[tuple[str, str]]:
    """The ``(old, new)`` renames a parameters class has not followed: it has a field named
    ``old`` and none named ``new``."""
    if not attrs.has(params_cls):
        return []
    fields = {f.name for f in attrs.fields(params_cls)}
    return [(old, new) for old, new in renames.items() if old in fields and new not in fields]
