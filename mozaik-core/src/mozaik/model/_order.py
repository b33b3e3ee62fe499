"""The order a study's connectors are built in: declared annotation dependencies first,
declaration order otherwise.

A connector (or a connector function it uses) that reads a neuron annotation a sheet does not
have yet declares it (``ComponentSpec.requires_annotations``); a connector that sets one declares
that too (``provides_annotations``). A connector is built after every connector that provides
an annotation it reads on a sheet lacking it; ties keep declaration order, so a study whose
declaration order already satisfies its dependencies is built exactly in that order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from mozaik._errors import ConfigError
from mozaik.config import component_refs

if TYPE_CHECKING:
    from mozaik.model._sheet import Sheet
    from mozaik.plugin import Registry, SheetAnnotations
    from mozaik.study import ConnectorEntry

    _Entry = ConnectorEntry[Any, Callable[..., object]]

__all__ = ["connector_order"]

#: (sheet name, annotation name)
_Need = tuple[str, str]


def _pairs(entry: _Entry, declared: SheetAnnotations) -> Iterator[_Need]:
    yield from ((entry.source, a) for a in declared.source)
    yield from ((entry.target, a) for a in declared.target)


def _requirements(entry: _Entry, registry: Registry) -> dict[_Need, str]:
    """What ``entry`` reads, each with who declares it (for messages)."""
    needs: dict[_Need, str] = {}
    for need in _pairs(entry, entry.registered.spec.requires_annotations):
        needs.setdefault(need, f"its component {entry.name}")
    for path, ref in component_refs(entry.params, f"{entry.path}.params"):
        registered = registry.kind(ref.KIND)[ref.component]
        for need in _pairs(entry, registered.spec.requires_annotations):
            needs.setdefault(need, f"its connector function {ref.component} ({path})")
    return needs


def connector_order(connectors: Mapping[str, _Entry], sheets: Mapping[str, Sheet],
                    registry: Registry) -> list[str]:
    """The names of ``connectors`` in the order to build them.

    Parameters
    ----------
    connectors : mapping of str to _Entry
        The study's connectors, in declaration order.
    sheets : mapping of str to Sheet
        The built sheets (their annotations, before any connector is built, count as present).
    registry : Registry
        Where connector functions named in the connectors' parameters are looked up.

    Raises
    ------
    ConfigError
        A connector reads an annotation that its sheet lacks and no connector provides, or two
        or more connectors need each other's annotations (a cycle).
    """
    names = list(connectors)
    provides = {n: set(_pairs(e, e.registered.spec.provides_annotations))
                for n, e in connectors.items()}
    depends: dict[str, dict[str, _Need]] = {n: {} for n in names}
    for name, entry in connectors.items():
        for need, who in _requirements(entry, registry).items():
            sheet, annotation = need
            present = sheet in sheets and annotation in sheets[sheet].annotations
            if present or need in provides[name]:
                continue
            providers = [p for p in names if need in provides[p]]
            if not providers:
                raise _missing(name, entry, need, who, provides, sheets)
            for p in providers:
                depends[name].setdefault(p, need)
    order: list[str] = []
    left = list(names)
    while left:
        ready = next((n for n in left if all(d in order for d in depends[n])), None)
        if ready is None:
            raise _cycle(left, depends)
        order.append(ready)
        left.remove(ready)
    return order


def _missing(name: str, entry: _Entry, need: _Need, who: str,
             provides: Mapping[str, set[_Need]], sheets: Mapping[str, Sheet]) -> ConfigError:
    sheet, annotation = need
    elsewhere = [f"{p!r} sets it on sheet {s!r}" for p, pairs in provides.items()
                 for s, a in sorted(pairs) if a == annotation]
    have = sorted(sheets[sheet].annotations) if sheet in sheets else []
    msg = (f"{entry.path}: connector {name!r} ({entry.name}) reads the neuron annotation "
           f"{annotation!r} of sheet {sheet!r} ({who} requires it), but the sheet has no such "
           f"annotation (it has {', '.join(map(repr, have)) or 'none'}) and no connector of the "
           "study provides it there"
           + (f" (connector {'; '.join(elsewhere)})" if elsewhere else "")
           + f"; declare a connector that sets {annotation!r} on {sheet!r}, or give the sheet "
           "the annotation (its `annotations:` parameter)")
    return ConfigError(msg)


def _cycle(left: list[str], depends: Mapping[str, Mapping[str, _Need]]) -> ConfigError:
    # every connector left waits for another one left: walk the waits until one repeats
    walk = [left[0]]
    while True:
        nxt = next(d for d in depends[walk[-1]] if d in left)
        if nxt in walk:
            loop = [*walk[walk.index(nxt):], nxt]
            break
        walk.append(nxt)
    steps = [f"{a!r} reads {depends[a][b][1]!r} of sheet {depends[a][b][0]!r}, which {b!r} sets"
             for a, b in itertools.pairwise(loop)]
    msg = (f"connectors {' and '.join(repr(n) for n in loop[:-1])} need each other's neuron "
           f"annotations, so no build order satisfies them: {'; '.join(steps)}; give the sheet "
           "the annotation another way (a sheet's `annotations:` parameter) or drop one of the "
           "dependencies")
    return ConfigError(msg)
