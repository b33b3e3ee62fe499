"""Compare the spikes of two runs: every stored segment's (neuron, time) pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mozaik.datastore import DataStore

__all__ = ["SegmentKey", "assert_same_spikes", "stored_spikes"]

#: A stored segment: (stimulus identity, trial, is a blank, sheet).
SegmentKey = tuple[str, int, bool, str]


def stored_spikes(run_dir: Path) -> dict[SegmentKey, np.ndarray]:
    """The spikes of every segment stored in ``run_dir``.

    Returns
    -------
    dict
        By (stimulus identity, trial, blank, sheet): a ``(2, n)`` array of sheet neuron indices
        and spike times (ms), sorted by neuron and then time, so that two runs compare equal
        whatever order their recorders (threads, MPI ranks) gave the spikes in.
    """
    out: dict[SegmentKey, np.ndarray] = {}
    with DataStore.open(run_dir) as store:
        view = store.full_view()
        rows = view.segment_index.to_pylist()
        for sheet in store.sheets():
            for null in (False, True):
                arrays = view.spike_arrays(sheet, null=null)
                for row in rows:
                    if row["sheet_name"] != sheet or row["is_null"] != null:
                        continue
                    mask = arrays.segment_id == row["segment_id"]
                    pairs = np.stack([arrays.neuron[mask].astype(np.float64),
                                      arrays.times[mask]])
                    order = np.lexsort((pairs[1], pairs[0]))
                    out[(row["stimulus_id"], row["trial"], null, sheet)] = pairs[:, order]
    return out


def assert_same_spikes(first: Path, second: Path, *, n_segments: int | None = None) -> None:
    """Assert that two runs stored the same segments with exactly the same spikes.

    Parameters
    ----------
    first, second : Path
        Run directories.
    n_segments : int, optional
        How many segments each must hold. Every segment must hold spikes: two silent runs (or
        segments) would otherwise compare equal.
    """
    a, b = stored_spikes(first), stored_spikes(second)
    assert a.keys() == b.keys(), f"different segments: {sorted(a.keys() ^ b.keys())}"
    assert n_segments is None or len(a) == n_segments, (
        f"{len(a)} segments stored, expected {n_segments}")
    for key in a:
        assert a[key].shape[1] > 0, f"no spikes in segment {key}"
        np.testing.assert_array_equal(a[key], b[key], err_msg=f"segment {key}")
