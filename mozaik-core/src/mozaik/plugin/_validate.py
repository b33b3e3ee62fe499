"""Checks of a plugin object before pluggy sees it, and of what its hooks return.

pluggy ignores a function whose name is not a hook (a misspelled ``mozaik_sheet`` would be
silently skipped) and reports a wrong argument name without saying which arguments the spec
offers; these checks name the plugin, its distribution and the fix instead.
"""

from __future__ import annotations

import difflib
import inspect
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mozaik._errors import PluginLoadError

if TYPE_CHECKING:
    from mozaik.plugin._manager import PluginInfo

__all__ = ["call_hook_impl", "check_hook_names"]

_PREFIX = "mozaik_"
_MARKER = "mozaik_impl"  # what pluggy's HookimplMarker("mozaik") sets on a function
_BLOCKED_ENV = "MOZAIK_BLOCKED_PLUGINS"


def _is_function(value: object) -> bool:
    return not isinstance(value, ModuleType | type) and callable(value)


def check_hook_names(plugin: object, specs: dict[str, list[str]], who: str) -> None:
    """Every ``mozaik_*`` function of ``plugin`` is a hook with the spec's argument names.

    Parameters
    ----------
    plugin : module or object
        The plugin about to be registered.
    specs : mapping of hook name to argument names
        The hook specifications.
    who : str
        "plugin 'x' of distribution y 1.0", for messages.

    Raises
    ------
    PluginLoadError
        For a function named like a hook that is not one (with the closest hook name), a hook
        without the ``@hookimpl`` decorator, or a hook implementation asking for arguments the
        spec does not pass.
    """
    for attr in sorted(dir(plugin)):
        if not attr.startswith(_PREFIX):
            continue
        value = getattr(plugin, attr, None)
        if not _is_function(value):
            continue
        if attr not in specs:
            close = difflib.get_close_matches(attr, list(specs), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "no hook is named like it."
            msg = (f"{who} defines {attr!r}, which is not a mozaik hook: {hint} Rename it "
                   f"(names starting with 'mozaik_' are reserved for hooks); the hooks are: "
                   f"{', '.join(sorted(specs))}")
            raise PluginLoadError(msg)
        if not hasattr(value, _MARKER):
            msg = (f"{who} defines the hook {attr!r} without the @hookimpl decorator, so it "
                   f"would never be called; decorate it with mozaik.plugin.hookimpl")
            raise PluginLoadError(msg)
        _check_arguments(attr, value, specs[attr], who)


def _check_arguments(name: str, function: Any, offered: list[str], who: str) -> None:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return
    wanted = [p.name for p in signature.parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"]
    unknown = [a for a in wanted if a not in offered]
    if unknown:
        offer = ", ".join(offered) if offered else "no arguments"
        msg = (f"{who}: hook implementation {name}({', '.join(wanted)}) asks for "
               f"{', '.join(repr(a) for a in unknown)}, which the hook does not pass; "
               f"{name} offers: {offer}. Use those names (any subset, in any order)")
        raise PluginLoadError(msg)


def _raised_at(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" at {last.filename}:{last.lineno}"


def call_hook_impl(function: Callable[[], Any], hook: str, info: PluginInfo) -> Any:
    """Call a registration hook implementation; wrap what it raises into PluginLoadError.

    The message names the plugin, its distribution, the hook, where the exception was raised
    and the fix.
    """
    try:
        return function()
    except Exception as exc:
        who = f"plugin {info.name!r} of distribution {info.distribution} {info.version}"
        if isinstance(exc, ImportError):
            missing = f" ({exc.name})" if exc.name else ""
            fix = (f"install the missing module{missing} (a dependency {info.distribution} "
                   f"should declare), or reinstall {info.distribution}")
        else:
            fix = f"fix {hook}() of {info.distribution} or upgrade it"
        msg = (f"{hook}() of {who} raised {type(exc).__name__}: {exc}{_raised_at(exc)}. "
               f"To fix: {fix}; or skip the plugin with {_BLOCKED_ENV}={info.name}")
        raise PluginLoadError(msg) from exc
