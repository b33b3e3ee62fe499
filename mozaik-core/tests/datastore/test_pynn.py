"""write_presentation accepts exactly what PyNN's get_data() produces."""

from __future__ import annotations

import importlib
from pathlib import Path

import neo
import numpy as np
import pytest
from mozaik.datastore import DataStore
from mozaik.stimulus import StimulusIdentity


def _record_and_store(
    backend: str, run: Path, presentations: int
) -> tuple[DataStore, list[neo.Segment]]:
    sim = importlib.import_module(backend)
    sim.setup(timestep=0.1)
    originals = []
    try:
        src = sim.Population(5, sim.SpikeSourcePoisson(rate=200.0), label="input")
        pop = sim.Population(5, sim.IF_cond_exp(), label="V1_Exc_L4")
        sim.Projection(src, pop, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.05))
        pop.record("spikes")
        pop[[1, 3]].record(["v", "gsyn_exc"])
        store = DataStore.create(run, {"simulator": backend})
        store.write_neurons("V1_Exc_L4", np.asarray(pop.all_cells, np.int64), pop.positions.T)
        for k in range(presentations):
            sim.run(50.0)
            seg = pop.get_data(clear=True).segments[0]
            originals.append(seg)
            store.write_presentation(
                StimulusIdentity("Kick", {"rate": 200.0}), k, {"V1_Exc_L4": seg}
            )
    finally:
        sim.end()
    store.close()
    return DataStore.open(run), originals


def _compare(store: DataStore, originals: list[neo.Segment]) -> None:
    segs = store.get_segments()
    assert len(segs) == len(originals)
    for got, ref in zip(segs, originals, strict=True):
        assert [st.annotations["source_index"] for st in got.spiketrains] == [
            int(st.annotations["source_index"]) for st in ref.spiketrains
        ]
        assert [st.annotations["channel_id"] for st in got.spiketrains] == [
            int(st.annotations["channel_id"]) for st in ref.spiketrains
        ]
        for st, rst in zip(got.spiketrains, ref.spiketrains, strict=True):
            np.testing.assert_array_equal(st.magnitude, rst.rescale("ms").magnitude)
        assert {a.name for a in got.analogsignals} == {a.name for a in ref.analogsignals}
        for sig in got.analogsignals:
            rsig = next(a for a in ref.analogsignals if a.name == sig.name)
            np.testing.assert_array_equal(sig.magnitude, rsig.magnitude)
            np.testing.assert_array_equal(
                sig.array_annotations["channel_index"], rsig.array_annotations["channel_index"]
            )
            np.testing.assert_array_equal(
                sig.annotations["channel_ids"], rsig.annotations["channel_ids"]
            )
            assert sig.units == rsig.units and sig.t_start == rsig.t_start
    assert store.neuron_positions("V1_Exc_L4").shape == (5, 3)


def test_pynn_mock(tmp_path: Path) -> None:
    store, originals = _record_and_store("pyNN.mock", tmp_path / "run", 1)  # mock cannot run twice
    _compare(store, originals)


@pytest.mark.nest
def test_pynn_nest_two_presentations(tmp_path: Path) -> None:
    store, originals = _record_and_store("pyNN.nest", tmp_path / "run", 2)
    _compare(store, originals)
    assert store.segment_index["t_start"].to_pylist() == [0.0, 50.0]
    assert sum(store.segment_index["n_spikes"].to_pylist()) > 0
