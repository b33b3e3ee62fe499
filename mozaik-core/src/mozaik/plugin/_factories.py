"""The typed factory signature of each component kind.

A :class:`~mozaik.plugin.ComponentSpec` is parametrised by the factory's type, so a plugin that
annotates its registration hook gets its factories checked by a type checker::

    @hookimpl
    def mozaik_sheets() -> list[ComponentSpec[SheetFactory]]:
        return [ComponentSpec(name="BarrelSheet", config_cls=BarrelParams, factory=BarrelSheet)]

Every argument is positional-only: a factory may name its parameters as it likes. ``params``
is an instance of the component's registered ``config_cls``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mozaik.analysis import Analysis
    from mozaik.backends import Backend
    from mozaik.experiments import Experiment
    from mozaik.model import (
        Connector,
        ConnectorFunction,
        InputSpace,
        Model,
        SensoryInput,
        Sheet,
    )
    from mozaik.plot import Plot, SearchPlot
    from mozaik.stimulus import Stimulus

__all__ = [
    "AnalysisFactory",
    "BackendFactory",
    "ConnectorFactory",
    "ConnectorFunctionFactory",
    "ExperimentFactory",
    "InputSpaceFactory",
    "PlotFactory",
    "SearchPlotFactory",
    "SensoryInputFactory",
    "SheetFactory",
    "StimulusFactory",
]


class InputSpaceFactory(Protocol):
    """``factory(params) -> InputSpace`` (hook ``mozaik_input_spaces``)."""

    def __call__(self, params: Any, /) -> InputSpace: ...


class SensoryInputFactory(Protocol):
    """``factory(name, params, model) -> SensoryInput`` (hook ``mozaik_sensory_inputs``)."""

    def __call__(self, name: str, params: Any, model: Model, /) -> SensoryInput: ...


class SheetFactory(Protocol):
    """``factory(name, params, model) -> Sheet`` (hook ``mozaik_sheets``)."""

    def __call__(self, name: str, params: Any, model: Model, /) -> Sheet: ...


class ConnectorFactory(Protocol):
    """``factory(name, source, target, params, model) -> Connector`` (``mozaik_connectors``)."""

    def __call__(self, name: str, source: Sheet, target: Sheet, params: Any, model: Model,
                 /) -> Connector: ...


class ConnectorFunctionFactory(Protocol):
    """``factory(params) -> ConnectorFunction`` (hook ``mozaik_connector_functions``)."""

    def __call__(self, params: Any, /) -> ConnectorFunction: ...


class StimulusFactory(Protocol):
    """``factory(params) -> Stimulus`` (hook ``mozaik_stimuli``); a stimulus class itself."""

    def __call__(self, params: Any, /) -> Stimulus: ...


class ExperimentFactory(Protocol):
    """``factory(params, model) -> Experiment`` (hook ``mozaik_experiments``)."""

    def __call__(self, params: Any, model: Model, /) -> Experiment: ...


class AnalysisFactory(Protocol):
    """``factory(params) -> Analysis`` (hook ``mozaik_analyses``)."""

    def __call__(self, params: Any, /) -> Analysis: ...


class PlotFactory(Protocol):
    """``factory(params) -> Plot`` (hook ``mozaik_plots``)."""

    def __call__(self, params: Any, /) -> Plot: ...


class SearchPlotFactory(Protocol):
    """``factory(params) -> SearchPlot`` (hook ``mozaik_search_plots``)."""

    def __call__(self, params: Any, /) -> SearchPlot: ...


class BackendFactory(Protocol):
    """``factory(params) -> Backend`` (hook ``mozaik_backends``)."""

    def __call__(self, params: Any, /) -> Backend: ...
