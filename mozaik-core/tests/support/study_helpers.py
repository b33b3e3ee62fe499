"""Small studies written by a test: load them with overrides, read their signals back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from mozaik.datastore import DataStoreView
from mozaik.plugin import Registry
from mozaik.study import Study, load_study


def study_loader(text: str, folder: Path, registry: Registry) -> Callable[..., Study]:
    """Write ``text`` to ``folder/study.yaml``; return ``load(*overrides)`` of it."""
    path = folder / "study.yaml"
    path.write_text(text)

    def load(*overrides: str) -> Study:
        return load_study(path, overrides, registry=registry)

    return load


def sorted_signals(view: DataStoreView, sheet: str,
                   variable: str) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(neurons, values (cells x samples), t_start ms, sampling period ms) of ``variable`` in
    the one presentation of ``view``, rows in neuron order."""
    arrays = view.analog_arrays(sheet, variable)
    order = np.argsort(arrays.neuron)
    [t_start] = set(arrays.t_start.tolist())
    return arrays.neuron[order], arrays.values[order], t_start, arrays.sampling_period
