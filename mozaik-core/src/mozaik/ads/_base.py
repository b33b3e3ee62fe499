"""The AnalysisDataStructure (ADS) base class and the machinery its subclasses share.

An ADS is split in two: *parameters* (scalar metadata such as ``sheet_name``, ``value_name``,
``value_units``) that go into the datastore's ADS index as typed columns so queries can filter on
them, and *data* (arrays and signals) that go into a payload file loaded only on access. Subclasses
declare each attrs field with :func:`parameter`, :func:`units_parameter` or :func:`data`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs
import neo
import numpy as np
import pyarrow as pa
import quantities as pq

from mozaik._errors import AnalysisDataStructureError, UnknownComponentError
from mozaik.plugin import get_registry
from mozaik.stimulus import StimulusIdentity

__all__ = [
    "AnalysisDataStructure",
    "ads_class",
    "ads_classes",
    "ads_provider",
    "data",
    "parameter",
    "parse_units",
    "units_parameter",
    "units_string",
]

_KIND = "mozaik_kind"
_DATA_KINDS = ("scalar", "array", "signal", "signals")
# Classes defined in this process, by identifier, then by dotted path: the fallback for classes
# no plugin registers (e.g. a notebook's own); plugins' classes come from the registry.
_DEFINED: dict[str, dict[str, type[AnalysisDataStructure]]] = {}


def parameter(
    *, default: Any = attrs.NOTHING, converter: Callable[[Any], Any] | None = None
) -> Any:
    """Declare an ADS parameter: a scalar (bool, int, float, str or None) indexed for queries."""
    return attrs.field(default=default, converter=converter, metadata={_KIND: "param"})


def units_parameter(*, default: Any = None) -> Any:
    """Declare an ADS parameter holding units (required; stored as a quantities string).

    Accepts a quantities unit or quantity (``pq.Hz``, ``pq.mV``, ``pq.dimensionless``) or a string
    quantities can parse (``"Hz"``). ``None`` is rejected when the ADS is built.
    """
    return attrs.field(default=default, metadata={_KIND: "units"})


def data(kind: str, *, default: Any = attrs.NOTHING) -> Any:
    """Declare an ADS data field, stored in the payload and loaded on access.

    Parameters
    ----------
    kind : {"scalar", "array", "signal", "signals"}
        A float, a numpy array of any shape, one ``neo.AnalogSignal``, or a list of them.
    """
    if kind not in _DATA_KINDS:
        msg = f"unknown ADS data kind {kind!r}; use one of {', '.join(_DATA_KINDS)}"
        raise ValueError(msg)
    return attrs.field(default=default, metadata={_KIND: kind})


_TOKEN = re.compile(r"\s*(?:(\*\*)|([A-Za-z_][A-Za-z_0-9]*)|(-?\d+(?:\.\d+)?)|([*/()]))")


def parse_units(text: str) -> pq.Quantity:
    """Parse a quantities units string (``"mV"``, ``"1/s"``, ``"kg*m**2/(s**3*A)"``).

    A small parser over unit names, ``*``, ``/``, ``**`` with numeric powers and parentheses;
    unlike quantities' own string lookup it evaluates no Python code.

    Raises
    ------
    ValueError
        If ``text`` is not such a string or names an unknown unit.
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            msg = f"unexpected character at {pos} in units {text!r}"
            raise ValueError(msg)
        pos = m.end()
        kind = ("pow", "name", "num", "op")[m.lastindex - 1]  # type: ignore[operator]
        tokens.append((kind, m.group(m.lastindex)))  # type: ignore[arg-type]
    tokens.append(("end", ""))
    i = 0

    def peek() -> tuple[str, str]:
        return tokens[i]

    def take() -> tuple[str, str]:
        nonlocal i
        i += 1
        return tokens[i - 1]

    def factor() -> pq.Quantity:
        kind, tok = take()
        if kind == "name":
            unit = getattr(pq, tok, None)
            if not isinstance(unit, pq.Quantity):
                msg = f"unknown unit {tok!r} in {text!r}"
                raise ValueError(msg)
            base = pq.Quantity(1.0, unit)
        elif kind == "num" and float(tok) == 1.0:
            base = pq.Quantity(1.0, pq.dimensionless)
        elif (kind, tok) == ("op", "("):
            base = expr()
            if take() != ("op", ")"):
                msg = f"unbalanced parentheses in units {text!r}"
                raise ValueError(msg)
        else:
            msg = f"unexpected {tok or 'end'!r} in units {text!r}"
            raise ValueError(msg)
        if peek()[0] == "pow":
            take()
            kind, tok = take()
            if kind != "num":
                msg = f"expected a number after ** in units {text!r}"
                raise ValueError(msg)
            power = float(tok)
            base = base ** (int(power) if power.is_integer() else power)
        return base

    def expr() -> pq.Quantity:
        out = factor()
        while peek() in (("op", "*"), ("op", "/")):
            _, op = take()
            rhs = factor()
            out = out * rhs if op == "*" else out / rhs
        return out

    result = expr()
    if peek()[0] != "end":
        msg = f"unexpected {peek()[1]!r} in units {text!r}"
        raise ValueError(msg)
    return pq.Quantity(1.0, result.units)


