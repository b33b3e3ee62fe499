"""Parameter classes of the built-in sheets (what a study file's ``params`` hold).

They are frozen attrs classes structured by :func:`mozaik.config.structure`; checks that need no
simulator (cell type and parameter names, recordable variables) run here, so a bad
file fails when it is loaded, with the dotted path of the bad value.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

import attrs

from mozaik.config import Distribution, ParameterError, each, non_negative, positive

__all__ = [
    "RECORDABLE",
    "REVERSAL_POTENTIALS",
    "CellParams",
    "NeuronSelection",
    "NoiseParams",
    "PlacementParams",
    "RecorderParams",
    "SheetBaseParams",
    "SheetParams",
    "standard_cell_types",
]

#: Annotations a sheet of conductance-based cells carries: each neuron's excitatory and
#: inhibitory reversal potential (mV), the E of I = g (V - E) for analyses of synaptic currents.
REVERSAL_POTENTIALS: tuple[str, ...] = ("e_rev_E", "e_rev_I")

#: Variables a recorder may ask for (each cell type records a subset of them).
RECORDABLE: tuple[str, ...] = ("spikes", "v", "gsyn_exc", "gsyn_inh")



def standard_cell_types() -> dict[str, Any]:
    """PyNN's standard cell types by name (backend-independent classes; no simulator import)."""
    from pyNN.standardmodels import StandardCellType, cells

    return {
        name: obj for name, obj in vars(cells).items()
        if isinstance(obj, type) and issubclass(obj, StandardCellType)
        and obj is not StandardCellType and not name.startswith("_")
        and getattr(obj, "default_parameters", None) is not None
    }


