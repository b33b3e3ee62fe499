"""ConnectivityPlot and ActivityMovie on a small store with Connections results."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from mozaik.ads import Connections
from mozaik.datastore import DataStore
from mozaik_plot import ActivityMovie, ConnectivityParams, ConnectivityPlot, MovieParams
from PIL import Image


def test_connectivity_rows_per_projection(plot_store: DataStore) -> None:
    figure = ConnectivityPlot(ConnectivityParams(neuron=1)).figure(plot_store)
    try:
        maps = [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]
        assert len(maps) == 2 * 4  # two projections x (incoming, outgoing, weights, delays)
        stored = {c.proj_name: c for c in plot_store.get_analysis_result(
            identifier="Connections") if isinstance(c, Connections)}
        titles = [ax.get_title() for ax in maps]
        for name, c in stored.items():
            assert f"{name}: {len(c.weights)} synapses" in titles
            assert f"{name}: into {c.target_name}[1]" in titles
        xlabels = {ax.get_xlabel() for ax in maps}
        assert {"weight (uS)", "delay (ms)", "x (um)"} <= xlabels
        incoming = maps[0]
        c = stored["exc_exc"]
        assert len(incoming.collections[0].get_offsets()) == int(np.sum(c.target_index == 1))
    finally:
        plt.close(figure)


def test_only_named_projections(plot_store: DataStore) -> None:
    figure = ConnectivityPlot(ConnectivityParams(projections=("exc_inh",))).figure(plot_store)
    try:
        assert all(ax.get_title().startswith("exc_inh") for ax in figure.axes if ax.get_title())
    finally:
        plt.close(figure)


def test_movie_is_a_gif_with_one_frame_per_window(plot_store: DataStore, figures: Path) -> None:
    files = ActivityMovie(MovieParams(sheet="exc", frame_ms=25.0)).draw(
        plot_store, figures / "05_ActivityMovie.png")
    gif, sidecar = files
    assert gif.suffix == ".gif"
    with Image.open(gif) as image:
        assert image.n_frames == math.ceil(200.0 / 25.0)
    assert json.loads(sidecar.read_text())["frames"] == 8


def test_movie_frames_hold_spikes_on_their_end_edge(tmp_path: Path) -> None:
    """Frames are (k * frame_ms, (k + 1) * frame_ms], as the store's segments."""
    from mozaik.datastore import SheetRecording
    from mozaik.stimulus import StimulusIdentity

    with DataStore.create(tmp_path / "run") as store:
        store.write_neurons("exc", np.arange(2), np.zeros((2, 2)))
        recording = SheetRecording(t_start=0.0, t_stop=100.0, spike_neurons=[0, 0, 0, 1],
                                   spike_times=[25.0, 50.0, 100.0, 10.0],
                                   spike_recorded=[0, 1])
        store.write_presentation_arrays(StimulusIdentity("S", {"duration_ms": 100.0}), 0,
                                        {"exc": recording}, t_start=0.0, t_stop=100.0)
        _, counts, _ = ActivityMovie(MovieParams(sheet="exc", frame_ms=25.0)).frames(store)
    np.testing.assert_array_equal(counts[:, 0], [1, 1, 0, 1])
    np.testing.assert_array_equal(counts[:, 1], [1, 0, 0, 0])
