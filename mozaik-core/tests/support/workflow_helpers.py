"""Toy components and a fake network for the workflow tests (no simulator needed).

The fake network's spikes depend on the seed and on how many runs came before (its "state"),
so the tests can tell a resumed run that restored the state from one that did not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import neo
import numpy as np
import quantities as pq
from mozaik.analysis import Analysis
from mozaik.plot import Plot
from mozaik.study import Study


@attrs.frozen(kw_only=True)
class ToySheetParams:
    size: int = 6
    rate: float = 50.0  # Hz


@attrs.frozen(kw_only=True)
class ToyAnalysisParams:
    label: str = "a"
    fail: bool = False


@attrs.frozen(kw_only=True)
class ToyPlotParams:
    title: str = "t"
    fail: bool = False


#: Calls made to toy analyses and plots: (kind, label, number of stimulus segments seen).
CALLS: list[tuple[str, str, int]] = []


class ToyAnalysis(Analysis):
    def __init__(self, params: ToyAnalysisParams) -> None:
        self.params = params

    def run(self, view: Any) -> list[Any]:
        if self.params.fail:
            raise ValueError("toy analysis failed on purpose")
        CALLS.append(("analysis", self.params.label, len(view.presentations())))
        return []


class ToyPlot(Plot):
    def __init__(self, params: ToyPlotParams) -> None:
        self.params = params

    def draw(self, view: Any, path: Path) -> list[Path]:
        if self.params.fail:
            raise ValueError("toy plot failed on purpose")
        Path(path).write_text(self.params.title)
        CALLS.append(("plot", self.params.title, len(view.presentations())))
        return [Path(path)]


class FakePopulation:
    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size


class FakeSheet:
    def __init__(self, name: str, size: int, rate: float) -> None:
        self.name = name
        self.population = FakePopulation(size)
        self.size = size
        self.rate = rate


def toy_sheet(name: str, params: ToySheetParams, model: Any) -> FakeSheet:
    """The registered ToySheet factory (FakeModel builds its FakeSheets itself)."""
    return FakeSheet(name, params.size, params.rate)


class FakeModel:
    """A network stand-in: ``run`` draws Poisson spikes from (seed, number of runs so far)."""

    def __init__(self, study: Study, fail_on_run: int | None = None) -> None:
        self.name = study.name
        self.seed = study.simulator.seed
        self.sheets = {name: FakeSheet(name, e.params.size, e.params.rate)
                       for name, e in study.sheets.items()}
        self.time = 0.0
        self.n_runs = 0
        self.fail_on_run = fail_on_run
        self.resets = 0
        self.ended = False
        self.run_log: list[tuple[float, float]] = []
        self._pending: dict[str, list[np.ndarray]] = {n: [] for n in self.sheets}
        self._window_start = 0.0

    def run(self, duration: float) -> None:
        if self.fail_on_run is not None and len(self.run_log) == self.fail_on_run:
            raise RuntimeError("the fake simulator crashed")
        rng = np.random.default_rng([self.seed, self.n_runs])
        for name, sheet in self.sheets.items():
            n = rng.poisson(sheet.rate * duration / 1000.0 * sheet.size)
            neurons = rng.integers(0, sheet.size, n)
            times = np.sort(self.time + rng.uniform(0, duration, n))
            self._pending[name].append(np.stack([neurons, times]))
        self.run_log.append((self.time, duration))
        self.time += duration
        self.n_runs += 1

    def collect(self, clear: bool = True) -> dict[str, neo.Segment]:
        out = {}
        for name, sheet in self.sheets.items():
            parts = self._pending[name]
            data = np.concatenate(parts, axis=1) if parts else np.zeros((2, 0))
            seg = neo.Segment()
            for i in range(sheet.size):
                times = np.sort(data[1][data[0] == i])
                st = neo.SpikeTrain(times * pq.ms, t_start=self._window_start * pq.ms,
                                    t_stop=self.time * pq.ms)
                st.annotate(source_index=i)
                seg.spiketrains.append(st)
            out[name] = seg
            if clear:
                self._pending[name] = []
        if clear:
            self._window_start = self.time
        return out

    def reset(self) -> None:
        self.resets += 1
        self.n_runs = 0
        self.time = 0.0
        self._window_start = 0.0

    def neuron_table(self, sheet: str) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        n = self.sheets[sheet].size
        return np.arange(1, n + 1), np.stack([np.arange(n) * 10.0, np.zeros(n)], axis=1), {}

    def end(self) -> None:
        self.ended = True
