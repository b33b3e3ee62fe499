"""The experiment kind: its registry key and factory protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from mozaik.experiments._base import Experiment
from mozaik.plugin import ComponentKind

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["EXPERIMENTS", "ExperimentFactory"]

P_contra = TypeVar("P_contra", contravariant=True)


class ExperimentFactory(Protocol[P_contra]):
    """``factory(params, model) -> Experiment`` (hook ``mozaik_experiments``)."""

    def __call__(self, params: P_contra, model: Model, /) -> Experiment: ...


#: Experiments: ``registry[EXPERIMENTS]`` (a table holds many parameters classes: ``Any``).
EXPERIMENTS: ComponentKind[ExperimentFactory[Any]] = ComponentKind("experiments", Experiment)
