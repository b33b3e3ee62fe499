"""Turning a stored :class:`~mozaik.stimulus.StimulusIdentity` back into a stimulus.

An identity holds the stimulus's registered name and its parameters flattened to scalars
(:func:`~mozaik.stimulus.flatten_params`): nested parameters became dotted keys, lists became
canonical JSON strings. Restoring undoes both, guided by the registered parameter class, and
structures the result with the project's strict converter, so a stored stimulus is rebuilt
exactly as a configuration file would build it.
"""

from __future__ import annotations

import contextlib
import json
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from mozaik._errors import MozaikError
from mozaik.config import structure
from mozaik.stimulus._base import Stimulus, unflatten_params
from mozaik.stimulus._kind import STIMULI

if TYPE_CHECKING:
    from mozaik.plugin import Registry
    from mozaik.stimulus._identity import StimulusIdentity

__all__ = ["stimulus_from_identity"]


def _accepts_str(tp: Any) -> bool:
    if tp is str or tp is Any:
        return True
    return any(_accepts_str(arg) for arg in typing.get_args(tp)) if typing.get_origin(
        tp) is typing.Union or type(tp).__name__ == "UnionType" else False


def _is_mapping_type(tp: Any) -> bool:
    origin = typing.get_origin(tp) or tp
    return isinstance(origin, type) and issubclass(origin, Mapping)


def _decode(data: Mapping[str, Any], cls: type) -> dict[str, Any]:
    """Undo the flattening of lists (JSON strings) where ``cls`` does not expect a string."""
    hints = typing.get_type_hints(cls)
    out = dict(data)
    for field in attrs.fields(cls):
        if field.name not in out:
            continue
        value, tp = out[field.name], hints.get(field.name, Any)
        nested = next((t for t in (tp, *typing.get_args(tp)) if attrs.has(t)), None)
        if nested is not None and isinstance(value, Mapping):
            out[field.name] = _decode(value, nested)
        elif (isinstance(value, str) and value.startswith("[") and not _accepts_str(tp)
              and not _is_mapping_type(tp)):
            # undecodable text is left as it is: the converter names the field and the value
            with contextlib.suppress(ValueError):
                out[field.name] = json.loads(value)
    return out


def stimulus_from_identity(identity: StimulusIdentity, registry: Registry, *,
                           trial: int = 0) -> Stimulus:
    """Recreate the stimulus ``identity`` describes through ``registry``.

    The parameters are unflattened (dotted keys become nested mappings, JSON list strings
    become lists where the parameter class does not expect a string) and structured with
    the registered ``config_cls`` by the project's strict converter; the registered factory
    is then called as ``factory(params)`` and the result set to ``trial`` with
    :meth:`Stimulus.with_trial`.

    Parameters
    ----------
    identity : StimulusIdentity
        A stored stimulus's identity (name and flat parameters).
    registry : Registry
        Where the stimulus name is looked up: the registry the study was loaded with
        (:attr:`mozaik.study.Study.registry`) or the store's (:attr:`DataStore.registry`).
    trial : int
        The repetition to create (the trial is not part of the identity).

    Returns
    -------
    Stimulus
        Equal to the stimulus the identity was taken from (same identity and trial).
    """
    registered = registry[STIMULI][identity.name]
    tree = _decode(unflatten_params(identity.params), registered.config_cls)
    params: object = structure(tree, registered.config_cls,
                               path=f"stimulus {identity.name!r} params")
    stimulus = registered.factory(params)
    if not isinstance(stimulus, Stimulus) or stimulus.name != identity.name:
        msg = (f"the factory of stimulus {identity.name!r} ({registered.distribution}) returned "
               f"{stimulus!r}, not a Stimulus named {identity.name!r}; fix the plugin")
        raise MozaikError(msg)
    return stimulus.with_trial(trial) if trial != stimulus.trial else stimulus
