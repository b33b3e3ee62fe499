"""Presentations written in parts (one network over MPI ranks), with the ranks simulated: two
writers with part ids write into one run directory, the writer merges, the store reads back as
if one process had written every presentation whole."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from mozaik._errors import DataStoreError, ReadOnlyStoreError
from mozaik.datastore import DataStore, SheetRecording, SignalRecording, check_store
from mozaik.stimulus import StimulusIdentity

SHEETS = {"exc": 8, "inh": 3}
#: neurons whose Vm is recorded: part 1 (odd neurons) holds none of inh's
VM = {"exc": np.array([0, 3, 5]), "inh": np.array([2])}


def _recording(sheet: str, t0: float, rng: np.random.Generator) -> SheetRecording:
    n = SHEETS[sheet]
    counts = rng.integers(0, 4, n)
    counts[1] = 0  # a silent neuron (of part 1)
    neurons = np.repeat(np.arange(n), counts)
    times = t0 + np.concatenate([np.sort(rng.uniform(0.1, 50.0, c)) for c in counts])
    vm = SignalRecording(variable="v", units="mV", t_start=t0, sampling_period=1.0,
                         neurons=VM[sheet], values=rng.normal(-60, 2, (50, len(VM[sheet]))))
    return SheetRecording(t_start=t0, t_stop=t0 + 50.0, spike_neurons=neurons,
                          spike_times=times, spike_recorded=np.arange(n), signals=[vm])


def _part(rec: SheetRecording, part: int, parts: int) -> SheetRecording:
    """The share of part ``part``: neurons ``part, part + parts, ...`` (NEST's round robin)."""
    mine = rec.spike_recorded[rec.spike_recorded % parts == part]
    keep = rec.spike_neurons % parts == part
    signals = []
    for s in rec.signals:
        cols = s.neurons % parts == part
        if cols.any():
            signals.append(SignalRecording(variable=s.variable, units=s.units,
                                           t_start=s.t_start, sampling_period=s.sampling_period,
                                           neurons=s.neurons[cols], values=s.values[:, cols]))
    return SheetRecording(t_start=rec.t_start, t_stop=rec.t_stop,
                          spike_neurons=rec.spike_neurons[keep], spike_times=rec.spike_times[keep],
                          spike_recorded=mine, signals=signals)


def _stimulus(k: int) -> StimulusIdentity:
    return StimulusIdentity(name="Kick", params={"rate_hz": 10.0 * (k + 1), "duration_ms": 50.0})


def _new(path: Path) -> DataStore:
    store = DataStore.create(path, {"simulator": "mock"})
    for sheet, n in SHEETS.items():
        store.write_neurons(sheet, np.arange(n) + 100 * len(sheet), np.zeros((n, 2)))
    return store


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    """(written whole by one writer, written in 2 parts and merged), 3 presentations each."""
    rng = np.random.default_rng(7)
    recordings = [{s: _recording(s, 50.0 * k, rng) for s in SHEETS} for k in range(3)]
    whole = _new(tmp_path / "whole")
    primary = _new(tmp_path / "parts")
    primary.write_in_parts(2)
    other = DataStore.open_part(tmp_path / "parts", 1, 2)
    for k, recs in enumerate(recordings):
        span = {"t_start": 50.0 * k, "t_stop": 50.0 * (k + 1)}
        whole.write_presentation_arrays(_stimulus(k), 0, recs, **span)
        for part, store in enumerate((primary, other)):
            store.write_presentation_arrays(
                _stimulus(k), 0, {s: _part(r, part, 2) for s, r in recs.items()}, **span)
    assert primary.segment_index.num_rows == 0  # nothing is committed before the merge
    assert primary.merge_parts() == [0, 1, 2]
    for store in (whole, primary):
        store.update_manifest(status="complete", end_time="2026-01-01T00:00:00+00:00")
        store.close()
    other.close()
    return tmp_path / "whole", tmp_path / "parts"


def test_a_store_written_in_parts_reads_back_as_one(runs: tuple[Path, Path]) -> None:
    whole, parts = (DataStore.open(p) for p in runs)
    columns = ["segment_id", "presentation_id", "sheet_name", "stimulus_id", "t_start",
               "t_stop", "variables", "variable_neurons", "n_spiketrains", "n_spikes"]
    assert parts.segment_index.select(columns).equals(whole.segment_index.select(columns))
    for sheet in SHEETS:
        a, b = whole.full_view().spike_arrays(sheet), parts.full_view().spike_arrays(sheet)
        for field in ("neuron", "times", "segment_id"):
            np.testing.assert_array_equal(getattr(b, field), getattr(a, field))
        streamed = list(parts.iter_spike_arrays(sheet))  # segment by segment, parts merged
        for field in ("neuron", "times", "segment_id"):
            np.testing.assert_array_equal(
                np.concatenate([getattr(s, field) for _, s in streamed]), getattr(a, field))
        va, vb = (s.full_view().analog_arrays(sheet, "v") for s in (whole, parts))
        np.testing.assert_array_equal(vb.neuron, va.neuron)
        np.testing.assert_array_equal(vb.values, va.values)
        for sa, sb in zip(whole.full_view().get_segments(sheet=sheet),
                          parts.full_view().get_segments(sheet=sheet), strict=True):
            assert [st.annotations["source_index"] for st in sb.spiketrains] == list(
                range(SHEETS[sheet]))
            for ta, tb in zip(sa.spiketrains, sb.spiketrains, strict=True):
                np.testing.assert_array_equal(tb.magnitude, ta.magnitude)
            np.testing.assert_array_equal(sb.analogsignals[0].magnitude,
                                          sa.analogsignals[0].magnitude)


def test_the_merge_copies_no_payload_and_the_store_checks(runs: tuple[Path, Path]) -> None:
    _, parts = runs
    assert check_store(parts) == []
    assert sorted(p.name for p in (parts / "spikes").iterdir()) == [
        f"p{k:08d}-r{r:04d}.parquet" for k in range(3) for r in range(2)]
    assert not list((parts / "parts").glob("*.parquet"))  # merged: no part fragment left
    index = pq.read_table(parts / "segments.parquet")
    row = index.filter(index["sheet_name"].to_numpy(zero_copy_only=False) == "inh").to_pylist()[0]
    assert row["spikes_file"] is None
    assert [(p["part"], p["spikes_file"], p["variables"]) for p in row["parts"]] == [
        (0, "spikes/p00000000-r0000.parquet", ["spikes", "v"]),
        (1, "spikes/p00000000-r0001.parquet", ["spikes"])]  # part 1 recorded no inh Vm
    manifest = json.loads((parts / "manifest.json").read_text())
    assert manifest["format_version"] == 3
    assert json.loads((runs[0] / "manifest.json").read_text())["format_version"] == 2


def test_check_finds_a_missing_part_file(runs: tuple[Path, Path]) -> None:
    _, parts = runs
    (parts / "spikes" / "p00000001-r0001.parquet").unlink()
    problems = check_store(parts)
    assert [(p.kind, p.file) for p in problems] == [("missing", "spikes/p00000001-r0001.parquet")]


def test_a_presentation_not_every_part_wrote_is_dropped_on_resume(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    primary = _new(tmp_path / "run")
    primary.write_in_parts(2)
    other = DataStore.open_part(tmp_path / "run", 1, 2)
    recs = {s: _recording(s, 0.0, rng) for s in SHEETS}
    for store, part in ((primary, 0), (other, 1)):
        store.write_presentation_arrays(_stimulus(0), 0, {s: _part(r, part, 2)
                                                          for s, r in recs.items()})
    recs = {s: _recording(s, 50.0, rng) for s in SHEETS}
    primary.write_presentation_arrays(_stimulus(1), 0, {s: _part(r, 0, 2)
                                                        for s, r in recs.items()})
    del primary, other  # crash: part 1 never wrote presentation 1, nothing was merged
    (tmp_path / "run" / ".writer.lock").unlink()
    with DataStore.open(tmp_path / "run", mode="a") as store:
        assert store.segment_index["presentation_id"].to_pylist() == [0, 0]
        assert store.has_presentation(_stimulus(0), 0)
        assert not store.has_presentation(_stimulus(1), 0)
    assert sorted(p.name for p in (tmp_path / "run" / "spikes").iterdir()) == [
        "p00000000-r0000.parquet", "p00000000-r0001.parquet"]
    assert check_store(tmp_path / "run") == []


def test_a_part_store_writes_presentations_only(tmp_path: Path) -> None:
    _new(tmp_path / "run").close()
    with pytest.raises(DataStoreError, match="part 0 is written by the store's writer"):
        DataStore.open_part(tmp_path / "run", 0, 2)
    part = DataStore.open_part(tmp_path / "run", 1, 2)
    with pytest.raises(ReadOnlyStoreError, match="cannot write neurons"):
        part.write_neurons("exc", np.arange(8), np.zeros((8, 2)))
    with pytest.raises(ReadOnlyStoreError, match="cannot merge presentation parts"):
        part.merge_parts()
