from __future__ import annotations

import json
from pathlib import Path

import neo
import numpy as np
import pyarrow.parquet as pq_
import pytest
import quantities as pq
from datastore_helpers import FIRST_ID, ORIENTATIONS, SHEETS, grating, pynn_segment
from mozaik._errors import DataStoreError, DuplicatePresentationError, ReadOnlyStoreError
from mozaik.datastore import FORMAT_VERSION, DataStore, DataStoreView, SheetRecording


def _spikes(seg: neo.Segment) -> dict[int, np.ndarray]:
    return {
        int(st.annotations["source_index"]): np.asarray(st.rescale("ms").magnitude)
        for st in seg.spiketrains
    }


def test_round_trip_neo_segments(filled) -> None:
    run, truth = filled
    store = DataStore.open(run)
    assert store.sheets() == sorted(SHEETS)
    assert len(store.presentations()) == len(ORIENTATIONS) * 2
    assert len(store.stimuli()) == len(ORIENTATIONS) * 2
    assert (
        store.n_segments == 2 * len(ORIENTATIONS) * 2 * 2
    )  # sheets x stimuli x trials x (real+blank)
    segs = store.get_segments()
    assert len(segs) == 12
    for seg in segs:
        sheet = seg.annotations["sheet_name"]
        sid_text = seg.annotations["stimulus"]
        trial = seg.annotations["trial"]
        original = next(
            v[sheet]
            for (s, t), v in truth["segments"].items()
            if s.to_string() == sid_text and t == trial
        )
        got, want = _spikes(seg), _spikes(original)
        assert sorted(got) == sorted(want)  # silent neurons keep an empty SpikeTrain
        for i in want:
            np.testing.assert_array_equal(got[i], want[i])
        st = seg.spiketrains[0]
        assert st.units == pq.ms
        assert st.annotations["source_population"] == sheet
        assert st.annotations["channel_id"] == FIRST_ID[sheet] + st.annotations["source_index"]
        assert st.t_start == original.spiketrains[0].t_start
        assert len(seg.spiketrains[1]) == 0
        assert {a.name for a in seg.analogsignals} == {"v", "gsyn_exc"}
        for sig in seg.analogsignals:
            ref = next(a for a in original.analogsignals if a.name == sig.name)
            assert sig.units == ref.units
            np.testing.assert_array_equal(sig.magnitude, ref.magnitude)
            np.testing.assert_array_equal(sig.array_annotations["channel_index"], [0, 2])
            assert float(sig.sampling_period.rescale("ms")) == pytest.approx(0.1)
            assert sig.t_start == ref.t_start
            assert sig.annotations["trial"] == trial


def test_null_segments_and_index_columns(filled) -> None:
    run, _ = filled
    store = DataStore.open(run)
    blanks = store.get_segments(null=True)
    assert len(blanks) == 12 and all(s.annotations["is_null"] for s in blanks)
    assert all(not s.analogsignals for s in blanks)
    idx = store.segment_index
    for col in (
        "sheet_name",
        "stimulus_name",
        "stimulus_id",
        "trial",
        "t_start",
        "t_stop",
        "variables",
        "is_null",
        "st_orientation",
        "st_contrast",
        "st_duration_ms",
    ):
        assert col in idx.column_names
    assert str(idx.schema.field("st_orientation").type) == "double"
    assert str(idx.schema.field("st_contrast").type) == "int64"
    row = idx.to_pylist()[0]
    assert row["variables"] == ["spikes", "gsyn_exc", "v"]  # analog variables sorted by name
    assert (row["t_start"], row["t_stop"]) == (0.0, pytest.approx(50.1))


