"""What the search page shows, as JSON column by column: per point its parameters, status and
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
    """Reads one search master for the explorer (cached while its index is unchanged; a
    point's values are read again only when its cache changes)."""

    def __init__(self, root: Path, rel: str) -> None:
        self.root = root
        self.rel = rel
        self._lock = threading.Lock()
        self._cache: tuple[int, dict[str, Any], bytes] | None = None
        self._values: dict[int, tuple[int, list[dict[str, Any]]]] = {}

    def _read_cache(self, point_id: int) -> list[dict[str, Any]] | None:
        """The values in ``status/pNNNNN.values.json`` (re-read only when it changed), None
        when there is no readable cache."""
        path = os.path.join(self.root, "status", f"p{point_id:05d}.values.json")
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError), \
                os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            known = self._values.get(point_id)
            if known is not None and known[0] == st.st_mtime_ns:
                return known[1]
            # read what is there (at most MAX_CACHE_BYTES), not a MAX_CACHE_BYTES buffer
            values = json.loads(fh.read(min(st.st_size, MAX_CACHE_BYTES)))["values"]
            if isinstance(values, list):
                kept = [v for v in values if isinstance(v, dict)]
                self._values[point_id] = (st.st_mtime_ns, kept)
                return kept
        return None

    def _point_values(self, point_id: int, run: str) -> list[dict[str, Any]]:
        cached = self._read_cache(point_id)
        if cached is not None:
            return cached
        out = []
        with contextlib.suppress(MozaikError, OSError), \
                DataStore.open(self.root / run, "r") as store:
            for r in quiet_query(store, identifier="SingleValue").analysis_results():
                if isinstance(r, SingleValue):
                    out.append({"sheet_name": r.sheet_name, "value_name": r.value_name,
                                "value": float(r.value)})
        return out

    def table(self) -> dict[str, Any]:
        """The search page's data, column by column: ``parameters`` (varied dotted paths),
        ``values`` (value columns), ``n`` (points), ``columns`` (``point_id``, ``status``,
        ``run`` (the point's path relative to the master), each parameter and each value: a
        list of ``n``), ``history`` (trials of an optimising search, else null)."""
        return self._load()[0]

    def encoded(self) -> bytes:
        """:meth:`table` as JSON (encoded once per index change, not per request)."""
        return self._load()[1]

    def _load(self) -> tuple[dict[str, Any], bytes]:
        index_path = self.root / INDEX_FILE
        if index_path.is_symlink() or not index_path.is_file():
            msg = f"{self.rel} has no {INDEX_FILE} yet (the search has not run)"
            raise MozaikError(msg)
        stamp = os.lstat(index_path).st_mtime_ns
        with self._lock:
            if self._cache is not None and self._cache[0] == stamp:
                return self._cache[1], self._cache[2]
            index = pq.read_table(index_path)
            params = [c for c in index.column_names if c not in INDEX_COLUMNS]
            ids = [int(i) for i in index["point_id"].to_pylist()]
            statuses = index["status"].to_pylist()
            runs = [str(r or "") for r in index["run_dir"].to_pylist()]
            n = len(ids)
            columns: dict[str, list[Any]] = {
                "point_id": ids, "status": statuses, "run": runs,
                **{p: [_finite(v) for v in index[p].to_pylist()] for p in params}}
            values: dict[str, list[Any]] = {}
            collated = self._collated(stamp)
            for k, (point_id, status, run) in enumerate(zip(ids, statuses, runs, strict=True)):
                if status != "done" or not run or run.startswith("/") or ".." in run.split(
                        "/"):
                    continue  # a point's run lies in the master
                found = (collated.get(point_id, []) if collated is not None
                         else self._point_values(point_id, run))
                for v in found:
                    name = _value_column(v)
                    column = values.get(name)
                    if column is None:
                        column = values[name] = [None] * n
                    column[k] = _finite(float(v["value"])) if v.get("value") is not None \
                        else None
            columns.update(values)
            data = {"rel": self.rel, "name": self.root.name, "parameters": params,
                    "values": list(values), "n": n, "columns": columns,
                    "history": self.history()}
            encoded = json.dumps(data, default=str, allow_nan=False,
                                 separators=(",", ":")).encode()
            self._cache = (stamp, data, encoded)
            return data, encoded

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
