"""The component kinds of a model: their registry keys and factory protocols.

A plugin ties a component's parameters class to its factory through the kind's protocol::

    @hookimpl
    def mozaik_sheets() -> list[ComponentSpec[BarrelParams, SheetFactory[BarrelParams]]]:
        return [ComponentSpec(name="BarrelSheet", config_cls=BarrelParams, factory=BarrelSheet)]

Every argument is positional-only: a factory may name its parameters as it likes. ``params``
is an instance of the component's registered ``config_cls``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from mozaik.model._connectors import Connector
from mozaik.model._functions import ConnectorFunction
from mozaik.model._sensory import InputSpace, SensoryInput
from mozaik.model._sheet import Sheet
from mozaik.plugin import ComponentKind

if TYPE_CHECKING:
    from mozaik.model._model import Model

__all__ = [
    "CONNECTORS",
    "CONNECTOR_FUNCTIONS",
    "INPUT_SPACES",
    "SENSORY_INPUTS",
    "SHEETS",
    "ConnectorFactory",
    "ConnectorFunctionFactory",
    "InputSpaceFactory",
    "SensoryInputFactory",
    "SheetFactory",
]

P_contra = TypeVar("P_contra", contravariant=True)


class InputSpaceFactory(Protocol[P_contra]):
    """``factory(params) -> InputSpace`` (hook ``mozaik_input_spaces``)."""

    def __call__(self, params: P_contra, /) -> InputSpace: ...


class SensoryInputFactory(Protocol[P_contra]):
    """``factory(name, params, model) -> SensoryInput`` (hook ``mozaik_sensory_inputs``)."""

    def __call__(self, name: str, params: P_contra, model: Model, /) -> SensoryInput: ...


class SheetFactory(Protocol[P_contra]):
    """``factory(name, params, model) -> Sheet`` (hook ``mozaik_sheets``)."""

    def __call__(self, name: str, params: P_contra, model: Model, /) -> Sheet[Any]: ...


class ConnectorFactory(Protocol[P_contra]):
    """``factory(name, source, target, params, model) -> Connector`` (``mozaik_connectors``)."""

    def __call__(self, name: str, source: Sheet, target: Sheet, params: P_contra,
                 model: Model, /) -> Connector: ...


class ConnectorFunctionFactory(Protocol[P_contra]):
    """``factory(params) -> ConnectorFunction`` (hook ``mozaik_connector_functions``)."""

    def __call__(self, params: P_contra, /) -> ConnectorFunction: ...


# A table holds components of many parameters classes: its factories accept ``Any`` params
#: Input spaces: ``registry[INPUT_SPACES]``.
INPUT_SPACES: ComponentKind[InputSpaceFactory[Any]] = ComponentKind("input_spaces", InputSpace)
#: Sensory input layers: ``registry[SENSORY_INPUTS]``.
SENSORY_INPUTS: ComponentKind[SensoryInputFactory[Any]] = ComponentKind("sensory_inputs",
                                                                        SensoryInput)
#: Sheets: ``registry[SHEETS]``.
SHEETS: ComponentKind[SheetFactory[Any]] = ComponentKind("sheets", Sheet)
#: Connectors: ``registry[CONNECTORS]``.
CONNECTORS: ComponentKind[ConnectorFactory[Any]] = ComponentKind("connectors", Connector)
#: Connector functions: ``registry[CONNECTOR_FUNCTIONS]``.
CONNECTOR_FUNCTIONS: ComponentKind[ConnectorFunctionFactory[Any]] = ComponentKind(
    "connector_functions", ConnectorFunction)