def test_numpy_accessors_match_neo(filled) -> None:
    run, _ = filled
    store = DataStore.open(run)
    arr = store.spike_arrays("V1_Exc_L4")
    segs = store.get_segments(sheet="V1_Exc_L4")
    n = sum(len(st) for seg in segs for st in seg.spiketrains)
    assert len(arr.times) == len(arr.neuron) == len(arr.segment_id) == n
    assert arr.times.dtype == np.float64 and not np.isnan(arr.times).any()
    first = segs[0]
    sel = arr.segment_id == first.annotations["segment_id"]
    np.testing.assert_array_equal(
        np.sort(arr.times[sel]), np.sort(np.concatenate([st.magnitude for st in first.spiketrains]))
    )
    v = store.analog_arrays("V1_Exc_L4", "v")
    assert (
        v.values.shape == (6 * 2, 501)
        and v.units == "mV"
        and v.sampling_period == pytest.approx(0.1)
    )
    (first_v,) = [a for a in first.analogsignals if a.name == "v"]
    np.testing.assert_array_equal(v.values[0], first_v.magnitude[:, 0])
    with pytest.raises(DataStoreError, match="recorded variables: gsyn_exc, spikes, v"):
        store.analog_arrays("V1_Exc_L4", "gsyn_inh")
    # several variables from one read of their files: the same arrays
    both = store.full_view().analog_arrays_of("V1_Exc_L4", ("v", "gsyn_exc"))
    for name, arrays in both.items():
        one = store.analog_arrays("V1_Exc_L4", name)
        np.testing.assert_array_equal(arrays.values, one.values)
        np.testing.assert_array_equal(arrays.neuron, one.neuron)
        assert arrays.units == one.units
    with pytest.raises(DataStoreError, match="no 'gsyn_inh' recordings"):
        store.full_view().analog_arrays_of("V1_Exc_L4", ("v", "gsyn_inh"))


def test_neurons(filled) -> None:
    run, _ = filled
    store = DataStore.open(run)
    np.testing.assert_array_equal(store.neuron_ids("V1_Inh_L2/3"), [30, 31, 32])
    assert store.neuron_positions("V1_Exc_L4").shape == (6, 2)
    ann = store.neuron_annotations("V1_Exc_L4")
    np.testing.assert_allclose(
        ann["orientation_preference"], np.linspace(0, np.pi, 6, endpoint=False)
    )
    with pytest.raises(DataStoreError, match="sheets: V1_Exc_L4, V1_Inh_L2/3"):
        store.neuron_ids("LGN")


def test_set_annotation_and_3d_positions(tmp_path: Path) -> None:
    store = DataStore.create(tmp_path / "r")
    store.write_neurons("S", [5, 6], [[0, 0, 1], [1, 1, 2]])
    store.set_neuron_annotation("S", "orientation", np.array([0.1, 0.2]))
    store.set_neuron_annotation("S", "orientation", np.array([0.3, 0.4]))
    assert store.neuron_positions("S").shape == (2, 3)
    store.write_neurons("S", [5, 6], [[0, 0, 1], [1, 1, 2]])  # identical: accepted
    with pytest.raises(DataStoreError, match="different ids or positions"):
        store.write_neurons("S", [5, 7], [[0, 0, 1], [1, 1, 2]])
    with pytest.raises(DataStoreError, match=r"expected \(2,\)"):
        store.set_neuron_annotation("S", "x2", np.zeros(3))
    with pytest.raises(DataStoreError, match="reserved"):
        store.set_neuron_annotation("S", "x", np.zeros(2))
    store.close()
    again = DataStore.open(tmp_path / "r")
    np.testing.assert_allclose(again.neuron_annotations("S")["orientation"], [0.3, 0.4])


def test_manifest(filled) -> None:
    run, _ = filled
    m = DataStore.open(run).manifest
    assert m["format"] == "mozaik-datastore" and m["format_version"] == FORMAT_VERSION - 1 == 2
    assert m["config"] == {"model": "toy"} and m["simulator"] == "mock"
    assert m["end_time"] == "2026-01-01T00:00:00+00:00" and m["start_time"]
    assert m["provenance"]["host"] and "mozaik-core" in m["provenance"]["distributions"]
    assert json.loads((run / "manifest.json").read_text()) == m


