"""The manifest's fields, typed: every store's manifest is structured against them on open.

A run directory may come from a stranger, and every command reads its manifest. Each field
``docs/datastore-format.md`` documents is declared here with its type (frozen attrs classes,
structured by core's strict cattrs converter, as study files are), so a malformed field
(``provenance: "x"``, a non-string ``config_file``, ``ads_ids`` that are not numbers,
``format_version: true``) is one :class:`~mozaik.DataStoreFormatError` naming the field and the
file, not a traceback in whichever command reads it first. Fields other programs add stay
allowed (``DataStore.create(run_dir, manifest)``), and the manifest stays a plain mapping for
its readers: this module only checks it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from mozaik._errors import ConfigError, DataStoreFormatError
from mozaik.config import make_converter, structure

__all__ = ["check_manifest"]


@attrs.frozen(kw_only=True)
class _Session:
    """One ``mozaik run`` of the directory (``sessions[i]``)."""

    status: str
    started: str | None = None
    finished: str | None = None
    resumed: bool | None = None
    error: str | None = None
    planned: int | None = None
    stored_before: int | None = None
    presented: int | None = None
    replayed: int | None = None
    analyses: int | None = None
    plots: int | None = None
    simulator_timers: dict[str, float] | None = None


@attrs.frozen(kw_only=True)
class _Step:
    """What the workflow recorded of one analysis or plot step (``workflow[step id]``)."""

    kind: str
    path: str | None = None
    declaration: dict[str, Any] | None = None
    code_version: str | None = None
    inputs: str | None = None
    ads_ids: list[int] = attrs.field(factory=list)
    files: list[str] = attrs.field(factory=list)
    finished: str | None = None
    seconds: float | None = None


@attrs.frozen(kw_only=True)
class _Presentation:
    """One planned presentation (``plan[i]``)."""

    experiment: int
    stimulus: str
    trial: int
    duration_ms: float | None = None


@attrs.frozen(kw_only=True)
class _Manifest:
    format: str
    format_version: int
    start_time: str | None = None
    end_time: str | None = None
    provenance: dict[str, Any] = attrs.field(factory=dict)
    study: str | None = None
    config: dict[str, Any] | None = None
    config_file: str | None = None
    simulator: str | None = None
    status: str | None = None
    sessions: list[_Session] = attrs.field(factory=list)
    workflow: dict[str, _Step] = attrs.field(factory=dict)
    plan: list[_Presentation] | None = None
    ranks: int | None = None


_converter = make_converter()
_converter.forbid_extra_keys = False  # other programs may add fields, at any level


def _mapping_hook(tp: Any) -> Any:
    """cattrs' own hook for the mapping type ``tp``, refusing values that are no mapping
    (cattrs would call ``.items()`` on a string)."""
    inner = _converter.get_structure_hook(tp)

    def hook(value: Any, _tp: Any) -> Any:
        if not isinstance(value, dict):
            msg = f"expected a mapping, got {value!r} ({type(value).__name__})"
            raise ValueError(msg)
        return inner(value, tp)

    return hook


def _is(tp: Any) -> Any:
    return lambda t: t == tp


for _tp in (dict[str, Any], dict[str, _Step], dict[str, float]):
    _converter.register_structure_hook_func(_is(_tp), _mapping_hook(_tp))


def check_manifest(manifest: dict[str, Any], path: Path) -> None:
    """Check every documented field of ``manifest`` (read from ``path``) has its type.

    Raises
    ------
    DataStoreFormatError
        Naming every malformed field by its dotted path, its value and the type expected.
    """
    try:
        structure(manifest, _Manifest, conv=_converter)
    except ConfigError as exc:
        problems = "; ".join(p.strip() for p in exc.problems)
        msg = (f"{path} is damaged or was not written by Mozaik: {problems}. Restore the "
               f"manifest from a backup (or, for a run, start a new run directory)")
        raise DataStoreFormatError(msg) from None
