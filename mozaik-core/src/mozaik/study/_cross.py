"""Checks across sections of a study: what a run would only find while building the network.

* A connector's constant ``delay_ms`` (or a distribution's ``low``/``high``) must lie within the
  simulator's ``[min_delay, max_delay]``.
* An experiment's ``sheet`` (a string) or ``sheets`` (a list of strings) parameter must name
  sheets of the study.

Both are conventions of parameter names that plugin components follow too: a connector
parameter called ``delay_ms``, or an experiment parameter called ``sheet`` or ``sheets``, means
this.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from mozaik.config import Distribution, ProblemCollector, SimulatorConfig
from mozaik.study._layout import Entry

__all__ = ["check_delays", "check_sheet_names", "did_you_mean"]

_EPSILON = 1e-12


def _delay_range(value: Any) -> tuple[float, float] | None:
    if isinstance(value, Distribution):
        low, high = value.params.get("low"), value.params.get("high")
        if low is None or high is None:
            return None
        return float(low), float(high)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), float(value)
    return None


def check_delays(connectors: Mapping[str, Entry], simulator: SimulatorConfig,
                 problems: ProblemCollector) -> None:
    """Constant (or bounded) connector delays within the simulator's delay range."""
    min_delay, max_delay = simulator.effective_min_delay, simulator.max_delay
    for entry in connectors.values():
        found = _delay_range(getattr(entry.params, "delay_ms", None))
        if found is None:
            continue
        low, high = found
        path = f"{entry.path}.params.delay_ms"
        if low < min_delay - _EPSILON:
            problems.add(path, f"delays down to {low} ms are below the simulator's min_delay of "
                         f"{min_delay} ms (time step {simulator.time_step} ms); raise the delay "
                         "or lower simulator.min_delay")
        if high > max_delay + _EPSILON:
            problems.add(path, f"delays up to {high} ms are above the simulator's max_delay of "
                         f"{max_delay} ms; raise simulator.max_delay")


def _names(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    return []


def did_you_mean(name: object, known: Iterable[str]) -> str:
    """`` (did you mean 'exc'?)`` for a misspelled ``name`` among ``known``; empty if none is
    close."""
    close = difflib.get_close_matches(str(name), sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_sheet_names(entries: Iterable[Entry], sheets: Iterable[str],
                      problems: ProblemCollector) -> None:
    """Experiment parameters ``sheet``/``sheets`` name sheets of the study."""
    known = set(sheets)
    if not known:  # no sheets at all is its own problem (reported on 'sheets'), not these
        return
    for entry in entries:
        for field in ("sheet", "sheets"):
            value = getattr(entry.params, field, None)
            for i, name in enumerate(_names(value)):
                if name in known:
                    continue
                where = f"{entry.path}.params.{field}"
                if not isinstance(value, str):
                    where = f"{where}.{i}"
                problems.add(where, f"sheet {name!r} does not exist{did_you_mean(name, known)};"
                             f" the study's sheets are: {', '.join(sorted(known))}")
