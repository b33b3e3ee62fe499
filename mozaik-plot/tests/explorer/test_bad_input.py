"""Bad input: a missing or empty DIR, a damaged store, a port in use, a run being written."""

from __future__ import annotations

import fcntl
import os
import socket
import threading
from pathlib import Path

import pytest
from explorer_helpers import Served, make_big_run
from http_get import get, get_json
from mozaik import MozaikError
from mozaik_plot.explorer import scan, serve


def test_a_missing_dir_is_a_helpful_page(tmp_path: Path) -> None:
    with Served(tmp_path / "not_there") as served:
        status, data = get_json(served.url + "/api/entries")
        assert status == 200 and data["entries"] == []
        assert "does not exist" in data["message"] and "mozaik serve DIR" in data["message"]
        assert get(served.url + "/")[0] == 200


def test_an_empty_dir_says_how_to_fill_it(tmp_path: Path) -> None:
    with Served(tmp_path) as served:
        status, data = get_json(served.url + "/api/entries")
        assert status == 200 and "No runs or searches" in data["message"]
        assert "mozaik run" in data["message"]


def test_a_damaged_store_is_listed_and_shows_checks_findings(served_dir: Path,
                                                             server: Served) -> None:
    import shutil

    run = served_dir / "damaged"
    shutil.copytree(served_dir / "va_example", run)
    try:
        (run / "segments.parquet").write_bytes(b"not parquet at all")
        status, data = get_json(f"{server.url}/api/run?path=damaged")
        assert status == 200 and data["status"] == "damaged" and data["problems"]
        assert any("segments.parquet" in p for p in data["problems"])
        (run / "manifest.json").write_text("{ truncated")
        entry = next(e for e in scan(served_dir) if e.rel == "damaged")
        assert entry.status == "damaged" and "manifest" in entry.detail
        status, data = get_json(f"{server.url}/api/run?path=damaged")
        assert status == 200 and data["status"] == "damaged"
    finally:
        shutil.rmtree(run)


def test_a_port_in_use_is_named_with_another_to_try(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(MozaikError, match=rf"port {port} on 127.0.0.1 is already in use"
                                              r".*mozaik serve --port \d+"):
            serve(tmp_path, "127.0.0.1", port, echo=False)


def test_a_run_being_written_is_in_progress_and_never_crashes(tmp_path: Path) -> None:
    run = make_big_run(tmp_path / "live", n_spikes=2000, presentations=2, status="running")
    fd = os.open(run / ".writer.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as `mozaik run` holds it while it writes
    served = Served(tmp_path)
    stop = threading.Event()
    errors: list[BaseException] = []

    def append() -> None:
        # another writer appends presentations while the pages are read
        try:
            import numpy as np
            from mozaik.datastore import DataStore, SheetRecording
            from mozaik.stimulus import StimulusIdentity
            k = 10
            while not stop.is_set() and k < 40:
                with DataStore.open(run, "a") as store:
                    store.write_presentation_arrays(
                        StimulusIdentity("InternalStimulus", {"index": k, "duration_ms": 10.0}),
                        0, {"exc": SheetRecording(
                            t_start=5000.0 + 10 * k, t_stop=5010.0 + 10 * k,
                            spike_neurons=np.arange(5, dtype=np.int32),
                            spike_times=5000.0 + 10 * k + np.arange(5.0),
                            spike_recorded=np.arange(400), signals=[])})
                k += 1
        except BaseException as exc:
            errors.append(exc)

    try:
        status, data = get_json(served.url + "/api/entries")
        assert [e["status"] for e in data["entries"]] == ["in progress"]
        fcntl.flock(fd, fcntl.LOCK_UN)  # the writer lets go: the store appends itself
        writer = threading.Thread(target=append)
        writer.start()
        seen = set()
        while writer.is_alive():
            for url in ("/api/run?path=live", "/api/raster?path=live&sheet=exc",
                        "/api/entries"):
                status, _, body = get(served.url + url)
                seen.add(status)
                assert status in (200, 500), (url, status, body[:300])
        writer.join()
        assert not errors, errors
        status, data = get_json(served.url + "/api/run?path=live")
        assert status == 200 and data["status"] in ("in progress", "interrupted")
        status, data = get_json(served.url + "/api/raster?path=live&sheet=exc")
        assert status == 200 and data["n_spikes"] >= 2000
    finally:
        stop.set()
        os.close(fd)
        served.close()


def test_stimulus_frames_only_of_presented_stimuli_of_a_drawing_space(server: Served) -> None:
    # (the frames themselves need mozaik-visual: tests/test_explorer_stimulus.py)
    from urllib.parse import quote

    url = f"{server.url}/api/stimulus?path=runs/v1_tiny&stimulus_id="
    status, data = get_json(url + quote('{"name": "FlatDisk", "params": {}}'))
    assert status == 500 and "no presentation of" in data["error"]
    status, data = get_json(f"{server.url}/api/run?path=va_example")
    first = data["summary"]["stimuli"][0]["id"]
    status, data = get_json(f"{server.url}/api/stimulus?path=va_example&stimulus_id="
                            f"{quote(first)}")
    assert status == 500 and "no input space" in data["error"]


def test_a_nan_result_is_shown_empty_not_an_error(tmp_path: Path) -> None:
    """A silent sheet's CV of ISI is NaN (as in a tiny real Vogels & Abbott run): the run page
    shows it as empty; JSON has no NaN, and the page failed with a 500."""
    import quantities as pq
    from mozaik.ads import SingleValue
    from mozaik.datastore import DataStore

    run = make_big_run(tmp_path / "silent", n_spikes=1_000, n_neurons=16, presentations=1)
    with DataStore.open(run, "a") as store:
        store.add_analysis_result(SingleValue(
            analysis_algorithm="PopulationMean", sheet_name="exc", value=float("nan"),
            value_name="Mean(CV of ISI)", value_units=pq.dimensionless))
    with Served(tmp_path) as served:
        status, data = get_json(f"{served.url}/api/run?path=silent")
        assert status == 200, data
        assert [v["value"] for v in data["values"]] == [None]
