"""The explorer (mozaik-plot) pictures the stimuli of other plugins through core's seam
``InputSpace.frames``: the drifting grating of a V1 run (mozaik-visual's VisualSpace) as a
movie, and a tone of the tonotopy example plugin (its FrequencySpace) as a spectrum."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from urllib.parse import quote

import numpy as np
from mozaik.datastore import DataStore, SheetRecording
from mozaik.stimulus import StimulusIdentity
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "mozaik-plot" / "tests" / "explorer"),
                str(ROOT / "mozaik-plot" / "tests")]

from explorer_helpers import V1_GRATING, Served, make_v1_run  # noqa: E402
from http_get import get, get_json  # noqa: E402


def test_a_v1_runs_grating_is_drawn_as_a_movie(tmp_path: Path) -> None:
    make_v1_run(tmp_path / "v1")
    with Served(tmp_path) as served:
        status, data = get_json(f"{served.url}/api/run?path=v1")
        ids = [s["id"] for s in data["summary"]["stimuli"]]
        assert V1_GRATING.to_string() in ids
        url = f"{served.url}/api/stimulus?path=v1&stimulus_id={quote(V1_GRATING.to_string())}"
        status, headers, body = get(url)
        assert status == 200 and headers["Content-Type"] == "image/gif"
        movie = Image.open(io.BytesIO(body))
        # 200 ms at 10 ms a frame, 20 x 20 pixels of 0.1 deg scaled to 160
        assert movie.size == (160, 160) and movie.n_frames == 20
        first = np.asarray(movie.convert("L"), float)
        movie.seek(10)
        later = np.asarray(movie.convert("L"), float)
        assert first.std() > 50 and np.abs(first - later).mean() > 10  # a grating that drifts
        status, info = get_json(url + "&info=1")
        assert status == 200, info
        assert info["quantity"] == "luminance" and info["units"] == "cd/m^2"
        assert info["extent"] == [-1.0, 1.0, -1.0, 1.0] and info["extent_units"] == ["deg", "deg"]
        assert info["n_frames"] == 20 and info["frame_interval_ms"] == 10.0
        assert 0.0 <= info["min"] < 50.0 < info["max"] <= 100.0  # mean 50 cd/m^2, 100% contrast


TONE = StimulusIdentity("PureTone", {"frequency_hz": 1000.0, "duration_ms": 200.0})


def _tonotopy_run(run_dir: Path) -> None:
    store = DataStore.create(run_dir, {"simulator": "none", "config": {
        "name": "tonotopy", "input_space": {"component": "FrequencySpace",
                                            "params": {"low_hz": 250.0, "high_hz": 4000.0}}}})
    store.write_neurons("a1", np.arange(4), np.zeros((4, 2)), {})
    store.write_presentation_arrays(TONE, 0, {"a1": SheetRecording(
        t_start=0.0, t_stop=200.0, spike_neurons=np.arange(2, dtype=np.int32),
        spike_times=np.array([10.0, 20.0]), spike_recorded=np.arange(4), signals=[])})
    store.update_manifest(status="complete")
    store.close()


def test_a_tone_of_a_third_party_plugin_is_pictured_as_its_spectrum(tmp_path: Path) -> None:
    _tonotopy_run(tmp_path / "tones")
    with Served(tmp_path) as served:
        url = f"{served.url}/api/stimulus?path=tones&stimulus_id={quote(TONE.to_string())}"
        status, info = get_json(url + "&info=1")
        assert status == 200, info
        assert info["quantity"] == "sound level" and info["extent_units"] == ["log2 Hz", ""]
        assert info["extent"][:2] == [np.log2(250.0), np.log2(4000.0)]
        assert (info["n_frames"], info["rows"], info["columns"]) == (1, 1, 64)
        status, _, body = get(url)
        assert status == 200
        spectrum = np.asarray(Image.open(io.BytesIO(body)).convert("L"), float)
        bright = np.flatnonzero(spectrum[0] > 128)
        # 1 kHz is two of the four octaves above 250 Hz: the bright column is in the middle
        assert spectrum.shape[1] == 128 and bright.size and abs(bright.mean() / 128 - 0.5) < 0.02
