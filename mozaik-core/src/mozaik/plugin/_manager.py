"""The plugin manager: the only module that talks to pluggy's ``pm.hook``.

Discovery is lazy: nothing is imported until the registry is first asked for something.
``MOZAIK_DISABLE_PLUGIN_AUTOLOAD=1`` turns entry-point discovery off (built-ins still load);
``MOZAIK_BLOCKED_PLUGINS=name1,name2`` skips single plugins by entry-point or distribution name.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import inspect
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import pluggy

from mozaik._errors import PluginConflictError, PluginError, PluginLoadError
from mozaik._version import __version__
from mozaik.config import old_fields, renamed_fields
from mozaik.plugin import _spec
from mozaik.plugin._registry import ADS_KIND, AnyComponent, Registry
from mozaik.plugin._types import (
    ComponentKind,
    ComponentSpec,
    RegisteredADS,
    RegisteredComponent,
    kind_label,
)
from mozaik.plugin._validate import call_hook_impl, check_hook_names

if TYPE_CHECKING:
    import click

__all__ = [
    "AUTOLOAD_ENV",
    "BLOCKED_ENV",
    "PluginInfo",
    "PluginManager",
    "get_plugin_manager",
    "get_registry",
    "reset_plugin_manager",
]

AUTOLOAD_ENV = "MOZAIK_DISABLE_PLUGIN_AUTOLOAD"
BLOCKED_ENV = "MOZAIK_BLOCKED_PLUGINS"
_BUILTIN_MODULE = "mozaik.builtin._plugin"

#: ``before(hook_name, hook_impls, kwargs)``: called before every hook call (pluggy's tracer).
_HookCallBefore: TypeAlias = Callable[[str, Sequence[pluggy.HookImpl], Mapping[str, object]],
                                     None]
#: ``after(result, hook_name, hook_impls, kwargs)``: called after every hook call.
_HookCallAfter: TypeAlias = Callable[
    [pluggy.Result[object], str, Sequence[pluggy.HookImpl], Mapping[str, object]], None]


class PluginInfo:
    """Where a registered plugin came from (for provenance and ``mozaik plugins``)."""

    __slots__ = ("distribution", "name", "version")

    def __init__(self, name: str, distribution: str, version: str) -> None:
        self.name = name
        self.distribution = distribution
        self.version = version

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "distribution": self.distribution, "version": self.version}

    def __repr__(self) -> str:
        return f"PluginInfo({self.name!r}, {self.distribution!r}, {self.version!r})"


def _hook_arguments() -> dict[str, list[str]]:
    """Every hook of the specification with the argument names it passes."""
    return {name: list(inspect.signature(fn).parameters)
            for name, fn in inspect.getmembers(_spec, inspect.isfunction)
            if name.startswith("mozaik_")}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


class PluginManager:
    """Loads plugins and builds the typed :class:`Registry` of their components.

    Parameters
    ----------
    autoload : bool, optional
        Load plugins from the ``mozaik`` entry-point group. Defaults to true unless the
        environment variable ``MOZAIK_DISABLE_PLUGIN_AUTOLOAD`` is set.
    blocked : iterable of str, optional
        Entry-point or distribution names not to load; added to ``MOZAIK_BLOCKED_PLUGINS``.
    builtins : bool
        Register core's built-in components (the ``builtin`` plugin). Default true.
    """

    def __init__(self, *, autoload: bool | None = None, blocked: Iterable[str] = (),
                 builtins: bool = True) -> None:
        self._pm = pluggy.PluginManager(_spec.PROJECT_NAME)
        self._pm.add_hookspecs(_spec)
        self._hooks = _hook_arguments()
        self.autoload = (not _env_flag(AUTOLOAD_ENV)) if autoload is None else autoload
        env_blocked = [b.strip() for b in os.environ.get(BLOCKED_ENV, "").split(",")]
        self.blocked = frozenset(b for b in [*env_blocked, *blocked] if b)
        self._builtins = builtins
        self._info: dict[str, PluginInfo] = {}
        self._loaded = False
        self._registry: Registry | None = None
        self._lock = threading.RLock()

    # -- registration ----------------------------------------------------------------------------

    def register(self, plugin: object, name: str, *, distribution: str = "<local>",
                 version: str = "0") -> None:
        """Register a plugin object (module or instance) under ``name``.

        Checks the plugin's ``MOZAIK_HOOK_API`` against :data:`HOOK_API_VERSION`, that every
        ``mozaik_*`` function is a hook (a misspelled one names the closest hook) and that
        hook implementations ask only for arguments their spec passes.

        Raises
        ------
        PluginError
            For a missing or incompatible hook API declaration.
        PluginLoadError
            For a function that is not a hook or wrong argument names.
        PluginConflictError
            If another plugin is registered under ``name``.
        """
        with self._lock:
            self._check_api(plugin, name, distribution)
            check_hook_names(plugin, self._hooks,
                             f"plugin {name!r} of distribution {distribution} {version}")
            if self._pm.has_plugin(name):
                other = self._info[name]
                msg = (f"two plugins are named {name!r}: one from {other.distribution} "
                       f"{other.version}, one from {distribution} {version}; "
                       "uninstall or block one of them")
                raise PluginConflictError(msg)
            try:
                self._pm.register(plugin, name=name)
            except pluggy.PluginValidationError as exc:
                msg = (f"plugin {name!r} from distribution {distribution} {version} does not "
                       f"fit the mozaik hook specification: {exc}")
                raise PluginLoadError(msg) from exc
            self._info[name] = PluginInfo(name, distribution, version)
            self._registry = None

    def _check_api(self, plugin: object, name: str, distribution: str) -> None:
        declared = getattr(plugin, "MOZAIK_HOOK_API", None)
        core_major, core_minor = _spec.HOOK_API_VERSION
        fix = f"core {__version__} speaks hook API {core_major}.{core_minor}"
        if declared is None:
            msg = (f"plugin {name!r} from distribution {distribution} does not declare "
                   f"MOZAIK_HOOK_API; add `MOZAIK_HOOK_API = ({core_major}, {core_minor})` to "
                   "its plugin module")
            raise PluginError(msg)
        try:
            major, minor = (int(x) for x in declared)
        except (TypeError, ValueError):
            msg = (f"plugin {name!r} from distribution {distribution} declares "
                   f"MOZAIK_HOOK_API = {declared!r}; expected a (major, minor) pair of ints")
            raise PluginError(msg) from None
        if major != core_major or minor > core_minor:
            msg = (f"plugin {name!r} from distribution {distribution} needs mozaik hook API "
                   f"{major}.{minor} but {fix}; install versions of the two that match")
            if major < core_major:
                msg += (f" (upgrade {distribution}; its author finds what changed under "
                        f"'Migrating plugins' in mozaik-core's CHANGELOG)")
            raise PluginError(msg)

    def unregister(self, name: str) -> None:
        with self._lock:
            self._pm.unregister(name=name)
            self._info.pop(name, None)
            self._registry = None

    # -- discovery -------------------------------------------------------------------------------

    def load(self) -> None:
        """Register built-ins and, unless disabled, every ``mozaik`` entry point. Idempotent."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            if self._builtins and not self._pm.has_plugin("builtin"):
                module = importlib.import_module(_BUILTIN_MODULE)
                self.register(module, "builtin", distribution="mozaik-core",
                              version=__version__)
            if self.autoload:
                for ep in sorted(md.entry_points(group=_spec.PROJECT_NAME), key=lambda e: e.name):
                    self._load_entry_point(ep)

    def _load_entry_point(self, ep: md.EntryPoint) -> None:
        dist = ep.dist.name if ep.dist is not None else "<unknown distribution>"
        version = ep.dist.version if ep.dist is not None else "?"
        if ep.name in self.blocked or dist in self.blocked:
            return
        if self._pm.has_plugin(ep.name) and self._info[ep.name].distribution == dist:
            return
        try:
            plugin = ep.load()
        except Exception as exc:
            msg = (f"the mozaik plugin {ep.name!r} of distribution {dist} {version} failed to "
                   f"import ({ep.value}): {type(exc).__name__}: {exc}. Reinstall or upgrade "
                   f"{dist}, uninstall it, or skip it with {BLOCKED_ENV}={ep.name}")
            raise PluginLoadError(msg) from exc
        self.register(plugin, ep.name, distribution=dist, version=version)

    # -- queries ---------------------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        """The typed registry of every registered component (loads plugins on first use)."""
        with self._lock:
            self.load()
            if self._registry is None:
                self._registry = Registry(self._collect_kind, ads=self._collect_ads,
                                          kinds=self._kind_key)
            return self._registry

    def plugins(self) -> list[PluginInfo]:
        """Registered plugins with their distributions and versions, in registration order."""
        self.load()
        return list(self._info.values())

    def provenance(self) -> list[dict[str, str]]:
        """JSON-able record of the plugin distributions in use, for a run's manifest."""
        return [info.as_dict() for info in self.plugins()]

    def _impls(self, hook: str) -> list[tuple[Any, PluginInfo]]:
        """The implementations of ``hook`` in registration order, with their plugins."""
        caller = getattr(self._pm.hook, hook)
        return [(impl.function, self._info[impl.plugin_name])
                for impl in reversed(caller.get_hookimpls())]

    def _collect_kind(self, kind: str) -> dict[str, AnyComponent[Callable[..., object]]]:
        """Call every plugin's ``mozaik_<kind>`` hook (when the registry first needs them)."""
        hook = f"mozaik_{kind}"
        table: dict[str, AnyComponent[Callable[..., object]]] = {}
        with self._lock:
            for function, info in self._impls(hook):
                for spec in call_hook_impl(function, hook, info) or ():
                    if not isinstance(spec, ComponentSpec):
                        msg = (f"{hook}() of plugin {info.name!r} ({info.distribution}) "
                               f"returned {spec!r}; it must return ComponentSpec records")
                        raise PluginError(msg)
                    _check_renamed_fields(spec, info, kind)
                    known = table.get(spec.name)
                    if known is not None:
                        msg = (f"{kind_label(kind)} name {spec.name!r} is registered "
                               f"twice: by plugin {known.plugin!r} of {known.distribution} "
                               f"{known.version} and by plugin {info.name!r} of "
                               f"{info.distribution} {info.version}; uninstall one, or block "
                               f"one with {BLOCKED_ENV}")
                        raise PluginConflictError(msg)
                    table[spec.name] = RegisteredComponent(
                        kind=kind, spec=spec, plugin=info.name,
                        distribution=info.distribution, version=info.version)
        return table

    def _kind_key(self, kind: str) -> ComponentKind[Callable[..., object]] | None:
        """The key of ``kind`` from the ``mozaik_component_kind`` hook (built-in plugin)."""
        key = self._pm.hook.mozaik_component_kind(name=kind)
        return key if isinstance(key, ComponentKind) else None

    def _collect_ads(self) -> dict[str, RegisteredADS[object]]:
        # the subclass check is the registry's, given the base class by mozaik.ads: this
        # ground floor imports no higher package
        hook = f"mozaik_{ADS_KIND}"
        table: dict[str, RegisteredADS[object]] = {}
        for function, info in self._impls(hook):
            for cls in call_hook_impl(function, hook, info) or ():
                if not isinstance(cls, type):
                    msg = (f"{hook}() of plugin {info.name!r} ({info.distribution}) returned "
                           f"{cls!r}; it must return AnalysisDataStructure subclasses")
                    raise PluginError(msg)
                entry: RegisteredADS[object] = RegisteredADS(cls=cls, plugin=info.name,
                                      distribution=info.distribution, version=info.version)
                known = table.get(entry.identifier)
                if known is not None and not (known.cls is cls and known.plugin == info.name):
                    msg = (f"analysis data structure {entry.identifier!r} is defined twice: "
                           f"{known.cls.__module__}.{known.cls.__qualname__} by plugin "
                           f"{known.plugin!r} of {known.distribution} {known.version} and "
                           f"{cls.__module__}.{cls.__qualname__} by plugin {info.name!r} of "
                           f"{info.distribution} {info.version}; stored results name their "
                           f"class by name only, so rename one, uninstall one, or block one "
                           f"with {BLOCKED_ENV}")
                    raise PluginConflictError(msg)
                table[entry.identifier] = entry
        return table

    def cli_commands(self) -> list[tuple[click.Command, PluginInfo]]:
        """Subcommands contributed by plugins, each with the plugin that contributed it."""
        self.load()
        out: list[tuple[click.Command, PluginInfo]] = []
        for function, info in self._impls("mozaik_cli_commands"):
            commands = cast("Iterable[click.Command]",
                            call_hook_impl(function, "mozaik_cli_commands", info) or ())
            out.extend((cmd, info) for cmd in commands)
        return out

    # -- lifecycle: one typed method per lifecycle hook (see mozaik.plugin._spec) -------------

    def run_started(self, *, run_dir: Path, config: Mapping[str, Any]) -> None:
        """Call ``mozaik_run_started`` on every plugin: the network is built, no stimulus
        presented yet.

        Parameters
        ----------
        run_dir : Path
        config : mapping
            The fully resolved configuration tree (JSON-like).
        """
        self.load()
        self._pm.hook.mozaik_run_started(run_dir=run_dir, config=config)

    def before_presentation(self, *, run_dir: Path, stimulus: str, trial: int, index: int,
                            total: int) -> None:
        """Call ``mozaik_before_presentation`` on every plugin.

        Parameters
        ----------
        run_dir : Path
        stimulus : str
            The stimulus's identity string.
        trial : int
        index, total : int
            Place (from 0) among the presentations still to run, and their number.
        """
        self.load()
        self._pm.hook.mozaik_before_presentation(run_dir=run_dir, stimulus=stimulus,
                                                 trial=trial, index=index, total=total)

    def after_presentation(self, *, run_dir: Path, stimulus: str, trial: int,
                           wall_time_s: float) -> None:
        """Call ``mozaik_after_presentation`` on every plugin, once the presentation's
        recordings are stored.

        Parameters
        ----------
        run_dir : Path
        stimulus : str
            The stimulus's identity string.
        trial : int
        wall_time_s : float, s
            Wall-clock time the presentation took.
        """
        self.load()
        self._pm.hook.mozaik_after_presentation(run_dir=run_dir, stimulus=stimulus,
                                                trial=trial, wall_time_s=wall_time_s)

    def run_finished(self, *, run_dir: Path, store: object) -> None:
        """Call ``mozaik_run_finished`` on every plugin, after every presentation, analysis
        and plot.

        Parameters
        ----------
        run_dir : Path
        store : mozaik.datastore.DataStore
            The run's store (annotated ``object``: the plugin layer sits below the datastore
            and names none of its types).
        """
        self.load()
        self._pm.hook.mozaik_run_finished(run_dir=run_dir, store=store)

    def add_hookcall_monitoring(self, before: _HookCallBefore,
                                after: _HookCallAfter) -> Callable[[], None]:
        """Observe every hook call (used by :class:`mozaik.testing.HookCallRecorder`); returns
        the function that stops observing."""
        return self._pm.add_hookcall_monitoring(before, after)


