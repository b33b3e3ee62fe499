"""One finished point's SingleValues, cached next to its status for collation.

Written when a point finishes (:func:`mozaik.search.run_point`) and read by
:func:`mozaik.search.collate_search`; a module of its own so both import it without a cycle.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

__all__ = ["point_values"]


def _single_values(run_dir: Path) -> list[dict[str, Any]]:
    """The SingleValues of one run, read with pyarrow from the ADS index and payloads."""
    from mozaik.datastore import DataStore

    with DataStore.open(run_dir) as store:
        index = store.analysis_index
        if index.num_rows == 0:
            return []
        rows = [r for r in index.to_pylist() if r["identifier"] == "SingleValue"]
        out = []
        for row in rows:
            payload = pq.read_table(run_dir / row["payload_file"],
                                    columns=["field", "fvalues"]).to_pylist()
            value = next(float(p["fvalues"][0]) for p in payload if p["field"] == "value")
            params = json.loads(row["parameters"])
            out.append({"sheet_name": params.get("sheet_name"),
                        "analysis_algorithm": params.get("analysis_algorithm"),
                        "stimulus_id": (None if params.get("stimulus_id") is None
                                        else str(params.get("stimulus_id"))),
                        "value_name": params.get("value_name"), "value": value,
                        "value_units": params.get("value_units")})
        return out


def _ads_stamp(run_dir: str) -> list[list[Any]]:
    """Names and sizes of the ADS index files: changes whenever a result is added. (Plain
    ``os`` calls: this runs once per point of a search, 10,000s of times.)"""
    ads = f"{run_dir}/ads"
    stamp: list[list[Any]] = []
    with contextlib.suppress(OSError):
        stamp.append(["index.parquet", os.stat(f"{ads}/index.parquet").st_size])
    try:
        with os.scandir(f"{ads}/index") as entries:
            stamp += sorted([e.name, e.stat().st_size] for e in entries
                            if e.name.endswith(".parquet"))
    except OSError:
        pass
    return stamp


def point_values(master: str | Path, point_id: int) -> list[dict[str, Any]]:
    """The SingleValues of one finished point, from its cache ``status/pNNNNN.values.json``
    when that matches the store's ADS index (written by :func:`mozaik.search.run_point` when
    the point finishes), else read from the store (and cached)."""
    run_dir = f"{master}/points/p{point_id:05d}"
    stamp = _ads_stamp(run_dir)
    cache_name = f"{master}/status/p{point_id:05d}.values.json"
    try:
        with open(cache_name, "rb") as fh:
            cached = json.loads(fh.read())
        if cached["stamp"] == stamp:
            return list(cached["values"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    cache = Path(cache_name)
    values = _single_values(Path(run_dir))
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"stamp": stamp, "values": values}), encoding="utf-8")
    tmp.replace(cache)
    return values
