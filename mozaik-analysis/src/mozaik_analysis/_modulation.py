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
    Presentations,
    SpikeWindowParams,
    WindowedSpikes,
    fail,
    presentations,
    spike_sheets,
    windowed_spikes,
)

__all__ = ["ModulationRatio", "ModulationRatioParams", "harmonics"]


@attrs.frozen(kw_only=True)
class ModulationRatioParams(SpikeWindowParams):
    """Parameters of :class:`ModulationRatio` (and those of :class:`SpikeWindowParams`).

    Parameters
    ----------
    temporal_frequency_parameter : str
        The stimulus parameter holding the temporal frequency, read in Hz (cycles per second).
    """

    temporal_frequency_parameter: str = "temporal_frequency"


def harmonics(spikes: WindowedSpikes, rows: np.ndarray, frequency_hz: float,
              analysis: str) -> tuple[np.ndarray, np.ndarray]:
    """F0 and F1 (Hz) of each neuron's response over the presentations ``rows``.

    F0 is the mean rate, F1 the amplitude of the rate's Fourier component at
    ``frequency_hz``, both computed exactly from the spike times over the whole number of
    cycles that fit in the shortest window (no binning).
    """
    span_ms = float(spikes.duration_ms[rows].min())
    cycles = np.floor(span_ms * frequency_hz / 1000.0 + 1e-9)
    if cycles < 1:
        fail(analysis, f"the window of {span_ms} ms holds no whole cycle at {frequency_hz} Hz; "
                       f"lengthen it (start_ms/stop_ms)")
    length_s = cycles / frequency_hz
    slot = np.full(len(spikes.duration_ms), -1, np.int64)
    slot[rows] = 0
    # the whole cycles (0, length], as every span of spikes (mozaik.datastore.spike_bin)
    keep = (slot[spikes.row] == 0) & (spike_bin(spikes.time_ms, length_s * 1000.0) == 0)
    neuron, t_s = spikes.neuron[keep], spikes.time_ms[keep] / 1000.0
    n = len(spikes.neurons)
    phase = 2 * np.pi * frequency_hz * t_s
    re = np.bincount(neuron, weights=np.cos(phase), minlength=n)
    im = np.bincount(neuron, weights=np.sin(phase), minlength=n)
    total_s = len(rows) * length_s
    f0 = np.bincount(neuron, minlength=n) / total_s
    f1 = 2.0 * np.hypot(re, im) / total_s
    return f0, f1


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
            spikes = windowed_spikes(view, pres, p, self.name)
            out.extend(self._sheet(pres, spikes))
        if not out:
            fail(self.name, f"needs spike recordings of stimuli with a "
                            f"{p.temporal_frequency_parameter!r} parameter (Hz)")
        return out

    def _sheet(self, pres: Presentations,
               spikes: WindowedSpikes) -> list[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for k, sid in enumerate(pres.stimuli):
            tf = sid.params.get(p.temporal_frequency_parameter)
            if tf is None:
                continue
            if isinstance(tf, bool) or not isinstance(tf, int | float) or tf <= 0:
                fail(self.name, f"{p.temporal_frequency_parameter} = {tf!r} of {sid!r} is not "
                                f"a positive frequency in Hz")
            f0, f1 = harmonics(spikes, pres.rows_of(k), float(tf), self.name)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(f0 > 0, f1 / np.where(f0 > 0, f0, 1.0), np.nan)
            for value_name, values, units in (("F0", f0, pq.Hz), ("F1", f1, pq.Hz),
                                              ("Modulation ratio (F1/F0)", ratio,
                                               pq.dimensionless)):
                out.append(per_neuron_value(self.name, pres.sheet, sid, values, spikes.neurons,
                                            value_name, units, p.tags))
        return out
