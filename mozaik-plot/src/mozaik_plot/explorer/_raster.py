"""Server-side aggregation of a sheet's spikes for a raster that zooms over the whole run.

The browser asks for a time window and a width in pixels; the answer is either the spikes
themselves (few enough to draw one by one) or a count matrix (time bins x neuron rows). A
count matrix at a fixed fine resolution over the whole run is computed once per sheet, so a
wide window is answered by summing its columns (no pass over the spikes); a narrow window
holds few spikes and is binned from them directly.
"""

from __future__ import annotations

import base64
from typing import Any

import attrs
import numpy as np

__all__ = ["MAX_POINTS", "SpikeIndex", "counts_of", "raster_window"]

#: Most spikes sent one by one; above, bins are sent.
MAX_POINTS = 20_000
#: Time bins of the precomputed matrix over the whole run.
BASE_BINS = 16_384
#: Most neuron rows of a count matrix (neurons are grouped beyond).
MAX_ROWS = 256


@attrs.frozen
class SpikeIndex:
    """A sheet's spikes sorted by time (ms, absolute), with the run's span and the base
    count matrix (``BASE_BINS`` x rows)."""

    times: np.ndarray
    neurons: np.ndarray
    n_neurons: int
    t_start: float
    t_stop: float
    base: np.ndarray
    rows: int

    @classmethod
    def build(cls, times: np.ndarray, neurons: np.ndarray, n_neurons: int, t_start: float,
              t_stop: float) -> SpikeIndex:
        order = np.argsort(times, kind="stable")
        t = np.asarray(times, np.float64)[order]
        n = np.asarray(neurons, np.int32)[order]
        n_neurons = max(int(n_neurons), int(n.max()) + 1 if len(n) else 1)
        t_stop = max(float(t_stop), float(t[-1]) if len(t) else float(t_start)) or 1.0
        if t_stop <= t_start:
            t_stop = t_start + 1.0
        rows = min(n_neurons, MAX_ROWS)
        base = _bin(t, n, t_start, t_stop, BASE_BINS, n_neurons, rows)
        return cls(t, n, n_neurons, float(t_start), t_stop, base, rows)


def _bin(t: np.ndarray, n: np.ndarray, t0: float, t1: float, bins: int, n_neurons: int,
         rows: int) -> np.ndarray:
    col = ((t - t0) * (bins / (t1 - t0))).astype(np.int64)
    np.clip(col, 0, bins - 1, out=col)
    row = (n.astype(np.int64) * rows) // n_neurons
    flat = np.bincount(col * rows + row, minlength=bins * rows)
    return flat.reshape(bins, rows).astype(np.int32)


def raster_window(index: SpikeIndex, t0: float | None, t1: float | None,
                  width: int) -> dict[str, Any]:
    """What the browser draws for ``[t0, t1)`` (ms; default the whole run) ``width`` pixels
    wide: ``{"mode": "spikes", "t": [...], "n": [...]}`` or ``{"mode": "bins", "bins": B,
    "rows": R, "bin_ms": ..., "counts_b64": ...}`` (the B x R counts, time-major, as
    little-endian uint32 in base64: a tenth of the JSON list's size and decoding time), with
    the window actually
    answered (``t0``, ``t1``) and the spike count in it."""
    lo = index.t_start if t0 is None else max(index.t_start, float(t0))
    hi = index.t_stop if t1 is None else min(index.t_stop, float(t1))
    if not hi > lo:
        lo, hi = index.t_start, index.t_stop
    width = int(min(max(width, 16), 4096))
    a, b = np.searchsorted(index.times, [lo, hi])
    out: dict[str, Any] = {"t0": lo, "t1": hi, "n_spikes": int(b - a),
                           "n_neurons": index.n_neurons, "run_t0": index.t_start,
                           "run_t1": index.t_stop}
    if b - a <= MAX_POINTS:
        out.update(mode="spikes", t=np.round(index.times[a:b], 3).tolist(),
                   n=index.neurons[a:b].tolist())
        return out
    span = index.t_stop - index.t_start
    base_ms = span / BASE_BINS
    per = max(1, int(np.ceil((hi - lo) / base_ms / width - 1e-9)))
    if per > 1:
        # whole base bins, aligned to the base grid: sum groups of ``per`` columns
        c0 = int((lo - index.t_start) / base_ms)
        c1 = min(BASE_BINS, int(np.ceil((hi - index.t_start) / base_ms)))
        groups = -(-(c1 - c0) // per)
        part = np.zeros((groups * per, index.rows), np.int64)
        real = index.base[c0:c0 + groups * per]  # whole groups, past ``hi`` if need be
        part[:len(real)] = real
        counts = part.reshape(groups, per, index.rows).sum(axis=1)
        lo = index.t_start + c0 * base_ms
        hi = index.t_start + min(c0 + groups * per, BASE_BINS) * base_ms
    else:
        bins = max(1, min(width, int(np.ceil((hi - lo) / base_ms * 4))))
        counts = _bin(index.times[a:b], index.neurons[a:b], lo, hi, bins, index.n_neurons,
                      index.rows)
    flat = np.ascontiguousarray(counts.ravel(), dtype="<u4")
    out.update(mode="bins", t0=lo, t1=hi, bins=int(counts.shape[0]), rows=index.rows,
               bin_ms=(hi - lo) / counts.shape[0], max_count=int(flat.max(initial=0)),
               counts_b64=base64.b64encode(flat.tobytes()).decode("ascii"))
    return out


def counts_of(window: dict[str, Any]) -> np.ndarray:
    """The count matrix (bins x rows) of a :func:`raster_window` answer in bins mode."""
    flat = np.frombuffer(base64.b64decode(window["counts_b64"]), dtype="<u4")
    return flat.reshape(int(window["bins"]), int(window["rows"]))
