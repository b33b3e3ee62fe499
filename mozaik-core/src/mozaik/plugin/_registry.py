"""The typed registry: what the rest of Mozaik asks instead of touching pluggy."""

from __future__ import annotations

import difflib
import importlib.metadata as md
from collections.abc import Iterator, Mapping

from mozaik._errors import UnknownComponentError
from mozaik.plugin._types import COMPONENT_KINDS, RegisteredComponent

__all__ = ["ComponentTable", "Registry"]

# First-party distributions and the kinds they add, for "install X for more" hints.
_PROVIDERS: dict[str, tuple[str, ...]] = {
    "mozaik-visual": ("input_spaces", "sensory_inputs", "sheets", "connectors",
                      "connector_functions", "stimuli", "experiments"),
    "mozaik-analysis": ("analyses",),
    "mozaik-plot": ("plots",),
    "mozaik-hpc": ("backends",),
}


def _installed(dist: str) -> bool:
    try:
        md.distribution(dist)
    except md.PackageNotFoundError:
        return False
    return True


def kind_label(kind: str) -> str:
    """Human name of a component kind: ``connector_functions`` -> ``connector function``."""
    singular = kind[:-2] if kind.endswith("ses") else kind[:-1]
    return singular.replace("_", " ")


class ComponentTable(Mapping[str, RegisteredComponent]):
    """Read-only mapping name -> component of one kind; unknown names raise a helpful error."""

    def __init__(self, kind: str, items: Mapping[str, RegisteredComponent]) -> None:
        self.kind = kind
        self._items = dict(sorted(items.items()))

    def __getitem__(self, name: str) -> RegisteredComponent:
        try:
            return self._items[name]
        except KeyError:
            pass
        label = kind_label(self.kind)
        installed = ", ".join(self._items) or "none"
        msg = f"unknown {label} {name!r}; installed {label}s: {installed}."
        close = difflib.get_close_matches(name, list(self._items), n=1)
        if close:
            msg += f" Did you mean {close[0]!r}?"
        more = [d for d, kinds in _PROVIDERS.items() if self.kind in kinds and not _installed(d)]
        if more:
            msg += f" More {label}s come with: {', '.join(more)} (pip install {more[0]})."
        raise UnknownComponentError(msg)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ComponentTable({self.kind!r}, {list(self._items)})"


class Registry:
    """Every registered component, by kind: ``registry.sheets()["Sheet"]``."""

    def __init__(self, components: Mapping[str, Mapping[str, RegisteredComponent]]) -> None:
        self._tables = {k: ComponentTable(k, components.get(k, {})) for k in COMPONENT_KINDS}

    def kind(self, kind: str) -> ComponentTable:
        """The table of one kind; ``kind`` is one of :data:`COMPONENT_KINDS`."""
        try:
            return self._tables[kind]
        except KeyError:
            msg = f"unknown component kind {kind!r}; kinds are: {', '.join(COMPONENT_KINDS)}"
            raise UnknownComponentError(msg) from None

    def get(self, kind: str, name: str) -> RegisteredComponent:
        return self.kind(kind)[name]

    def input_spaces(self) -> ComponentTable:
        return self._tables["input_spaces"]

    def sensory_inputs(self) -> ComponentTable:
        return self._tables["sensory_inputs"]

    def sheets(self) -> ComponentTable:
        return self._tables["sheets"]

    def connectors(self) -> ComponentTable:
        return self._tables["connectors"]

    def connector_functions(self) -> ComponentTable:
        return self._tables["connector_functions"]

    def stimuli(self) -> ComponentTable:
        return self._tables["stimuli"]

    def experiments(self) -> ComponentTable:
        return self._tables["experiments"]

    def analyses(self) -> ComponentTable:
        return self._tables["analyses"]

    def plots(self) -> ComponentTable:
        return self._tables["plots"]

    def backends(self) -> ComponentTable:
        return self._tables["backends"]

    def all(self) -> Iterator[RegisteredComponent]:
        for table in self._tables.values():
            yield from table.values()
