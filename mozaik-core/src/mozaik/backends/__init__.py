"""Execution backends: how a study, or the points of a search, are run.

:class:`Backend` is the base class plugins subclass (registered with ``mozaik_backends``);
:class:`LocalBackend` runs in this process. :func:`study_backend` and :func:`search_backend`
are the one resolution of a backend name (registered name or a plugin-declared alias) that
``mozaik run`` and ``mozaik search run`` share.

Layering: this package sits above :mod:`mozaik.controller` and :mod:`mozaik.search` (a backend
runs studies and search points); neither imports it.
"""

from __future__ import annotations

from mozaik.backends._base import (
    Backend,
    LocalBackend,
    LocalBackendParams,
    RunOptions,
)
from mozaik.backends._kind import BACKENDS, BackendFactory
from mozaik.backends._resolve import (
    DEFAULT_BACKEND,
    backend_component,
    build_backend,
    resolve_backend,
    search_backend,
    study_backend,
)

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendFactory",
    "DEFAULT_BACKEND",
    "LocalBackend",
    "LocalBackendParams",
    "RunOptions",
    "backend_component",
    "build_backend",
    "resolve_backend",
    "search_backend",
    "study_backend",
]
