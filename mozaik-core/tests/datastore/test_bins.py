"""spike_bin: the one (a, b] convention for segments, analysis windows and bins."""

from __future__ import annotations

import numpy as np
from mozaik.datastore import spike_bin


def test_a_spike_on_an_edge_belongs_to_the_bin_ending_there() -> None:
    times = np.array([0.0, 0.1, 9.9, 10.0, 10.1, 20.0, 29.999999999999996, 30.000000000000004])
    assert spike_bin(times, 10.0).tolist() == [-1, 0, 0, 0, 1, 1, 2, 2]


def test_time_steps_summed_in_floating_point_stay_on_their_edge() -> None:
    # 0.1 ms steps added up: 0.1 * 3 is 0.30000000000000004, still the end of bin 0 of 0.3 ms
    t = np.cumsum(np.full(30, 0.1))
    assert np.bincount(spike_bin(t, 0.3)).tolist() == [3] * 10


def test_window_lengths_broadcast_per_spike() -> None:
    assert spike_bin([5.0, 5.0, 5.0], [5.0, 4.9, 10.0]).tolist() == [0, 1, 0]
