"""What a run records about itself, how run directories are named, and simulator checks."""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import importlib.metadata as md
import importlib.util
import json
import os
import platform
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mozaik._errors import SimulatorNotInstalledError

__all__ = [
    "check_simulator",
    "config_differences",
    "default_run_dir",
    "run_dir_name",
    "run_provenance",
    "simulator_version",
]

#: Distribution that provides each PyNN backend's simulator.
_SIMULATOR_DISTRIBUTIONS = {"nest": "nest-simulator", "neuron": "NEURON", "brian2": "Brian2"}
_SIMULATOR_MODULES = {"nest": "nest", "neuron": "neuron", "brian2": "brian2"}


def check_simulator(backend: str) -> None:
    """Check that PyNN and the simulator of ``backend`` are importable, without importing them.

    Raises
    ------
    SimulatorNotInstalledError
        Naming the backend and how to install it.
    """
    if importlib.util.find_spec("pyNN") is None:
        msg = ("PyNN is not installed, and Mozaik builds networks with it; install it with "
               "`pip install PyNN` (or reinstall mozaik-core)")
        raise SimulatorNotInstalledError(msg)
    try:
        found = importlib.util.find_spec(f"pyNN.{backend}") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        msg = (f"simulator.backend is {backend!r}, but PyNN has no backend of that name; use "
               "nest (the default), neuron, brian2 or mock")
        raise SimulatorNotInstalledError(msg)
    module = _SIMULATOR_MODULES.get(backend)
    if module is None:
        return
    try:
        present = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        present = False
    if not present:
        dist = _SIMULATOR_DISTRIBUTIONS[backend]
        hint = ("`pip install 'mozaik-core[nest]'` (or `pip install nest-simulator`: a binary "
                "wheel, no compiler needed)" if backend == "nest" else f"`pip install {dist}`")
        msg = (f"the simulator {backend!r} (simulator.backend) is not installed: Python cannot "
               f"import {module!r}. Install it with {hint}, or choose another backend with "
               f"--simulator / --set simulator.backend=...")
        raise SimulatorNotInstalledError(msg)


def simulator_version(backend: str) -> str | None:
    """Version of the simulator behind a PyNN backend, or None if unknown."""
    dist = _SIMULATOR_DISTRIBUTIONS.get(backend)
    return None if dist is None else _version(dist)


def run_provenance(plugins: list[dict[str, str]], backend: str) -> dict[str, Any]:
    """Provenance fields the controller adds to those the datastore collects itself."""
    return {
        "plugins": plugins,
        "simulator": {"backend": backend, "version": simulator_version(backend),
                      "PyNN": _version("PyNN"), "neo": _version("neo")},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "command": list(sys.argv),
    }


def _version(dist: str) -> str | None:
    with contextlib.suppress(md.PackageNotFoundError):
        return md.version(dist)
    return None


def _safe(text: str) -> str:
    """``text`` with only characters no shell treats specially: letters, digits, ``._-``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")


def _leaf(path: str) -> str:
    """The last name of a dotted path that is not a list index (``duration_ms`` of
    ``experiments.1.params.duration_ms``)."""
    names = [p for p in path.strip().split(".") if p and not p.isdigit()]
    return names[-1] if names else path.strip()


#: Longest default run directory name (characters).
MAX_RUN_DIR_NAME = 96


def run_dir_name(name: str, overrides: Iterable[str] = (),
                 now: _dt.datetime | None = None) -> str:
    """``<name>_<YYYYmmdd-HHMMSS>[_<leaf>-<value>..._<hash>]``: a run directory's default name.

    Short and shell-safe (letters, digits, ``._-`` only; at most :data:`MAX_RUN_DIR_NAME`
    characters): an overridden parameter shows as its last name and value
    (``n_neurons-800``), and a hash of the whole overrides follows them, so that two runs
    overriding different parameters (``experiments.0...`` and ``experiments.1...``) never share
    a name. The overrides themselves are in the run's manifest (``mozaik show``).
    """
    items = [str(i) for i in overrides]
    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    parts = [(_safe(name) or "run")[:32], stamp]
    if items:
        leaves = []
        for item in items:
            path, _, value = item.partition("=")
            leaves.append(_safe(f"{_leaf(path)}-{value.strip()}"))
        digest = hashlib.sha1("\n".join(items).encode()).hexdigest()[:6]
        room = MAX_RUN_DIR_NAME - len("_".join(parts)) - len(digest) - 2
        tail = "_".join(leaf for leaf in leaves if leaf)[:room].rstrip("-_.")
        parts += [tail, digest] if tail else [digest]
    return "_".join(parts)


def default_run_dir(name: str, overrides: Iterable[str] = (), parent: str | Path = "runs",
                    now: _dt.datetime | None = None) -> Path:
    """A fresh run directory under ``parent`` named by :func:`run_dir_name` (never reused)."""
    base = Path(parent) / run_dir_name(name, overrides, now)
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _normalise(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


#: Top-level sections of a study whose declaration order is meaning: sheets are created (and
#: get their neuron ids) in it, connectors are built in it (after declared dependencies).
ORDERED_SECTIONS = ("sheets", "connectors")


def config_differences(stored: Mapping[str, Any], current: Mapping[str, Any],
                       limit: int = 5, *, ordered: bool = True) -> list[str]:
    """Dotted paths where two resolved configurations differ, with both values.

    ``ordered``: also compare the declaration order of :data:`ORDERED_SECTIONS`; pass False for
    a configuration read from a manifest without ``key_order`` (its keys were sorted).
    """
    out: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            if (ordered and path in ORDERED_SECTIONS and set(a) == set(b)
                    and list(a) != list(b)):
                out.append(f"{path}: declared in the order {', '.join(a)} in the run, "
                           f"{', '.join(b)} now")
            for key in sorted(set(a) | set(b)):
                here = f"{path}.{key}" if path else str(key)
                if key not in a:
                    out.append(f"{here}: absent in the run, {b[key]!r} now")
                elif key not in b:
                    out.append(f"{here}: {a[key]!r} in the run, absent now")
                else:
                    walk(a[key], b[key], here)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{path}.{i}" if path else str(i))
        elif a != b:
            out.append(f"{path or 'the configuration'}: {a!r} in the run, {b!r} now")

    walk(_normalise(stored), _normalise(current), "")
    return out
