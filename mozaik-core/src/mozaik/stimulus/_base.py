"""The Stimulus base class and core's two stimuli without sensory content.

A stimulus is the unit of presentation: the controller presents stimuli one at a time, and every
recording is stored under the stimulus's :class:`~mozaik.stimulus.StimulusIdentity` (its
registered name plus its parameters) and a trial number. A stimulus is built by its registered
factory from a frozen attrs parameter class, ``factory(params) -> Stimulus``, exactly like every
other component, so a stored identity can always be turned back into the stimulus.

Core registers two stimuli:

``Null``
    The blank shown between stimuli (``controller.null_stimulus_period``). Its recordings are
    stored as null segments.
``InternalStimulus``
    "No sensory input": the network runs on its own for ``duration_ms``. Experiments that act on
    the network directly (a Poisson kick, a current injection, nothing at all) present it, and
    describe their direct stimulation in its ``direct_stimulation`` parameters so that two
    different protocols never share one identity.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Protocol

import attrs
from typing_extensions import TypeVar

from mozaik._errors import MozaikError
from mozaik.config import distribution_of, old_fields, positive
from mozaik.stimulus._identity import ParamValue, StimulusIdentity

__all__ = [
    "InternalStimulus",
    "InternalStimulusParams",
    "NullStimulus",
    "NullStimulusParams",
    "Stimulus",
    "StimulusParams",
    "flatten_params",
    "unflatten_params",
]


class StimulusParams(Protocol):
    """What every stimulus's parameters class has: a presentation length (the bound of
    :class:`Stimulus`'s type argument; a frozen attrs class with a ``duration_ms: float`` field
    matches it)."""

    @property
    def duration_ms(self) -> float: ...


_P = TypeVar("_P", bound=StimulusParams, covariant=True, default=StimulusParams)


def _scalar_mapping(_inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Mapping):
        msg = f"{attribute.name} must be a mapping of names to scalars, got {value!r}"
        raise ValueError(msg)
    for key, item in value.items():
        if not isinstance(key, str) or not (
            item is None or isinstance(item, bool | int | float | str)
        ):
            msg = f"{attribute.name}.{key} must be a scalar (bool, int, float or str), got {item!r}"
            raise ValueError(msg)


def flatten_params(params: Any, prefix: str = "") -> dict[str, ParamValue]:
    """Flatten a parameter object into the scalar mapping a :class:`StimulusIdentity` holds.

    attrs instances and mappings become dotted keys (``direct_stimulation.rate``); lists and
    tuples of scalars become a canonical JSON string (``"[0, 1, 2]"``) so that the identity stays
    a flat set of typed index columns.

    Parameters
    ----------
    params : attrs instance or mapping
        The stimulus parameters.
    prefix : str
        Dotted prefix of the keys (used in recursion).
    """
    if attrs.has(type(params)):
        items: Mapping[str, Any] = {
            f.name: getattr(params, f.name) for f in attrs.fields(type(params))
        }
    elif isinstance(params, Mapping):
        items = params
    else:
        msg = f"stimulus parameters must be an attrs instance or a mapping, got {params!r}"
        raise MozaikError(msg)
    out: dict[str, ParamValue] = {}
    for key, value in items.items():
        name = f"{prefix}{key}"
        if attrs.has(type(value)) or isinstance(value, Mapping):
            out.update(flatten_params(value, prefix=f"{name}."))
        elif isinstance(value, list | tuple):
            out[name] = json.dumps(list(value), separators=(", ", ": "))
        else:
            out[name] = value
    return out


def unflatten_params(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`flatten_params` for mappings: dotted keys become nested dicts.

    JSON list strings stay strings; the stimulus's parameter class decides what they mean.
    """
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


