"""LFP proxies of point-neuron networks, computed presentation by presentation.

Point neurons have no geometry, so their LFP is a *proxy* built from synaptic currents:

* the reference weighted sum (RWS) of Mazzoni et al. 2015 (PLoS Comput Biol 11: e1004584):
  ``LFP(t) = sum_i |I_AMPA,i(t - tau)| - alpha * sum_i |I_GABA,i(t)|`` with ``tau = 6 ms`` and
  ``alpha = 1.65``, their best proxy (it reproduced the LFP of a multicompartment pyramidal
  population with r > 0.9); here without their normalisation constant, so in nA;
* its spatial extension onto an electrode array (as Davis et al. 2021 did for a V1 model):
  every neuron's RWS term weighted by ``exp(-d / lambda)``, ``d`` its lateral distance to the
  electrode; the length constant ``lambda`` is a parameter (default 250 um, the spatial reach
  of the LFP in macaque V1 measured by Xing, Yeh & Shapley 2009, J Neurosci 29: 11540).

Currents are ``I = g (V - E)`` (uS x mV = nA) from the stored conductances and Vm, with each
neuron's reversal potentials from the sheet's annotations ``e_rev_E`` / ``e_rev_I`` (mozaik-core
stores them for conductance-based cells). What the proxy cannot do: it has no dendritic
geometry, so no dipoles, no laminar profile and no dendritic low-pass filtering; it holds for
populations of pyramidal-like cells with AMPA/GABA synapses (Mazzoni et al.), not for single
neurons.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import neo
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import quantities as pq
from mozaik import DataStoreError
from mozaik.ads import (
    AnalogSignal,
    AnalysisDataStructure,
    data,
    parameter,
    parse_units,
    units_parameter,
)
from mozaik.analysis import Analysis
from mozaik.config import each, finite, positive
from mozaik.datastore import DataStoreView
from mozaik.stimulus import StimulusIdentity

from mozaik_analysis._common import fail, presentations, sheets_with, to_tuple

__all__ = [
    "ElectrodeLFP",
    "ElectrodeLFPParams",
    "ElectrodeSignals",
    "ElectrodeValues",
    "MAZZONI_ALPHA",
    "MAZZONI_DELAY_MS",
    "PopulationLFP",
    "PopulationLFPParams",
    "SynapticCurrents",
    "electrode_grid",
    "exponential_kernel",
    "synaptic_currents",
]

#: Delay of the AMPA term of the RWS proxy, ms (Mazzoni et al. 2015).
MAZZONI_DELAY_MS = 6.0
#: Weight of the GABA term of the RWS proxy (Mazzoni et al. 2015).
MAZZONI_ALPHA = 1.65
_NEEDED = ("v", "gsyn_exc", "gsyn_inh")


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class ElectrodeSignals(AnalysisDataStructure):
    """One signal per electrode of an array, e.g. the LFP or its phase.

    Parameters
    ----------
    signal : neo.AnalogSignal of shape (n_samples, n_electrodes)
        The signals (channel j is electrode j); time relative to the stimulus onset.
    positions_um : float array of shape (n_electrodes, 2), um
        Electrode positions on the sheet.
    y_axis_name : str
        What the signals are (e.g. ``"LFP (RWS proxy)"``, ``"generalized phase"``).
    y_axis_units : quantities units
        Units of the signals; default: the signal's own.

    A result of one presentation has its ``stimulus_id``'s ``trial`` parameter set to it.
    """

    signal: neo.AnalogSignal = data("signal")
    positions_um: np.ndarray = data("array")
    y_axis_name: str = parameter()
    y_axis_units: pq.Quantity = units_parameter()

    def __attrs_post_init__(self) -> None:
        if self.y_axis_units is None and isinstance(self.signal, neo.AnalogSignal):
            self.y_axis_units = self.signal.units
        super().__attrs_post_init__()

    def _check(self) -> None:
        if not isinstance(self.signal, neo.AnalogSignal):
            return  # payload not loaded yet
        positions = np.asarray(self.positions_um, dtype=np.float64).reshape(-1, 2)
        self.positions_um = positions
        if self.signal.shape[1] != len(positions):
            msg = (f"ElectrodeSignals: the signal has {self.signal.shape[1]} channels but "
                   f"positions_um gives {len(positions)} electrodes; give one position per "
                   f"channel")
            raise ValueError(msg)


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class ElectrodeValues(AnalysisDataStructure):
    """One value per electrode of an array, e.g. the F1 amplitude of the LFP.

    Parameters
    ----------
    values : float array of shape (n_electrodes,), in ``value_units``
    positions_um : float array of shape (n_electrodes, 2), um
    value_name : str
    value_units : quantities units
    """

    values: np.ndarray = data("array")
    positions_um: np.ndarray = data("array")
    value_name: str = parameter()
    value_units: pq.Quantity = units_parameter()

    def _check(self) -> None:
        positions = np.asarray(self.positions_um, dtype=np.float64).reshape(-1, 2)
        self.positions_um = positions
        if len(np.asarray(self.values).reshape(-1)) != len(positions):
            msg = (f"ElectrodeValues: {len(self.values)} values for {len(positions)} electrode "
                   f"positions; give one value per electrode")
            raise ValueError(msg)


# -- electrodes and kernel -----------------------------------------------------------------------


def electrode_grid(shape: tuple[int, int], spacing_um: float,
                   centre_um: tuple[float, float]) -> np.ndarray:
    """Positions (n, 2) in um of a ``shape[0]`` x ``shape[1]`` array (rows along y), row by
    row, centred on ``centre_um`` with ``spacing_um`` between neighbours."""
    nx, ny = shape
    x = (np.arange(nx) - (nx - 1) / 2.0) * spacing_um + centre_um[0]
    y = (np.arange(ny) - (ny - 1) / 2.0) * spacing_um + centre_um[1]
    gx, gy = np.meshgrid(x, y)
    return np.column_stack([gx.ravel(), gy.ravel()])


def exponential_kernel(electrodes_um: np.ndarray, neurons_um: np.ndarray,
                       length_constant_um: float) -> np.ndarray:
    """Weights (n_electrodes, n_neurons) ``exp(-d / length_constant_um)``, ``d`` the lateral
    distance in um."""
    d = np.hypot(electrodes_um[:, None, 0] - neurons_um[None, :, 0],
                 electrodes_um[:, None, 1] - neurons_um[None, :, 1])
    return np.asarray(np.exp(-d / length_constant_um))


# -- currents ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class SynapticCurrents:
    """Excitatory and inhibitory synaptic currents of one presentation.

    Attributes
    ----------
    stimulus : StimulusIdentity
        The stimulus, its ``trial`` parameter set to the presentation's trial.
    trial : int
    neurons : int array (n,)
        Sheet indices of the neurons, ascending.
    exc, inh : float arrays (n, n_samples), nA
        ``g (V - E)`` of each neuron (excitatory current negative: inward).
    t0_ms : float
        First sample's time relative to the onset, ms.
    dt_ms : float
        Sampling interval, ms.
    """

    stimulus: StimulusIdentity
    trial: int
    neurons: np.ndarray
    exc: np.ndarray
    inh: np.ndarray
    t0_ms: float
    dt_ms: float


def _missing_recordings(view: DataStoreView, sheet: str, analysis: str) -> None:
    have = {v: sheet in sheets_with(view, v) for v in _NEEDED}
    missing = [v for v, ok in have.items() if not ok]
    if missing:
        fail(analysis, f"sheet {sheet!r} has no {', '.join(repr(v) for v in missing)} "
                       f"recordings; LFP proxies need {', '.join(_NEEDED)} of the same neurons: "
                       f"add them to a recorder's variables (sheets.{sheet}.params.recorders."
                       f"N.variables: [spikes, v, gsyn_exc, gsyn_inh])")


def _reversal(view: DataStoreView, sheet: str, analysis: str) -> tuple[np.ndarray, np.ndarray]:
    ann = view.neuron_annotations(sheet)
    if "e_rev_E" not in ann or "e_rev_I" not in ann:
        fail(analysis, f"sheet {sheet!r} has no reversal potentials (annotations e_rev_E, "
                       f"e_rev_I); currents I = g (V - E) need a conductance-based cell "
                       f"(e.g. IF_cond_exp) built by mozaik-core >= 0.1, which annotates them")
    return (np.asarray(ann["e_rev_E"], np.float64), np.asarray(ann["e_rev_I"], np.float64))


def _unit_scale(units: str, target: pq.Quantity, what: str, analysis: str) -> float:
    try:
        return float(parse_units(units).rescale(target).magnitude)
    except ValueError:
        fail(analysis, f"{what} is recorded in {units}, which is not in "
                       f"{target.dimensionality.string}")


def _rows(arrays: Any, neurons: np.ndarray) -> np.ndarray:
    """The traces of ``neurons`` (each recorded once in the presentation), in their order."""
    order = np.argsort(arrays.neuron)
    return np.asarray(arrays.values[order[np.searchsorted(arrays.neuron[order], neurons)]])


def _current(g: np.ndarray, scale: float, v: np.ndarray, e_rev: np.ndarray) -> np.ndarray:
    """``g * scale * (v - e_rev)`` (nA), computed in ``g``'s memory."""
    g *= scale
    g *= v - e_rev[:, None]
    return g