def _hint(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


# ------------------------------------------------------------------------------------------------
# Sheets
# ------------------------------------------------------------------------------------------------


def _implausible(name: str, value: float | Distribution) -> str | None:
    """Why a cell parameter value cannot be physical, or None. Every value must be finite (NEST
    runs a nan threshold or capacitance without a word, and the neuron never fires), time
    constants and capacitance > 0 and refractory periods >= 0: NEST silently integrates
    nonsense otherwise."""
    if isinstance(value, Distribution):
        bad = [f"{k}={v!r}" for k, v in value.params.items() if not math.isfinite(v)]
        return (f"must be drawn from finite distribution parameters (inf and nan are not "
                f"allowed), got {', '.join(bad)}") if bad else None
    if not math.isfinite(value):
        return f"must be a finite number (inf and nan are not allowed), got {value!r}"
    if name == "tau_refrac":
        return None if value >= 0 else f"must be >= 0 ms, got {value!r}"
    if (name.startswith("tau_") or name == "cm") and value <= 0:
        unit = "nF" if name == "cm" else "ms"
        return f"must be > 0 {unit}, got {value!r}"
    return None


@attrs.frozen(kw_only=True)
class CellParams:
    """The neuron model of a sheet.

    Parameters
    ----------
    model : str
        A PyNN standard cell type: ``IF_cond_exp``, ``IF_curr_exp``, ``EIF_cond_exp_isfa_ista``,
        ``SpikeSourcePoisson``, ...
    params : mapping of str to (float or Distribution)
        Cell parameters in PyNN units (ms, mV, nF, nA, uS, Hz); a distribution draws one value
        per neuron. Unset parameters keep PyNN's defaults.
    initial_values : mapping of str to (float or Distribution)
        Initial state (``v`` in mV, ``gsyn_exc``/``gsyn_inh`` in uS).
    """

    model: str = "IF_cond_exp"
    params: Mapping[str, float | Distribution] = attrs.field(factory=dict)
    initial_values: Mapping[str, float | Distribution] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        types = standard_cell_types()
        if self.model not in types:
            msg = (f"unknown cell model {self.model!r}; PyNN standard cell types are: "
                   f"{', '.join(sorted(types))}.{_hint(self.model, list(types))}")
            raise ValueError(msg)
        cls = types[self.model]
        valid = list(cls.default_parameters)
        for name in self.params:
            if name not in valid:
                msg = (f"{self.model} has no parameter {name!r}; its parameters are: "
                       f"{', '.join(valid)}.{_hint(name, valid)}")
                raise ParameterError(f"params.{name}", msg)  # the line of the misspelled key
        for name, value in self.params.items():
            problem = _implausible(name, value)
            if problem:
                msg = f"{self.model} parameter {name!r} {problem}"
                raise ParameterError(f"params.{name}", msg)
        state = list(cls.default_initial_values)
        for name in self.initial_values:
            if name not in state:
                msg = (f"{self.model} has no state variable {name!r} to initialise; it has: "
                       f"{', '.join(state) or 'none'}.{_hint(name, state)}")
                raise ParameterError(f"initial_values.{name}", msg)
        for name, value in self.initial_values.items():
            problem = _implausible("", value)
            if problem:
                msg = f"{self.model} initial value {name!r} {problem}"
                raise ParameterError(f"initial_values.{name}", msg)

    @property
    def cell_class(self) -> Any:
        """The backend-independent PyNN standard cell class."""
        return standard_cell_types()[self.model]

    @property
    def recordable(self) -> tuple[str, ...]:
        return tuple(v for v in self.cell_class.recordable if v in RECORDABLE)


@attrs.frozen(kw_only=True)
class PlacementParams:
    """Where a sheet's neurons sit, in um of cortical space.

    Parameters
    ----------
    kind : str
        ``uniform`` (independent uniform random positions) or ``grid`` (a regular grid filled row
        by row; with ``n_neurons`` the last row may be partial).
    size_um : (float, float), um
        Width and height of the sheet's rectangle.
    centre_um : (float, float), um
        Centre of the rectangle.
    density_per_mm2 : float, 1/mm^2, optional
        Neurons per square millimetre; the count is ``round(density * area)``.
    n_neurons : int, optional
        The number of neurons, instead of a density. Give exactly one of the two.
    """

    kind: str = "uniform"
    size_um: tuple[float, float] = attrs.field(default=(1000.0, 1000.0),
                                               validator=each(non_negative))
    centre_um: tuple[float, float] = (0.0, 0.0)
    density_per_mm2: float | None = attrs.field(default=None, validator=positive)
    n_neurons: int | None = attrs.field(default=None, validator=positive)

    def __attrs_post_init__(self) -> None:
        if self.kind not in ("uniform", "grid"):
            msg = f"placement kind must be 'uniform' or 'grid', got {self.kind!r}"
            raise ValueError(msg)
        if (self.density_per_mm2 is None) == (self.n_neurons is None):
            msg = ("give exactly one of density_per_mm2 (neurons per mm^2) and n_neurons, got "
                   f"density_per_mm2={self.density_per_mm2!r}, n_neurons={self.n_neurons!r}")
            raise ValueError(msg)

    @property
    def size(self) -> int:
        """Number of neurons."""
        if self.n_neurons is not None:
            return self.n_neurons
        area_mm2 = self.size_um[0] * self.size_um[1] / 1e6
        return max(1, round(float(self.density_per_mm2 or 0.0) * area_mm2))


def _selected(selection: NeuronSelection, n: int, size_um: tuple[float, float]) -> float:
    """How many of ``n`` neurons ``selection`` picks, before the sheet is built (an upper
    bound for an annotation)."""
    amount = selection.amount or 0.0
    if selection.kind == "random_n":
        return min(float(n), amount)
    if selection.kind == "random_percent":
        return n * amount / 100.0
    if selection.kind == "grid_step_um":
        squares = math.ceil(size_um[0] / amount) * math.ceil(size_um[1] / amount)
        return float(min(n, max(1, squares)))
    if selection.kind == "indices":
        return float(len(set(selection.indices)))
    return float(n)


def _selection(value: Any) -> NeuronSelection:
    if isinstance(value, NeuronSelection):
        return value
    if value == "all" or value is None:
        return NeuronSelection(kind="all")
    usage = ("neurons must be 'all' or one of {random_n: 10}, {random_percent: 5.0}, "
             "{grid_step_um: 100.0}, {indices: [0, 1, 2]}, {annotation: name, value: v}")
    if not isinstance(value, Mapping):
        msg = f"{usage}; got {value!r}"
        raise ValueError(msg)
    keys = set(value)
    if keys == {"annotation", "value"}:
        if not isinstance(value["annotation"], str):
            msg = f"annotation must name an annotation, got {value['annotation']!r}"
            raise ValueError(msg)
        return NeuronSelection(kind="annotation", annotation=value["annotation"],
                               value=value["value"])
    if len(keys) != 1 or not keys <= {"random_n", "random_percent", "grid_step_um", "indices"}:
        msg = f"{usage}; got {dict(value)!r}"
        raise ValueError(msg)
    (kind, amount), = value.items()
    if kind == "indices":
        if not isinstance(amount, list | tuple) or not all(
                isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in amount):
            msg = f"indices must be a list of neuron indices (whole numbers >= 0), got {amount!r}"
            raise ValueError(msg)
        return NeuronSelection(kind="indices", indices=tuple(amount))
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not (
            math.isfinite(amount) and amount > 0):
        msg = f"{kind} must be a positive finite number, got {amount!r}"
        raise ValueError(msg)
    if kind == "random_n" and not float(amount).is_integer():
        msg = f"random_n must be a whole number, got {amount!r}"
        raise ValueError(msg)
    if kind == "random_percent" and amount > 100:
        msg = f"random_percent must be in (0, 100], got {amount!r}"
        raise ValueError(msg)
    return NeuronSelection(kind=kind, amount=float(amount))


@attrs.frozen(kw_only=True)
class NeuronSelection:
    """Which neurons of a sheet a recorder records (see :class:`RecorderParams`)."""

    kind: str
    amount: float | None = None
    indices: tuple[int, ...] = ()
    annotation: str | None = None
    value: Any = None


def _variables(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        msg = f"variables must be a list, e.g. [{value}], got the string {value!r}"
        raise ValueError(msg)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        msg = f"variables must be a list of names such as [spikes, v], got {value!r}"
        raise ValueError(msg)
    return tuple(value)


@attrs.frozen(kw_only=True)
class RecorderParams:
    """What to record from which neurons.

    Parameters
    ----------
    variables : list of str
        Any of ``spikes``, ``v`` (mV), ``gsyn_exc``, ``gsyn_inh`` (uS) that the cell type records.
    neurons : str or mapping
        ``all``; ``{random_n: N}``; ``{random_percent: P}``; ``{grid_step_um: S}`` (the neuron
        nearest to the centre of each S x S um square); ``{indices: [...]}``;
        ``{annotation: name, value: v}`` (neurons whose annotation equals v).
    interval_ms : float, ms, optional
        Sampling interval of analog signals; defaults to the time step. PyNN allows one interval
        per sheet.
    """

    variables: Any = attrs.field(converter=_variables)  # tuple of str once converted
    neurons: Any = attrs.field(default="all", converter=_selection)
    interval_ms: float | None = attrs.field(default=None, validator=positive)

    def __attrs_post_init__(self) -> None:
        if not self.variables:
            msg = f"a recorder needs at least one variable out of {', '.join(RECORDABLE)}"
            raise ValueError(msg)
        for variable in self.variables:
            if variable not in RECORDABLE:
                msg = (f"cannot record {variable!r}; recordable variables are: "
                       f"{', '.join(RECORDABLE)}.{_hint(variable, list(RECORDABLE))}")
                raise ValueError(msg)


@attrs.frozen(kw_only=True)
class NoiseParams:
    """Background noise: independent Poisson spike trains bombarding every neuron of a sheet.

    Parameters
    ----------
    rate_exc_hz, rate_inh_hz : float, Hz
        Rate of the excitatory / inhibitory Poisson input to each neuron (0 turns one off).
    weight_exc_uS, weight_inh_uS : float, uS (nA for current-based cells)
        Weight of each input spike (positive; inhibition gets its sign from the receptor).
    delay_ms : float, ms, optional
        Delay of the noise synapses; defaults to the simulator's min_delay.
    """

    rate_exc_hz: float = attrs.field(default=0.0, validator=non_negative)
    rate_inh_hz: float = attrs.field(default=0.0, validator=non_negative)
    weight_exc_uS: float = attrs.field(default=0.0, validator=non_negative)
    weight_inh_uS: float = attrs.field(default=0.0, validator=non_negative)
    delay_ms: float | None = attrs.field(default=None, validator=positive)


@attrs.frozen(kw_only=True)
class SheetBaseParams:
    """What every sheet takes, whoever supplies its cells and positions: the parameters
    :class:`~mozaik.model.Sheet` itself reads. A sheet that gets its cell model and positions
    elsewhere (a SONATA circuit, a sensory model) derives its parameters class from this one
    and overrides :meth:`Sheet.place` and :meth:`Sheet.make_cell_type`; :class:`SheetParams`
    adds a cell model and a placement declared in the study.

    Parameters
    ----------
    recorders : list of RecorderParams
        What to record from which neurons.
    background_noise : NoiseParams, optional
        Poisson bombardment of every neuron.
    annotations : mapping of str to (float or Distribution)
        Per-neuron annotations set at creation (a distribution draws one value per neuron).
    """

    recorders: tuple[RecorderParams, ...] = ()
    background_noise: NoiseParams | None = None
    annotations: Mapping[str, float | Distribution] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class SheetParams(SheetBaseParams):
    """Parameters of the built-in ``Sheet``: :class:`SheetBaseParams` (recorders, background
    noise, annotations) plus the cell model and the placement.

    Parameters
    ----------
    cell : CellParams
        Neuron model, parameters (possibly distributions) and initial values.
    placement : PlacementParams
        Size, density or count, and uniform or grid placement.
    """

    cell: CellParams = attrs.field(factory=CellParams)
    placement: PlacementParams = attrs.field(factory=lambda: PlacementParams(n_neurons=1))

    def __attrs_post_init__(self) -> None:
        recordable = self.cell.recordable
        intervals = set()
        for i, recorder in enumerate(self.recorders):
            for variable in recorder.variables:
                if variable not in recordable:
                    msg = (f"recorders.{i}: a {self.cell.model} cell cannot record {variable!r}; "
                           f"it records: {', '.join(recordable)}")
                    raise ValueError(msg)
            if recorder.interval_ms is not None and set(recorder.variables) - {"spikes"}:
                intervals.add(recorder.interval_ms)
        if len(intervals) > 1:
            msg = (f"recorders ask for sampling intervals {sorted(intervals)} ms; PyNN records "
                   "all analog signals of one sheet with one interval: use the same interval_ms")
            raise ValueError(msg)

    def analog_samples_per_s(self, time_step_ms: float) -> float:
        """Analog samples (values of Vm or a conductance) the recorders store per second of
        model time: recorded neurons x analog variables x samples per second, summed over the
        recorders (an upper bound where they overlap; an annotation-selected set counts as the
        whole sheet).

        Parameters
        ----------
        time_step_ms : float, ms
            The simulation time step: the interval of a recorder that gives none.
        """
        n = self.placement.size
        total = 0.0
        for recorder in self.recorders:
            analog = len(set(recorder.variables) - {"spikes"})
            if analog:
                interval = recorder.interval_ms or time_step_ms
                total += (_selected(recorder.neurons, n, self.placement.size_um) * analog
                          * 1000.0 / interval)
        return total
