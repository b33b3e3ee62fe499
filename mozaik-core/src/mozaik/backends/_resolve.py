"""Choosing a backend: one resolution for ``mozaik run`` and ``mozaik search``.

A backend is named by its registered name (``SlurmBackend``) or by one of the aliases its
plugin declares in its :class:`~mozaik.plugin.ComponentSpec` (``aliases=("slurm",)``); core
declares only its own (``local``). What to install when a backend cannot be built comes from
the registering plugin too (``install_hint``). No distribution or alias is hard-coded here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from mozaik._errors import ConfigError, PluginConflictError, UnknownComponentError
from mozaik.backends._base import Backend
from mozaik.backends._kind import BACKENDS, BackendFactory
from mozaik.config import structure
from mozaik.plugin import RegisteredComponent, Registry, get_registry
from mozaik.search import Search
from mozaik.study import Study

__all__ = ["DEFAULT_BACKEND", "backend_component", "build_backend", "resolve_backend",
           "search_backend", "study_backend"]

#: The backend of a study without a ``backend:`` section and of ``--backend`` left out.
DEFAULT_BACKEND = "LocalBackend"

#: A registered backend (many parameters classes: ``Any`` params, as in the registry).
_Registered = RegisteredComponent[Any, BackendFactory[Any]]


def _label(registered: _Registered) -> str:
    aliases = registered.spec.aliases
    return f"{registered.name} ({', '.join(aliases)})" if aliases else registered.name


def backend_component(registry: Registry, name: str, *,
                      where: str) -> _Registered:
    """The backend registered as ``name``, or whose registration declares ``name`` an alias.

    Raises
    ------
    UnknownComponentError
        No installed plugin registers a backend of that name or alias; the message names
        ``where`` and lists the installed backends with their aliases.
    PluginConflictError
        Two backends declare the alias ``name``.
    """
    table = registry[BACKENDS]
    if name in table:
        return table[name]
    found = [r for r in table.values() if name in r.spec.aliases]
    if len(found) > 1:
        owners = " and ".join(f"{r.name} ({r.distribution})" for r in found)
        msg = (f"{where}: the backend alias {name!r} is declared by {owners}; name the backend "
               "itself")
        raise PluginConflictError(msg)
    if found:
        return found[0]
    installed = ", ".join(_label(r) for r in table.values()) or "none"
    msg = (f"{where}: no backend of that name: {name!r} is neither a registered backend nor "
           f"an alias of one; installed backends (aliases): {installed}. A backend of another "
           "name comes with the plugin distribution that registers it: install it, then "
           "`mozaik plugins` lists its backends")
    raise UnknownComponentError(msg)


def build_backend(registered: _Registered, params: object, *,
                  where: str) -> Backend:
    """Call the backend's factory with its structured ``params`` and check what it built.

    Raises
    ------
    ConfigError
        The factory lacks a package (the message gives the plugin's ``install_hint``), or it
        built something that is not a :class:`Backend`.
    """
    try:
        backend = registered.factory(params)
    except ImportError as exc:
        hint = registered.spec.install_hint or f"reinstall {registered.distribution}"
        msg = (f"{where}: backend {registered.name!r} ({registered.distribution}) cannot be "
               f"built: {exc}; {hint}")
        raise ConfigError(msg) from exc
    if not isinstance(backend, Backend):
        msg = (f"{where}: the factory of backend {registered.name!r} ({registered.distribution}) "
               f"returned {type(backend).__name__}, not a mozaik.backends.Backend; fix the "
               "plugin")
        raise ConfigError(msg)
    return backend


def resolve_backend(registry: Registry, name: str, tree: Mapping[str, Any], *,
                    where: str) -> Backend:
    """The backend ``name`` (a registered name or alias) with parameters ``tree``.

    Parameters
    ----------
    registry : Registry
        Where backends are looked up (the study's or search's registry).
    name : str
        A registered backend name or an alias a plugin declares (``local``, ``slurm``).
    tree : mapping
        The backend's parameters, as written in a file (structured into its ``config_cls``).
    where : str
        Where ``name`` came from, for messages (``--backend``, ``search file x.yaml``).
    """
    registered = backend_component(registry, name, where=where)
    params: object = structure(dict(tree), registered.config_cls,
                               path=f"{where} ({registered.name} parameters)")
    return build_backend(registered, params, where=where)


def study_backend(study: Study, name: str | None = None) -> Backend:
    """The backend of ``mozaik run``: ``name`` (``--backend``), else the study's ``backend:``
    section, else :data:`DEFAULT_BACKEND`, looked up in the study's registry.

    A ``name`` that resolves to the study's own backend keeps the section's parameters; another
    backend gets its default parameters.
    """
    registry, entry = study.registry, study.backend
    if entry is not None and (name is None or backend_component(
            registry, name, where="--backend").name == entry.name):
        return build_backend(entry.of(BACKENDS).registered, entry.params, where=entry.path)
    if name is None:
        return resolve_backend(registry, DEFAULT_BACKEND, {}, where="backend")
    return resolve_backend(registry, name, {}, where="--backend")


def search_backend(search: Search, name: str | None = None, resources: Sequence[str] = (), *,
                   registry: Registry | None = None) -> Backend:
    """The backend of a search: ``name`` (``--backend``) or the file's ``backend``, parameters
    from the file's ``resources`` (when it is the file's backend) updated by ``KEY=VALUE``
    items of ``resources`` (``--resource``).

    ``registry`` defaults to the installed plugins' (this is an entry point of the search API).
    """
    registry = registry or get_registry()
    where = "--backend" if name is not None else f"search backend ({search.backend!r})"
    registered = backend_component(registry, name or search.backend, where=where)
    own = name is None or name == search.backend or (
        registered.name == _registered_name(registry, search.backend))
    params: dict[str, Any] = dict(search.resources) if own else {}
    for item in resources:
        key, sep, value = item.partition("=")
        if not sep:
            msg = f"--resource {item}: write KEY=VALUE, e.g. --resource partition=debug"
            raise ConfigError(msg)
        params[key.strip()] = yaml.safe_load(value)
    structured: object = structure(params, registered.config_cls,
                                   path=f"search backend {registered.name} (resources)")
    return build_backend(registered, structured, where=where)


def _registered_name(registry: Registry, name: str) -> str | None:
    try:
        return backend_component(registry, name, where="").name
    except UnknownComponentError:
        return None
