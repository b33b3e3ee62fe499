"""Lazy package exports, so that loading a plugin does not import its heavy dependencies.

Every ``mozaik`` entry point is imported whenever the registry is built, and importing a
plugin's hook module first runs its package's ``__init__``. A package that re-exports its
public names there would import matplotlib or scipy for every ``mozaik`` command, even for a
run that draws no figure. :func:`lazy_exports` lets the ``__init__`` name its exports and the
submodule each lives in; the submodule is imported on first attribute access (PEP 562).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, Iterable[str]],
                 namespace: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module-level ``__getattr__`` and ``__dir__`` for a package's lazy public names.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping of str to iterable of str
        Submodule (relative to ``package``, e.g. ``"_figure"``) -> the names it provides.
    namespace : dict
        The package's ``globals()``: a name, once imported, is cached there.

    Examples
    --------
    In ``mypkg/__init__.py``, with the names also imported under ``if TYPE_CHECKING:`` for
    type checkers::

        __getattr__, __dir__ = lazy_exports(__name__, {"_figure": ["FigurePlot"]}, globals())
    """
    where = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return __getattr__, __dir__
