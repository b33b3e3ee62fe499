"""The AnalysisDataStructure (ADS) base class and the machinery its subclasses share.

An ADS is split in two: *parameters* (scalar metadata such as ``sheet_name``, ``value_name``,
``value_units``) that go into the datastore's ADS index as typed columns so queries can filter on
them, and *data* (arrays and signals) that go into a payload file loaded only on access. Subclasses
declare each attrs field with :func:`parameter`, :func:`units_parameter` or :func:`data`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs
import neo
import numpy as np
import pyarrow as pa

from mozaik._errors import AnalysisDataStructureError
from mozaik.ads._payload import (
    PAYLOAD_SCHEMA,
    decode_array,
    decode_signal,
    encode_array,
    encode_signal,
)
from mozaik.ads._units import to_units, units_string
from mozaik.stimulus import StimulusIdentity

__all__ = ["DEFINED", "AnalysisDataStructure", "data", "parameter", "units_parameter"]

_KIND = "mozaik_kind"
_ARROW_TYPES = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}
_DATA_KINDS = ("scalar", "array", "signal", "signals")
# Classes defined in this process, by identifier, then by dotted path: the fallback for classes
# no plugin registers (e.g. a notebook's own); plugins' classes come from the registry.
DEFINED: dict[str, dict[str, type[AnalysisDataStructure]]] = {}


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


def _data_text(value: Any) -> str:
    """A short description of a data field's value: a number, an array's shape and range, or
    how many signals of how many samples, with units."""
    if value is None:
        return "None"
    if isinstance(value, list):
        lengths = {len(v) for v in value}
        return f"{len(value)} signal(s) of {', '.join(map(str, sorted(lengths)))} samples"
    if isinstance(value, neo.AnalogSignal):
        return f"signal of {value.shape[0]} samples x {value.shape[1]} channel(s)"
    array = np.asarray(value)
    if array.ndim == 0:
        return f"{float(array):.6g}" if array.dtype.kind in "fiu" else repr(value)
    finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array
    if finite.size and array.dtype.kind in "fiu":
        return (f"array{tuple(array.shape)} from {float(finite.min()):.4g} to "
                f"{float(finite.max()):.4g}")
    return f"array{tuple(array.shape)}"


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
        DEFINED.setdefault(cls.__name__, {})[f"{cls.__module__}.{cls.__qualname__}"] = cls

    def __attrs_post_init__(self) -> None:
        owner = type(self).__name__
        for field in attrs.fields(type(self)):
            kind = field.metadata.get(_KIND)
            value = getattr(self, field.name)
            if kind == "units":
                object.__setattr__(self, field.name, to_units(owner, field.name, value))
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

    @classmethod
    def parameter_types(cls) -> dict[str, pa.DataType]:
        """Arrow type of the ADS-index column of each parameter, from its declaration.

        ``float`` (or ``float | None``) is double, ``int`` int64, ``bool`` bool, ``str`` string;
        units and ``stimulus_id`` are strings. A column is typed so even when every result
        stored so far holds None there (``period`` of a non-circular value), and rows of one
        parameter never disagree on its type. A parameter whose declared type is none of these
        is left out (its column is typed from its values).
        """
        out: dict[str, pa.DataType] = {}
        for field in attrs.fields(cls):
            kind = field.metadata.get(_KIND)
            if kind in ("units", "stimulus"):
                out[field.name] = pa.string()
            elif kind == "param":
                declared = field.type if isinstance(field.type, str) else getattr(
                    field.type, "__name__", str(field.type))
                names = set(re.findall(r"[A-Za-z_][A-Za-z_0-9.]*", str(declared)))
                names -= {"None", "Optional", "typing.Optional"}
                if len(names) == 1 and (name := names.pop()) in _ARROW_TYPES:
                    out[field.name] = _ARROW_TYPES[name]
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

    def _described(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(parameter, text) and (data field, short description) pairs for the reprs."""
        params = [(k, repr(getattr(self, k)) if k == "stimulus_id" else repr(v))
                  for k, v in self.parameters().items()
                  if k != "identifier" and v is not None]
        if self.tags:
            params.append(("tags", repr(list(self.tags))))
        return params, [(name, _data_text(getattr(self, name, None)))
                        for name in self.data_names()]

    def __repr__(self) -> str:
        params, data = self._described()
        text = ", ".join(f"{k}={v}" for k, v in params)
        shown = "; ".join(f"{k}: {v}" for k, v in data)
        return f"{self.identifier}({text}{'; ' + shown if shown else ''})"

    def _repr_html_(self) -> str:
        """A table of the parameters and data fields (Jupyter shows it for the result)."""
        params, data = self._described()
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
                       for k, v in [*params, *data])
        return (f"<div><strong>{html.escape(self.identifier)}</strong> (analysis result)"
                f"<table>{rows}</table></div>")

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
                rows.append(encode_array(field.name, 0, kind, np.asarray(value)))
            elif kind == "signal":
                rows.append(encode_signal(field.name, 0, value))
            else:
                rows.extend(encode_signal(field.name, i, s) for i, s in enumerate(value))
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
                kwargs[name] = decode_array(row).item()
            elif kind == "array":
                kwargs[name] = decode_array(row)
            elif kind == "signal":
                kwargs[name] = decode_signal(row)
            elif kind == "signals":
                signals.setdefault(name, []).append((row["item"], decode_signal(row)))
        for name, items in signals.items():
            kwargs[name] = [s for _, s in sorted(items, key=lambda t: t[0])]
        for name, kind in kinds.items():
            if kind == "signals" and name not in kwargs:
                kwargs[name] = []
        return cls(**kwargs)