class Stimulus(Generic[_P]):
    """Base class of every stimulus.

    Subclasses set :attr:`name` to the name they are registered under and declare their
    parameters as a frozen attrs class holding at least ``duration_ms``, named as the type
    argument (``class Grating(Stimulus[GratingParams])``). Stimuli are values: equal parameters
    mean the same stimulus.

    Parameters
    ----------
    params : attrs instance
        The structured parameters (the registered ``config_cls``); must have ``duration_ms``.
    trial : int
        Which repetition this is (0-based). The trial is not part of the identity: the datastore
        keeps it in its own column.

    Attributes
    ----------
    name : str
        Registered name of the stimulus class (class attribute).
    """

    name: ClassVar[str] = ""
    params: _P

    #: Fields every stimulus's parameters class must have, renamed since an older API (old ->
    #: new): a plugin registering a stimulus whose parameters still have ``duration`` is
    #: refused at registration, naming the new name (see :func:`mozaik.config.old_fields`).
    params_renamed_fields: ClassVar[Mapping[str, str]] = {"duration": "duration_ms"}

    __slots__ = ("params", "trial")

    def __init__(self, params: _P, *, trial: int = 0) -> None:
        if not type(self).name:
            msg = (
                f"{type(self).__name__} has no registered name; set the class attribute "
                "`name` to the name its plugin registers it under"
            )
            raise MozaikError(msg)
        if not attrs.has(type(params)) or not hasattr(params, "duration_ms"):
            renamed = "".join(
                f"; its field {old!r} was renamed {new!r}: rename it in {type(params).__name__} "
                f"({distribution_of(type(params))})"
                for old, new in old_fields(type(params), type(self).params_renamed_fields))
            msg = (
                f"stimulus {type(self).name!r}: parameters must be a frozen attrs instance "
                f"with a 'duration_ms' field, got {params!r}{renamed}"
            )
            raise MozaikError(msg)
        if isinstance(trial, bool) or not isinstance(trial, int) or trial < 0:
            msg = f"stimulus {type(self).name!r}: trial must be an int >= 0, got {trial!r}"
            raise MozaikError(msg)
        self.params = params
        self.trial = trial

    @property
    def duration_ms(self) -> float:
        """How long the stimulus is presented, in ms."""
        return float(self.params.duration_ms)

    def identity(self) -> StimulusIdentity:
        """The stimulus's identity: registered name plus flattened parameters (no trial)."""
        return StimulusIdentity(name=type(self).name, params=flatten_params(self.params))

    def with_trial(self, trial: int) -> Stimulus:
        """The same stimulus as repetition ``trial``."""
        return type(self)(self.params, trial=trial)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stimulus):
            return NotImplemented
        return self.identity() == other.identity() and self.trial == other.trial

    def __hash__(self) -> int:
        return hash((self.identity(), self.trial))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r}, trial={self.trial})"


# ------------------------------------------------------------------------------------------------
# Core's stimuli
# ------------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class NullStimulusParams:
    """Parameters of the blank between stimuli.

    Parameters
    ----------
    duration_ms : float, ms
        Length of the blank.
    before : str
        Identity string of the stimulus the blank precedes (``""`` when it precedes nothing).
        It makes every blank of a run distinct, so each has its own place in the store.
    """

    duration_ms: float = attrs.field(validator=positive)
    before: str = ""


class NullStimulus(Stimulus[NullStimulusParams]):
    """The blank shown between stimuli; recorded as a null segment."""

    name: ClassVar[str] = "Null"
    __slots__ = ()


@attrs.frozen(kw_only=True)
class InternalStimulusParams:
    """Parameters of a presentation without sensory input.

    Parameters
    ----------
    duration_ms : float, ms
        How long the network runs.
    protocol : str
        The experiment that presents it (e.g. ``NoStimulation``, ``PoissonNetworkKick``).
    direct_stimulation : mapping of str to scalar
        What the experiment does to the network during the presentation (e.g. ``{"rate_hz": 100.0,
        "weight_uS": 0.005}``), flattened into the identity as ``direct_stimulation.<key>``.
    """

    duration_ms: float = attrs.field(validator=positive)
    protocol: str = ""
    direct_stimulation: Mapping[str, Any] = attrs.field(factory=dict, validator=_scalar_mapping)


class InternalStimulus(Stimulus[InternalStimulusParams]):
    """The network runs on its own (spontaneous activity, direct stimulation only)."""

    name: ClassVar[str] = "InternalStimulus"
    __slots__ = ()
