"""mypy ties a component's parameters class to its factory: a mismatch is a type error.

Runs mypy (strict) on ``typing_components.py`` and compares its errors with the lines marked
``# E: <code>`` there: every marked line must fail with that code, no other line may fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

CASES = Path(__file__).with_name("typing_components.py")


def _expected() -> set[tuple[int, str]]:
    lines = CASES.read_text(encoding="utf-8").splitlines()
    return {(n, m.group(1)) for n, line in enumerate(lines, 1)
            if (m := re.search(r"# E: ([\w-]+)", line))}


@pytest.mark.slow
def test_mismatched_factory_and_params_are_type_errors() -> None:
    stdout, stderr, _status = api.run(["--strict", "--no-error-summary",
                                       "--hide-error-context", str(CASES)])
    found = {(int(m.group(1)), m.group(2)) for m in re.finditer(
        r"^.*typing_components\.py:(\d+): error: .*\[([\w-]+)\]$", stdout, flags=re.M)}
    expected = _expected()
    assert len(expected) == 6
    assert found == expected, stdout + stderr