def synaptic_currents(view: DataStoreView, sheet: str, analysis: str, *,
                      sampling_interval_ms: float | None = None,
                      neurons: Sequence[int] = (),
                      blanks: bool = False) -> Iterator[SynapticCurrents]:
    """Yield the synaptic currents of ``sheet``, one presentation at a time (only that
    presentation's traces are in memory).

    Parameters
    ----------
    sampling_interval_ms : float, ms, optional
        The interval the caller expects; an error if the recordings have another.
    neurons : sequence of int
        Only these sheet indices; empty: every neuron with v, gsyn_exc and gsyn_inh.
    blanks : bool
        The blank periods between stimuli (null segments) instead of the presentations.

    Raises
    ------
    AnalysisError
        Naming the sheet and what to record, or the interval the recordings have.
    """
    _missing_recordings(view, sheet, analysis)
    e_exc, e_inh = _reversal(view, sheet, analysis)
    seg = view.segment_index
    if blanks:
        table = seg.filter(pc.and_(pc.equal(seg["sheet_name"], sheet), seg["is_null"]))
        table = table.sort_by("segment_id")
        segment_ids = np.asarray(table["segment_id"].to_numpy(), np.int64)
        onsets = np.asarray(table["t_start"].to_numpy(), np.float64)
        trials = np.asarray(table["trial"].to_numpy(), np.int64)
        stimuli = [StimulusIdentity.from_string(t) for t in table["stimulus_id"].to_pylist()]
    else:
        pres = presentations(view, sheet, "gsyn_inh")
        segment_ids, onsets, trials = pres.segment_id, pres.t_start, pres.trial
        stimuli = [pres.stimuli[g] for g in pres.group]
    for k, sid in enumerate(segment_ids):
        rows = seg.filter(pc.equal(seg["segment_id"], pa.scalar(int(sid), pa.int64())))
        one = view.derive(rows, None)
        try:
            arrays = one.analog_arrays_of(sheet, _NEEDED, null=blanks)
        except DataStoreError as exc:
            fail(analysis, f"sheet {sheet!r}, segment {sid}: {exc}")
        dt = arrays["v"].sampling_period
        periods = {v: a.sampling_period for v, a in arrays.items()}
        if len(set(periods.values())) > 1:
            fail(analysis, f"sheet {sheet!r}: v, gsyn_exc and gsyn_inh have sampling intervals "
                           f"{periods} ms; record them with one interval_ms")
        if sampling_interval_ms is not None and not np.isclose(dt, sampling_interval_ms):
            fail(analysis, f"sampling_interval_ms = {sampling_interval_ms} ms, but sheet "
                           f"{sheet!r} was recorded every {dt} ms; set sampling_interval_ms: "
                           f"{dt} (or leave it out)")
        common = arrays["v"].neuron
        for a in arrays.values():
            common = np.intersect1d(common, a.neuron)
        if len(neurons):
            wanted = np.asarray(neurons, np.int64)
            lacking = np.setdiff1d(wanted, common)
            if len(lacking):
                fail(analysis, f"sheet {sheet!r}: neurons {lacking[:10].tolist()} have not all "
                               f"of v, gsyn_exc, gsyn_inh recorded")
            common = wanted
        if not len(common):
            fail(analysis, f"sheet {sheet!r}: no neuron has all of v, gsyn_exc and gsyn_inh "
                           f"recorded; record the three from the same neurons")

        mv = _unit_scale(arrays["v"].units, pq.mV, "v", analysis)
        us_e = _unit_scale(arrays["gsyn_exc"].units, pq.uS, "gsyn_exc", analysis)
        us_i = _unit_scale(arrays["gsyn_inh"].units, pq.uS, "gsyn_inh", analysis)
        t0 = float(arrays["v"].t_start.min() - onsets[k])
        v = _rows(arrays.pop("v"), common)
        v *= mv
        i_exc = _current(_rows(arrays.pop("gsyn_exc"), common), us_e, v, e_exc[common])
        i_inh = _current(_rows(arrays.pop("gsyn_inh"), common), us_i, v, e_inh[common])
        del v
        stim = stimuli[k].replace(trial=int(trials[k]))
        yield SynapticCurrents(stimulus=stim, trial=int(trials[k]), neurons=common,
                               exc=i_exc, inh=i_inh, t0_ms=t0, dt_ms=float(dt))


