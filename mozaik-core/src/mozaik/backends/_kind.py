"""The backend kind: its registry key and factory protocol."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from mozaik.backends._base import Backend
from mozaik.plugin import ComponentKind

__all__ = ["BACKENDS", "BackendFactory"]

P_contra = TypeVar("P_contra", contravariant=True)


class BackendFactory(Protocol[P_contra]):
    """``factory(params) -> Backend`` (hook ``mozaik_backends``); usually the backend class."""

    def __call__(self, params: P_contra, /) -> Backend: ...


#: Execution backends: ``registry[BACKENDS]`` (many parameters classes: ``Any`` params).
BACKENDS: ComponentKind[BackendFactory[Any]] = ComponentKind("backends", Backend)
