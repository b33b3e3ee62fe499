from __future__ import annotations

import json
from pathlib import Path

import pytest
from mozaik._errors import DataStoreError, DataStoreFormatError, MozaikError
from mozaik.datastore import DataStore


def test_opening_a_non_store_directory(tmp_path: Path) -> None:
    (tmp_path / "some.txt").write_text("hello")
    with pytest.raises(
        DataStoreFormatError, match="not a Mozaik datastore: it has no manifest.json"
    ):
        DataStore.open(tmp_path)
    with pytest.raises(DataStoreFormatError, match="is not a directory"):
        DataStore.open(tmp_path / "missing")
    (tmp_path / "manifest.json").write_text('{"format": "something-else", "format_version": 1}')
    with pytest.raises(DataStoreFormatError, match="not a Mozaik datastore manifest"):
        DataStore.open(tmp_path)
    (tmp_path / "manifest.json").write_text("{broken")
    with pytest.raises(DataStoreFormatError, match="not valid JSON"):
        DataStore.open(tmp_path)


def test_opening_a_newer_format_version(filled) -> None:
    run, _ = filled
    m = json.loads((run / "manifest.json").read_text())
    m["format_version"] = 99
    (run / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(
        DataStoreFormatError, match="format version 99, newer than .* upgrade mozaik-core"
    ):
        DataStore.open(run)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_truncated_index_file(filled) -> None:
    run, _ = filled
    _truncate(run / "segments.parquet")
    with pytest.raises(DataStoreFormatError, match=r"segments\.parquet.*damaged"):
        DataStore.open(run)


def test_truncated_payload_file(filled) -> None:
    run, _ = filled
    store = DataStore.open(run)  # opening reads no payload
    victim = store.segment_index["spikes_file"][0].as_py()
    _truncate(run / victim)
    store = DataStore.open(run)
    assert store.n_segments == 24
    with pytest.raises(DataStoreFormatError, match=f"{victim}.*damaged"):
        store.get_segments()[0]
    with pytest.raises(DataStoreFormatError):
        store.spike_arrays("V1_Exc_L4")
    assert len(store.get_segments(null=True)[0].spiketrains) == 6  # other files unaffected


def test_truncated_ads_payload(filled) -> None:
    run, _ = filled
    _truncate(next((run / "ads" / "payloads").iterdir()))
    with pytest.raises(DataStoreFormatError, match="damaged"):
        DataStore.open(run).analysis_results()


def test_errors_are_mozaik_errors(tmp_path: Path) -> None:
    with pytest.raises(MozaikError):
        DataStore.open(tmp_path, mode="w")  # type: ignore[arg-type]
    with pytest.raises(DataStoreError, match="not JSON-serialisable"):
        DataStore.create(tmp_path / "r", {"config": object()})
