"""The mozaik plugin of mozaik-visual: registers its components through core's hooks."""

from __future__ import annotations

from collections.abc import Iterable

from mozaik.plugin import ComponentSpec, hookimpl

MOZAIK_HOOK_API = (1, 0)


@hookimpl
def mozaik_input_spaces() -> Iterable[ComponentSpec]:
    return []


@hookimpl
def mozaik_sensory_inputs() -> Iterable[ComponentSpec]:
    return []


@hookimpl
def mozaik_sheets() -> Iterable[ComponentSpec]:
    return []


@hookimpl
def mozaik_connectors() -> Iterable[ComponentSpec]:
    return []


@hookimpl
def mozaik_connector_functions() -> Iterable[ComponentSpec]:
    return []


@hookimpl
def mozaik_stimuli() -> Iterable[ComponentSpec]:
    return []


@hookimpl
def mozaik_experiments() -> Iterable[ComponentSpec]:
    return []
