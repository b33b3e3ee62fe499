"""Runaway detection: stop a run whose network "explodes".

A study declares, per sheet, a rate threshold over a window (``controller.runaway``). While
simulating, the controller runs in chunks of at most half the shortest window and, after every
chunk, measures each declared sheet's mean rate (its spike-recorded neurons' spikes, read from
the recorder without clearing it) over the last window; the first check that finds a rate above
its threshold raises :class:`~mozaik.RunExploded`. The run is then stopped within one window of
the rate crossing the threshold.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mozaik._errors import ConfigError, RunExploded
from mozaik.config import RunawayThreshold

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["RunawayMonitor"]


class RunawayMonitor:
    """Watch the rates of the sheets a study declares runaway thresholds for.

    Parameters
    ----------
    model : Model
        The built network.
    thresholds : mapping of str to RunawayThreshold
        ``controller.runaway`` of the study.

    Raises
    ------
    ConfigError
        Naming ``controller.runaway.<sheet>`` when the sheet does not exist or records no
        spikes.
    """

    def __init__(self, model: Model, thresholds: Mapping[str, RunawayThreshold]) -> None:
        self.thresholds = dict(thresholds)
        self._populations: dict[str, Any] = {}
        for name in self.thresholds:
            where = f"controller.runaway.{name}"
            if name not in model.sheets:
                msg = (f"{where}: sheet {name!r} does not exist; the model's sheets are: "
                       f"{', '.join(sorted(model.sheets)) or 'none'}")
                raise ConfigError(msg)
            sheet = model.sheets[name]
            if "spikes" not in sheet.recorded_variables:
                msg = (f"{where}: sheet {name!r} records no spikes, so its rate cannot be "
                       "watched; add `spikes` to one of its recorders")
                raise ConfigError(msg)
            population = sheet.population
            self._populations[name] = population
        self._last: dict[str, int] = dict.fromkeys(self.thresholds, 0)
        self._total: dict[str, int] = dict.fromkeys(self.thresholds, 0)
        self._history: dict[str, deque[tuple[float, int]]] = {
            name: deque([(0.0, 0)]) for name in self.thresholds}

    @property
    def max_chunk_ms(self) -> float | None:
        """The longest chunk the run may simulate between two checks (None: no limit)."""
        if not self.thresholds:
            return None
        return min(rule.window_ms for rule in self.thresholds.values()) / 2.0

    def cleared(self) -> None:
        """The recorders were emptied (recordings collected): counts start again at 0."""
        self._last = dict.fromkeys(self.thresholds, 0)

    def check(self, time_ms: float) -> None:
        """Measure every watched sheet's rate over its window ending at ``time_ms``.

        Raises
        ------
        RunExploded
            At the first sheet whose rate exceeds its threshold.
        """
        for name, rule in self.thresholds.items():
            # one entry per spike-recorded neuron, silent ones included
            counts = self._populations[name].get_spike_counts(gather=True)
            count = int(sum(counts.values()))
            recorded = max(1, len(counts))
            self._total[name] += count - self._last[name]
            self._last[name] = count
            history = self._history[name]
            if history and time_ms < history[-1][0]:  # a reset: time starts again at 0
                history.clear()
                history.append((time_ms, self._total[name]))
                continue
            history.append((time_ms, self._total[name]))
            start = time_ms - rule.window_ms
            while len(history) > 1 and history[1][0] <= start + 1e-9:
                history.popleft()
            t0, n0 = history[0]
            if time_ms - t0 < rule.window_ms - 1e-9:
                continue  # not a whole window yet
            rate = (self._total[name] - n0) / recorded / ((time_ms - t0) / 1000.0)
            if rate > rule.rate_hz:
                msg = (f"sheet {name!r} ran away: its mean rate over the last "
                       f"{time_ms - t0:g} ms was {rate:.1f} Hz at t = {time_ms:g} ms, above "
                       f"controller.runaway.{name}.rate_hz = {rule.rate_hz:g} Hz; the run "
                       "stopped, and what was simulated until then is stored")
                raise RunExploded(msg, sheet=name, rate_hz=rate, time_ms=time_ms,
                                  threshold_hz=rule.rate_hz, window_ms=rule.window_ms)
