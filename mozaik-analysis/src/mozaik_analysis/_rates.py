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
    count_matrix,
    fail,
    int_tuple,
    presentations,
    select_neurons,
    spike_sheets,
    windowed_spikes,
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
            spikes = windowed_spikes(view, pres, p, self.name)
            rates = count_matrix(spikes, np.arange(pres.n), None) / (spikes.duration_ms[:, None]
                                                                    / 1000.0)
            for i in range(pres.n):
                sid = pres.stimuli[pres.group[i]].replace(trial=int(pres.trial[i]))
                out.append(per_neuron_value(self.name, sheet, sid, rates[i], spikes.neurons,
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
        spikes = windowed_spikes(view, pres, p, analysis)
        rates = count_matrix(spikes, np.arange(pres.n), None) / (spikes.duration_ms[:, None]
                                                                / 1000.0)
        for k, sid in enumerate(pres.stimuli):
            mean = rates[pres.rows_of(k)].mean(axis=0)
            out.append(per_neuron_value(analysis, sheet, sid, mean, spikes.neurons, RATE_NAME,
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
            spikes = select_neurons(windowed_spikes(view, pres, p, self.name), p.neurons,
                                    self.name, sheet)
            for k, sid in enumerate(pres.stimuli):
                rows = pres.rows_of(k)
                n_bins = np.floor(spikes.duration_ms[rows] / p.bin_ms + 1e-9).astype(int)
                if n_bins.min() < 1 or len(set(n_bins.tolist())) != 1:
                    fail(self.name, f"presentations of {sid!r} on sheet {sheet!r} hold "
                                    f"{sorted(set(n_bins.tolist()))} bins of {p.bin_ms} ms; "
                                    f"needs the same number >= 1 in every trial (set stop_ms "
                                    f"or a smaller bin_ms)")
                counts = count_matrix(spikes, rows, p.bin_ms)
                counts = counts.reshape(len(rows), int(n_bins[0]), len(spikes.neurons))
                rate = counts.mean(axis=0) / (p.bin_ms / 1000.0)
                signals = [neo.AnalogSignal(rate[:, j], units=pq.Hz,
                                            sampling_period=p.bin_ms * pq.ms,
                                            t_start=p.start_ms * pq.ms, name="PSTH")
                           for j in range(len(spikes.neurons))]
                out.append(AnalogSignalList(
                    analysis_algorithm=self.name, sheet_name=sheet, stimulus_id=sid,
                    signals=signals, ids=spikes.neurons, y_axis_name="PSTH",
                    y_axis_units=pq.Hz, tags=p.tags))
        return out
