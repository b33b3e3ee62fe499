"""Reading spikes one presentation at a time (``DataStoreView.iter_spike_arrays``)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
from mozaik.datastore import DataStore, SheetRecording
from mozaik.stimulus import StimulusIdentity


def _store(root: Path, presentations: int, spikes_per: int = 20_000) -> DataStore:
    """One sheet of 200 neurons; presentation 1 has no spikes."""
    rng = np.random.default_rng(7)
    store = DataStore.create(root, {"config": {"model": "toy"}})
    store.write_neurons("s", np.arange(200), np.zeros((200, 2)))
    for k in range(presentations):
        t0 = 1000.0 * k
        n = 0 if k == 1 else spikes_per
        neuron = np.sort(rng.integers(0, 200, n))
        times = t0 + rng.uniform(0.1, 1000.0, n)
        order = np.lexsort((times, neuron))
        rec = SheetRecording(t_start=t0, t_stop=t0 + 1000.0, spike_neurons=neuron[order],
                             spike_times=times[order], spike_recorded=np.arange(200))
        store.write_presentation_arrays(StimulusIdentity("S", {"k": k}), 0, {"s": rec})
    return store


def test_the_segments_in_turn_make_up_the_whole(tmp_path: Path) -> None:
    store = _store(tmp_path / "run", 4, 500)
    whole = store.spike_arrays("s")
    steps = list(store.iter_spike_arrays("s"))
    assert [sid for sid, _ in steps] == sorted(store.segment_index["segment_id"].to_pylist())
    assert len(steps[1][1].times) == 0  # a segment without spikes is yielded, empty
    for field in ("neuron", "times", "segment_id"):
        np.testing.assert_array_equal(
            np.concatenate([getattr(a, field) for _, a in steps]), getattr(whole, field))
    for sid, arrays in steps:
        assert (arrays.segment_id == sid).all()
    assert list(store.iter_spike_arrays("s", null=True)) == []


def _peak_while_iterating(store: DataStore) -> int:
    tracemalloc.start()
    try:
        for _, arrays in store.iter_spike_arrays("s"):
            del arrays
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_is_bounded_by_a_presentation_not_the_run(tmp_path: Path) -> None:
    small = _peak_while_iterating(_store(tmp_path / "a", 4))
    large = _peak_while_iterating(_store(tmp_path / "b", 16))
    # one presentation's arrays: 20,000 spikes x 20 bytes; the whole run's would be 4x more
    assert large < 1.5 * small, (small, large)
    assert large < 20_000 * 20 * 4