def _currents(view: DataStoreView, sheet: str, analysis: str, interval: float | None,
              blanks: bool) -> Iterator[SynapticCurrents]:
    yield from synaptic_currents(view, sheet, analysis, sampling_interval_ms=interval)
    if blanks:
        yield from synaptic_currents(view, sheet, analysis, sampling_interval_ms=interval,
                                     blanks=True)


def _delay_samples(delay_ms: float, dt_ms: float, analysis: str) -> int:
    steps = delay_ms / dt_ms
    if not np.isclose(steps, round(steps)):
        fail(analysis, f"delay_ms = {delay_ms} ms is not a whole number of the recordings' "
                       f"sampling interval ({dt_ms} ms); record with an interval dividing it")
    return round(steps)


def rws_terms(c: SynapticCurrents, delay_ms: float, alpha: float,
              analysis: str) -> tuple[np.ndarray, float]:
    """Per-neuron RWS terms ``|I_E(t - delay)| - alpha |I_I(t)|`` (n, n_samples - delay) in nA
    and the time of their first sample relative to the onset, ms."""
    lag = _delay_samples(delay_ms, c.dt_ms, analysis)
    n = c.exc.shape[1]
    if lag >= n:
        fail(analysis, f"delay_ms = {delay_ms} ms is as long as the recording "
                       f"({n * c.dt_ms} ms) of {c.stimulus!r}")
    terms = np.abs(c.exc[:, : n - lag])
    inh = np.abs(c.inh[:, lag:])
    inh *= alpha
    terms -= inh
    return terms, c.t0_ms + lag * c.dt_ms