def test_presentations_resume_and_duplicates(filled, rng) -> None:
    run, _ = filled
    store = DataStore.open(run, mode="a")
    assert store.has_presentation(grating(0.0, 1), 1)
    assert store.has_presentation(grating(0.0, 1), 1, null=True)
    assert not store.has_presentation(grating(0.3, 0), 0)
    with pytest.raises(DuplicatePresentationError, match="already stored"):
        store.write_presentation(
            grating(0.0, 1), 1, {"V1_Exc_L4": pynn_segment("V1_Exc_L4", 6, 0, 10, rng)}
        )
    with pytest.raises(DataStoreError, match="trial 2"):
        store.write_presentation(
            grating(0.3, 1), 2, {"V1_Exc_L4": pynn_segment("V1_Exc_L4", 6, 0, 10, rng)}
        )
    pid = store.write_presentation(
        grating(0.3, 0), 0, {"V1_Exc_L4": pynn_segment("V1_Exc_L4", 6, 900, 10, rng)}
    )
    assert pid == 12
    assert store.has_presentation(grating(0.3, 0), 0)
    with pytest.raises(DataStoreError, match="being written by another process"):
        DataStore.open(run, mode="a")
    store.close()
    assert len(DataStore.open(run).presentations()) == 7


def test_create_refuses_existing_store(filled) -> None:
    run, _ = filled
    with pytest.raises(DataStoreError, match="mode='a'"):
        DataStore.create(run)


def test_write_to_read_only_store(filled, rng) -> None:
    run, _ = filled
    store = DataStore.open(run, mode="r")
    seg = pynn_segment("V1_Exc_L4", 6, 0, 10, rng)
    for call in (
        lambda: store.write_presentation(grating(2.0, 0), 0, {"V1_Exc_L4": seg}),
        lambda: store.write_neurons("X", [1], [[0, 0]]),
        lambda: store.set_neuron_annotation("V1_Exc_L4", "a", np.zeros(6)),
        lambda: store.update_manifest(end_time="now"),
        lambda: store.add_analysis_result(store.analysis_results()[0], replace=True),
    ):
        with pytest.raises(ReadOnlyStoreError, match="read-only"):
            call()


def test_views_are_lazy_and_snapshots(filled) -> None:
    run, _ = filled
    store = DataStore.open(run)
    view = store.full_view()
    assert isinstance(view, DataStoreView)
    segs = view.get_segments()
    assert segs.rows.num_rows == 12 and "SegmentList" in repr(segs)
    assert isinstance(segs[-1], neo.Segment) and len(segs[2:4]) == 2


def test_spikes_file_layout(filled) -> None:
    """One file per presentation, one row group per sheet, found from the index alone."""
    run, _ = filled
    store = DataStore.open(run)
    row = store.segment_index.to_pylist()[1]
    meta = pq_.ParquetFile(run / row["spikes_file"]).metadata
    assert meta.num_row_groups == 2
    t = pq_.ParquetFile(run / row["spikes_file"]).read_row_group(row["spikes_row_group"])
    assert set(t["segment_id"].to_pylist()) == {row["segment_id"]}
    assert t["time"].null_count == 1  # the silent neuron


def test_array_writer_and_empty_recordings(tmp_path: Path) -> None:
    store = DataStore.create(tmp_path / "r")
    rec = SheetRecording(
        t_start=0.0,
        t_stop=10.0,
        spike_neurons=[2, 0, 2],
        spike_times=[5.0, 1.0, 7.0],
        spike_recorded=np.arange(4),
    )
    store.write_presentation_arrays(grating(0.0, 0), 0, {"S": rec})
    segs = store.get_segments()
    trains = segs[0].spiketrains
    assert [st.annotations["source_index"] for st in trains] == [0, 1, 2, 3]
    assert [len(st) for st in trains] == [1, 0, 2, 0]
    assert "channel_id" not in trains[0].annotations  # neurons not written
    with pytest.raises(DataStoreError, match="source_index"):
        bad = neo.Segment()
        bad.spiketrains.append(neo.SpikeTrain([1.0], units="ms", t_stop=10))
        store.write_presentation(grating(1.0, 0), 0, {"S": bad})


def test_spike_times_in_seconds_are_converted(tmp_path: Path) -> None:
    store = DataStore.create(tmp_path / "r")
    seg = neo.Segment()
    st = neo.SpikeTrain([0.5, 1.5], units="s", t_start=0 * pq.s, t_stop=2 * pq.s)
    st.annotate(source_index=0)
    seg.spiketrains.append(st)
    store.write_presentation(grating(0.0, 0), 0, {"S": seg})
    np.testing.assert_allclose(store.spike_arrays("S").times, [500.0, 1500.0])
    assert store.segment_index["t_stop"][0].as_py() == 2000.0