def _check_renamed_fields(spec: ComponentSpec[object, Callable[..., object]], info: PluginInfo,
                          kind: str) -> None:
    """Refuse a parameters class that still has a field its kind's base class renamed (the
    base class's ``params_renamed_fields``, e.g. a stimulus's ``duration`` -> ``duration_ms``):
    the plugin was written against an older API and would fail only once a run is under way."""
    renames = renamed_fields(spec.factory, "params_renamed_fields")
    stale = old_fields(spec.config_cls, renames)
    if stale:
        fields = ", ".join(f"{old!r} was renamed {new!r}" for old, new in stale)
        msg = (f"{kind_label(kind)} {spec.name!r} of plugin {info.name!r} "
               f"({info.distribution} {info.version}) was written for an older mozaik API: in "
               f"its parameters class {spec.config_cls.__qualname__}, {fields}. Rename the "
               f"field(s) and release {info.distribution} again (see 'Migrating plugins' in "
               f"mozaik-core's changelog), or skip the plugin with {BLOCKED_ENV}={info.name}")
        raise PluginLoadError(msg)


_default: PluginManager | None = None
_default_lock = threading.Lock()


def get_plugin_manager() -> PluginManager:
    """The process-wide plugin manager, created (not loaded) on first call."""
    global _default
    with _default_lock:
        if _default is None:
            _default = PluginManager()
        return _default


def get_registry() -> Registry:
    """The registry of the process-wide plugin manager (loads plugins on first call)."""
    return get_plugin_manager().registry


def reset_plugin_manager(manager: PluginManager | None = None) -> PluginManager | None:
    """Replace the process-wide manager (tests); returns the previous one."""
    global _default
    with _default_lock:
        previous, _default = _default, manager
        return previous
