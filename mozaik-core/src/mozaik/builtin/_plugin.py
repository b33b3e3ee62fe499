"""The built-in plugin of mozaik-core: generic components registered like any plugin's.

Each hook imports its components only when called, so loading the registry stays cheap and no
simulator is imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mozaik.plugin import hookimpl

if TYPE_CHECKING:
    from mozaik.ads import AnalysisDataStructure
    from mozaik.plugin import (
        BackendFactory,
        ComponentSpec,
        ConnectorFactory,
        ConnectorFunctionFactory,
        ExperimentFactory,
        SheetFactory,
        StimulusFactory,
    )

MOZAIK_HOOK_API = (1, 0)


@hookimpl
def mozaik_sheets() -> Iterable[ComponentSpec[SheetFactory]]:
    from mozaik.builtin._model_components import sheets

    return sheets()


@hookimpl
def mozaik_connectors() -> Iterable[ComponentSpec[ConnectorFactory]]:
    from mozaik.builtin._model_components import connectors

    return connectors()


@hookimpl
def mozaik_connector_functions() -> Iterable[ComponentSpec[ConnectorFunctionFactory]]:
    from mozaik.builtin._model_components import connector_functions

    return connector_functions()


@hookimpl
def mozaik_stimuli() -> Iterable[ComponentSpec[StimulusFactory]]:
    from mozaik.builtin._workflow_components import stimuli

    return stimuli()


@hookimpl
def mozaik_experiments() -> Iterable[ComponentSpec[ExperimentFactory]]:
    from mozaik.builtin._workflow_components import experiments

    return experiments()


@hookimpl
def mozaik_backends() -> Iterable[ComponentSpec[BackendFactory]]:
    from mozaik.builtin._workflow_components import backends

    return backends()


@hookimpl
def mozaik_analysis_data_structures() -> Iterable[type[AnalysisDataStructure]]:
    from mozaik import ads

    return [ads.SingleValue, ads.PerNeuronValue, ads.PerNeuronPairValue, ads.AnalogSignal,
            ads.AnalogSignalList, ads.ConductanceSignalList, ads.Connections]
