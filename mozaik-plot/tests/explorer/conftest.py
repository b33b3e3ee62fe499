"""Fixtures of the explorer's tests: a served directory with runs and a search."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from explorer_helpers import Served, make_big_run, make_search, make_v1_run

#: The example store of the datastore format (a Vogels & Abbott run).
EXAMPLE_RUN = (Path(__file__).resolve().parents[3] / "docs" / "format" / "example_runs"
               / "with_analyses")


@pytest.fixture(scope="session")
def served_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DIR with the example VA run, a bigger VA run (100,000 spikes), a tiny V1 run and a
    3 x 3 search whose points are copies of the example run (one failed), with a trial
    table as an optimising search has."""
    import shutil

    root = tmp_path_factory.mktemp("served")
    shutil.copytree(EXAMPLE_RUN, root / "va_example")
    make_big_run(root / "runs" / "va_big", n_spikes=100_000)
    make_v1_run(root / "runs" / "v1_tiny")
    make_search(root / "searches" / "va_weights", EXAMPLE_RUN,
                [(0.004, 0.006, 0.008), (0.03, 0.05, 0.08)], failed=(4,), trials=True)
    return root


@pytest.fixture(scope="session")
def server(served_dir: Path) -> Iterator[Served]:
    with Served(served_dir) as served:
        yield served