def _sheets(view: DataStoreView, wanted: Sequence[str], analysis: str) -> list[str]:
    have = sheets_with(view, "gsyn_exc")
    if wanted:
        for s in wanted:
            _missing_recordings(view, s, analysis)
        return list(wanted)
    if not have:
        fail(analysis, "needs v, gsyn_exc and gsyn_inh recordings of some sheet; the view has "
                       "none (add them to a recorder's variables)")
    return have


# -- analyses ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PopulationLFPParams:
    """Parameters of :class:`PopulationLFP`.

    Parameters
    ----------
    sheet_names : sequence of str
        Sheets; empty: every sheet with conductances recorded.
    delay_ms : float, ms
        Delay of the excitatory term (Mazzoni et al.: 6 ms).
    alpha : float
        Weight of the inhibitory term (Mazzoni et al.: 1.65).
    sampling_interval_ms : float, ms, optional
        The interval the recordings must have (an error if they have another).
    blanks : bool
        Also the blank periods between stimuli (their ``Null`` stimulus identity, with the
        trial), e.g. to compare stimulus-driven with spontaneous LFP.
    tags : sequence of str
        Tags added to every result.
    """

    sheet_names: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    delay_ms: float = attrs.field(default=MAZZONI_DELAY_MS, validator=[finite, positive])
    alpha: float = attrs.field(default=MAZZONI_ALPHA, validator=[finite, positive])
    sampling_interval_ms: float | None = attrs.field(default=None, validator=positive)
    blanks: bool = False
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


class PopulationLFP(Analysis[PopulationLFPParams]):
    """The RWS LFP proxy of Mazzoni et al. 2015 for a sheet's recorded neurons.

    Returns one AnalogSignal (nA, ``y_axis_name`` "LFP (RWS proxy)") per sheet and
    presentation, ``stimulus_id`` with its ``trial`` parameter set to the presentation's trial.
    Time is relative to the onset and starts ``delay_ms`` after the first sample.
    """

    name = "PopulationLFP"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        out: list[AnalysisDataStructure] = []
        for sheet in _sheets(view, p.sheet_names, self.name):
            for c in _currents(view, sheet, self.name, p.sampling_interval_ms, p.blanks):
                terms, t0 = rws_terms(c, p.delay_ms, p.alpha, self.name)
                sig = neo.AnalogSignal(terms.sum(axis=0), units=pq.nA, t_start=t0 * pq.ms,
                                       sampling_period=c.dt_ms * pq.ms, name="LFP")
                out.append(AnalogSignal(analysis_algorithm=self.name, sheet_name=sheet,
                                        stimulus_id=c.stimulus, signal=sig,
                                        y_axis_name="LFP (RWS proxy)", tags=p.tags))
        return out


def _positions(value: Any) -> tuple[tuple[float, float], ...]:
    return tuple((float(x), float(y)) for x, y in value)


