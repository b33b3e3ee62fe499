"""Fixtures shared by the search tests: a contract study on PyNN's ``mock`` backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from mozaik.testing import contract_study_text


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    """A folder holding ``study.yaml``, the core contract study on the ``mock`` backend."""
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "study.yaml").write_text(contract_study_text("mock"))
    return folder
