"""Fixtures of the mozaik-plot tests: small real stores written through the public API."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from mozaik.datastore import DataStore
from mozaik.testing import tiny_store

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # plot_helpers

from plot_helpers import make_plot_store

__all__ = ["figures", "plot_store", "tiny_store"]


@pytest.fixture
def plot_store(tmp_path: Path) -> Iterator[DataStore]:
    """:func:`make_plot_store` in a temporary run directory, closed afterwards."""
    store = make_plot_store(tmp_path / "run")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def figures(tmp_path: Path) -> Path:
    """An empty figures folder."""
    folder = tmp_path / "figures"
    folder.mkdir()
    return folder