@attrs.frozen(kw_only=True)
class ElectrodeLFPParams:
    """Parameters of :class:`ElectrodeLFP`.

    Parameters
    ----------
    sheet_names : sequence of str
        Sheets; empty: every sheet with conductances recorded.
    grid_shape : (int, int)
        Electrodes along x and y of the default array (10 x 10, as a Utah array).
    spacing_um : float, um
        Distance between neighbouring electrodes (400 um, as a Utah array).
    centre_um : (float, float), um
        Centre of the array on the sheet.
    positions_um : list of (float, float), um, optional
        Explicit electrode positions instead of a grid.
    length_constant_um : float, um
        Length constant of the kernel ``exp(-d / lambda)`` (default 250 um: Xing et al. 2009).
    delay_ms, alpha : float
        Of the RWS proxy (Mazzoni et al. 2015: 6 ms and 1.65).
    sampling_interval_ms : float, ms, optional
        The interval the recordings must have.
    blanks : bool
        Also the blank periods between stimuli (their ``Null`` stimulus identity).
    tags : sequence of str
        Tags added to every result.
    """

    sheet_names: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    grid_shape: tuple[int, int] = attrs.field(default=(10, 10), converter=tuple,
                                              validator=each(positive))
    spacing_um: float = attrs.field(default=400.0, validator=[finite, positive])
    centre_um: tuple[float, float] = attrs.field(default=(0.0, 0.0), converter=tuple,
                                                 validator=each(finite))
    positions_um: tuple[tuple[float, float], ...] = attrs.field(default=(),
                                                                converter=_positions)
    length_constant_um: float = attrs.field(default=250.0, validator=[finite, positive])
    delay_ms: float = attrs.field(default=MAZZONI_DELAY_MS, validator=[finite, positive])
    alpha: float = attrs.field(default=MAZZONI_ALPHA, validator=[finite, positive])
    sampling_interval_ms: float | None = attrs.field(default=None, validator=positive)
    blanks: bool = False
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)

    def electrodes(self) -> np.ndarray:
        """Electrode positions (n, 2), um."""
        if self.positions_um:
            return np.asarray(self.positions_um, np.float64)
        return electrode_grid((int(self.grid_shape[0]), int(self.grid_shape[1])),
                              self.spacing_um, self.centre_um)


class ElectrodeLFP(Analysis[ElectrodeLFPParams]):
    """The RWS proxy on an electrode array: each neuron's term weighted by ``exp(-d/lambda)``.

    Returns one :class:`ElectrodeSignals` (nA, ``y_axis_name`` "LFP (RWS proxy)") per sheet and
    presentation, with the electrode positions. An electrode outside the sheet's extent (the
    bounding box of its neurons) is an error naming it.
    """

    name = "ElectrodeLFP"

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        p = self.params
        electrodes = p.electrodes()
        out: list[AnalysisDataStructure] = []
        for sheet in _sheets(view, p.sheet_names, self.name):
            positions = np.asarray(view.neuron_positions(sheet), np.float64)
            self._check_inside(sheet, electrodes, positions)
            for c in _currents(view, sheet, self.name, p.sampling_interval_ms, p.blanks):
                terms, t0 = rws_terms(c, p.delay_ms, p.alpha, self.name)
                weights = exponential_kernel(electrodes, positions[c.neurons],
                                             p.length_constant_um)
                sig = neo.AnalogSignal((weights @ terms).T, units=pq.nA, t_start=t0 * pq.ms,
                                       sampling_period=c.dt_ms * pq.ms, name="LFP")
                out.append(ElectrodeSignals(
                    analysis_algorithm=self.name, sheet_name=sheet, stimulus_id=c.stimulus,
                    signal=sig, positions_um=electrodes, y_axis_name="LFP (RWS proxy)",
                    tags=p.tags))
        return out

    def _check_inside(self, sheet: str, electrodes: np.ndarray, positions: np.ndarray) -> None:
        lo, hi = positions.min(axis=0), positions.max(axis=0)
        outside = np.flatnonzero(np.any((electrodes < lo) | (electrodes > hi), axis=1))
        if len(outside):
            i = int(outside[0])
            where = ("positions_um" if self.params.positions_um
                     else "grid_shape / spacing_um / centre_um")
            fail(self.name, f"electrode {i} at ({electrodes[i, 0]:g}, {electrodes[i, 1]:g}) um "
                            f"({len(outside)} of {len(electrodes)} electrodes) lies outside "
                            f"sheet {sheet!r}, whose neurons span x {lo[0]:g}..{hi[0]:g} um, "
                            f"y {lo[1]:g}..{hi[1]:g} um; change {where}")
