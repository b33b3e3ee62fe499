"""Signal analyses of LFPs: band-pass filtering, spectra, F1, generalized phase and waves.

They read :class:`ElectrodeSignals` (or AnalogSignal) results of :class:`ElectrodeLFP` /
:class:`PopulationLFP` from the view and store new results.

* Band-pass: zero-phase Butterworth (``scipy.signal.butter`` + ``sosfiltfilt``).
* Power spectral density: Welch's method (``elephant.spectral.welch_psd``; the ``signals``
  extra of mozaik-analysis installs Elephant).
* Generalized phase (Davis et al. 2020, Nature 587: 432): the phase of the analytic signal of
  the wide-band (5-40 Hz) signal, where the instantaneous frequency turns negative (the phase
  runs backwards, which a narrow-band filter would hide) corrected by interpolating the
  unwrapped phase across those episodes (shape-preserving cubic). Our rule for an episode's
  extent: from the first backward step until the phase is back above the value it turned at,
  so the corrected phase never runs backwards (Davis et al. extend each episode by a fixed
  multiple of its duration instead).
* Travelling waves: at every sample, a plane fitted to the phase map
  (``phi(x) = phi0 - k . x``, least squares over neighbouring electrodes' circular phase
  differences); a wave is a sample whose fit explains more of the phase differences (R^2) than
  the 99th percentile of fits with the electrode positions shuffled (chance). Direction is that
  of ``k``, speed ``omega / |k|`` with ``omega`` the mean instantaneous angular frequency.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import attrs
import neo
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import quantities as pq
from mozaik.ads import AnalogSignal, AnalysisDataStructure, data, parameter, units_parameter
from mozaik.analysis import Analysis
from mozaik.config import each, finite, non_negative, positive
from mozaik.datastore import DataStoreView, param_filter_query

from mozaik_analysis._ads import single_value
from mozaik_analysis._common import fail, presentations, to_tuple
from mozaik_analysis._lfp import ElectrodeSignals, ElectrodeValues

__all__ = [
    "BandPass",
    "BandPassParams",
    "CoherenceSpectra",
    "GeneralizedPhase",
    "GeneralizedPhaseParams",
    "LFPF1",
    "LFPF1Params",
    "PlaneWaves",
    "PowerSpectra",
    "PowerSpectrum",
    "PowerSpectrumParams",
    "SpikeFieldCoherence",
    "SpikeFieldCoherenceParams",
    "TravellingWaves",
    "TravellingWavesParams",
    "band_pass",
    "f1_amplitude",
    "fit_plane_waves",
    "generalized_phase",
    "segment_periodograms",
    "welch",
]


def _signal_results(view: DataStoreView, analysis: str, source: str,
                    y_axis_name: str | None) -> list[ElectrodeSignals | AnalogSignal]:
    query: dict[str, Any] = {"analysis_algorithm": source}
    if y_axis_name is not None:
        query["y_axis_name"] = y_axis_name
    found = [r for r in param_filter_query(view, **query).analysis_results()
             if isinstance(r, ElectrodeSignals | AnalogSignal)] if view.n_analysis_results else []
    if not found:
        fail(analysis, f"needs ElectrodeSignals or AnalogSignal results of {source!r} in the "
                       f"view; run {source} first")
    return found


def _fs_hz(sig: neo.AnalogSignal) -> float:
    return float(1000.0 / sig.sampling_period.rescale(pq.ms).magnitude)


def band_pass(x: np.ndarray, fs_hz: float, band_hz: tuple[float, float], order: int = 4,
              *, analysis: str = "band_pass", parameter_name: str = "band_hz") -> np.ndarray:
    """Zero-phase Butterworth band-pass of ``x`` along axis 0 (forward and backward, so the
    effective order is twice ``order``).

    Raises
    ------
    AnalysisError
        If a band edge is not in (0, Nyquist) or the band is empty.
    """
    from scipy.signal import butter, sosfiltfilt

    lo, hi = band_hz
    nyquist = fs_hz / 2.0
    if not (0.0 < lo < hi):
        fail(analysis, f"{parameter_name} = {list(band_hz)} Hz must be two increasing positive "
                       f"edges")
    if hi >= nyquist:
        fail(analysis, f"{parameter_name} = {list(band_hz)} Hz: the upper edge {hi} Hz is not "
                       f"below the Nyquist frequency {nyquist:g} Hz of a signal sampled at "
                       f"{fs_hz:g} Hz; lower it or record with a shorter interval")
    sos = butter(order, [lo, hi], btype="bandpass", fs=fs_hz, output="sos")
    padlen = min(3 * (2 * len(sos) + 1), len(x) - 1)
    return np.asarray(sosfiltfilt(sos, x, axis=0, padlen=padlen))


def _like(result: ElectrodeSignals | AnalogSignal, analysis: str, values: np.ndarray,
          units: Any, y_axis_name: str, tags: Sequence[str],
          t_start: Any = None) -> ElectrodeSignals | AnalogSignal:
    sig = result.signal
    new = neo.AnalogSignal(values, units=units, sampling_period=sig.sampling_period,
                           t_start=sig.t_start if t_start is None else t_start,
                           name=y_axis_name)
    common: dict[str, Any] = {"analysis_algorithm": analysis, "sheet_name": result.sheet_name,
              "stimulus_id": result.stimulus_id, "y_axis_name": y_axis_name,
              "tags": tuple(dict.fromkeys((*result.tags, *tags)))}
    if isinstance(result, ElectrodeSignals):
        return ElectrodeSignals(signal=new, positions_um=result.positions_um, **common)
    return AnalogSignal(signal=new, **common)


@attrs.frozen(kw_only=True)
class BandPassParams:
    """Parameters of :class:`BandPass`.

    Parameters
    ----------
    band_hz : (float, float), Hz
        Lower and upper edge; the upper must be below the Nyquist frequency (default 5-40 Hz,
        the wide band of Davis et al. 2020).
    order : int
        Butterworth order (applied forward and backward).
    source : str
        The analysis whose signals to filter (``ElectrodeLFP`` or ``PopulationLFP``).
    tags : sequence of str
        Tags added to every result.
    """

    band_hz: tuple[float, float] = attrs.field(default=(5.0, 40.0), converter=tuple,
                                               validator=each(positive))
    order: int = attrs.field(default=4, validator=positive)
    source: str = "ElectrodeLFP"
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class BandPass(Analysis[BandPassParams]):
    """Zero-phase band-pass of stored LFP signals; ``y_axis_name`` "<name> <lo>-<hi> Hz"."""

    name = "BandPass"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for r in _signal_results(view, self.name, p.source, None):
            x = np.asarray(r.signal.magnitude)
            y = band_pass(x, _fs_hz(r.signal), p.band_hz, p.order, analysis=self.name)
            label = f"{r.y_axis_name} {p.band_hz[0]:g}-{p.band_hz[1]:g} Hz"
            out.append(_like(r, self.name, y, r.signal.units, label, p.tags))
        return out


def _per_frequency_rows(structure: str, field: str, values: np.ndarray,
                        frequencies_hz: np.ndarray) -> np.ndarray:
    """``values`` as float rows of one value per frequency; else a ValueError naming ``field``."""
    rows = np.atleast_2d(np.asarray(values, np.float64))
    n_freq = len(np.asarray(frequencies_hz))
    if rows.shape[1] != n_freq:
        msg = (f"{structure}: {field} has {rows.shape[1]} frequencies per row, frequencies_hz "
               f"{n_freq}; give one {field} value per frequency")
        raise ValueError(msg)
    return rows


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class PowerSpectra(AnalysisDataStructure):
    """Power spectral densities of a set of signals (electrodes) or of the segments of one
    signal, one per row.

    Parameters
    ----------
    frequencies_hz : float array (n_freq,), Hz
    power : float array (n_rows, n_freq), in ``power_units``
    power_units : quantities units (signal units squared per Hz)
    signal_name : str
        What was analysed (the source's ``y_axis_name``).
    rows : {"signals", "segments"}
        What a row is: the Welch PSD of one signal (electrode), or the periodogram of one
        non-overlapping segment, averaged over the signals (see :class:`PowerSpectrumParams`).
    """

    frequencies_hz: np.ndarray = data("array")
    power: np.ndarray = data("array")
    power_units: pq.Quantity = units_parameter()
    signal_name: str = parameter()
    rows: str = parameter(default="signals")

    def _check(self) -> None:
        self.power = _per_frequency_rows("PowerSpectra", "power", self.power,
                                         self.frequencies_hz)


@attrs.frozen(kw_only=True)
class PowerSpectrumParams:
    """Parameters of :class:`PowerSpectrum`.

    Parameters
    ----------
    frequency_resolution_hz : float, Hz
        Welch segment length is ``1 / resolution``.
    rows : {"signals", "segments"}
        ``"signals"``: one Welch PSD per signal (electrode), so a confidence band spans the
        electrodes. ``"segments"``: the signal cut into non-overlapping segments of
        ``1 / resolution`` (Hann window, mean removed), one periodogram per segment averaged
        over the signals, so a band spans time within the presentation (the segments' mean is
        Welch's estimate without overlap). Needs at least two segments.
    source : str
        The analysis whose signals to analyse.
    tags : sequence of str
        Tags added to every result.
    """

    frequency_resolution_hz: float = attrs.field(default=2.0, validator=[finite, positive])
    rows: Literal["signals", "segments"] = "signals"
    source: str = "ElectrodeLFP"
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


def welch(x: np.ndarray, fs_hz: float, resolution_hz: float,
          analysis: str) -> tuple[np.ndarray, np.ndarray]:
    """Welch PSD of the columns of ``x`` (n_samples, n_signals) with Elephant: (freqs,
    power (n_signals, n_freq))."""
    try:
        from elephant.spectral import welch_psd
    except ImportError:
        fail(analysis, "needs Elephant for Welch's PSD: pip install 'mozaik-analysis[signals]'")
    duration_s = len(x) / fs_hz
    if resolution_hz * duration_s < 1.0:
        fail(analysis, f"frequency_resolution_hz = {resolution_hz} Hz needs signals of at least "
                       f"{1.0 / resolution_hz:g} s, these last {duration_s:g} s; raise it")
    freqs, psd = welch_psd(x.T, frequency_resolution=resolution_hz, fs=fs_hz)
    return np.asarray(freqs, np.float64), np.atleast_2d(np.asarray(psd, np.float64))


def segment_periodograms(x: np.ndarray, fs_hz: float, resolution_hz: float,
                         analysis: str) -> tuple[np.ndarray, np.ndarray]:
    """Periodograms (density, Hann window, mean removed) of the non-overlapping segments of
    ``1 / resolution_hz`` of the columns of ``x`` (n_samples, n_signals), averaged over the
    columns: (freqs, power (n_segments, n_freq)); their mean over segments is Welch's PSD with
    no overlap (``scipy.signal.welch(..., noverlap=0)``) averaged over the columns."""
    from scipy.signal import spectrogram

    nperseg = round(fs_hz / resolution_hz)
    n_segments = len(x) // nperseg
    if n_segments < 2:
        fail(analysis, f"rows = 'segments' with frequency_resolution_hz = {resolution_hz} Hz "
                       f"needs at least two segments of {1.0 / resolution_hz:g} s; the signal "
                       f"lasts {len(x) / fs_hz:g} s; raise frequency_resolution_hz or use "
                       f"rows: signals")
    freqs, _, sxx = spectrogram(np.asarray(x, np.float64).T, fs=fs_hz, window="hann",
                                nperseg=nperseg, noverlap=0, detrend="constant",
                                scaling="density", mode="psd")
    return np.asarray(freqs, np.float64), np.asarray(sxx.mean(axis=0).T, np.float64)


class PowerSpectrum(Analysis[PowerSpectrumParams]):
    """Welch power spectral density of every stored LFP signal: each electrode a row, or
    (``rows: segments``) each non-overlapping segment a row, averaged over electrodes."""

    name = "PowerSpectrum"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for r in _signal_results(view, self.name, p.source, None):
            x = np.asarray(r.signal.magnitude)
            x = x.reshape(len(x), -1)
            if p.rows == "segments":
                freqs, psd = segment_periodograms(x, _fs_hz(r.signal),
                                                  p.frequency_resolution_hz, self.name)
            else:
                freqs, psd = welch(x, _fs_hz(r.signal), p.frequency_resolution_hz, self.name)
            units = r.signal.units ** 2 / pq.Hz
            out.append(PowerSpectra(
                analysis_algorithm=self.name, sheet_name=r.sheet_name,
                stimulus_id=r.stimulus_id, frequencies_hz=freqs, power=psd,
                power_units=units, signal_name=r.y_axis_name, rows=p.rows,
                tags=tuple(dict.fromkeys((*r.tags, *p.tags)))))
        return out


@attrs.frozen(kw_only=True)
class LFPF1Params:
    """Parameters of :class:`LFPF1`.

    Parameters
    ----------
    temporal_frequency_param : str
        The stimulus parameter holding its temporal frequency, Hz.
    frequency_hz : float, Hz, optional
        A fixed frequency instead (e.g. the gratings' for the blank periods too).
    start_ms : float, ms
        Discard the signal before this time after the onset (the onset transient).
    source : str
        The analysis whose stored signals to use (its ``analysis_algorithm``).
    tags : sequence of str
        Tags added to every result.
    """

    temporal_frequency_param: str = "temporal_frequency"
    frequency_hz: float | None = attrs.field(default=None, validator=positive)
    start_ms: float = attrs.field(default=0.0, validator=[finite, non_negative])
    source: str = "ElectrodeLFP"
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


def f1_amplitude(x: np.ndarray, dt_ms: float, frequency_hz: float) -> np.ndarray:
    """Amplitude of the Fourier component of ``x`` (n_samples, ...) at ``frequency_hz``, over
    the whole periods the signal holds (the units of ``x``)."""
    period = 1000.0 / frequency_hz / dt_ms
    n = int(np.floor(len(x) / period) * period) if len(x) >= period else len(x)
    t = np.arange(n) * dt_ms / 1000.0
    z = np.exp(-2j * np.pi * frequency_hz * t)
    return np.asarray(2.0 * np.abs(np.tensordot(z, x[:n], axes=(0, 0))) / n)


class LFPF1(Analysis[LFPF1Params]):
    """Stimulus-locked F1 amplitude of each electrode's LFP at the stimulus temporal
    frequency (the mean removed, over the whole periods after ``start_ms``): one
    :class:`ElectrodeValues` ("F1(<signal>)") per stored ElectrodeSignals."""

    name = "LFPF1"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for r in _signal_results(view, self.name, p.source, None):
            if not isinstance(r, ElectrodeSignals):
                continue
            params = dict(r.stimulus_id.params) if r.stimulus_id is not None else {}
            tf = params.get(p.temporal_frequency_param) if p.frequency_hz is None \
                else p.frequency_hz
            if not isinstance(tf, int | float) or tf <= 0:
                fail(self.name, f"stimulus {r.stimulus_id!r} has no positive "
                                f"{p.temporal_frequency_param!r}; set temporal_frequency_param "
                                f"or frequency_hz")
            dt = float(r.signal.sampling_period.rescale(pq.ms).magnitude)
            t0 = float(r.signal.t_start.rescale(pq.ms).magnitude)
            x = np.asarray(r.signal.magnitude)[max(0, round((p.start_ms - t0) / dt)):]
            amp = f1_amplitude(x - x.mean(axis=0), dt, float(tf))
            out.append(ElectrodeValues(
                analysis_algorithm=self.name, sheet_name=r.sheet_name, stimulus_id=r.stimulus_id,
                values=amp, positions_um=r.positions_um, value_name=f"F1({r.y_axis_name})",
                value_units=r.signal.units, tags=tuple(dict.fromkeys((*r.tags, *p.tags)))))
        return out


# -- spike-field coherence ---------------------------------------------------------------------


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class CoherenceSpectra(AnalysisDataStructure):
    """Magnitude-squared coherence spectra, one row per signal (e.g. per electrode).

    Parameters
    ----------
    frequencies_hz : float array (n_freq,), Hz
    coherence : float array (n_signals, n_freq), dimensionless in [0, 1]
    signal_name : str
        What was compared (e.g. ``"LFP (RWS proxy) x population spikes"``).
    """

    frequencies_hz: np.ndarray = data("array")
    coherence: np.ndarray = data("array")
    signal_name: str = parameter()

    def _check(self) -> None:
        self.coherence = _per_frequency_rows("CoherenceSpectra", "coherence", self.coherence,
                                             self.frequencies_hz)


@attrs.frozen(kw_only=True)
class SpikeFieldCoherenceParams:
    """Parameters of :class:`SpikeFieldCoherence`.

    Parameters
    ----------
    frequency_resolution_hz : float, Hz
        Welch segment length is ``1 / resolution``.
    source : str
        The analysis whose LFP to use (``PopulationLFP`` or ``ElectrodeLFP``).
    tags : sequence of str
        Tags added to every result.
    """

    frequency_resolution_hz: float = attrs.field(default=4.0, validator=[finite, positive])
    source: str = "PopulationLFP"
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class SpikeFieldCoherence(Analysis[SpikeFieldCoherenceParams]):
    """Coherence between each stored LFP signal of one presentation and the pooled spikes of
    its sheet in that presentation (``elephant.sta.spike_field_coherence``, Welch segments of
    ``1 / frequency_resolution_hz``, Hann window): one :class:`CoherenceSpectra` per LFP
    result."""

    name = "SpikeFieldCoherence"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        try:
            from elephant.sta import spike_field_coherence
        except ImportError:
            fail(self.name, "needs Elephant: pip install 'mozaik-analysis[signals]'")
        p = self.params
        out: list[AnalysisDataStructure] = []
        for r in _signal_results(view, self.name, p.source, None):
            sheet = str(r.sheet_name)
            onset, spikes = self._spikes(view, sheet, r)
            sig = r.signal
            t0 = float(sig.t_start.rescale(pq.ms).magnitude)
            dt = float(sig.sampling_period.rescale(pq.ms).magnitude)
            t_stop = t0 + dt * sig.shape[0]
            times = spikes - onset
            times = times[(times >= t0) & (times < t_stop)]
            train = neo.SpikeTrain(np.sort(times), units=pq.ms, t_start=t0 * pq.ms,
                                   t_stop=t_stop * pq.ms)
            nperseg = max(8, round(1000.0 / p.frequency_resolution_hz / dt))
            if nperseg > sig.shape[0]:
                fail(self.name, f"frequency_resolution_hz = {p.frequency_resolution_hz} Hz "
                                f"needs signals of {nperseg * dt:g} ms; {r.stimulus_id!r} "
                                f"lasts {sig.shape[0] * dt:g} ms; raise it")
            coh, freqs = spike_field_coherence(sig, train, nperseg=nperseg, window="hann")
            out.append(CoherenceSpectra(
                analysis_algorithm=self.name, sheet_name=sheet, stimulus_id=r.stimulus_id,
                frequencies_hz=np.asarray(freqs.rescale(pq.Hz).magnitude, np.float64),
                coherence=np.real(np.asarray(coh.magnitude)).T,
                signal_name=f"{r.y_axis_name} x population spikes",
                tags=tuple(dict.fromkeys((*r.tags, *p.tags)))))
        return out

    def _spikes(self, view: DataStoreView, sheet: str, r: Any) -> tuple[float, np.ndarray]:
        """(onset ms, absolute spike times ms of every neuron) of ``r``'s presentation."""
        sid = r.stimulus_id
        trial = sid.params.get("trial") if sid is not None else None
        pres = presentations(view, sheet, "spikes")
        for k in range(pres.n):
            if (pres.stimuli[pres.group[k]] == sid.without("trial")
                    and int(pres.trial[k]) == trial):
                seg = view.segment_index
                rows = seg.filter(pc.equal(seg["segment_id"],
                                           pa.scalar(int(pres.segment_id[k]), pa.int64())))
                spikes = view.derive(rows, None).spike_arrays(sheet)
                return float(pres.t_start[k]), np.asarray(spikes.times, np.float64)
        fail(self.name, f"no spike recordings of sheet {sheet!r} for {sid!r} (trial {trial}); "
                        f"the LFP result needs the presentation it came from, with spikes")


# -- generalized phase ---------------------------------------------------------------------------


def generalized_phase(x: np.ndarray, fs_hz: float, band_hz: tuple[float, float] = (5.0, 40.0),
                      *, analysis: str = "generalized_phase") -> np.ndarray:
    """Generalized phase (rad, in (-pi, pi]) of the columns of ``x`` (n_samples, n_signals)
    after Davis et al. 2020: band-pass, analytic signal, and the unwrapped phase interpolated
    (PCHIP) across episodes of negative instantaneous frequency, each extended until the phase
    has recovered the value it turned at (see the module docstring)."""
    from scipy.interpolate import PchipInterpolator
    from scipy.signal import hilbert

    x = np.asarray(x, np.float64).reshape(len(x), -1)
    filtered = band_pass(x, fs_hz, band_hz, analysis=analysis)
    phase = np.unwrap(np.angle(hilbert(filtered, axis=0)), axis=0)
    out = np.empty_like(phase)
    n = len(phase)
    idx = np.arange(n)
    for j in range(phase.shape[1]):
        ph = phase[:, j]
        # backward steps, and every sample until the phase is back above where it turned
        bad = np.r_[False, np.diff(ph) < 0] | (ph < np.maximum.accumulate(ph))
        good = ~bad
        if bad.any() and good.sum() >= 2:
            ph = ph.copy()
            ph[bad] = PchipInterpolator(idx[good], ph[good], extrapolate=True)(idx[bad])
        out[:, j] = ph
    return np.asarray(np.angle(np.exp(1j * out)))


@attrs.frozen(kw_only=True)
class GeneralizedPhaseParams:
    """Parameters of :class:`GeneralizedPhase`.

    Parameters
    ----------
    band_hz : (float, float), Hz
        The wide band (Davis et al. 2020: 5-40 Hz).
    source : str
        The analysis whose stored signals to use (its ``analysis_algorithm``).
    tags : sequence of str
        Tags added to every result.
    """

    band_hz: tuple[float, float] = attrs.field(default=(5.0, 40.0), converter=tuple,
                                               validator=each(positive))
    source: str = "ElectrodeLFP"
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class GeneralizedPhase(Analysis[GeneralizedPhaseParams]):
    """Generalized phase of every electrode: ElectrodeSignals "generalized phase" in rad."""

    name = "GeneralizedPhase"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for r in _signal_results(view, self.name, p.source, None):
            if not isinstance(r, ElectrodeSignals):
                continue
            ph = generalized_phase(np.asarray(r.signal.magnitude), _fs_hz(r.signal), p.band_hz,
                                   analysis=self.name)
            out.append(_like(r, self.name, ph, pq.rad, "generalized phase", p.tags))
        return out


# -- travelling waves ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class PlaneWaves:
    """Plane waves fitted to phase maps, one per sample.

    Attributes
    ----------
    direction_rad : float array (n_samples,)
        Direction of propagation (of ``k``), rad counter-clockwise from +x.
    speed_m_per_s : float array (n_samples,)
        ``omega / |k|``.
    r2 : float array (n_samples,)
        Fraction of the neighbouring phase differences the plane explains.
    threshold : float
        Chance level of ``r2`` (99th percentile with shuffled positions).
    is_wave : bool array (n_samples,)
        ``r2 > threshold``.
    """

    direction_rad: np.ndarray
    speed_m_per_s: np.ndarray
    r2: np.ndarray
    threshold: float
    is_wave: np.ndarray

    @property
    def fraction(self) -> float:
        return float(np.mean(self.is_wave))

    @property
    def mean_direction_rad(self) -> float:
        d = self.direction_rad[self.is_wave]
        return float(np.angle(np.mean(np.exp(1j * d)))) if len(d) else math.nan

    @property
    def median_speed_m_per_s(self) -> float:
        s = self.speed_m_per_s[self.is_wave]
        return float(np.median(s)) if len(s) else math.nan


def _plane_fit(phase: np.ndarray, positions: np.ndarray,
               pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares ``k`` (n_samples, 2), rad/um, and R^2 from neighbour phase differences."""
    d = positions[pairs[:, 1]] - positions[pairs[:, 0]]  # (n_pairs, 2)
    dphi = np.angle(np.exp(1j * (phase[:, pairs[:, 1]] - phase[:, pairs[:, 0]])))
    # dphi = -k . d  ->  k = -pinv(d) dphi
    k = -(np.linalg.pinv(d) @ dphi.T).T
    residual = dphi + k @ d.T
    ss_res = (residual ** 2).sum(axis=1)
    ss_tot = (dphi ** 2).sum(axis=1)
    r2 = 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, np.inf)
    return k, r2


def fit_plane_waves(phase: np.ndarray, positions_um: np.ndarray, dt_ms: float, *,
                    n_shuffles: int = 20, seed: int = 0) -> PlaneWaves:
    """Fit a plane wave to each phase map of ``phase`` (n_samples, n_electrodes, rad).

    Neighbours are the pairs of electrodes at most 1.5 times the smallest electrode distance
    apart. The speed uses the mean instantaneous angular frequency over electrodes (from the
    phase's time derivative) and is in m/s (um/ms = mm/s, divided by 1000).
    """
    positions = np.asarray(positions_um, np.float64)
    if len(positions) < 3 or np.linalg.matrix_rank(positions - positions.mean(axis=0)) < 2:
        msg = (f"a plane wave needs at least 3 electrodes not on one line; got "
               f"{len(positions)} at {positions.tolist()[:4]} um")
        raise ValueError(msg)
    dist = np.hypot(*(positions[:, None, :] - positions[None, :, :]).transpose(2, 0, 1))
    nearest = dist[dist > 0].min()
    i, j = np.nonzero(np.triu(dist <= 1.5 * nearest, k=1))
    pairs = np.column_stack([i, j])
    k, r2 = _plane_fit(phase, positions, pairs)
    rng = np.random.default_rng(seed)
    null = [_plane_fit(phase, positions[rng.permutation(len(positions))], pairs)[1]
            for _ in range(n_shuffles)]
    threshold = float(np.percentile(np.concatenate(null), 99.0))
    dphase = np.angle(np.exp(1j * np.diff(phase, axis=0))).mean(axis=1) / dt_ms  # rad/ms
    omega = np.r_[dphase, dphase[-1:]] if len(dphase) else np.zeros(len(phase))
    knorm = np.hypot(k[:, 0], k[:, 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.abs(omega) / knorm / 1000.0
    direction = np.arctan2(k[:, 1], k[:, 0]) + np.where(omega < 0, np.pi, 0.0)
    return PlaneWaves(direction_rad=np.angle(np.exp(1j * direction)), speed_m_per_s=speed,
                      r2=r2, threshold=threshold, is_wave=r2 > threshold)


@attrs.frozen(kw_only=True)
class TravellingWavesParams:
    """Parameters of :class:`TravellingWaves`.

    Parameters
    ----------
    source : str
        The analysis holding the phase maps (``GeneralizedPhase``).
    n_shuffles : int
        Shuffles of the electrode positions for the chance level.
    tags : sequence of str
        Tags added to every result.
    """

    source: str = "GeneralizedPhase"
    n_shuffles: int = attrs.field(default=20, validator=positive)
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class TravellingWaves(Analysis[TravellingWavesParams]):
    """Travelling plane waves in phase maps: three SingleValues per stored phase map,
    "wave direction" (deg), "wave speed" (m/s, median over wave samples) and "wave fraction"
    (fraction of samples with a wave above chance), and an AnalogSignal "wave direction" (deg,
    per sample, NaN where no wave is above chance) for the phase-map movie."""

    name = "TravellingWaves"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for r in _signal_results(view, self.name, p.source, None):
            if not isinstance(r, ElectrodeSignals):
                continue
            dt = float(r.signal.sampling_period.rescale(pq.ms).magnitude)
            try:
                waves = fit_plane_waves(np.asarray(r.signal.rescale(pq.rad).magnitude),
                                        r.positions_um, dt, n_shuffles=p.n_shuffles)
            except ValueError as exc:
                fail(self.name, f"{p.source} result for {r.stimulus_id!r}: {exc}; use an "
                                f"electrode array (grid_shape of ElectrodeLFP)")
            tags = tuple(dict.fromkeys((*r.tags, *p.tags)))
            for value, name, units in (
                    (math.degrees(waves.mean_direction_rad), "wave direction", pq.deg),
                    (waves.median_speed_m_per_s, "wave speed", pq.m / pq.s),
                    (waves.fraction, "wave fraction", pq.dimensionless)):
                out.append(single_value(self.name, r.sheet_name, r.stimulus_id, value, name,
                                        units, tags, period=360.0 if units is pq.deg else None))
            per_sample = np.where(waves.is_wave, np.degrees(waves.direction_rad), np.nan)
            out.append(AnalogSignal(
                analysis_algorithm=self.name, sheet_name=r.sheet_name,
                stimulus_id=r.stimulus_id, y_axis_name="wave direction", tags=tags,
                signal=neo.AnalogSignal(per_sample, units=pq.deg, t_start=r.signal.t_start,
                                        sampling_period=r.signal.sampling_period,
                                        name="wave direction")))
        return out
