"""The built-in plugin of mozaik-core: generic components registered like any plugin's.

Each hook imports its components only when called, so loading the registry stays cheap and no
simulator is imported.
"""

from __future__ import annotations

from collections.abc import Iterable

from mozaik.plugin import ComponentSpec, hookimpl

MOZAIK_HOOK_API = (1, 0)


@hookimpl
def mozaik_sheets() -> Iterable[ComponentSpec]:
    from mozaik.builtin._model_components import sheets

    return sheets()


@hookimpl
def mozaik_connectors() -> Iterable[ComponentSpec]:
    from mozaik.builtin._model_components import connectors

    return connectors()


@hookimpl
def mozaik_connector_functions() -> Iterable[ComponentSpec]:
    from mozaik.builtin._model_components import connector_functions

    return connector_functions()


@hookimpl
def mozaik_stimuli() -> Iterable[ComponentSpec]:
    from mozaik.builtin._workflow_components import stimuli

    return stimuli()


@hookimpl
def mozaik_experiments() -> Iterable[ComponentSpec]:
    from mozaik.builtin._workflow_components import experiments

    return experiments()


@hookimpl
def mozaik_backends() -> Iterable[ComponentSpec]:
    from mozaik.builtin._workflow_components import backends

    return backends()
