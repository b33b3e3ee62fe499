"""Benchmark-only workaround for PyNN's bookkeeping after a native NEST connect (100k runs).

``pyNN.nest`` (0.13) records a projection's source cells after each native ``nest.Connect``
by asking NEST for the status of every new connection (``GetConnections(...).sources()``):
a full status dictionary per connection, more than 24 GiB for the 6.4 million connections of
the 100,000-neuron network's excitatory-to-excitatory projection (the process is killed by the
kernel's OOM killer). Both implementations go through that same PyNN code (Mozaik's
``FixedProbabilityConnector`` with ``native_rng: true`` calls ``sim.Projection`` as the plain
script does), so the benchmark puts this file first on ``PYTHONPATH`` of both child processes
(``run_benchmark.py --light-pynn-sources``): it makes PyNN record every presynaptic cell as a
source instead. Exact here: with 40 or more expected connections per source cell, the chance
that a cell has none is below e^-40. Nothing else in PyNN or NEST changes.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

TARGET = "pyNN.nest.projections"


class _AllSources:
    def __init__(self, cells: list[int]) -> None:
        self._cells = cells

    def sources(self) -> Any:
        return iter(self._cells)


class _NestWithCheapSources:
    """``nest`` for the duration of one ``Projection._connect``: ``GetConnections`` answers
    with the presynaptic cells instead of querying every connection."""

    def __init__(self, nest: ModuleType, cells: list[int]) -> None:
        self._nest = nest
        self._cells = cells

    def GetConnections(self, *args: Any, **kwargs: Any) -> _AllSources:
        return _AllSources(self._cells)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._nest, name)


def _patch(module: ModuleType) -> None:
    import numpy as np

    projection_class = module.Projection
    original = projection_class._connect

    def _connect(self: Any, rule_params: Any, syn_params: Any) -> None:
        real = module.nest
        cells = np.asarray(self.pre.all_cells, dtype=np.int64).tolist()
        module.nest = _NestWithCheapSources(real, cells)
        try:
            original(self, rule_params, syn_params)
        finally:
            module.nest = real

    projection_class._connect = _connect


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        _patch(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


sys.meta_path.insert(0, _Finder())
