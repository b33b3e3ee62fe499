"""Pairwise spike-count correlation on a bounded, seeded sample of neurons."""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
import quantities as pq
from mozaik.ads import AnalysisDataStructure, PerNeuronPairValue
from mozaik.analysis import Analysis
from mozaik.config import positive, whole_number
from mozaik.datastore import DataStoreView

from mozaik_analysis._ads import single_value
from mozaik_analysis._common import (
    SpikeWindowParams,
    bin_counts,
    presentations,
    spike_sheets,
    spike_stream,
)

__all__ = [
    "SpikeCountCorrelation",
    "SpikeCountCorrelationParams",
    "count_correlation",
    "sample_neurons",
]

VALUE_NAME = "Spike-count correlation"


@attrs.frozen(kw_only=True)
class SpikeCountCorrelationParams(SpikeWindowParams):
    """Parameters of :class:`SpikeCountCorrelation` (and those of :class:`SpikeWindowParams`).

    Parameters
    ----------
    bin_ms : float or None, ms
        None (the default): one count per trial (noise correlation across trials). A number:
        counts in consecutive bins of this length within each presentation (e.g. the
        correlation of spontaneous activity in one long trial).
    max_pairs : int
        At most this many distinct pairs: on a larger sheet a random subset of ``m`` neurons
        with ``m * (m - 1) / 2 <= max_pairs`` is drawn (the same for every stimulus).
    seed : int
        Seed of that draw.
    """

    bin_ms: float | None = attrs.field(default=None, validator=positive)
    max_pairs: int = attrs.field(default=10_000, validator=whole_number(1))
    seed: int = 0


def sample_neurons(n: int, max_pairs: int, seed: int) -> np.ndarray:
    """Sorted positions of at most ``m`` of ``n`` neurons, ``m (m - 1) / 2 <= max_pairs``."""
    m = int((1 + math.sqrt(1 + 8 * max_pairs)) // 2)
    while m * (m - 1) // 2 > max_pairs:
        m -= 1
    if n <= m:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=m, replace=False))


def count_correlation(counts: np.ndarray) -> np.ndarray:
    """Pearson correlation between the columns of ``counts`` (n_samples, n_neurons).

    A neuron whose count never varies (e.g. silent) has NaN in its row and column; the
    diagonal is 1 elsewhere. Fewer than 2 samples give all NaN.
    """
    x = np.asarray(counts, np.float64)
    n = x.shape[1]
    if x.shape[0] < 2:
        return np.full((n, n), np.nan)
    xc = x - x.mean(axis=0)
    cov = xc.T @ xc
    std = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = cov / np.outer(std, std)
    bad = std == 0
    out[bad, :] = np.nan
    out[:, bad] = np.nan
    return np.asarray(np.clip(out, -1.0, 1.0))


class SpikeCountCorrelation(Analysis[SpikeCountCorrelationParams]):
    """Pairwise Pearson correlation of spike counts, and its population mean.

    Returns, per sheet and stimulus, a PerNeuronPairValue (``value_name``
    "Spike-count correlation", dimensionless, ``ids`` the sampled neurons) and a SingleValue
    "Mean(Spike-count correlation)": the mean over distinct pairs with a defined correlation
    (NaN if there is none). With ``bin_ms`` it equals Elephant's ``correlation_coefficient`` of
    the binned trains.
    """

    name = "SpikeCountCorrelation"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for sheet in spike_sheets(view, self.name, p.sheet_names):
            pres = presentations(view, sheet)
            stream = spike_stream(view, pres, p, self.name)
            chosen = sample_neurons(len(stream.neurons), p.max_pairs, p.seed)
            stream = stream.select(stream.neurons[chosen], self.name)
            m = len(stream.neurons)
            # the sampled neurons' counts per sample, read one presentation at a time
            rows: list[list[np.ndarray]] = [[] for _ in pres.stimuli]
            for spikes in stream:
                rows[pres.group[spikes.row]].append(
                    bin_counts(spikes, m, stream.duration_ms[spikes.row], p.bin_ms))
            for k, sid in enumerate(pres.stimuli):
                counts = np.concatenate(rows[k]) if rows[k] else np.zeros((0, m), np.int64)
                corr = count_correlation(counts)
                out.append(PerNeuronPairValue(
                    analysis_algorithm=self.name, sheet_name=sheet, stimulus_id=sid,
                    values=corr, ids=stream.neurons, value_name=VALUE_NAME,
                    value_units=pq.dimensionless, tags=p.tags))
                upper = corr[np.triu_indices(len(chosen), k=1)]
                upper = upper[np.isfinite(upper)]
                mean = float(upper.mean()) if len(upper) else math.nan
                out.append(single_value(self.name, sheet, sid, mean, f"Mean({VALUE_NAME})",
                                        pq.dimensionless, p.tags))
        return out
