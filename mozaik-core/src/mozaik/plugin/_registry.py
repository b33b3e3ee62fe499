"""The typed registry: what the rest of Mozaik asks instead of touching pluggy."""

from __future__ import annotations

import abc
import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar, cast

from mozaik._errors import PluginError, UnknownComponentError
from mozaik.plugin._types import (
    COMPONENT_KINDS,
    ComponentKind,
    F,
    RegisteredADS,
    RegisteredComponent,
    T,
    kind_label,
    known_kind,
    public_name,
)

__all__ = ["ADS_KIND", "ADSTable", "AnyComponent", "ComponentTable", "Registry", "kind_label"]

#: Kind label of analysis data structure classes (``mozaik_analysis_data_structures``).
ADS_KIND = "analysis_data_structures"



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


#: A registered component whose parameters class is not known statically: a table holds
#: components of many parameters classes (each one's factory and ``config_cls`` agree, which
#: mypy checks in the plugin's hook and cattrs at run time when the params are structured).
AnyComponent = RegisteredComponent[Any, F]


class ComponentTable(_Table[AnyComponent[F]], Generic[F]):
    """Read-only mapping name -> component of one kind; unknown names raise a helpful error."""

    def __init__(self, kind: str, items: Mapping[str, AnyComponent[F]]) -> None:
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


def _check_factories(kind: ComponentKind[Callable[..., object]],
                     table: ComponentTable[Callable[..., object]]) -> None:
    """A class registered as a factory of ``kind`` subclasses the kind's base class."""
    for component in table.values():
        factory = component.factory
        if isinstance(factory, type) and not issubclass(factory, kind.base):
            base = public_name(kind.base)
            msg = (f"{component.who} registers the {kind.label} {component.name!r} "
                   f"({kind.hook}) with the class {factory.__module__}.{factory.__qualname__}, "
                   f"which does not subclass {base}; every {kind.label} class must subclass "
                   f"{kind.base.__qualname__} (mozaik hook API 2): make it a subclass, or "
                   f"upgrade {component.distribution}, or block the plugin with "
                   f"MOZAIK_BLOCKED_PLUGINS={component.plugin}")
            raise PluginError(msg)


class ADSTable(_Table[RegisteredADS[T]], Generic[T]):
    """Read-only mapping identifier -> registered analysis data structure class."""

    def _missing(self, identifier: str) -> str:
        known = ", ".join(self._items) or "none"
        msg = (f"no installed plugin registers the analysis data structure {identifier!r}; "
               f"registered: {known}. Install the distribution that defines it (plugins "
               f"register their result classes with mozaik_analysis_data_structures()).")
        return msg + self._suggestion(identifier)


class Registry:
    """Every registered component, by kind: ``registry[SHEETS]["Sheet"]``.

    A kind's key (:class:`ComponentKind`, e.g. ``mozaik.model.SHEETS``) carries the kind's
    factory protocol, so ``registry[SHEETS][name].factory(name, params, model)`` is
    type-checked. When a kind's table is first built, every class registered as a factory of
    the kind is checked to subclass the kind's base class.
    """

    def __init__(self, components: Mapping[str, Mapping[str, AnyComponent[Callable[..., object]]]]
                 | Callable[[str], Mapping[str, AnyComponent[Callable[..., object]]]],
                 ads: Mapping[str, RegisteredADS[object]]
                 | Callable[[], Mapping[str, RegisteredADS[object]]] | None = None,
                 kinds: Callable[[str], ComponentKind[Callable[..., object]] | None]
                 | None = None) -> None:
        # A callable source is asked for one kind when that kind is first needed: plugins
        # import their heavy dependencies (scipy, matplotlib) in their hooks, so a run that
        # needs no plot never imports matplotlib
        self._source = components
        self._tables: dict[str, ComponentTable[Callable[..., object]]] = {}
        self._checked: set[str] = set()
        # ADS classes import neo and quantities: collected on first need, not with the rest
        self._ads_source = ads
        self._ads: dict[type, ADSTable[Any]] = {}
        # where the key of a kind named by string comes from (the mozaik_component_kind hook)
        self._kinds = kinds

    def _table(self, kind: str) -> ComponentTable[Callable[..., object]]:
        table = self._tables.get(kind)
        if table is None:
            source = self._source
            items = source(kind) if callable(source) else source.get(kind, {})
            table = self._tables[kind] = ComponentTable(kind, items)
        return table

    def __getitem__(self, kind: ComponentKind[F]) -> ComponentTable[F]:
        """The table of one kind: ``registry[SHEETS]`` -> ``ComponentTable[SheetFactory]``.

        Raises
        ------
        PluginError
            If a plugin registers a class that does not subclass the kind's base class.
        """
        table = self._table(kind.name)
        if kind.name not in self._checked:
            _check_factories(kind, table)
            self._checked.add(kind.name)
        return cast("ComponentTable[F]", table)

    def kind(self, kind: str) -> ComponentTable[Callable[..., object]]:
        """The table of one kind by name; ``kind`` is one of :data:`COMPONENT_KINDS`.

        The factories are checked as by ``registry[KEY]``: the key comes from the
        ``mozaik_component_kind`` hook (core's built-in plugin), or from the package defining
        it if that is imported.
        """
        if kind not in COMPONENT_KINDS:
            msg = f"unknown component kind {kind!r}; kinds are: {', '.join(COMPONENT_KINDS)}"
            raise UnknownComponentError(msg)
        key = known_kind(kind)
        if key is None and self._kinds is not None and kind not in self._checked:
            key = self._kinds(kind)
        return self._table(kind) if key is None else self[key]

    def get(self, kind: str, name: str) -> AnyComponent[Callable[..., object]]:
        return self.kind(kind)[name]

    def analysis_data_structures(self, base: type[T]) -> ADSTable[T]:
        """ADS classes registered by plugins, by identifier (class name).

        Parameters
        ----------
        base : type
            The class every registered one must subclass (``AnalysisDataStructure``; the
            caller names it, so this ground floor imports no ``mozaik.ads``).

        Raises
        ------
        PluginConflictError
            If two plugins register classes with one identifier.
        PluginError
            If a plugin registers something that is not a subclass of ``base``.
        """
        table = self._ads.get(base)
        if table is None:
            source = self._ads_source
            items = (source() if callable(source) else source) or {}
            for entry in items.values():
                if not issubclass(entry.cls, base):
                    msg = (f"mozaik_analysis_data_structures() of plugin {entry.plugin!r} "
                           f"({entry.distribution} {entry.version}) returned "
                           f"{entry.cls.__module__}.{entry.cls.__qualname__}; it must return "
                           f"{base.__qualname__} subclasses")
                    raise PluginError(msg)
            table = self._ads[base] = ADSTable(cast("Mapping[str, RegisteredADS[T]]", items))
        return cast("ADSTable[T]", table)

    def all(self) -> Iterator[AnyComponent[Callable[..., object]]]:
        for kind in COMPONENT_KINDS:
            yield from self.kind(kind).values()
