"""Every docstring that names a Mozaik function, class or module by its dotted path names one
that exists (issue 26: ``run_study`` and ``Model`` pointed at a ``mozaik.config.load_study``
that did not exist). Sphinx roles (``:func:`mozaik.study.load_study```) and the private
modules' public re-exports are checked alike, in all five first-party distributions."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from types import ModuleType

PACKAGES = ("mozaik", "mozaik_visual", "mozaik_analysis", "mozaik_plot", "mozaik_hpc")
_ROLE = re.compile(r":(?:func|class|meth|data|mod|attr|exc|obj):`~?((?:mozaik|mozaik_[a-z]+)"
                   r"(?:\.\w+)+)`")


def _modules() -> Iterator[ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if ".__main__" not in info.name:
                yield importlib.import_module(info.name)


def _docstrings(module: ModuleType) -> Iterator[tuple[str, str]]:
    yield module.__name__, module.__doc__ or ""
    for name, item in vars(module).items():
        if getattr(item, "__module__", None) != module.__name__:
            continue
        yield f"{module.__name__}.{name}", inspect.getdoc(item) or ""
        if inspect.isclass(item):
            for attr, member in vars(item).items():
                doc = inspect.getdoc(getattr(member, "fget", member)) if not isinstance(
                    member, str) else None
                if doc:
                    yield f"{module.__name__}.{name}.{attr}", doc


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_every_dotted_name_in_a_docstring_exists() -> None:
    wrong = []
    for module in _modules():
        for where, doc in _docstrings(module):
            wrong += [f"{where}: {name}" for name in _ROLE.findall(doc) if not _resolves(name)]
    assert not wrong, "docstrings name what does not exist:\n" + "\n".join(sorted(set(wrong)))
