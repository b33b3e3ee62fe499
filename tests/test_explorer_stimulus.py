"""The explorer (mozaik-plot) draws a stimulus of mozaik-visual through the registry: the
drifting grating of a V1 run as a GIF of the frames its VisualSpace renders."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from urllib.parse import quote

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "mozaik-plot" / "tests" / "explorer"),
                str(ROOT / "mozaik-plot" / "tests")]

from explorer_helpers import V1_GRATING, Served, make_v1_run  # noqa: E402
from http_get import get, get_json  # noqa: E402


def test_a_v1_runs_grating_is_drawn_as_a_movie(tmp_path: Path) -> None:
    make_v1_run(tmp_path / "v1")
    served = Served(tmp_path)
    try:
        status, data = get_json(f"{served.url}/api/run?path=v1")
        ids = [s["id"] for s in data["summary"]["stimuli"]]
        assert V1_GRATING.to_string() in ids
        status, headers, body = get(f"{served.url}/api/stimulus?path=v1&stimulus_id="
                                    f"{quote(V1_GRATING.to_string())}")
        assert status == 200 and headers["Content-Type"] == "image/gif"
        movie = Image.open(io.BytesIO(body))
        # 200 ms at 10 ms a frame, 20 x 20 pixels of 0.1 deg scaled to 160
        assert movie.size == (160, 160) and movie.n_frames == 20
        first = np.asarray(movie.convert("L"), float)
        movie.seek(10)
        later = np.asarray(movie.convert("L"), float)
        assert first.std() > 50 and np.abs(first - later).mean() > 10  # a grating that drifts
    finally:
        served.close()
