"""The analyses read spikes one presentation at a time: the same results as the whole-run code
path, in memory bounded by a presentation (issue 25, item 4)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import streaming_cases
from analysis_helpers import StoreBuilder, poisson, stimulus
from mozaik.analysis import Analysis


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    return streaming_cases.compute(tmp_path_factory.mktemp("golden") / "run")


def test_every_spike_analysis_gives_what_the_whole_run_path_gave(
        results: dict[str, np.ndarray]) -> None:
    golden = np.load(streaming_cases.GOLDEN)
    assert sorted(results) == sorted(golden.files)
    for key in golden.files:  # bit for bit: the sums are taken in the same order
        np.testing.assert_array_equal(results[key], golden[key], err_msg=key)


def _peak(root: Path, presentations: int, analysis: Analysis) -> int:
    rng = np.random.default_rng(5)
    b = StoreBuilder(root, {"exc": 400})
    for k in range(presentations):
        b.present(stimulus(orientation=float(k % 2), temporal_frequency=4.0), k // 2, 1000.0,
                  {"exc": poisson(rng, 50.0, 1000.0, 400)})  # 20,000 spikes each
    tracemalloc.start()
    try:
        analysis.run(b.store)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("label", ["trial_rate", "fano_windows", "cv", "modulation",
                                   "corr_bins", "psth"])
def test_memory_does_not_grow_with_the_presentations(tmp_path: Path, label: str) -> None:
    analysis = dict(streaming_cases.cases())[label]
    few = _peak(tmp_path / "few", 4, analysis)
    many = _peak(tmp_path / "many", 16, analysis)
    # 12 more presentations of 20,000 spikes: reading them all at once would add > 4.8 MB
    assert many - few < 1_000_000, (few, many)
