"""Modulation ratio F1/F0 of the response at the stimulus temporal frequency."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import quantities as pq
from mozaik.ads import AnalysisDataStructure
from mozaik.analysis import Analysis
from mozaik.datastore import DataStoreView, spike_bin

from mozaik_analysis._ads import per_neuron_value
from mozaik_analysis._common import (
    SpikeStream,
    SpikeWindowParams,
    fail,
    presentations,
    spike_sheets,
    spike_stream,
)

__all__ = ["ModulationRatio", "ModulationRatioParams", "harmonics", "whole_cycles_s"]


@attrs.frozen(kw_only=True)
class ModulationRatioParams(SpikeWindowParams):
    """Parameters of :class:`ModulationRatio` (and those of :class:`SpikeWindowParams`).

    Parameters
    ----------
    temporal_frequency_parameter : str
        The stimulus parameter holding the temporal frequency, read in Hz (cycles per second).
    """

    temporal_frequency_parameter: str = "temporal_frequency"


def whole_cycles_s(span_ms: float, frequency_hz: float, analysis: str) -> float:
    """Length (s) of the whole cycles at ``frequency_hz`` that fit in ``span_ms``.

    Raises
    ------
    AnalysisError
        If not even one fits.
    """
    cycles = np.floor(span_ms * frequency_hz / 1000.0 + 1e-9)
    if cycles < 1:
        fail(analysis, f"the window of {span_ms} ms holds no whole cycle at {frequency_hz} Hz; "
                       f"lengthen it (start_ms/stop_ms)")
    return float(cycles / frequency_hz)


def harmonics(stream: SpikeStream, frequencies_hz: dict[int, float],
              analysis: str) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """F0 and F1 (Hz) of each neuron's response to each stimulus ``k`` of ``frequencies_hz``
    (stimulus index -> its temporal frequency, Hz), over that stimulus's presentations.

    F0 is the mean rate, F1 the amplitude of the rate's Fourier component at the frequency,
    both computed exactly from the spike times over the whole number of cycles that fit in the
    stimulus's shortest window (no binning). One pass over the stream, one presentation in
    memory; the Fourier sums are accumulated in the order of the spikes.
    """
    pres = stream.presentations
    n = len(stream.neurons)
    length_s = {k: whole_cycles_s(float(stream.duration_ms[pres.rows_of(k)].min()), f, analysis)
                for k, f in frequencies_hz.items()}
    sums = {k: (np.zeros(n), np.zeros(n), np.zeros(n, np.int64)) for k in frequencies_hz}
    for spikes in stream:
        k = int(pres.group[spikes.row])
        if k not in sums:
            continue
        # the whole cycles (0, length], as every span of spikes (mozaik.datastore.spike_bin)
        keep = spike_bin(spikes.time_ms, length_s[k] * 1000.0) == 0
        neuron, t_s = spikes.neuron[keep], spikes.time_ms[keep] / 1000.0
        phase = 2 * np.pi * frequencies_hz[k] * t_s
        re, im, count = sums[k]
        np.add.at(re, neuron, np.cos(phase))  # in order, as one bincount over every spike
        np.add.at(im, neuron, np.sin(phase))
        count += np.bincount(neuron, minlength=n)
    out = {}
    for k, (re, im, count) in sums.items():
        total_s = len(pres.rows_of(k)) * length_s[k]
        out[k] = (count / total_s, 2.0 * np.hypot(re, im) / total_s)
    return out


class ModulationRatio(Analysis[ModulationRatioParams]):
    """Modulation ratio F1/F0 at the stimulus temporal frequency (simple vs complex cells).

    Applies to every stimulus of the view with ``temporal_frequency_parameter`` and returns
    per sheet and stimulus "F0" and "F1" (Hz) and "Modulation ratio (F1/F0)" (dimensionless,
    NaN for a neuron without spikes). A sinusoidally modulated rate
    ``r0 (1 + m sin(2 pi f t))`` has F1/F0 = m.
    """

    name = "ModulationRatio"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for sheet in spike_sheets(view, self.name, p.sheet_names):
            pres = presentations(view, sheet)
            if not any(p.temporal_frequency_parameter in s.params for s in pres.stimuli):
                continue
            out.extend(self._sheet(spike_stream(view, pres, p, self.name)))
        if not out:
            fail(self.name, f"needs spike recordings of stimuli with a "
                            f"{p.temporal_frequency_parameter!r} parameter (Hz)")
        return out

    def _sheet(self, stream: SpikeStream) -> list[AnalysisDataStructure]:
        p = self.params
        pres = stream.presentations
        frequencies: dict[int, float] = {}
        for k, sid in enumerate(pres.stimuli):
            tf = sid.params.get(p.temporal_frequency_parameter)
            if tf is None:
                continue
            if isinstance(tf, bool) or not isinstance(tf, int | float) or tf <= 0:
                fail(self.name, f"{p.temporal_frequency_parameter} = {tf!r} of {sid!r} is not "
                                f"a positive frequency in Hz")
            # checked here, in the order of the stimuli
            whole_cycles_s(float(stream.duration_ms[pres.rows_of(k)].min()), float(tf),
                           self.name)
            frequencies[k] = float(tf)
        out: list[AnalysisDataStructure] = []
        for k, (f0, f1) in harmonics(stream, frequencies, self.name).items():
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(f0 > 0, f1 / np.where(f0 > 0, f0, 1.0), np.nan)
            for value_name, values, units in (("F0", f0, pq.Hz), ("F1", f1, pq.Hz),
                                              ("Modulation ratio (F1/F0)", ratio,
                                               pq.dimensionless)):
                out.append(per_neuron_value(self.name, pres.sheet, pres.stimuli[k], values,
                                            stream.neurons, value_name, units, p.tags))
        return out
