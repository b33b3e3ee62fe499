"""Small real stores for the mozaik-plot tests, written through the public API."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import quantities as pq
from mozaik.ads import Connections, PerNeuronValue, SingleValue
from mozaik.datastore import DataStore
from mozaik.stimulus import StimulusIdentity
from mozaik.testing import TINY_STORE, make_tiny_store

__all__ = ["ORIENTATIONS", "make_plot_store", "per_trial_rates"]

#: Grating orientations (rad) of :func:`plot_store`.
ORIENTATIONS = (0.0, math.pi / 4, math.pi / 2, 3 * math.pi / 4)


def _grating(orientation: float) -> StimulusIdentity:
    return StimulusIdentity(name="TinyGrating", params={
        "orientation": orientation, "contrast": 100.0, "duration_ms": 200.0})


def per_trial_rates(store: DataStore, sheet: str) -> list[PerNeuronValue]:
    """Firing rates (Hz) of every neuron per presentation, counted from the stored spikes."""
    seg = store.segment_index
    seg = seg.filter(pc.and_(pc.equal(seg["sheet_name"], sheet), pc.invert(seg["is_null"])))
    spikes = store.spike_arrays(sheet)
    n = len(store.neuron_ids(sheet))
    out = []
    for row in seg.to_pylist():
        mine = spikes.segment_id == row["segment_id"]
        counts = np.bincount(spikes.neuron[mine], minlength=n)
        rates = counts / ((row["t_stop"] - row["t_start"]) / 1000.0)
        sid = StimulusIdentity.from_string(row["stimulus_id"])
        out.append(PerNeuronValue(
            analysis_algorithm="FiringRate", sheet_name=sheet, values=rates, ids=np.arange(n),
            value_name="Firing rate", value_units=pq.Hz,
            stimulus_id=StimulusIdentity(sid.name, {**sid.params, "trial": row["trial"]})))
    return out


def make_plot_store(run_dir: Path) -> DataStore:
    """A tiny store of four grating orientations (three trials) with per-trial rates, a
    measured orientation preference, connections of two projections and single values."""
    layout = TINY_STORE.__class__(
        sheets={"exc": 16, "inh": 4}, signals=TINY_STORE.signals, signal_neurons=2,
        sampling_period_ms=1.0, gratings=tuple(_grating(o) for o in ORIENTATIONS),
        flashes=(), trials=3, blank_ms=20.0, rate_hz=10.0)
    store = make_tiny_store(run_dir, seed=3, layout=layout)
    for sheet in ("exc", "inh"):
        for result in per_trial_rates(store, sheet):
            store.add_analysis_result(result)
    preference = store.neuron_annotations("exc")["orientation_preference"]
    store.add_analysis_result(PerNeuronValue(
        analysis_algorithm="PeriodicTuningPreference", sheet_name="exc",
        values=np.mod(preference + 0.1, math.pi), ids=np.arange(16),
        value_name="orientation preference", value_units=pq.rad, period=math.pi))
    rng = np.random.default_rng(1)
    for name, source, target in (("exc_exc", "exc", "exc"), ("exc_inh", "exc", "inh")):
        n_src, n_tgt = layout.sheets[source], layout.sheets[target]
        src, tgt = np.nonzero(rng.random((n_src, n_tgt)) < 0.5)
        store.add_analysis_result(Connections(
            analysis_algorithm="connections_ads", proj_name=name, source_name=source,
            target_name=target, source_index=src, target_index=tgt,
            weights=rng.uniform(0.001, 0.005, len(src)), delays=rng.uniform(0.5, 2.0, len(src)),
            weight_units=pq.uS, delay_units=pq.ms))
    for sheet, value in (("exc", 12.5), ("inh", 20.0)):
        store.add_analysis_result(SingleValue(
            analysis_algorithm="PopulationMean", sheet_name=sheet, value=value,
            value_name="Mean(Firing rate)", value_units=pq.Hz))
    return store
