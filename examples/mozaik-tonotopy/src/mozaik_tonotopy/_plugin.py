"""The entry point of mozaik-tonotopy: one hook per kind, imports deferred to the call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mozaik.plugin import ComponentSpec, hookimpl

if TYPE_CHECKING:
    from mozaik.experiments import ExperimentFactory
    from mozaik.model import ConnectorFactory, InputSpaceFactory, SensoryInputFactory, SheetFactory
    from mozaik.stimulus import StimulusFactory

    from mozaik_tonotopy import (
        CochleaParams,
        FrequencySpaceParams,
        PureToneParams,
        ToneSweepParams,
        TonotopicConnectorParams,
        TonotopicSheetParams,
    )

MOZAIK_HOOK_API = (2, 0)


@hookimpl
def mozaik_input_spaces() -> list[
        ComponentSpec[FrequencySpaceParams, InputSpaceFactory[FrequencySpaceParams]]]:
    from mozaik_tonotopy import FrequencySpace, FrequencySpaceParams

    return [ComponentSpec(name="FrequencySpace", config_cls=FrequencySpaceParams,
                          factory=FrequencySpace, summary="a frequency axis (Hz)")]


@hookimpl
def mozaik_sensory_inputs() -> list[
        ComponentSpec[CochleaParams, SensoryInputFactory[CochleaParams]]]:
    from mozaik_tonotopy import Cochlea, CochleaParams

    return [ComponentSpec(name="Cochlea", config_cls=CochleaParams, factory=Cochlea,
                          summary="Poisson auditory-nerve afferents tuned along the axis")]


@hookimpl
def mozaik_stimuli() -> list[ComponentSpec[PureToneParams, StimulusFactory[PureToneParams]]]:
    from mozaik_tonotopy import PureTone, PureToneParams

    return [ComponentSpec(name="PureTone", config_cls=PureToneParams, factory=PureTone,
                          summary="a pure tone (Hz)")]


@hookimpl
def mozaik_sheets() -> list[
        ComponentSpec[TonotopicSheetParams, SheetFactory[TonotopicSheetParams]]]:
    from mozaik_tonotopy import TonotopicSheet, TonotopicSheetParams

    return [ComponentSpec(name="TonotopicSheet", config_cls=TonotopicSheetParams,
                          factory=TonotopicSheet,
                          summary="a strip of cortex with best frequencies")]


@hookimpl
def mozaik_connectors() -> list[
        ComponentSpec[TonotopicConnectorParams, ConnectorFactory[TonotopicConnectorParams]]]:
    from mozaik_tonotopy import TonotopicConnector, TonotopicConnectorParams

    return [ComponentSpec(name="TonotopicConnector", config_cls=TonotopicConnectorParams,
                          factory=TonotopicConnector,
                          summary="same place of the tonotopic axis, within a bandwidth")]


@hookimpl
def mozaik_experiments() -> list[
        ComponentSpec[ToneSweepParams, ExperimentFactory[ToneSweepParams]]]:
    from mozaik_tonotopy import ToneSweep, ToneSweepParams

    return [ComponentSpec(name="ToneSweep", config_cls=ToneSweepParams, factory=ToneSweep,
                          summary="pure tones played in turn")]
