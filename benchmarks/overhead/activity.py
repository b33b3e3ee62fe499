"""Activity statistics of a benchmark run, the same for both implementations.

Computed from flat spike arrays (neuron index, spike time in ms) after the timed phases, so
that the two implementations can be checked to be in the same state: the rate per neuron in the
self-sustained period, the rate in its last window (is the activity still there at the end?),
the irregularity of single cells (median CV of interspike intervals) and the synchrony of the
population (CV of the population rate in 5 ms bins: near 0 for asynchronous activity, above 1
for population bursts).
"""

from __future__ import annotations

import numpy as np

__all__ = ["activity_summary"]


def activity_summary(neuron: np.ndarray, times_ms: np.ndarray, n_neurons: int,
                     start_ms: float, stop_ms: float, last_ms: float = 50.0,
                     bin_ms: float = 5.0) -> dict[str, float]:
    """Statistics of the spikes in ``[start_ms, stop_ms)``.

    Parameters
    ----------
    neuron : ndarray of int
        Index of the spiking neuron, unique across the network (exc and inh offset apart).
    times_ms : ndarray of float, ms
        Spike times.
    n_neurons : int
        Number of neurons in the network (silent ones included).
    start_ms, stop_ms : float, ms
        The self-sustained period (after the kick's presentation).
    last_ms : float, ms
        Length of the final window whose rate is also reported.
    bin_ms : float, ms
        Bin of the population rate used for the synchrony measure.

    Returns
    -------
    dict
        ``rate_hz`` (mean rate per neuron over the period, Hz), ``rate_last_hz`` (the same over
        the last ``last_ms``), ``active_fraction`` (neurons with a spike in the period),
        ``cv_isi`` (median CV of the interspike intervals of neurons with at least 4 spikes in
        the period; NaN if none has), ``pop_rate_cv`` (CV of the population spike count in
        ``bin_ms`` bins).
    """
    neuron = np.asarray(neuron, dtype=np.int64)
    times_ms = np.asarray(times_ms, dtype=float)
    keep = (times_ms >= start_ms) & (times_ms < stop_ms)
    neuron, times_ms = neuron[keep], times_ms[keep]
    duration_s = (stop_ms - start_ms) / 1000.0
    last = times_ms >= stop_ms - last_ms
    order = np.lexsort((times_ms, neuron))
    neuron, times_ms = neuron[order], times_ms[order]
    counts = np.bincount(neuron, minlength=n_neurons)
    isi = np.diff(times_ms)
    same = neuron[1:] == neuron[:-1]
    cvs = []
    starts = np.concatenate([[0], np.cumsum(counts)])
    for cell in np.flatnonzero(counts >= 4):
        # the intervals of one cell are the diffs between its consecutive spikes
        lo, hi = starts[cell], starts[cell + 1] - 1
        intervals = isi[lo:hi][same[lo:hi]]
        cvs.append(float(intervals.std() / intervals.mean()))
    population, _ = np.histogram(times_ms, np.arange(start_ms, stop_ms + bin_ms / 2, bin_ms))
    mean_population = float(population.mean()) if population.size else 0.0
    return {
        "rate_hz": float(len(times_ms) / n_neurons / duration_s),
        "rate_last_hz": float(last.sum() / n_neurons / (last_ms / 1000.0)),
        "active_fraction": float(np.count_nonzero(counts) / n_neurons),
        "cv_isi": float(np.median(cvs)) if cvs else float("nan"),
        "pop_rate_cv": float(population.std() / mean_population) if mean_population else
        float("nan"),
    }