def _to_units(owner: str, name: str, value: Any) -> pq.Quantity:
    if value is None:
        msg = (
            f"{owner}: units field {name!r} is missing; pass quantities units such as pq.Hz or "
            f"pq.mV (pq.dimensionless for unitless values)"
        )
        raise AnalysisDataStructureError(msg)
    try:
        if isinstance(value, str):
            return parse_units(value)
        if isinstance(value, pq.Quantity):
            return pq.Quantity(1.0, value.units)
    except (LookupError, ValueError, TypeError) as exc:
        msg = f"{owner}: units field {name!r} = {value!r} cannot be parsed by quantities ({exc})"
        raise AnalysisDataStructureError(msg) from exc
    msg = (
        f"{owner}: units field {name!r} = {value!r} is a {type(value).__name__}; expected "
        f"quantities "
        f"units such as pq.Hz or a string such as 'Hz'"
    )
    raise AnalysisDataStructureError(msg)


def units_string(units: pq.Quantity) -> str:
    """Return the canonical quantities string of units (``"mV"``, ``"1/s"``, ...)."""
    return str(units.dimensionality.string)


def _to_stimulus_id(value: Any) -> StimulusIdentity | None:
    if value is None or isinstance(value, StimulusIdentity):
        return value
    if isinstance(value, str):
        return StimulusIdentity.from_string(value)
    msg = f"stimulus_id must be a StimulusIdentity, its string or None, got {type(value).__name__}"
    raise AnalysisDataStructureError(msg)


