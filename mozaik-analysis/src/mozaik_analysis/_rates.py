"""Firing rates per presentation and per stimulus, and the PSTH."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import neo
import numpy as np
import quantities as pq
from mozaik.ads import AnalogSignalList, AnalysisDataStructure
from mozaik.analysis import Analysis
from mozaik.config import positive
from mozaik.datastore import DataStoreView

from mozaik_analysis._ads import per_neuron_value
from mozaik_analysis._common import (
    SpikeWindowParams,
    bin_counts,
    fail,
    int_tuple,
    n_full_bins,
    presentations,
    spike_sheets,
    spike_stream,
)

__all__ = [
    "FiringRate",
    "FiringRateParams",
    "PSTH",
    "PSTHParams",
    "TrialAveragedFiringRate",
    "TrialAveragedFiringRateParams",
]

RATE_NAME = "Firing rate"


@attrs.frozen(kw_only=True)
class FiringRateParams(SpikeWindowParams):
    """Parameters of :class:`FiringRate` (see :class:`SpikeWindowParams`)."""


@attrs.frozen(kw_only=True)
class TrialAveragedFiringRateParams(SpikeWindowParams):
    """Parameters of :class:`TrialAveragedFiringRate` (see :class:`SpikeWindowParams`)."""


class FiringRate(Analysis[FiringRateParams]):
    """Firing rate of every recorded neuron in every presentation.

    Returns one PerNeuronValue per sheet and presentation: ``value_name`` "Firing rate",
    ``value_units`` Hz, ``stimulus_id`` the stimulus with its ``trial`` parameter set to the
    presentation's trial. The rate is the spike count in the window divided by its length (s).
    Silent recorded neurons get 0 Hz.
    """

    name = "FiringRate"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for sheet in spike_sheets(view, self.name, p.sheet_names):
            pres = presentations(view, sheet)
            stream = spike_stream(view, pres, p, self.name)
            n = len(stream.neurons)
            for spikes in stream:  # one presentation at a time
                i = spikes.row
                rates = bin_counts(spikes, n, stream.duration_ms[i], None)[0] / (
                    stream.duration_ms[i] / 1000.0)
                sid = pres.stimuli[pres.group[i]].replace(trial=int(pres.trial[i]))
                out.append(per_neuron_value(self.name, sheet, sid, rates, stream.neurons,
                                            RATE_NAME, pq.Hz, p.tags))
        return out


class TrialAveragedFiringRate(Analysis[TrialAveragedFiringRateParams]):
    """Trial-averaged firing rate of every recorded neuron for every stimulus.

    Returns one PerNeuronValue per sheet and stimulus: ``value_name`` "Firing rate",
    ``value_units`` Hz, ``stimulus_id`` the stimulus without ``trial``. The value is the mean over
    the stimulus's presentations of the per-presentation rate (count / window length).
    """

    name = "TrialAveragedFiringRate"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        return trial_averaged_rates(view, self.params, self.name)


def trial_averaged_rates(view: DataStoreView, p: SpikeWindowParams,
                         analysis: str) -> list[AnalysisDataStructure]:
    """Trial-averaged rates (Hz) as PerNeuronValues, one per sheet and stimulus."""
    out: list[AnalysisDataStructure] = []
    for sheet in spike_sheets(view, analysis, p.sheet_names):
        pres = presentations(view, sheet)
        stream = spike_stream(view, pres, p, analysis)
        n = len(stream.neurons)
        # each stimulus's rates summed over its presentations in order (as the mean over a
        # matrix of every presentation's rates sums them), one presentation in memory
        sums = np.zeros((len(pres.stimuli), n))
        for spikes in stream:
            i = spikes.row
            sums[pres.group[i]] += bin_counts(spikes, n, stream.duration_ms[i], None)[0] / (
                stream.duration_ms[i] / 1000.0)
        for k, sid in enumerate(pres.stimuli):
            mean = sums[k] / len(pres.rows_of(k))
            out.append(per_neuron_value(analysis, sheet, sid, mean, stream.neurons, RATE_NAME,
                                        pq.Hz, p.tags))
    return out


@attrs.frozen(kw_only=True)
class PSTHParams(SpikeWindowParams):
    """Parameters of :class:`PSTH` (and those of :class:`SpikeWindowParams`).

    Parameters
    ----------
    bin_ms : float, ms
        Bin width.
    neurons : sequence of int
        Sheet indices of the neurons to include; empty (the default): every recorded neuron.
        The result holds one signal per neuron, so restrict it on large sheets.
    """

    bin_ms: float = attrs.field(default=10.0, validator=positive)
    neurons: tuple[int, ...] = attrs.field(default=(), converter=int_tuple)


class PSTH(Analysis[PSTHParams]):
    """Peri-stimulus time histogram: trial-averaged rate (Hz) in bins of ``bin_ms``.

    Returns one AnalogSignalList per sheet and stimulus, one signal per neuron, ``y_axis_name``
    "PSTH", in Hz; time runs from the window's start (``t_start = start_ms``, relative to the
    onset). Only whole bins are kept; every presentation of a stimulus must have as many.
    """

    name = "PSTH"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for sheet in spike_sheets(view, self.name, p.sheet_names):
            pres = presentations(view, sheet)
            stream = spike_stream(view, pres, p, self.name).select(p.neurons, self.name)
            n = len(stream.neurons)
            bins = []
            for k, sid in enumerate(pres.stimuli):
                rows = pres.rows_of(k)
                n_bins = n_full_bins(stream.duration_ms[rows], p.bin_ms)
                if n_bins.min() < 1 or len(set(n_bins.tolist())) != 1:
                    fail(self.name, f"presentations of {sid!r} on sheet {sheet!r} hold "
                                    f"{sorted(set(n_bins.tolist()))} bins of {p.bin_ms} ms; "
                                    f"needs the same number >= 1 in every trial (set stop_ms "
                                    f"or a smaller bin_ms)")
                bins.append(int(n_bins[0]))
            # counts of each stimulus summed over its trials, one presentation in memory
            counts = [np.zeros((b, n), np.int64) for b in bins]
            for spikes in stream:
                i = spikes.row
                counts[pres.group[i]] += bin_counts(spikes, n, stream.duration_ms[i], p.bin_ms)
            for k, sid in enumerate(pres.stimuli):
                rate = (counts[k] / len(pres.rows_of(k))) / (p.bin_ms / 1000.0)
                signals = [neo.AnalogSignal(rate[:, j], units=pq.Hz,
                                            sampling_period=p.bin_ms * pq.ms,
                                            t_start=p.start_ms * pq.ms, name="PSTH")
                           for j in range(n)]
                out.append(AnalogSignalList(
                    analysis_algorithm=self.name, sheet_name=sheet, stimulus_id=sid,
                    signals=signals, ids=stream.neurons, y_axis_name="PSTH",
                    y_axis_units=pq.Hz, tags=p.tags))
        return out
