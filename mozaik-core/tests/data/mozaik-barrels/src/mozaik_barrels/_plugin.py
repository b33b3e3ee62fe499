"""The entry point of mozaik-barrels: one component of every kind, registered lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mozaik.plugin import ComponentSpec, hookimpl

from mozaik_barrels import (
    BarrelMap,
    BarrelMapPlot,
    BarrelRate,
    BarrelRateParams,
    BarrelSearchParams,
    BarrelSearchPlot,
    BarrelSheet,
    BarrelSheetParams,
    BarrelSpikesCsv,
    BarrelSpikesCsvParams,
    DeflectWhiskers,
    DeflectWhiskersParams,
    QuietBackend,
    QuietBackendParams,
    SameBarrel,
    SameBarrelParams,
    WhiskerDeflection,
    WhiskerDeflectionParams,
    WhiskerPad,
    WhiskerPadParams,
    WhiskerSpace,
    WhiskerSpaceParams,
    WhiskerToBarrel,
    WhiskerToBarrelParams,
)

if TYPE_CHECKING:
    from mozaik.ads import AnalysisDataStructure
    from mozaik.analysis import AnalysisFactory
    from mozaik.backends import BackendFactory
    from mozaik.experiments import ExperimentFactory
    from mozaik.export import ExporterFactory
    from mozaik.model import (
        ConnectorFactory,
        ConnectorFunctionFactory,
        InputSpaceFactory,
        SensoryInputFactory,
        SheetFactory,
    )
    from mozaik.plot import PlotFactory, SearchPlotFactory
    from mozaik.stimulus import StimulusFactory

MOZAIK_HOOK_API = (2, 1)


@hookimpl
def mozaik_input_spaces() -> list[
        ComponentSpec[WhiskerSpaceParams, InputSpaceFactory[WhiskerSpaceParams]]]:
    return [ComponentSpec(name="WhiskerSpace", config_cls=WhiskerSpaceParams,
                          factory=WhiskerSpace, summary="a rat's whisker pad")]


@hookimpl
def mozaik_sensory_inputs() -> list[
        ComponentSpec[WhiskerPadParams, SensoryInputFactory[WhiskerPadParams]]]:
    return [ComponentSpec(name="WhiskerPad", config_cls=WhiskerPadParams, factory=WhiskerPad,
                          summary="one Poisson afferent per whisker")]


@hookimpl
def mozaik_sheets() -> list[ComponentSpec[BarrelSheetParams, SheetFactory[BarrelSheetParams]]]:
    return [ComponentSpec(name="BarrelSheet", config_cls=BarrelSheetParams,
                          factory=BarrelSheet, summary="layer 4 neurons in barrels")]


@hookimpl
def mozaik_connectors() -> list[
        ComponentSpec[WhiskerToBarrelParams, ConnectorFactory[WhiskerToBarrelParams]]]:
    return [ComponentSpec(name="WhiskerToBarrel", config_cls=WhiskerToBarrelParams,
                          factory=WhiskerToBarrel, summary="whisker i drives barrel i")]


@hookimpl
def mozaik_connector_functions() -> list[
        ComponentSpec[SameBarrelParams, ConnectorFunctionFactory[SameBarrelParams]]]:
    return [ComponentSpec(name="SameBarrel", config_cls=SameBarrelParams, factory=SameBarrel,
                          summary="inside if both neurons share a barrel, else outside")]


@hookimpl
def mozaik_stimuli() -> list[
        ComponentSpec[WhiskerDeflectionParams, StimulusFactory[WhiskerDeflectionParams]]]:
    return [ComponentSpec(name="WhiskerDeflection", config_cls=WhiskerDeflectionParams,
                          factory=WhiskerDeflection, summary="one whisker deflected")]


@hookimpl
def mozaik_experiments() -> list[
        ComponentSpec[DeflectWhiskersParams, ExperimentFactory[DeflectWhiskersParams]]]:
    return [ComponentSpec(name="DeflectWhiskers", config_cls=DeflectWhiskersParams,
                          factory=DeflectWhiskers, summary="each whisker in turn")]


@hookimpl
def mozaik_analyses() -> list[ComponentSpec[BarrelRateParams, AnalysisFactory[BarrelRateParams]]]:
    return [ComponentSpec(name="BarrelRate", config_cls=BarrelRateParams, factory=BarrelRate,
                          summary="mean rate (Hz) per barrel and stimulus")]


@hookimpl
def mozaik_plots() -> list[ComponentSpec[BarrelRateParams, PlotFactory[BarrelRateParams]]]:
    return [ComponentSpec(name="BarrelMapPlot", config_cls=BarrelRateParams,
                          factory=BarrelMapPlot, summary="barrel rates as an SVG bar chart")]


@hookimpl
def mozaik_search_plots() -> list[
        ComponentSpec[BarrelSearchParams, SearchPlotFactory[BarrelSearchParams]]]:
    return [ComponentSpec(name="BarrelSearchPlot", config_cls=BarrelSearchParams,
                          factory=BarrelSearchPlot, summary="one bar per point of a search")]


@hookimpl
def mozaik_backends() -> list[
        ComponentSpec[QuietBackendParams, BackendFactory[QuietBackendParams]]]:
    return [ComponentSpec(name="QuietBackend", config_cls=QuietBackendParams,
                          factory=QuietBackend, summary="runs in this process, no progress")]


@hookimpl
def mozaik_analysis_data_structures() -> list[type[AnalysisDataStructure]]:
    return [BarrelMap]


@hookimpl
def mozaik_exporters() -> list[
        ComponentSpec[BarrelSpikesCsvParams, ExporterFactory[BarrelSpikesCsvParams]]]:
    return [ComponentSpec(name="barrel_csv", config_cls=BarrelSpikesCsvParams,
                          factory=BarrelSpikesCsv, summary="every spike as a CSV row")]
