"""The stimulus kind: its registry key and factory protocol."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from mozaik.plugin import ComponentKind
from mozaik.stimulus._base import Stimulus

__all__ = ["STIMULI", "StimulusFactory"]

P_contra = TypeVar("P_contra", contravariant=True)


class StimulusFactory(Protocol[P_contra]):
    """``factory(params) -> Stimulus`` (hook ``mozaik_stimuli``); usually the stimulus class.

    ``params`` is an instance of the registered ``config_cls``, positional-only. The same
    call rebuilds a stored stimulus when a run is read back.
    """

    def __call__(self, params: P_contra, /) -> Stimulus: ...


#: Stimuli: ``registry[STIMULI]`` (a table holds many parameters classes: ``Any`` params).
STIMULI: ComponentKind[StimulusFactory[Any]] = ComponentKind("stimuli", Stimulus)
