"""The entry point of mozaik-tonotopy: one hook per kind, imports deferred to the call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mozaik.plugin import ComponentSpec, hookimpl

if TYPE_CHECKING:
    from mozaik.plugin import (
        ConnectorFactory,
        ExperimentFactory,
        InputSpaceFactory,
        SensoryInputFactory,
        SheetFactory,
        StimulusFactory,
    )

MOZAIK_HOOK_API = (1, 0)


@hookimpl
def mozaik_input_spaces() -> list[ComponentSpec[InputSpaceFactory]]:
    from mozaik_tonotopy import FrequencySpace, FrequencySpaceParams

    return [ComponentSpec(name="FrequencySpace", config_cls=FrequencySpaceParams,
                          factory=FrequencySpace, summary="a frequency axis (Hz)")]


@hookimpl
def mozaik_sensory_inputs() -> list[ComponentSpec[SensoryInputFactory]]:
    from mozaik_tonotopy import Cochlea, CochleaParams

    return [ComponentSpec(name="Cochlea", config_cls=CochleaParams, factory=Cochlea,
                          summary="Poisson auditory-nerve afferents tuned along the axis")]


@hookimpl
def mozaik_stimuli() -> list[ComponentSpec[StimulusFactory]]:
    from mozaik_tonotopy import PureTone, PureToneParams

    return [ComponentSpec(name="PureTone", config_cls=PureToneParams, factory=PureTone,
                          summary="a pure tone (Hz)")]


@hookimpl
def mozaik_sheets() -> list[ComponentSpec[SheetFactory]]:
    from mozaik_tonotopy import TonotopicSheet, TonotopicSheetParams

    return [ComponentSpec(name="TonotopicSheet", config_cls=TonotopicSheetParams,
                          factory=TonotopicSheet,
                          summary="a strip of cortex with best frequencies")]


@hookimpl
def mozaik_connectors() -> list[ComponentSpec[ConnectorFactory]]:
    from mozaik_tonotopy import TonotopicConnector, TonotopicConnectorParams

    return [ComponentSpec(name="TonotopicConnector", config_cls=TonotopicConnectorParams,
                          factory=TonotopicConnector,
                          summary="same place of the tonotopic axis, within a bandwidth")]


@hookimpl
def mozaik_experiments() -> list[ComponentSpec[ExperimentFactory]]:
    from mozaik_tonotopy import ToneSweep, ToneSweepParams

    return [ComponentSpec(name="ToneSweep", config_cls=ToneSweepParams, factory=ToneSweep,
                          summary="pure tones played in turn")]
