"""Finding the class of a stored analysis result: the plugin registry first."""

from __future__ import annotations

from mozaik._errors import AnalysisDataStructureError, UnknownComponentError
from mozaik.ads._base import DEFINED, AnalysisDataStructure
from mozaik.config import distribution_of
from mozaik.plugin import Registry

__all__ = ["ads_class", "ads_classes", "ads_provider"]


def ads_class(identifier: str, registry: Registry, *,
              written_by: str | None = None) -> type[AnalysisDataStructure]:
    """Return the ADS class stored results name ``identifier`` (its class name).

    Looks first in ``registry`` (classes registered with ``mozaik_analysis_data_structures``),
    then among the classes defined in this process that no plugin registers.

    Parameters
    ----------
    identifier : str
        The class name, as stored in the datastore's ADS index.
    registry : Registry
        The plugins' registry (a store's :attr:`~mozaik.datastore.DataStore.registry`).
    written_by : str, optional
        The distribution that wrote the result (stored with it), named in the error.

    Raises
    ------
    AnalysisDataStructureError
        If no installed plugin registers the class and it is not defined in this process, or
        if it is defined in this process by two modules.
    """
    registered = registry.analysis_data_structures(AnalysisDataStructure)
    if identifier in registered:
        return registered[identifier].cls
    defined = DEFINED.get(identifier, {})
    if len(defined) == 1:
        return next(iter(defined.values()))
    if defined:
        msg = (f"analysis data structure {identifier!r} is defined by {len(defined)} modules "
               f"({', '.join(sorted(defined))}) and registered by no plugin; rename one, or "
               f"register one with mozaik_analysis_data_structures()")
        raise AnalysisDataStructureError(msg)
    known = ", ".join(sorted(ads_classes(registry))) or "none"
    origin = f", written by {written_by}," if written_by else ""
    fix = (f"install {written_by.split()[0]}" if written_by and not written_by.startswith("<")
           else "install the plugin that defines it")
    msg = (f"unknown analysis data structure {identifier!r}{origin} is registered by no "
           f"installed plugin; known: {known}. To read it, {fix}")
    raise AnalysisDataStructureError(msg)


def ads_classes(registry: Registry) -> dict[str, type[AnalysisDataStructure]]:
    """Every ADS class a stored result can name: registered in ``registry`` and those defined
    here."""
    out = {name: next(iter(by_path.values())) for name, by_path in DEFINED.items()
           if len(by_path) == 1}
    registered = registry.analysis_data_structures(AnalysisDataStructure)
    out.update({name: entry.cls for name, entry in registered.items()})
    return dict(sorted(out.items()))


def ads_provider(cls: type[AnalysisDataStructure], registry: Registry) -> tuple[str, str]:
    """The distribution (name, version) registering an ADS class in ``registry``, stored with
    each result.

    Raises
    ------
    AnalysisDataStructureError
        If no plugin registers ``cls`` (with ``mozaik_analysis_data_structures``): a result
        whose class is not registered could not be read back by another process, so it is
        refused before it is written, naming the class, its distribution and the hook.
    """
    try:
        entry = registry.analysis_data_structures(AnalysisDataStructure)[cls.identifier]
    except UnknownComponentError:
        entry = None
    if entry is not None and entry.cls is cls:
        return entry.distribution, entry.version
    dist = distribution_of(cls)
    where = (f"{dist} (in no installed distribution)" if dist.startswith("module ")
             else f"distribution {dist!r}")
    if entry is not None:
        clash = (f"; the name {cls.identifier!r} is registered for "
                 f"{entry.cls.__module__}.{entry.cls.__qualname__} by {entry.distribution}, "
                 "so rename the class")
    else:
        clash = ""
    msg = (f"analysis data structure {cls.__module__}.{cls.__qualname__} from {where} is not "
           "registered, so a result of it cannot be stored (another process could not read it "
           "back). Return the class from the plugin's mozaik_analysis_data_structures() hook"
           f"{clash}")
    raise AnalysisDataStructureError(msg)
