"""Subthreshold activity: trial-averaged Vm and conductances, their per-neuron moments."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import neo
import numpy as np
import quantities as pq
from mozaik import AnalysisError
from mozaik.ads import (
    AnalogSignalList,
    AnalysisDataStructure,
    ConductanceSignalList,
    parse_units,
)
from mozaik.analysis import Analysis
from mozaik.datastore import DataStoreView

from mozaik_analysis._ads import per_neuron_value
from mozaik_analysis._common import fail, spike_sheets, to_tuple
from mozaik_analysis._signals import NeuronSums, StimulusTraces, stimulus_traces, trial_mean

__all__ = [
    "SubthresholdMoments",
    "SubthresholdMomentsParams",
    "TrialAveragedConductances",
    "TrialAveragedConductancesParams",
    "TrialAveragedVm",
    "TrialAveragedVmParams",
]



def _signal_name(variable: str) -> str:
    return "Vm" if variable == "v" else variable


def _signals(mean: np.ndarray, units: str, t0: float, dt: float,
             name: str) -> list[neo.AnalogSignal]:
    q = parse_units(units)
    return [neo.AnalogSignal(row, units=q, t_start=t0 * pq.ms, sampling_period=dt * pq.ms,
                             name=name) for row in mean]


@attrs.frozen(kw_only=True)
class TrialAveragedVmParams:
    """Parameters of :class:`TrialAveragedVm`.

    Parameters
    ----------
    sheet_names : sequence of str
        Sheets; empty (the default): every sheet with ``v`` recordings.
    tags : sequence of str
        Tags added to every result.
    """

    sheet_names: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class TrialAveragedVm(Analysis[TrialAveragedVmParams]):
    """Membrane potential averaged over the trials of each stimulus.

    Returns one AnalogSignalList per sheet and stimulus (``y_axis_name`` "Vm (trial-averaged)",
    in the recorded units, time relative to the onset), one signal per recorded neuron.
    """

    name = "TrialAveragedVm"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        out: list[AnalysisDataStructure] = []
        for sheet in spike_sheets(view, self.name, self.params.sheet_names, variable="v"):
            for tr in stimulus_traces(view, sheet, "v", self.name):
                neurons, mean, t0, a = trial_mean(tr)
                out.append(AnalogSignalList(
                    analysis_algorithm=self.name, sheet_name=sheet, stimulus_id=tr.stimulus,
                    signals=_signals(mean, a.units, t0, a.sampling_period, "Vm"),
                    ids=neurons, y_axis_name="Vm (trial-averaged)",
                    y_axis_units=parse_units(a.units), tags=self.params.tags))
        return out


@attrs.frozen(kw_only=True)
class TrialAveragedConductancesParams:
    """Parameters of :class:`TrialAveragedConductances`.

    Parameters
    ----------
    excitatory, inhibitory : str
        Names of the recorded conductance variables.
    sheet_names : sequence of str
        Sheets; empty (the default): every sheet with both recorded.
    tags : sequence of str
        Tags added to every result.
    """

    excitatory: str = "gsyn_exc"
    inhibitory: str = "gsyn_inh"
    sheet_names: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class TrialAveragedConductances(Analysis[TrialAveragedConductancesParams]):
    """Excitatory and inhibitory conductances averaged over the trials of each stimulus.

    Returns one ConductanceSignalList per sheet and stimulus for the neurons with both
    conductances recorded (time relative to the onset).
    """

    name = "TrialAveragedConductances"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        exc_sheets = spike_sheets(view, self.name, p.sheet_names, variable=p.excitatory)
        inh_sheets = spike_sheets(view, self.name, p.sheet_names, variable=p.inhibitory)
        out: list[AnalysisDataStructure] = []
        for sheet in [s for s in exc_sheets if s in inh_sheets]:
            pairs = zip(stimulus_traces(view, sheet, p.excitatory, self.name),
                        stimulus_traces(view, sheet, p.inhibitory, self.name), strict=True)
            for e, i in pairs:
                out.append(self._one(sheet, e, i))
        return out

    def _one(self, sheet: str, e: StimulusTraces, i: StimulusTraces) -> ConductanceSignalList:
        ne, me, te, ae = trial_mean(e)
        ni, mi, ti, ai = trial_mean(i)
        both = np.intersect1d(ne, ni)
        if not len(both):
            fail(self.name, f"sheet {sheet!r}: no neuron has both {self.params.excitatory!r} "
                            f"and {self.params.inhibitory!r} recorded for {e.stimulus!r}")
        ke, ki = np.searchsorted(ne, both), np.searchsorted(ni, both)
        if ae.units != ai.units:
            fail(self.name, f"sheet {sheet!r}: {self.params.excitatory!r} is in {ae.units} but "
                            f"{self.params.inhibitory!r} in {ai.units}; the two conductances "
                            f"of a ConductanceSignalList share units")
        return ConductanceSignalList(
            analysis_algorithm=self.name, sheet_name=sheet, stimulus_id=e.stimulus,
            e_con=_signals(me[ke], ae.units, te, ae.sampling_period, self.params.excitatory),
            i_con=_signals(mi[ki], ai.units, ti, ai.sampling_period, self.params.inhibitory),
            ids=both, units=parse_units(ae.units), tags=self.params.tags)


@attrs.frozen(kw_only=True)
class SubthresholdMomentsParams:
    """Parameters of :class:`SubthresholdMoments`.

    Parameters
    ----------
    variables : sequence of str
        Recorded analog variables to summarise (``v``, ``gsyn_exc``, ``gsyn_inh``...); a sheet
        lacking one is skipped for it, a view lacking all is an error.
    sheet_names : sequence of str
        Sheets; empty (the default): every sheet with the variable recorded.
    tags : sequence of str
        Tags added to every result.
    """

    variables: tuple[str, ...] = attrs.field(default=("v", "gsyn_exc", "gsyn_inh"),
                                             converter=to_tuple)
    sheet_names: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class SubthresholdMoments(Analysis[SubthresholdMomentsParams]):
    """Mean and variance over time of each neuron's Vm and conductances, per stimulus.

    Returns two PerNeuronValues per sheet, stimulus and variable: "Mean(<name>)" in the
    recorded units and "Var(<name>)" in their square (``<name>`` is "Vm" for ``v``, else the
    variable). Samples of every trial are pooled, so the variance includes trial-to-trial
    variability; the trial-averaged traces are :class:`TrialAveragedVm` /
    :class:`TrialAveragedConductances`.
    """

    name = "SubthresholdMoments"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for variable in p.variables:
            try:
                sheets = spike_sheets(view, self.name, p.sheet_names, variable=variable)
            except AnalysisError:  # a variable missing everywhere is reported below
                continue
            for sheet in sheets:
                for tr in stimulus_traces(view, sheet, variable, self.name):
                    out.extend(self._moments(sheet, variable, tr))
        if not out:
            fail(self.name, f"needs analog recordings of {list(p.variables)} in non-blank "
                            f"segments of sheets {list(p.sheet_names) or 'any'}")
        return out

    def _moments(self, sheet: str, variable: str,
                 tr: StimulusTraces) -> list[AnalysisDataStructure]:
        # two passes over the presentations, one in memory at a time: the mean of each
        # neuron's samples, then their squared deviations from it (summed in trace order)
        acc: NeuronSums | None = None
        first = None
        for a, _ in tr:
            if acc is None:
                acc, first = NeuronSums(1), a
            slot = acc.slots(a.neuron)
            np.add.at(acc.sums[:, 0], slot, a.values.sum(axis=1))
            np.add.at(acc.counts, slot, a.values.shape[1])
        assert acc is not None and first is not None
        neurons, n_samples = acc.neurons, acc.counts
        mean = acc.sums[:, 0] / n_samples
        dev = np.zeros(len(neurons))
        for a, _ in tr:
            slot = np.searchsorted(neurons, a.neuron)
            np.add.at(dev, slot, ((a.values - mean[slot][:, None]) ** 2).sum(axis=1))
        var = dev / n_samples
        units = parse_units(first.units)
        label = _signal_name(variable)
        return [per_neuron_value(self.name, sheet, tr.stimulus, values, neurons,
                                 f"{stat}({label})", u, self.params.tags)
                for stat, values, u in (("Mean", mean, units), ("Var", var, units ** 2))]