def _to_tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(t) for t in value)


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class AnalysisDataStructure:
    """Base of every analysis result stored in the datastore.

    Parameters
    ----------
    analysis_algorithm : str
        Name of the analysis that produced the result.
    sheet_name : str or None
        Sheet the result belongs to, None when it spans sheets.
    neuron : int or None
        Index (within the sheet) of the neuron the result belongs to, None for population results.
    stimulus_id : StimulusIdentity, str or None
        Stimulus the result belongs to, None when it spans stimuli.
    tags : sequence of str
        Free labels for :func:`mozaik.datastore.tag_based_query`.

    Notes
    -----
    ``identifier`` is the class name. Two ADSs are *equal* (the datastore refuses the second unless
    ``replace=True``) when they have the same identifier, parameters and tags; the data are not
    compared. The datastore stores the identifier; reading a result looks the class up in the
    plugin registry (``mozaik_analysis_data_structures``), so a plugin's classes must be
    registered there for its results to open in a fresh process. A class no plugin registers
    is found only in the process that defined it.

    A new ADS declares every field with :func:`parameter`, :func:`units_parameter` or
    :func:`data`, and uses the same decorator as the built-in ones::

        @attrs.define(kw_only=True, eq=False, slots=False, repr=False)
        class Histogram(AnalysisDataStructure):
            counts: np.ndarray = data("array")
            bin_edges: np.ndarray = data("array")
            value_name: str = parameter()
            value_units: pq.Quantity = units_parameter()
    """

    identifier: ClassVar[str] = "AnalysisDataStructure"

    analysis_algorithm: str = parameter()
    sheet_name: str | None = parameter(default=None)
    neuron: int | None = parameter(default=None, converter=lambda v: None if v is None else int(v))
    stimulus_id: StimulusIdentity | None = attrs.field(
        default=None, converter=_to_stimulus_id, metadata={_KIND: "stimulus"}
    )
    tags: tuple[str, ...] = attrs.field(default=(), converter=_to_tags, metadata={_KIND: "tags"})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.identifier = cls.__name__
        _DEFINED.setdefault(cls.__name__, {})[f"{cls.__module__}.{cls.__qualname__}"] = cls

    def __attrs_post_init__(self) -> None:
        owner = type(self).__name__
        for field in attrs.fields(type(self)):
            kind = field.metadata.get(_KIND)
            value = getattr(self, field.name)
            if kind == "units":
                object.__setattr__(self, field.name, _to_units(owner, field.name, value))
            elif kind == "param":
                if value is not None and not isinstance(value, bool | int | float | str):
                    if isinstance(value, np.generic):
                        object.__setattr__(self, field.name, value.item())
                        continue
                    msg = (
                        f"{owner}: parameter {field.name!r} = {value!r} is a "
                        f"{type(value).__name__}; ADS parameters must be scalars (bool, int, "
                        f"float, str or None)"
                    )
                    raise AnalysisDataStructureError(msg)
            elif kind in ("array", "signals") and value is not None:
                if kind == "array":
                    object.__setattr__(self, field.name, np.asarray(value))
                else:
                    object.__setattr__(self, field.name, list(value))
        self._check()

    def _check(self) -> None:
        """Hook for subclasses: validate shapes and units after construction."""

    # ------------------------------------------------------------------ introspection
    @classmethod
    def parameter_names(cls) -> list[str]:
        """Names of the parameters (indexed, queryable), without ``tags``."""
        return [
            f.name
            for f in attrs.fields(cls)
            if f.metadata.get(_KIND) in ("param", "units", "stimulus")
        ]

    @classmethod
    def data_names(cls) -> list[str]:
        """Names of the data fields (stored in the payload)."""
        return [f.name for f in attrs.fields(cls) if f.metadata.get(_KIND) in _DATA_KINDS]

    def parameters(self) -> dict[str, bool | int | float | str | None]:
        """All parameters as scalars: units as quantities strings, ``stimulus_id`` as its string."""
        out: dict[str, Any] = {"identifier": self.identifier}
        for field in attrs.fields(type(self)):
            kind = field.metadata.get(_KIND)
            value = getattr(self, field.name)
            if kind == "units":
                out[field.name] = units_string(value)
            elif kind == "stimulus":
                out[field.name] = None if value is None else value.to_string()
            elif kind == "param":
                out[field.name] = value
        return out

    def key(self) -> str:
        """Canonical string of identifier, parameters and tags; equal ADSs have equal keys."""
        return json.dumps(
            {"parameters": self.parameters(), "tags": sorted(self.tags)},
            sort_keys=True,
            separators=(",", ":"),
        )

    def equals(self, other: AnalysisDataStructure) -> bool:
        """Whether ``other`` is the same result in the datastore's sense (see class notes)."""
        return self.key() == other.key()

    def __repr__(self) -> str:
        params = ", ".join(
            f"{k}={v!r}"
            for k, v in self.parameters().items()
            if k != "identifier" and v is not None
        )
        return f"{self.identifier}({params})"

    # ------------------------------------------------------------------ payload codec
    def payload_table(self) -> pa.Table:
        """Encode the data fields as one Arrow table (one row per array or signal)."""
        rows: list[dict[str, Any]] = []
        for field in attrs.fields(type(self)):
            kind = field.metadata.get(_KIND)
            if kind not in _DATA_KINDS:
                continue
            value = getattr(self, field.name)
            if value is None:
                continue
            if kind in ("scalar", "array"):
                rows.append(_encode_array(field.name, 0, kind, np.asarray(value)))
            elif kind == "signal":
                rows.append(_encode_signal(field.name, 0, value))
            else:
                rows.extend(_encode_signal(field.name, i, s) for i, s in enumerate(value))
        return pa.Table.from_pylist(rows, schema=PAYLOAD_SCHEMA)

    @classmethod
    def from_stored(
        cls, parameters: Mapping[str, Any], tags: list[str], payload: pa.Table
    ) -> AnalysisDataStructure:
        """Rebuild an ADS from its stored parameters, tags and payload table."""
        kwargs: dict[str, Any] = {}
        kinds = {f.name: f.metadata.get(_KIND) for f in attrs.fields(cls)}
        for name, kind in kinds.items():
            if kind in ("param", "units", "stimulus") and name in parameters:
                kwargs[name] = parameters[name]
        kwargs["tags"] = tuple(tags)
        signals: dict[str, list[tuple[int, neo.AnalogSignal]]] = {}
        for row in payload.to_pylist():
            name = row["field"]
            kind = kinds.get(name)
            if kind == "scalar":
                kwargs[name] = _decode_array(row).item()
            elif kind == "array":
                kwargs[name] = _decode_array(row)
            elif kind == "signal":
                kwargs[name] = _decode_signal(row)
            elif kind == "signals":
                signals.setdefault(name, []).append((row["item"], _decode_signal(row)))
        for name, items in signals.items():
            kwargs[name] = [s for _, s in sorted(items, key=lambda t: t[0])]
        for name, kind in kinds.items():
            if kind == "signals" and name not in kwargs:
                kwargs[name] = []
        return cls(**kwargs)


