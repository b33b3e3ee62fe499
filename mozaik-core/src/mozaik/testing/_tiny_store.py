"""A tiny, real datastore for testing analyses and plots without a simulator.

Written through the public :class:`~mozaik.datastore.DataStore` API only, exactly as the
controller writes a run: two sheets, presentations of two stimulus types with two trials each
(a blank before each), spikes of every neuron, analog signals of a few, and one stored result.
The contents are deterministic; :data:`TINY_STORE` describes them for assertions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs
import numpy as np
import pytest
import quantities as pq

from mozaik.ads import PerNeuronValue
from mozaik.datastore import DataStore, SheetRecording, SignalRecording
from mozaik.stimulus import StimulusIdentity

__all__ = ["TINY_STORE", "TinyStoreLayout", "make_tiny_store", "tiny_store"]


@attrs.frozen(kw_only=True)
class TinyStoreLayout:
    """What :func:`make_tiny_store` writes.

    Attributes
    ----------
    sheets : mapping of str to int
        Sheet name to number of neurons.
    signals : mapping of str to tuple of (variable, units)
        Analog variables recorded per sheet (from the first ``signal_neurons`` neurons).
    signal_neurons : int
        How many neurons of each sheet have analog signals (indices 0..n-1).
    sampling_period_ms : float, ms
        Sampling period of the analog signals.
    gratings : tuple of StimulusIdentity
        The ``TinyGrating`` stimuli (``orientation`` in rad, ``contrast`` in %, ``duration_ms``).
    flashes : tuple of StimulusIdentity
        The ``TinyFlash`` stimuli (``intensity``, ``duration_ms``).
    trials : int
        Trials of every stimulus.
    blank_ms : float, ms
        Blank (null segment) recorded before every presentation.
    rate_hz : float, Hz
        Base firing rate; neuron i of a sheet fires at ``rate_hz * (1 + i % 3)`` during gratings
        of orientation 0 and half of that otherwise.
    """

    sheets: Mapping[str, int]
    signals: Mapping[str, tuple[tuple[str, str], ...]]
    signal_neurons: int
    sampling_period_ms: float
    gratings: tuple[StimulusIdentity, ...]
    flashes: tuple[StimulusIdentity, ...]
    trials: int
    blank_ms: float
    rate_hz: float

    @property
    def stimuli(self) -> tuple[StimulusIdentity, ...]:
        """Every stimulus, in presentation order."""
        return (*self.gratings, *self.flashes)

    @property
    def presentations(self) -> int:
        """Number of (non-blank) presentations."""
        return len(self.stimuli) * self.trials


def _grating(orientation: float) -> StimulusIdentity:
    return StimulusIdentity(name="TinyGrating", params={
        "orientation": orientation, "contrast": 100.0, "duration_ms": 200.0})


#: The layout of every tiny store.
TINY_STORE = TinyStoreLayout(
    sheets={"exc": 12, "inh": 4},
    signals={"exc": (("v", "mV"), ("gsyn_exc", "uS")), "inh": (("v", "mV"),)},
    signal_neurons=3,
    sampling_period_ms=1.0,
    gratings=(_grating(0.0), _grating(math.pi / 2)),
    flashes=(StimulusIdentity(name="TinyFlash", params={"intensity": 1.0, "duration_ms": 100.0}),),
    trials=2,
    blank_ms=50.0,
    rate_hz=10.0,
)


def _rates_hz(layout: TinyStoreLayout, sheet: str, stimulus: StimulusIdentity) -> np.ndarray:
    n = layout.sheets[sheet]
    base = layout.rate_hz * (1.0 + np.arange(n) % 3)
    preferred = stimulus.name == "TinyGrating" and stimulus.params["orientation"] == 0.0
    return np.asarray(base if preferred else base / 2)


def _recording(layout: TinyStoreLayout, sheet: str, stimulus: StimulusIdentity | None,
               t_start: float, duration: float, rng: np.random.Generator) -> SheetRecording:
    n = layout.sheets[sheet]
    rates = _rates_hz(layout, sheet, stimulus) if stimulus else np.full(n, layout.rate_hz / 5)
    counts = rng.poisson(rates * duration / 1000.0)
    neurons = np.repeat(np.arange(n), counts)
    times = t_start + rng.uniform(0.0, duration, size=len(neurons))
    order = np.argsort(times, kind="stable")
    samples = round(duration / layout.sampling_period_ms)
    signals = []
    for variable, units in layout.signals[sheet]:
        mean = -65.0 if variable == "v" else 0.005
        spread = 2.0 if variable == "v" else 0.001
        values = mean + spread * rng.standard_normal((samples, layout.signal_neurons))
        signals.append(SignalRecording(variable=variable, units=units, t_start=t_start,
                                       sampling_period=layout.sampling_period_ms,
                                       neurons=np.arange(layout.signal_neurons), values=values))
    return SheetRecording(t_start=t_start, t_stop=t_start + duration,
                          spike_neurons=neurons[order], spike_times=times[order],
                          spike_recorded=np.arange(n), signals=signals)


def make_tiny_store(run_dir: str | Path, *, seed: int = 0,
                    layout: TinyStoreLayout = TINY_STORE) -> DataStore:
    """Write a tiny store into ``run_dir`` and return it open for appending.

    Parameters
    ----------
    run_dir : path
        A directory that holds no store yet.
    seed : int
        Seed of the spike and signal draws.
    layout : TinyStoreLayout
        What to write (default :data:`TINY_STORE`).
    """
    rng = np.random.default_rng(seed)
    store = DataStore.create(run_dir, {"simulator": "none", "config": {"name": "tiny_store"}})
    for sheet, n in layout.sheets.items():
        side = math.ceil(math.sqrt(n))
        grid = np.array([(i % side, i // side) for i in range(n)], dtype=float) * 50.0
        annotations = {"orientation_preference": np.linspace(0, math.pi, n, endpoint=False)}
        store.write_neurons(sheet, np.arange(1, n + 1) + 100 * len(sheet), grid, annotations)
    t = 0.0
    for stimulus in layout.stimuli:
        duration = float(stimulus.params["duration_ms"])  # type: ignore[arg-type]
        for trial in range(layout.trials):
            blank = {s: _recording(layout, s, None, t, layout.blank_ms, rng)
                     for s in layout.sheets}
            store.write_presentation_arrays(stimulus, trial, blank, is_null=True)
            t += layout.blank_ms
            shown = {s: _recording(layout, s, stimulus, t, duration, rng) for s in layout.sheets}
            store.write_presentation_arrays(stimulus, trial, shown)
            t += duration
    for grating in layout.gratings:
        n = layout.sheets["exc"]
        store.add_analysis_result(PerNeuronValue(
            analysis_algorithm="TinyStore", sheet_name="exc", stimulus_id=grating,
            values=_rates_hz(layout, "exc", grating), ids=np.arange(n),
            value_name="Firing rate", value_units=pq.Hz))
    return store


@pytest.fixture
def tiny_store(tmp_path: Path) -> Iterator[DataStore]:
    """A tiny real store (see :data:`TINY_STORE`), open for appending, closed afterwards."""
    store = make_tiny_store(tmp_path / "tiny_store")
    try:
        yield store
    finally:
        store.close()
