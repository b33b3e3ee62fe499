"""The built-in plugin of mozaik-core: generic components registered like any plugin's.

Each hook imports its components only when called, so loading the registry stays cheap and no
simulator is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from mozaik.plugin import ComponentKind, hookimpl

if TYPE_CHECKING:
    from mozaik.ads import AnalysisDataStructure
    from mozaik.backends import BackendFactory
    from mozaik.experiments import ExperimentFactory
    from mozaik.export import ExporterFactory
    from mozaik.model import ConnectorFactory, ConnectorFunctionFactory, SheetFactory
    from mozaik.plugin import ComponentSpec
    from mozaik.stimulus import StimulusFactory

MOZAIK_HOOK_API = (2, 1)


@hookimpl
def mozaik_component_kind(name: str) -> ComponentKind[Callable[..., object]] | None:
    # each kind's package is imported when the kind's table is first built (its components'
    # hooks import it anyway), not when the plugin loads: `mozaik --help` stays fast
    if name in ("input_spaces", "sensory_inputs", "sheets", "connectors",
                "connector_functions"):
        from mozaik import model

        kinds: dict[str, ComponentKind[Callable[..., object]]] = {
            "input_spaces": model.INPUT_SPACES, "sensory_inputs": model.SENSORY_INPUTS,
            "sheets": model.SHEETS, "connectors": model.CONNECTORS,
            "connector_functions": model.CONNECTOR_FUNCTIONS}
        return kinds[name]
    if name == "stimuli":
        from mozaik.stimulus import STIMULI

        return STIMULI
    if name == "experiments":
        from mozaik.experiments import EXPERIMENTS

        return EXPERIMENTS
    if name == "analyses":
        from mozaik.analysis import ANALYSES

        return ANALYSES
    if name in ("plots", "search_plots"):
        from mozaik.plot import PLOTS, SEARCH_PLOTS

        return PLOTS if name == "plots" else SEARCH_PLOTS
    if name == "backends":
        from mozaik.backends import BACKENDS

        return BACKENDS
    if name == "exporters":
        from mozaik.export import EXPORTERS

        return EXPORTERS
    return None


@hookimpl
def mozaik_sheets() -> Iterable[ComponentSpec[Any, SheetFactory[Any]]]:
    from mozaik.builtin._model_components import sheets

    return sheets()


@hookimpl
def mozaik_connectors() -> Iterable[ComponentSpec[Any, ConnectorFactory[Any]]]:
    from mozaik.builtin._model_components import connectors

    return connectors()


@hookimpl
def mozaik_connector_functions() -> Iterable[ComponentSpec[Any, ConnectorFunctionFactory[Any]]]:
    from mozaik.builtin._model_components import connector_functions

    return connector_functions()


@hookimpl
def mozaik_stimuli() -> Iterable[ComponentSpec[Any, StimulusFactory[Any]]]:
    from mozaik.builtin._workflow_components import stimuli

    return stimuli()


@hookimpl
def mozaik_experiments() -> Iterable[ComponentSpec[Any, ExperimentFactory[Any]]]:
    from mozaik.builtin._workflow_components import experiments

    return experiments()


@hookimpl
def mozaik_backends() -> Iterable[ComponentSpec[Any, BackendFactory[Any]]]:
    from mozaik.builtin._workflow_components import backends

    return backends()


@hookimpl
def mozaik_analysis_data_structures() -> Iterable[type[AnalysisDataStructure]]:
    from mozaik import ads

    return [ads.SingleValue, ads.PerNeuronValue, ads.PerNeuronPairValue, ads.AnalogSignal,
            ads.AnalogSignalList, ads.ConductanceSignalList, ads.Connections]


@hookimpl
def mozaik_exporters() -> Iterable[ComponentSpec[Any, ExporterFactory[Any]]]:
    from mozaik.builtin._exporters import exporters

    return exporters()
