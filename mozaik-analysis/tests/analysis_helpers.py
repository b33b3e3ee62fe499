"""Synthetic stores for the analysis tests, written through the public DataStore API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from mozaik.datastore import DataStore, SheetRecording, SignalRecording
from mozaik.stimulus import StimulusIdentity


def stimulus(name: str = "Grating", **params: Any) -> StimulusIdentity:
    return StimulusIdentity(name=name, params={"duration_ms": 1000.0, **params})


def poisson(rng: np.random.Generator, rate_hz: float, duration_ms: float, n: int,
            t0: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Homogeneous Poisson spikes of ``n`` neurons: (neuron, time_ms) arrays."""
    counts = rng.poisson(rate_hz * duration_ms / 1000.0, n)
    neuron = np.repeat(np.arange(n), counts)
    times = t0 + rng.uniform(0.0, duration_ms, counts.sum())
    return sort_spikes(neuron, times)


def sort_spikes(neuron: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((times, neuron))
    return np.asarray(neuron)[order], np.asarray(times)[order]


class StoreBuilder:
    """Write presentations one after the other on a common clock."""

    def __init__(self, root: Path, sheets: Mapping[str, int],
                 annotations: Mapping[str, Mapping[str, np.ndarray]] | None = None,
                 positions: Mapping[str, np.ndarray] | None = None) -> None:
        self.store = DataStore.create(root, {"config": {"model": "synthetic"}})
        self.sheets = dict(sheets)
        self.t = 0.0
        for sheet, n in sheets.items():
            self.store.write_neurons(sheet, np.arange(1000, 1000 + n),
                                     (positions or {}).get(sheet, np.zeros((n, 2))),
                                     (annotations or {}).get(sheet))

    def present(self, sid: StimulusIdentity, trial: int, duration_ms: float,
                spikes: Mapping[str, tuple[np.ndarray, np.ndarray]],
                signals: Mapping[str, Sequence[SignalRecording]] | None = None,
                recorded: Mapping[str, np.ndarray] | None = None) -> float:
        """Write one presentation; spike times are relative to its onset. Returns the onset."""
        t0 = self.t
        recs = {}
        for sheet, n in self.sheets.items():
            neuron, times = spikes.get(sheet, (np.empty(0, int), np.empty(0)))
            rec = (recorded or {}).get(sheet, np.arange(n))
            recs[sheet] = SheetRecording(
                t_start=t0, t_stop=t0 + duration_ms, spike_neurons=neuron,
                spike_times=np.asarray(times) + t0, spike_recorded=rec,
                signals=tuple(
                    SignalRecording(variable=s.variable, units=s.units, t_start=s.t_start + t0,
                                    sampling_period=s.sampling_period, neurons=s.neurons,
                                    values=s.values)
                    for s in (signals or {}).get(sheet, ())
                ),
            )
        self.store.write_presentation_arrays(sid, trial, recs, t_start=t0,
                                             t_stop=t0 + duration_ms)
        self.t = t0 + duration_ms + 100.0
        return t0
