"""The mozaik plugin of mozaik-analysis: registers its components through core's hooks."""

from __future__ import annotations

from collections.abc import Iterable

from mozaik.plugin import ComponentSpec, hookimpl

MOZAIK_HOOK_API = (1, 0)


@hookimpl
def mozaik_analyses() -> Iterable[ComponentSpec]:
    return []
