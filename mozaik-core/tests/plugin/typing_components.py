"""Typing cases of component registration, checked by mypy in ``test_component_typing.py``.

A line ending in ``# E: <code>`` must be a mypy error with that code; every other line must
type-check. The file is not imported by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import attrs
from mozaik.analysis import AnalysisFactory
from mozaik.model import SHEETS, Model, Sheet, SheetFactory, SheetParams
from mozaik.plugin import ComponentSpec, Registry
from mozaik.study import Entry


@attrs.frozen
class BarrelParams:
    sheet: SheetParams = attrs.field(factory=SheetParams)


@attrs.frozen
class OtherParams:
    n: int = 1


class BarrelSheet(Sheet):
    def __init__(self, name: str, params: BarrelParams, model: Model) -> None:
        super().__init__(name, params.sheet, model)


def barrel_sheet(name: str, params: BarrelParams, model: Model) -> Sheet:
    return BarrelSheet(name, params, model)


# -- a plugin's registration hook: factory and config_cls agree ------------------------------


def registers() -> list[ComponentSpec[BarrelParams, SheetFactory[BarrelParams]]]:
    return [ComponentSpec(name="BarrelSheet", config_cls=BarrelParams, factory=BarrelSheet),
            ComponentSpec(name="Barrels", config_cls=BarrelParams, factory=barrel_sheet)]


def registers_other_params() -> list[ComponentSpec[BarrelParams, SheetFactory[BarrelParams]]]:
    return [ComponentSpec(name="BarrelSheet", config_cls=OtherParams,  # E: arg-type
                          factory=BarrelSheet)]


def factory_takes_other_params() -> list[ComponentSpec[OtherParams, SheetFactory[OtherParams]]]:
    return [ComponentSpec(name="BarrelSheet", config_cls=OtherParams,
                          factory=BarrelSheet)]  # E: arg-type


def factory_of_another_kind() -> list[
        ComponentSpec[BarrelParams, AnalysisFactory[BarrelParams]]]:
    return [ComponentSpec(name="BarrelSheet", config_cls=BarrelParams,
                          factory=barrel_sheet)]  # E: arg-type


# -- building from a record: spec.factory(spec.config_cls(...)) -------------------------------


def build(spec: ComponentSpec[BarrelParams, SheetFactory[BarrelParams]], model: Model) -> Sheet:
    return spec.factory("l4", spec.config_cls(), model)


def build_with_other_params(spec: ComponentSpec[BarrelParams, SheetFactory[BarrelParams]],
                            model: Model) -> Sheet:
    return spec.factory("l4", OtherParams(), model)  # E: arg-type


# -- the typed registry and a study's entries ------------------------------------------------


def lookup(registry: Registry, model: Model) -> Sheet:
    component = registry[SHEETS]["BarrelSheet"]
    component.factory("l4")  # E: call-arg
    return component.factory("l4", component.config_cls(), model)


def from_study(entry: Entry, model: Model) -> Sheet:
    built = entry.factory("l4", entry.params, model)
    built.population  # E: attr-defined  # noqa: B018
    return entry.of(SHEETS).factory("l4", entry.params, model)
