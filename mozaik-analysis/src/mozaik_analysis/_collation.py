"""Collation of PerNeuronValues along a stimulus parameter into tuning curves."""

from __future__ import annotations

import attrs
import numpy as np
import quantities as pq
from mozaik.ads import PerNeuronValue, parse_units, units_string
from mozaik.datastore import DataStoreView
from mozaik.stimulus import StimulusIdentity

from mozaik_analysis._common import fail, to_tuple
from mozaik_analysis._population import per_neuron_values

__all__ = ["TuningCurves", "TuningParams", "parameter_units", "tuning_curves"]



@attrs.frozen(kw_only=True)
class TuningParams:
    """Parameters every tuning analysis shares.

    Parameters
    ----------
    parameter : str
        The stimulus parameter the responses are collated along (with or without ``st_``).
    parameter_units : str
        Quantities units of that parameter's values, given to the results expressed in them.
    value_name : str
        ``value_name`` of the PerNeuronValues used as responses.
    tags : sequence of str
        Tags added to every result.
    """

    parameter: str = "orientation"
    parameter_units: str = "rad"
    value_name: str = "Firing rate"
    tags: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


@attrs.frozen(kw_only=True, eq=False)
class TuningCurves:
    """The responses of a population along one stimulus parameter (one curve per neuron).

    Attributes
    ----------
    sheet : str
        Sheet of the neurons.
    stimulus : StimulusIdentity
        The shared stimulus, without the collated parameter.
    parameter : str
        The collated stimulus parameter.
    parameter_values : float array of shape (m,)
        Its values, ascending.
    ids : int array of shape (n,)
        Sheet indices of the neurons present at every parameter value.
    responses : float array of shape (m, n), in ``value_units``
        ``responses[i, j]``: response of neuron ``ids[j]`` at ``parameter_values[i]``.
    value_name : str
        What the responses are.
    value_units : quantities units
        Their units.
    source : str
        ``analysis_algorithm`` of the collated PerNeuronValues.
    """

    sheet: str
    stimulus: StimulusIdentity
    parameter: str
    parameter_values: np.ndarray
    ids: np.ndarray
    responses: np.ndarray
    value_name: str
    value_units: pq.Quantity
    source: str


def parameter_units(analysis: str, text: str) -> pq.Quantity:
    """Parse the ``parameter_units`` string of a tuning analysis, naming it in the error."""
    try:
        units = parse_units(text)
        parse_units(units_string(units))  # what the store keeps must read back
    except ValueError as exc:
        fail(analysis, f"parameter_units {text!r} cannot be stored and read back ({exc}); use "
                       f"a quantities unit name such as 'rad', 'deg' or 'dimensionless'")
    return units


def tuning_curves(view: DataStoreView, params: TuningParams, analysis: str) -> list[TuningCurves]:
    """Collate the view's PerNeuronValues named ``params.value_name`` along ``params.parameter``.

    Results are grouped by sheet, source analysis and every other stimulus parameter; a group
    needs at least two parameter values. Every result must come from one stimulus type.

    Raises
    ------
    AnalysisError
        If no result's stimulus has the parameter, the stimuli are of several types, a sheet
        has both per-trial results and trial averages, two results of a group share a
        parameter value, or the units differ.
    """
    name = params.parameter.removeprefix("st_")
    found = [r for r in per_neuron_values(view, analysis, params.value_name)
             if r.stimulus_id is not None and name in r.stimulus_id.params]
    if not found:
        fail(analysis, f"needs PerNeuronValues named {params.value_name!r} of stimuli with a "
                       f"{name!r} parameter")
    kinds = sorted({r.stimulus_id.name for r in found if r.stimulus_id is not None})
    if len(kinds) > 1:
        fail(analysis, f"the view mixes stimulus types {kinds}; tuning along {name!r} needs "
                       f"one: narrow it with param_filter_query(view, st_name=...)")
    _one_kind_of_trial(analysis, params.value_name, found)
    groups: dict[tuple[str, str, str], list[PerNeuronValue]] = {}
    for r in found:
        assert r.stimulus_id is not None
        key = (str(r.sheet_name), r.analysis_algorithm, r.stimulus_id.without(name).to_string())
        groups.setdefault(key, []).append(r)
    return [_collate(analysis, name, members) for _, members in sorted(groups.items())
            if len(members) >= 2]


def _one_kind_of_trial(analysis: str, value_name: str, found: list[PerNeuronValue]) -> None:
    """Fail when a sheet has both per-trial results (a stimulus with a ``trial``, e.g. of
    FiringRate) and trial averages (e.g. of TrialAveragedFiringRate): each would be collated
    into its own curves, and the results of both would share their value names."""
    kinds: dict[str, tuple[set[str], set[str]]] = {}
    for r in found:
        assert r.stimulus_id is not None
        per_trial, averaged = kinds.setdefault(str(r.sheet_name), (set(), set()))
        (per_trial if "trial" in r.stimulus_id.params else averaged).add(r.analysis_algorithm)
    for sheet, (per_trial, averaged) in sorted(kinds.items()):
        if per_trial and averaged:
            fail(analysis, f"sheet {sheet!r} has both per-trial {value_name!r} results (of "
                           f"{sorted(per_trial)}, stimuli with a trial) and trial averages (of "
                           f"{sorted(averaged)}); each would get its own curves and results. "
                           f"Select one with a query, e.g. 'query: {{analysis_algorithm: "
                           f"{sorted(averaged)[0]}}}' on the study's analyses entry "
                           f"(param_filter_query(view, analysis_algorithm=...) in Python)")


def _collate(analysis: str, name: str, members: list[PerNeuronValue]) -> TuningCurves:
    values = []
    for r in members:
        assert r.stimulus_id is not None
        v = r.stimulus_id.params[name]
        if isinstance(v, bool) or not isinstance(v, int | float):
            fail(analysis, f"stimulus parameter {name!r} = {v!r} of {r.stimulus_id!r} is not a "
                           f"number")
        values.append(float(v))
    order = np.argsort(values, kind="stable")
    xs = np.asarray(values)[order]
    if len(np.unique(xs)) != len(xs):
        fail(analysis, f"several {members[0].value_name!r} results of sheet "
                       f"{members[0].sheet_name!r} share a value of {name!r}; narrow the view "
                       f"(e.g. by tags or analysis_algorithm)")
    ids = members[0].ids
    for r in members[1:]:
        ids = np.intersect1d(ids, r.ids)
    ids = np.asarray(ids, np.int64)
    responses = np.vstack([members[i].get_value_by_id(ids) for i in order]).astype(np.float64)
    first = members[0]
    assert first.stimulus_id is not None
    return TuningCurves(
        sheet=str(first.sheet_name), stimulus=first.stimulus_id.without(name), parameter=name,
        parameter_values=xs, ids=ids, responses=responses, value_name=first.value_name,
        value_units=first.value_units, source=first.analysis_algorithm)
