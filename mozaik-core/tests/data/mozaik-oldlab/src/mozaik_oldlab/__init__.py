"""mozaik-oldlab 0.3: a plugin written before mozaik's parameters carried units in their names
and before analyses subclassed :class:`mozaik.analysis.Analysis`.

Its three mistakes, each of which once passed ``mozaik config check`` and failed mid-run or
later:

1. ``OldFlashParams`` has ``duration`` (renamed ``duration_ms``): refused when the stimuli
   register, which a study's validation does.
2. ``MeanRate`` does not subclass ``Analysis`` (its ``run`` takes ``(view, params)``): refused
   when the analyses register.
3. ``OldRate`` is not returned by ``mozaik_analysis_data_structures``: storing one is refused.
"""

from __future__ import annotations

from typing import Any

import attrs
import quantities as pq
from mozaik.ads import SingleValue
from mozaik.experiments import Experiment
from mozaik.plugin import HOOK_API_VERSION, ComponentSpec, hookimpl
from mozaik.stimulus import Stimulus

# the lab raised its declared hook API without migrating its code: the version check alone
# cannot catch the three mistakes
MOZAIK_HOOK_API = HOOK_API_VERSION


@attrs.frozen(kw_only=True)
class OldFlashParams:
    duration: float = 150.0  # renamed duration_ms
    luminance: float = 1.0


class OldFlash(Stimulus):
    name = "OldFlash"


@attrs.frozen(kw_only=True)
class FlashesParams:
    duration_ms: float = 150.0


class Flashes(Experiment):
    def stimuli(self) -> list[Stimulus]:
        return [OldFlash(OldFlashParams(duration=self.params.duration_ms))]


@attrs.frozen(kw_only=True)
class MeanRateParams:
    sheet: str = "exc"


class MeanRate:  # written before analyses subclassed mozaik.analysis.Analysis
    def __init__(self, params: MeanRateParams) -> None:
        self.params = params

    def run(self, view: Any, params: MeanRateParams) -> list[OldRate]:
        return [OldRate(value=1.0, value_name="mean rate", value_units=pq.Hz,
                        analysis_algorithm="MeanRate")]


class OldRate(SingleValue):
    """A result class the plugin never registered."""


@hookimpl
def mozaik_stimuli() -> list[ComponentSpec[Any]]:
    return [ComponentSpec(name="OldFlash", config_cls=OldFlashParams, factory=OldFlash,
                          summary="a flash")]


@hookimpl
def mozaik_experiments() -> list[ComponentSpec[Any]]:
    return [ComponentSpec(name="Flashes", config_cls=FlashesParams, factory=Flashes,
                          summary="one flash")]


@hookimpl
def mozaik_analyses() -> list[ComponentSpec[Any]]:
    return [ComponentSpec(name="MeanRate", config_cls=MeanRateParams, factory=MeanRate,
                          summary="mean rate")]
