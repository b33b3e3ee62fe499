"""The neurons table of a sheet: ids, positions and per-neuron annotations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from mozaik._errors import DataStoreError

__all__ = ["NEURON_FIXED", "neurons_table", "same_neurons", "with_annotation"]

#: Columns every neurons table has; the others are annotations.
NEURON_FIXED = ("sheet_name", "index", "id", "x", "y", "z")


def neurons_table(sheet: str, ids: Any, positions_um: Any) -> pa.Table:
    """The neurons table of ``sheet`` from PyNN ids (n,) and positions (n, 2) or (n, 3), um."""
    ids = np.asarray(ids, np.int64).reshape(-1)
    pos = np.asarray(positions_um, np.float64)
    n = len(ids)
    if pos.ndim != 2 or pos.shape[0] != n or pos.shape[1] not in (2, 3):
        msg = (
            f"sheet {sheet!r}: positions_um has shape {pos.shape}, expected ({n}, 2) or "
            f"({n}, 3)"
        )
        raise DataStoreError(msg)
    z = pa.array(pos[:, 2]) if pos.shape[1] == 3 else pa.nulls(n, pa.float64())
    return pa.table(
        {
            "sheet_name": pa.array([sheet] * n, pa.string()),
            "index": pa.array(np.arange(n, dtype=np.int32)),
            "id": pa.array(ids),
            "x": pa.array(pos[:, 0]),
            "y": pa.array(pos[:, 1]),
            "z": z,
        }
    )


def with_annotation(table: pa.Table, sheet: str, name: str, values: Any) -> pa.Table:
    """``table`` with the per-neuron annotation ``name`` set to ``values`` (one per neuron)."""
    if name in NEURON_FIXED:
        msg = (
            f"sheet {sheet!r}: {name!r} is a reserved neuron column; choose another "
            f"annotation name"
        )
        raise DataStoreError(msg)
    arr = np.asarray(values)
    if arr.shape != (table.num_rows,):
        msg = (
            f"sheet {sheet!r}: annotation {name!r} has shape {arr.shape}, expected "
            f"({table.num_rows},) (one value per neuron)"
        )
        raise DataStoreError(msg)
    col = pa.array(arr)
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, col)
    return table.append_column(name, col)


def same_neurons(old: pa.Table, new: pa.Table, sheet: str) -> pa.Table:
    """``old`` (the stored table, annotations kept) if ``new`` has the same neurons, else raise."""
    if not old.select(list(NEURON_FIXED)).equals(new):
        msg = (
            f"sheet {sheet!r}: neurons already written with different ids or positions; "
            f"a run directory holds one network (start a new run directory)"
        )
        raise DataStoreError(msg)
    return old