PAYLOAD_SCHEMA = pa.schema(
    [
        ("field", pa.string()),
        ("item", pa.int32()),
        ("kind", pa.string()),
        ("dtype", pa.string()),
        ("shape", pa.list_(pa.int64())),
        ("fvalues", pa.large_list(pa.float64())),
        ("ivalues", pa.large_list(pa.int64())),
        ("svalues", pa.large_list(pa.string())),
        ("units", pa.string()),
        ("t_start", pa.float64()),
        ("sampling_period", pa.float64()),
        ("name", pa.string()),
    ]
)


def _encode_array(field: str, item: int, kind: str, arr: np.ndarray) -> dict[str, Any]:
    row: dict[str, Any] = {"field": field, "item": item, "kind": kind, "shape": list(arr.shape)}
    flat = arr.reshape(-1)
    if arr.dtype.kind in "iub":
        row["dtype"] = arr.dtype.str
        row["ivalues"] = flat.astype(np.int64)
    elif arr.dtype.kind == "f":
        row["dtype"] = arr.dtype.str
        row["fvalues"] = flat.astype(np.float64)
    elif arr.dtype.kind in "US" or arr.dtype == object:
        row["dtype"] = "str"
        row["svalues"] = [str(x) for x in flat]
    else:
        msg = f"ADS data field {field!r}: arrays of dtype {arr.dtype} cannot be stored"
        raise AnalysisDataStructureError(msg)
    return row


def _decode_array(row: Mapping[str, Any]) -> np.ndarray:
    shape = tuple(row["shape"])
    if row["dtype"] == "str":
        return np.array(row["svalues"], dtype=str).reshape(shape)
    values = row["ivalues"] if row["ivalues"] is not None else row["fvalues"]
    return np.asarray(values, dtype=np.dtype(row["dtype"])).reshape(shape)


