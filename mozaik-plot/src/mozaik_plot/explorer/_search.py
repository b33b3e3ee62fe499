"""What the search page shows, as JSON: one row per point with its parameters, status and
every SingleValue, and an optimising search's trial history. Read-only: the values come from
the points' caches (``status/pNNNNN.values.json``) or their stores, never written back."""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from mozaik import MozaikError
from mozaik.ads import SingleValue
from mozaik.datastore import DataStore
from mozaik.search import COLLATED_FILE, INDEX_COLUMNS, INDEX_FILE, TRIALS_FILE

from mozaik_plot.explorer._run import quiet_query

__all__ = ["SearchData"]

#: Largest values cache of one point read (bytes).
MAX_CACHE_BYTES = 4 << 20


def _finite(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x


def _value_column(row: dict[str, Any]) -> str:
    return f"{row.get('value_name')} [{row.get('sheet_name')}]"


class SearchData:
    """Reads one search master for the explorer (cached while its index is unchanged)."""

    def __init__(self, root: Path, rel: str) -> None:
        self.root = root
        self.rel = rel
        self._lock = threading.Lock()
        self._cache: tuple[int, dict[str, Any]] | None = None

    def _point_values(self, point_id: int, run_dir: Path) -> list[dict[str, Any]]:
        cache = self.root / "status" / f"p{point_id:05d}.values.json"
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            fd = os.open(cache, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as fh:
                values = json.loads(fh.read(MAX_CACHE_BYTES))["values"]
            if isinstance(values, list):
                return [v for v in values if isinstance(v, dict)]
        out = []
        with contextlib.suppress(MozaikError, OSError), DataStore.open(run_dir, "r") as store:
            for r in quiet_query(store, identifier="SingleValue").analysis_results():
                if isinstance(r, SingleValue):
                    out.append({"sheet_name": r.sheet_name, "value_name": r.value_name,
                                "value": float(r.value)})
        return out

    def table(self) -> dict[str, Any]:
        """``parameters`` (varied dotted paths), ``values`` (value columns), ``rows`` (one
        per point: ``point_id``, ``status``, ``run`` (the point's path relative to the
        master), the parameters and values), ``history`` (trials of an optimising search,
        else null)."""
        index_path = self.root / INDEX_FILE
        if index_path.is_symlink() or not index_path.is_file():
            msg = f"{self.rel} has no {INDEX_FILE} yet (the search has not run)"
            raise MozaikError(msg)
        stamp = os.lstat(index_path).st_mtime_ns
        with self._lock:
            if self._cache is not None and self._cache[0] == stamp:
                return self._cache[1]
        index = pq.read_table(index_path)
        params = [c for c in index.column_names if c not in INDEX_COLUMNS]
        rows: list[dict[str, Any]] = []
        value_names: dict[str, None] = {}
        collated = self._collated(stamp)
        for r in index.to_pylist():
            run = str(r.get("run_dir") or "")
            row = {"point_id": r["point_id"], "status": r["status"], "run": run,
                   **{p: _finite(r[p]) for p in params}}
            if r["status"] == "done" and run and ".." not in Path(run).parts and not (
                    Path(run).is_absolute()):
                values = (collated.get(int(r["point_id"]), []) if collated is not None
                          else self._point_values(int(r["point_id"]), self.root / run))
                for v in values:
                    name = _value_column(v)
                    value_names[name] = None
                    row[name] = _finite(float(v["value"])) if v.get("value") is not None \
                        else None
            rows.append(row)
        data = {"rel": self.rel, "name": self.root.name, "parameters": params,
                "values": list(value_names), "rows": rows, "history": self.history()}
        with self._lock:
            self._cache = (stamp, data)
        return data

    def _collated(self, index_stamp: int) -> dict[int, list[dict[str, Any]]] | None:
        """The SingleValues of every point from ``collated.parquet`` (one read instead of one
        file per point) when it was written after the index; else None."""
        path = self.root / COLLATED_FILE
        try:
            if path.is_symlink() or os.lstat(path).st_mtime_ns < index_stamp:
                return None
            table = pq.read_table(path, columns=["point_id", "sheet_name", "value_name",
                                                 "value"])
        except (OSError, ValueError, KeyError):
            return None
        out: dict[int, list[dict[str, Any]]] = {}
        for r in table.to_pylist():
            out.setdefault(int(r["point_id"]), []).append(r)
        return out

    def history(self) -> list[dict[str, Any]] | None:
        """An optimising search's trials (``trials.parquet``), else None."""
        path = self.root / TRIALS_FILE
        if path.is_symlink() or not path.is_file():
            return None
        table = pq.read_table(path)
        keep = [c for c in table.column_names if c in ("trial", "state", "status")
                or c.startswith("objective_")]
        return [{k: _finite(v) for k, v in r.items()} for r in table.select(keep).to_pylist()]
