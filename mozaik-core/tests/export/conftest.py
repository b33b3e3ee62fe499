"""Fixtures of the export tests: the datastore tests' filled store."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))  # datastore_helpers

from datastore_helpers import fill
from mozaik.datastore import DataStore


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Path, dict]:
    """A closed store with 2 sheets x 3 orientations x 2 trials (+ blanks) and 7 ADSs."""
    run = tmp_path / "run"
    store = DataStore.create(run, {"config": {"model": "toy", "seed": 7, "simulator": {
        "time_step": 0.1}}, "simulator": "mock"})
    truth = fill(store, np.random.default_rng(1234))
    store.update_manifest(end_time="2026-01-01T00:00:00+00:00")
    store.close()
    return run, truth