def _encode_signal(field: str, item: int, sig: neo.AnalogSignal) -> dict[str, Any]:
    if not isinstance(sig, neo.AnalogSignal):
        msg = (
            f"ADS data field {field!r}[{item}] must be a neo.AnalogSignal, got {type(sig).__name__}"
        )
        raise AnalysisDataStructureError(msg)
    row = _encode_array(field, item, "signal", np.asarray(sig.magnitude, dtype=np.float64))
    row["units"] = units_string(sig.units)
    row["t_start"] = float(sig.t_start.rescale(pq.ms).magnitude)
    row["sampling_period"] = float(sig.sampling_period.rescale(pq.ms).magnitude)
    row["name"] = sig.name
    return row


def _decode_signal(row: Mapping[str, Any]) -> neo.AnalogSignal:
    return neo.AnalogSignal(
        _decode_array(row),
        units=parse_units(row["units"]),
        t_start=row["t_start"] * pq.ms,
        sampling_period=row["sampling_period"] * pq.ms,
        name=row["name"],
    )


def ads_class(identifier: str, *, written_by: str | None = None) -> type[AnalysisDataStructure]:
    """Return the ADS class stored results name ``identifier`` (its class name).

    Looks first in the plugin registry (classes registered with
    ``mozaik_analysis_data_structures``, loading installed plugins on first need), then among
    the classes defined in this process that no plugin registers.

    Parameters
    ----------
    identifier : str
        The class name, as stored in the datastore's ADS index.
    written_by : str, optional
        The distribution that wrote the result (stored with it), named in the error.

    Raises
    ------
    AnalysisDataStructureError
        If no installed plugin registers the class and it is not defined in this process, or
        if it is defined in this process by two modules.
    """
    registered = get_registry().analysis_data_structures()
    if identifier in registered:
        return registered[identifier].cls
    defined = _DEFINED.get(identifier, {})
    if len(defined) == 1:
        return next(iter(defined.values()))
    if defined:
        msg = (f"analysis data structure {identifier!r} is defined by {len(defined)} modules "
               f"({', '.join(sorted(defined))}) and registered by no plugin; rename one, or "
               f"register one with mozaik_analysis_data_structures()")
        raise AnalysisDataStructureError(msg)
    known = ", ".join(sorted(ads_classes())) or "none"
    origin = f", written by {written_by}," if written_by else ""
    fix = (f"install {written_by.split()[0]}" if written_by and not written_by.startswith("<")
           else "install the plugin that defines it")
    msg = (f"unknown analysis data structure {identifier!r}{origin} is registered by no "
           f"installed plugin; known: {known}. To read it, {fix}")
    raise AnalysisDataStructureError(msg)


def ads_classes() -> dict[str, type[AnalysisDataStructure]]:
    """Every ADS class a stored result can name: registered ones and those defined here."""
    out = {name: next(iter(by_path.values())) for name, by_path in _DEFINED.items()
           if len(by_path) == 1}
    out.update({name: entry.cls for name, entry in get_registry().analysis_data_structures()
                .items()})
    return dict(sorted(out.items()))


def ads_provider(cls: type[AnalysisDataStructure]) -> tuple[str, str]:
    """The distribution (name, version) providing an ADS class, stored with each result.

    The plugin that registers the class if there is one; else the installed distribution whose
    top-level package defines it; else ``("<unregistered>", "")``.
    """
    try:
        entry = get_registry().analysis_data_structures()[cls.identifier]
    except UnknownComponentError:
        entry = None
    if entry is not None and entry.cls is cls:
        return entry.distribution, entry.version
    import importlib.metadata as md

    top = cls.__module__.split(".")[0]
    for dist in md.packages_distributions().get(top, []):
        return dist, md.version(dist)
    return "<unregistered>", ""
