"""``mozaik.testing`` as a pytest plugin: a plugin's suite needs no marker declarations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_registers_the_nest_marker(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")
    (tmp_path / "test_lab.py").write_text(
        "import pytest\n\n@pytest.mark.nest\ndef test_on_nest():\n    pass\n\n"
        "def test_plain(tiny_store):\n    assert tiny_store.n_analysis_results == 2\n")
    run = [sys.executable, "-m", "pytest", "-q", "-m", "not nest", str(tmp_path)]
    without = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert without.returncode != 0 and "'nest' not found in `markers`" in without.stdout
    with_plugin = subprocess.run([*run, "-p", "mozaik.testing"], capture_output=True, text=True,
                                 cwd=tmp_path, check=False)
    assert with_plugin.returncode == 0, with_plugin.stdout
    assert "1 passed, 1 deselected" in with_plugin.stdout
