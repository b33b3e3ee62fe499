"""The hook reference documents every hook specification."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from mozaik.plugin import _spec

DOCS = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"


def test_every_hook_is_documented() -> None:
    documented = set(re.findall(r"^### (mozaik_\w+)\s*$", DOCS.read_text(), flags=re.M))
    specs = {name for name, fn in inspect.getmembers(_spec, inspect.isfunction)
             if name.startswith("mozaik_")}
    assert specs, "no hook specs found"
    missing = specs - documented
    stale = documented - specs
    assert not missing, f"hooks missing from docs/hooks.md: {sorted(missing)}"
    assert not stale, f"docs/hooks.md documents hooks that do not exist: {sorted(stale)}"


def test_every_hook_spec_has_an_example() -> None:
    for name, fn in inspect.getmembers(_spec, inspect.isfunction):
        if name.startswith("mozaik_"):
            assert "Example::" in (fn.__doc__ or ""), f"{name} needs an example in its docstring"
