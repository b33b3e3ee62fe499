"""The NWB export's memory is bounded by a presentation, not by the run.

Two stores with the same presentations (2,000 neurons, 60,000 spikes each), one with 4 and one
with 16 of them: the peak of the memory Python and numpy allocate while exporting (tracemalloc)
must not grow with the number of presentations. Before the Units table was written block by
block, the exporter held a sheet's spikes of the whole run (times, sort order, neuron ids) and
its peak grew about fourfold from 4 to 16 presentations.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from mozaik.datastore import DataStore, SheetRecording
from mozaik.export import export
from mozaik.plugin import get_registry
from mozaik.stimulus import StimulusIdentity

pytest.importorskip("pynwb")

NEURONS, SPIKES, DURATION = 2000, 60_000, 1000.0


def _store(root: Path, presentations: int) -> Path:
    rng = np.random.default_rng(presentations)
    store = DataStore.create(root, {"config": {"simulator": {"time_step": 0.1}}})
    store.write_neurons("exc", np.arange(NEURONS), rng.uniform(-500, 500, (NEURONS, 2)))
    for k in range(presentations):
        t0 = k * DURATION
        neurons = np.sort(rng.integers(0, NEURONS, SPIKES))
        times = np.round(t0 + rng.uniform(0, DURATION, SPIKES), 1)
        order = np.lexsort((times, neurons))
        store.write_presentation_arrays(
            StimulusIdentity("Spontaneous", {"duration_ms": DURATION, "trial": k}), k,
            {"exc": SheetRecording(t_start=t0, t_stop=t0 + DURATION,
                                   spike_neurons=neurons[order], spike_times=times[order],
                                   spike_recorded=np.arange(NEURONS))},
            t_start=t0, t_stop=t0 + DURATION)
    store.close()
    return root


def _peak(run: Path, out: Path) -> int:
    registry = get_registry()
    with DataStore.open(run) as store:
        tracemalloc.start()
        try:
            export(store.full_view(), out, format="nwb", registry=registry,
                   params={"analysis": False, "compression": False})
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_presentations(tmp_path: Path) -> None:
    small, large = _store(tmp_path / "p4", 4), _store(tmp_path / "p16", 16)
    _peak(small, tmp_path / "warm.nwb")  # imports, namespaces and caches outside the count
    peak4 = _peak(small, tmp_path / "p4.nwb")
    peak16 = _peak(large, tmp_path / "p16.nwb")
    # 4x the spikes; one presentation's arrays are about 60,000 x 8 bytes each
    assert peak16 < 1.3 * peak4, (peak4, peak16)
