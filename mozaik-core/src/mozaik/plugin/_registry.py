"""The typed registry: what the rest of Mozaik asks instead of touching pluggy."""

from __future__ import annotations

import abc
import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from mozaik._errors import UnknownComponentError
from mozaik.plugin._types import COMPONENT_KINDS, F, RegisteredADS, RegisteredComponent

if TYPE_CHECKING:
    from mozaik.plugin._factories import (
        AnalysisFactory,
        BackendFactory,
        ConnectorFactory,
        ConnectorFunctionFactory,
        ExperimentFactory,
        InputSpaceFactory,
        PlotFactory,
        SearchPlotFactory,
        SensoryInputFactory,
        SheetFactory,
        StimulusFactory,
    )

__all__ = ["ADS_KIND", "ADSTable", "ComponentTable", "Registry", "kind_label"]

#: Kind label of analysis data structure classes (``mozaik_analysis_data_structures``).
ADS_KIND = "analysis_data_structures"

_SINGULAR = {"analyses": "analysis", "stimuli": "stimulus"}


def kind_label(kind: str, *, plural: bool = False) -> str:
    """Human name of a component kind: ``connector_functions`` -> ``connector function``.

    With ``plural=True`` the plural (``stimuli`` -> ``stimuli``, ``analyses`` -> ``analyses``).
    """
    if plural:
        return kind.replace("_", " ")
    last = kind.rsplit("_", 1)[-1]
    singular = _SINGULAR.get(last, last[:-1] if last.endswith("s") else last)
    return (kind[: len(kind) - len(last)] + singular).replace("_", " ")


_V = TypeVar("_V")


class _Table(Mapping[str, _V]):
    """A read-only, name-sorted mapping whose misses raise :meth:`_missing`'s helpful error."""

    def __init__(self, items: Mapping[str, _V]) -> None:
        self._items = dict(sorted(items.items()))

    def __getitem__(self, name: str) -> _V:
        try:
            return self._items[name]
        except KeyError:
            pass
        raise UnknownComponentError(self._missing(name))

    @abc.abstractmethod
    def _missing(self, name: str) -> str:
        """The error message for an unknown ``name``: what the table holds, what might help."""

    def _suggestion(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self._items), n=1)
        return f" Did you mean {close[0]!r}?" if close else ""

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._items)})"


class ComponentTable(_Table[RegisteredComponent[F]], Generic[F]):
    """Read-only mapping name -> component of one kind; unknown names raise a helpful error."""

    def __init__(self, kind: str, items: Mapping[str, RegisteredComponent[F]]) -> None:
        super().__init__(items)
        self.kind = kind

    def _missing(self, name: str) -> str:
        label, plural = kind_label(self.kind), kind_label(self.kind, plural=True)
        installed = ", ".join(self._items) or "none"
        msg = f"unknown {label} {name!r}; installed {plural}: {installed}."
        msg += self._suggestion(name)
        # which distribution adds which kinds is known only to installed plugins: core names
        # none (each component's own install_hint is shown where it fails to build)
        msg += (f" More {plural} come with plugin distributions; `mozaik plugins` lists the "
                "installed ones.")
        return msg

    def __repr__(self) -> str:
        return f"ComponentTable({self.kind!r}, {list(self._items)})"


class ADSTable(_Table[RegisteredADS]):
    """Read-only mapping identifier -> registered analysis data structure class."""

    def _missing(self, identifier: str) -> str:
        known = ", ".join(self._items) or "none"
        msg = (f"no installed plugin registers the analysis data structure {identifier!r}; "
               f"registered: {known}. Install the distribution that defines it (plugins "
               f"register their result classes with mozaik_analysis_data_structures()).")
        return msg + self._suggestion(identifier)


class Registry:
    """Every registered component, by kind: ``registry.sheets()["Sheet"]``.

    Each accessor returns a table whose components carry their kind's factory protocol, so
    ``registry.sheets()[name].factory(name, params, model)`` is type-checked.
    """

    def __init__(self, components: Mapping[str, Mapping[str, RegisteredComponent]]
                 | Callable[[str], Mapping[str, RegisteredComponent]],
                 ads: Mapping[str, RegisteredADS]
                 | Callable[[], Mapping[str, RegisteredADS]] | None = None) -> None:
        # A callable source is asked for one kind when that kind is first needed: plugins
        # import their heavy dependencies (scipy, matplotlib) in their hooks, so a run that
        # needs no plot never imports matplotlib
        self._source = components
        self._tables: dict[str, ComponentTable[Callable[..., Any]]] = {}
        # ADS classes import neo and quantities: collected on first need, not with the rest
        self._ads_source = ads
        self._ads: ADSTable | None = None

    def _table(self, kind: str) -> ComponentTable[Callable[..., Any]]:
        table = self._tables.get(kind)
        if table is None:
            source = self._source
            items = source(kind) if callable(source) else source.get(kind, {})
            table = self._tables[kind] = ComponentTable(kind, items)
        return table

    def kind(self, kind: str) -> ComponentTable:
        """The table of one kind; ``kind`` is one of :data:`COMPONENT_KINDS`."""
        if kind not in COMPONENT_KINDS:
            msg = f"unknown component kind {kind!r}; kinds are: {', '.join(COMPONENT_KINDS)}"
            raise UnknownComponentError(msg)
        return self._table(kind)

    def get(self, kind: str, name: str) -> RegisteredComponent:
        return self.kind(kind)[name]

    def input_spaces(self) -> ComponentTable[InputSpaceFactory]:
        return cast("ComponentTable[InputSpaceFactory]", self._table("input_spaces"))

    def sensory_inputs(self) -> ComponentTable[SensoryInputFactory]:
        return cast("ComponentTable[SensoryInputFactory]", self._table("sensory_inputs"))

    def sheets(self) -> ComponentTable[SheetFactory]:
        return cast("ComponentTable[SheetFactory]", self._table("sheets"))

    def connectors(self) -> ComponentTable[ConnectorFactory]:
        return cast("ComponentTable[ConnectorFactory]", self._table("connectors"))

    def connector_functions(self) -> ComponentTable[ConnectorFunctionFactory]:
        return cast("ComponentTable[ConnectorFunctionFactory]",
                    self._table("connector_functions"))

    def stimuli(self) -> ComponentTable[StimulusFactory]:
        return cast("ComponentTable[StimulusFactory]", self._table("stimuli"))

    def experiments(self) -> ComponentTable[ExperimentFactory]:
        return cast("ComponentTable[ExperimentFactory]", self._table("experiments"))

    def analyses(self) -> ComponentTable[AnalysisFactory]:
        return cast("ComponentTable[AnalysisFactory]", self._table("analyses"))

    def plots(self) -> ComponentTable[PlotFactory]:
        return cast("ComponentTable[PlotFactory]", self._table("plots"))

    def search_plots(self) -> ComponentTable[SearchPlotFactory]:
        return cast("ComponentTable[SearchPlotFactory]", self._table("search_plots"))

    def backends(self) -> ComponentTable[BackendFactory]:
        return cast("ComponentTable[BackendFactory]", self._table("backends"))

    def analysis_data_structures(self) -> ADSTable:
        """ADS classes registered by plugins, by identifier (class name).

        Raises
        ------
        PluginConflictError
            If two plugins register classes with one identifier.
        """
        if self._ads is None:
            source = self._ads_source
            self._ads = ADSTable((source() if callable(source) else source) or {})
        return self._ads

    def all(self) -> Iterator[RegisteredComponent]:
        for kind in COMPONENT_KINDS:
            yield from self._table(kind).values()
