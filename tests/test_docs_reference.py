"""The committed reference pages (docs/configuration.md, docs/cli.md) are what the code of the
five first-party distributions generates: every page reads as it is in the repository."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_generated_reference_pages_are_up_to_date() -> None:
    sys.path.insert(0, str(DOCS))
    try:
        from generate import pages
    finally:
        sys.path.remove(str(DOCS))
    for path, expected in pages().items():
        found = path.read_text()
        diff = "".join(difflib.unified_diff(found.splitlines(True), expected.splitlines(True),
                                            str(path), "generated", n=1))
        assert found == expected, f"{path.name} is stale: run python docs/generate.py\n{diff}"
