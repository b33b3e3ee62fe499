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
from mozaik.datastore import DataStore, SignalRecording


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    return streaming_cases.compute(tmp_path_factory.mktemp("golden") / "run")


def test_every_spike_analysis_gives_what_the_whole_run_path_gave(
        results: dict[str, np.ndarray]) -> None:
    golden = np.load(streaming_cases.GOLDEN)
    assert sorted(results) == sorted(golden.files)
    for key in golden.files:  # bit for bit: the sums are taken in the same order
        np.testing.assert_array_equal(results[key], golden[key], err_msg=key)


def _store(root: Path, presentations: int) -> DataStore:
    rng = np.random.default_rng(5)
    b = StoreBuilder(root, {"exc": 400})
    vm = SignalRecording(variable="v", units="mV", t_start=0.0, sampling_period=1.0,
                         neurons=np.arange(100), values=rng.normal(-60.0, 1.0, (1000, 100)))
    for k in range(presentations):  # 2 stimuli: 20,000 spikes and 800 kB of Vm each
        b.present(stimulus(orientation=float(k % 2), temporal_frequency=4.0), k // 2, 1000.0,
                  {"exc": poisson(rng, 50.0, 1000.0, 400)}, signals={"exc": [vm]})
    return b.store


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[DataStore, DataStore]:
    root = tmp_path_factory.mktemp("memory")
    return _store(root / "few", 4), _store(root / "many", 16)


def _peak(store: DataStore, analysis: Analysis) -> int:
    tracemalloc.start()
    try:
        analysis.run(store)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("label", ["trial_rate", "fano_windows", "cv", "modulation",
                                   "corr_bins", "psth_some", "vm"])
def test_memory_does_not_grow_with_the_presentations(stores: tuple[DataStore, DataStore],
                                                     label: str) -> None:
    analysis = dict(streaming_cases.cases())[label]
    few, many = (_peak(store, analysis) for store in stores)
    # 12 more presentations of 20,000 spikes: reading them all at once would add > 4.8 MB (the
    # Vm of a stimulus's trials at once, 4.8 MB)
    assert many - few < 1_000_000, (few, many)
