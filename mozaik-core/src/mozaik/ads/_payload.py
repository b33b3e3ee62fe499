"""The payload codec of analysis data structures: data fields to one Arrow table and back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import neo
import numpy as np
import pyarrow as pa
import quantities as pq

from mozaik._errors import AnalysisDataStructureError
from mozaik.ads._units import parse_units, units_string

__all__ = ["PAYLOAD_SCHEMA", "decode_array", "decode_signal", "encode_array", "encode_signal"]

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


def encode_array(field: str, item: int, kind: str, arr: np.ndarray) -> dict[str, Any]:
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


def decode_array(row: Mapping[str, Any]) -> np.ndarray:
    shape = tuple(row["shape"])
    if row["dtype"] == "str":
        return np.array(row["svalues"], dtype=str).reshape(shape)
    values = row["ivalues"] if row["ivalues"] is not None else row["fvalues"]
    return np.asarray(values, dtype=np.dtype(row["dtype"])).reshape(shape)


def encode_signal(field: str, item: int, sig: neo.AnalogSignal) -> dict[str, Any]:
    if not isinstance(sig, neo.AnalogSignal):
        msg = (
            f"ADS data field {field!r}[{item}] must be a neo.AnalogSignal, got {type(sig).__name__}"
        )
        raise AnalysisDataStructureError(msg)
    row = encode_array(field, item, "signal", np.asarray(sig.magnitude, dtype=np.float64))
    row["units"] = units_string(sig.units)
    row["t_start"] = float(sig.t_start.rescale(pq.ms).magnitude)
    row["sampling_period"] = float(sig.sampling_period.rescale(pq.ms).magnitude)
    row["name"] = sig.name
    return row


def decode_signal(row: Mapping[str, Any]) -> neo.AnalogSignal:
    return neo.AnalogSignal(
        decode_array(row),
        units=parse_units(row["units"]),
        t_start=row["t_start"] * pq.ms,
        sampling_period=row["sampling_period"] * pq.ms,
        name=row["name"],
    )
