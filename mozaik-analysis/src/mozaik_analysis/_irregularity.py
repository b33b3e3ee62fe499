"""Irregularity of spiking: coefficient of variation of the ISI and Fano factor of counts."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import quantities as pq
from mozaik.ads import AnalysisDataStructure
from mozaik.analysis import Analysis
from mozaik.config import positive, whole_number
from mozaik.datastore import DataStoreView

from mozaik_analysis._ads import per_neuron_value
from mozaik_analysis._common import (
    PresentationSpikes,
    SpikeStream,
    SpikeWindowParams,
    count_moments,
    presentations,
    spike_sheets,
    spike_stream,
)

__all__ = ["CVISI", "CVISIParams", "FanoFactor", "FanoFactorParams", "cv_of_isi"]


@attrs.frozen(kw_only=True)
class CVISIParams(SpikeWindowParams):
    """Parameters of :class:`CVISI` (and those of :class:`SpikeWindowParams`).

    Parameters
    ----------
    min_isi_count : int
        Fewest inter-spike intervals a neuron needs for a CV; fewer give NaN. The default, 2,
        makes a neuron with 0, 1 or 2 spikes (0 or 1 interval) NaN: the spread of a single
        interval is undefined.
    """

    min_isi_count: int = attrs.field(default=2, validator=whole_number(1))


def _intervals(spikes: PresentationSpikes) -> tuple[np.ndarray, np.ndarray]:
    """(neuron, interval ms) of each inter-spike interval of one presentation."""
    neuron, t = spikes.neuron, spikes.time_ms
    if not _sorted(neuron, t):  # the store keeps them sorted; sort only when not
        order = np.lexsort((t, neuron))
        neuron, t = neuron[order], t[order]
    same = neuron[1:] == neuron[:-1]
    return neuron[1:][same], (t[1:] - t[:-1])[same]


def cv_of_isi(stream: SpikeStream, key: np.ndarray, n_keys: int,
              min_isi_count: int) -> np.ndarray:
    """CV of the ISIs pooled per key, shape (n_keys, n_neurons); NaN below ``min_isi_count``.

    Intervals are taken within each presentation, never across two. Two passes over the
    stream (one presentation in memory at a time): the count and mean of each key's intervals,
    then the squared deviations from that mean (the two-pass variance, accumulated in the
    order of the intervals).

    Parameters
    ----------
    stream : SpikeStream
        The spikes.
    key : int array of shape (n_presentations,)
        Group (0..n_keys-1) of each presentation; intervals of one group are pooled.
    """
    n_neurons = len(stream.neurons)
    size = n_keys * n_neurons
    count = np.zeros(size, np.int64)
    total = np.zeros(size)
    for spikes in stream:
        neuron, isi = _intervals(spikes)
        slot = key[spikes.row] * n_neurons + neuron
        count += np.bincount(slot, minlength=size)
        np.add.at(total, slot, isi)  # in order, as one bincount over every interval would
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    squares = np.zeros(size)
    for spikes in stream:
        neuron, isi = _intervals(spikes)
        slot = key[spikes.row] * n_neurons + neuron
        np.add.at(squares, slot, (isi - mean[slot]) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = squares / count
        cv = np.sqrt(var) / mean
    cv[count < min_isi_count] = np.nan
    return cv.reshape(n_keys, n_neurons)


def _sorted(neuron: np.ndarray, t: np.ndarray) -> bool:
    """Whether spikes are ordered by neuron, then time."""
    d_neuron = np.diff(neuron)
    return bool(((d_neuron > 0) | ((d_neuron == 0) & (np.diff(t) >= 0))).all())


class CVISI(Analysis[CVISIParams]):
    """Coefficient of variation of the inter-spike intervals (std / mean, population std).

    Returns one PerNeuronValue per sheet and stimulus, ``value_name`` "CV of ISI",
    dimensionless. Intervals are taken inside each presentation's window and pooled over the
    stimulus's trials; a neuron with fewer than ``min_isi_count`` intervals gets NaN. For one
    trial this equals ``elephant.statistics.cv(elephant.statistics.isi(train))``.
    """

    name = "CVISI"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for sheet in spike_sheets(view, self.name, p.sheet_names):
            pres = presentations(view, sheet)
            stream = spike_stream(view, pres, p, self.name)
            cv = cv_of_isi(stream, pres.group, len(pres.stimuli), p.min_isi_count)
            out.extend(per_neuron_value(self.name, sheet, sid, cv[k], stream.neurons,
                                        "CV of ISI", pq.dimensionless, p.tags)
                       for k, sid in enumerate(pres.stimuli))
        return out


@attrs.frozen(kw_only=True)
class FanoFactorParams(SpikeWindowParams):
    """Parameters of :class:`FanoFactor` (and those of :class:`SpikeWindowParams`).

    Parameters
    ----------
    window_ms : float or None, ms
        None (the default): one spike count per trial. A number: each presentation's window is
        cut into consecutive counting windows of this length (a shorter remainder is dropped)
        and the counts of all of them are pooled, which gives a Fano factor from one long
        trial of spontaneous activity.
    ddof : int
        Delta degrees of freedom of the variance of the counts: 0 (the default) divides by
        the number of counts, as the textbook definition (variance over mean of the count
        distribution; Dayan & Abbott 2001) and Elephant's ``fanofactor`` do, so values are
        comparable with theirs (a Poisson process has 1); 1 divides by one less (the unbiased
        variance), which is larger by ``n / (n - 1)`` for ``n`` counts.
    """

    window_ms: float | None = attrs.field(default=None, validator=positive)
    ddof: int = attrs.field(default=0, validator=whole_number(0))


class FanoFactor(Analysis[FanoFactorParams]):
    """Fano factor of spike counts: variance over mean of the counts of each neuron.

    Counts are taken over each presentation's window ``(start_ms, stop_ms]`` or over its
    consecutive ``window_ms`` bins ``(a, a + window_ms]`` (a spike on an edge counts in the
    bin ending there, as in the store: :func:`mozaik.datastore.spike_bin`). The variance
    divides by the number of counts (``ddof`` 0), as Elephant's ``fanofactor``.

    Returns one PerNeuronValue per sheet and stimulus, ``value_name`` "Fano factor",
    dimensionless. NaN for a neuron that never fired (mean 0) and with fewer than two counts
    (or no more than ``ddof``).
    """

    name = "FanoFactor"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for sheet in spike_sheets(view, self.name, p.sheet_names):
            pres = presentations(view, sheet)
            stream = spike_stream(view, pres, p, self.name)
            n = len(stream.neurons)
            # whole-number sums: adding presentation by presentation is exact
            total = np.zeros((len(pres.stimuli), n))
            squares = np.zeros((len(pres.stimuli), n))
            samples = np.zeros(len(pres.stimuli), np.int64)
            for spikes in stream:
                k = pres.group[spikes.row]
                t, q, m = count_moments(spikes, n, stream.duration_ms[spikes.row], p.window_ms)
                total[k] += t
                squares[k] += q
                samples[k] += m
            for k, sid in enumerate(pres.stimuli):
                out.append(per_neuron_value(self.name, sheet, sid,
                                            fano(total[k], squares[k], int(samples[k]), p.ddof),
                                            stream.neurons, "Fano factor", pq.dimensionless,
                                            p.tags))
        return out


def fano(total: np.ndarray, squares: np.ndarray, n: int, ddof: int) -> np.ndarray:
    """Fano factor per neuron from the sum and sum of squares of its ``n`` counts.

    NaN where undefined: mean 0, or fewer than two counts (or ``n <= ddof``).
    """
    if n <= max(ddof, 1):
        return np.full(len(total), np.nan)
    mean = total / n
    var = np.maximum(squares - total * mean, 0.0) / (n - ddof)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, var / np.where(mean > 0, mean, 1.0), np.nan)
