"""Which time bin a spike belongs to: the store's (a, b] convention, in one place."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["EDGE_TOLERANCE_MS", "spike_bin"]

#: Spike times within this many ms of a bin edge count as on the edge (float rounding of
#: times that are whole multiples of the time step).
EDGE_TOLERANCE_MS = 1e-9


def spike_bin(time_ms: ArrayLike, bin_ms: ArrayLike) -> np.ndarray:
    """Index of the bin ``(k * bin_ms, (k + 1) * bin_ms]`` holding each spike time.

    Every span of spikes in Mozaik is open at its start and closed at its end, like the
    segments of the store (``(t_start, t_stop]``): NEST stamps a spike with the end of the
    time step in which the threshold was crossed, so a spike at exactly an edge happened
    before it and belongs to the bin that ends there. Analysis windows, counting bins and
    PSTH bins all use this function.

    Parameters
    ----------
    time_ms : array of float, ms
        Spike times relative to the start of the first bin.
    bin_ms : float or array of float (broadcast with ``time_ms``), ms
        Bin width (> 0). Pass a window's length to test membership of the window (bin 0).

    Returns
    -------
    int64 array
        ``k`` such that ``k * bin_ms < t <= (k + 1) * bin_ms`` (within
        :data:`EDGE_TOLERANCE_MS`); -1 or less for a time at or before 0.

    Examples
    --------
    >>> spike_bin([0.0, 0.1, 10.0, 10.1, 20.0], 10.0).tolist()
    [-1, 0, 0, 1, 1]
    """
    t = np.asarray(time_ms, dtype=np.float64)
    width = np.asarray(bin_ms, dtype=np.float64)
    return (np.ceil((t - EDGE_TOLERANCE_MS) / width) - 1).astype(np.int64)
