"""The entry point of mozaik-tonotopy: one hook per kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mozaik.plugin import ComponentSpec, hookimpl

from mozaik_tonotopy import (
    Cochlea,
    CochleaParams,
    FrequencySpace,
    FrequencySpaceParams,
    PureTone,
    PureToneParams,
    ToneSweep,
    ToneSweepParams,
    TonotopicConnector,
    TonotopicConnectorParams,
    TonotopicSheet,
    TonotopicSheetParams,
)

if TYPE_CHECKING:
    from mozaik.experiments import ExperimentFactory
    from mozaik.model import ConnectorFactory, InputSpaceFactory, SensoryInputFactory, SheetFactory
    from mozaik.stimulus import StimulusFactory

MOZAIK_HOOK_API = (2, 0)


@hookimpl
def mozaik_input_spaces() -> list[
        ComponentSpec[FrequencySpaceParams, InputSpaceFactory[FrequencySpaceParams]]]:
    return [ComponentSpec(name="FrequencySpace", config_cls=FrequencySpaceParams,
                          factory=FrequencySpace, summary="a frequency axis (Hz)")]


@hookimpl
def mozaik_sensory_inputs() -> list[
        ComponentSpec[CochleaParams, SensoryInputFactory[CochleaParams]]]:
    return [ComponentSpec(name="Cochlea", config_cls=CochleaParams, factory=Cochlea,
                          summary="Poisson auditory-nerve afferents tuned along the axis")]


@hookimpl
def mozaik_stimuli() -> list[ComponentSpec[PureToneParams, StimulusFactory[PureToneParams]]]:
    return [ComponentSpec(name="PureTone", config_cls=PureToneParams, factory=PureTone,
                          summary="a pure tone (Hz)")]


@hookimpl
def mozaik_sheets() -> list[
        ComponentSpec[TonotopicSheetParams, SheetFactory[TonotopicSheetParams]]]:
    return [ComponentSpec(name="TonotopicSheet", config_cls=TonotopicSheetParams,
                          factory=TonotopicSheet,
                          summary="a strip of cortex with best frequencies")]


@hookimpl
def mozaik_connectors() -> list[
        ComponentSpec[TonotopicConnectorParams, ConnectorFactory[TonotopicConnectorParams]]]:
    return [ComponentSpec(name="TonotopicConnector", config_cls=TonotopicConnectorParams,
                          factory=TonotopicConnector,
                          summary="same place of the tonotopic axis, within a bandwidth")]


@hookimpl
def mozaik_experiments() -> list[
        ComponentSpec[ToneSweepParams, ExperimentFactory[ToneSweepParams]]]:
    return [ComponentSpec(name="ToneSweep", config_cls=ToneSweepParams, factory=ToneSweep,
                          summary="pure tones played in turn")]
