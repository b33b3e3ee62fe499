"""Server-side aggregation of the raster: exact counts, finer bins when zoomed."""

from __future__ import annotations

import numpy as np
import pytest
from explorer_helpers import Served
from http_get import get_json
from mozaik_plot.explorer import SpikeIndex, raster_window
from mozaik_plot.explorer._raster import MAX_POINTS, counts_of


def _index(n: int = 200_000, neurons: int = 300, span: float = 10_000.0) -> SpikeIndex:
    rng = np.random.default_rng(0)
    return SpikeIndex.build(rng.uniform(0, span, n), rng.integers(0, neurons, n), neurons,
                            0.0, span)


def test_bins_count_every_spike_of_the_window() -> None:
    index = _index()
    whole = raster_window(index, None, None, 800)
    assert whole["mode"] == "bins" and counts_of(whole).sum() == 200_000
    assert counts_of(whole).shape == (whole["bins"], whole["rows"]) and whole["bins"] <= 800
    # rows group neighbouring neurons: row r holds neurons r * 300 // 256 ...
    per_neuron = np.bincount(index.neurons, minlength=300)
    rows = np.bincount(np.arange(300) * 256 // 300, weights=per_neuron, minlength=256)
    assert np.array_equal(counts_of(whole).sum(axis=0), rows)
    zoom = raster_window(index, 2000.0, 4000.0, 800)
    inside = int(np.sum((index.times >= zoom["t0"]) & (index.times < zoom["t1"])))
    assert counts_of(zoom).sum() == inside
    assert zoom["bin_ms"] < whole["bin_ms"] / 3 and zoom["bins"] <= whole["bins"]


def test_a_window_finer_than_the_base_is_binned_from_the_spikes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from mozaik_plot.explorer import _raster

    monkeypatch.setattr(_raster, "MAX_POINTS", 10)
    index = _index()
    narrow = raster_window(index, 2000.0, 2100.0, 800)  # 100 ms: 164 base bins
    assert narrow["mode"] == "bins" and counts_of(narrow).sum() == narrow["n_spikes"] > 10
    assert narrow["bin_ms"] < 10_000.0 / _raster.BASE_BINS


def test_few_spikes_are_sent_one_by_one() -> None:
    index = _index()
    few = raster_window(index, 5000.0, 5050.0, 800)
    assert few["mode"] == "spikes" and len(few["t"]) == few["n_spikes"] <= MAX_POINTS
    assert all(5000.0 <= t <= 5050.0 for t in few["t"])


def test_windows_are_clamped_to_the_run() -> None:
    index = _index(1000)
    out = raster_window(index, -50.0, 1e9, 10**9)
    assert (out["t0"], out["t1"]) == (0.0, 10_000.0)
    out = raster_window(index, 300.0, 300.0, 100)  # empty window: the whole run
    assert (out["t0"], out["t1"]) == (0.0, 10_000.0)


def test_the_zoom_request_of_the_server(server: Served) -> None:
    base = f"{server.url}/api/raster?path=runs/va_big&sheet=exc&width=800"
    status, whole = get_json(base)
    assert status == 200 and whole["mode"] == "bins" and counts_of(whole).sum() == 100_000
    status, zoom = get_json(base + f"&t0={whole['t0'] + 1000}&t1={whole['t0'] + 2000}")
    assert status == 200 and zoom["bin_ms"] < whole["bin_ms"] and zoom["bins"] <= whole["bins"]
    status, bad = get_json(base + "&t0=nan-ish")
    assert status == 400 and "t0" in bad["error"]
    status, bad = get_json(f"{server.url}/api/raster?path=runs/va_big&sheet=nope")
    assert status == 500 and "no sheet 'nope'" in bad["error"] and "exc" in bad["error"]
