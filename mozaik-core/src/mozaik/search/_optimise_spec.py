"""The optimising search's part of a search file: ranges, objectives, constraints, sampler.

Layout (``kind: optimise``)::

    kind: optimise
    parameters:                          # one range per dotted path
      connectors.exc_exc.params.weight_uS: {low: 0.001, high: 0.01, log: true}
      sheets.exc.params.placement.n_neurons: {low: 100, high: 400, type: int}
      connectors.exc_exc.params.delay_ms: {choice: [0.5, 1.0, 2.0]}
    objectives:                          # SingleValues of a point (mean when several match)
      - {value: Mean(Firing rate), sheet: exc, target: 10.0}   # minimise (value - 10)^2
      - {value: Mean(CV ISI), sheet: exc, direction: maximize}
    constraints:                         # a point meets them or is infeasible
      - {value: Mean(CV ISI), sheet: exc, min: 0.8}
    sampler: tpe                         # tpe | cmaes | nsgaii | random | an optuna.samplers class
    seed: 1                              # the sampler's seed
    n_trials: 40
    batch_size: 4                        # points asked, run through the backend, told at once
    on_failure: fail                     # fail | {penalty: [1.0e6, ...]} (one per objective)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from mozaik._errors import ConfigError

__all__ = ["SAMPLERS", "Constraint", "Objective", "Optimisation", "Range", "parse_optimisation"]

#: Sampler names an optimising search accepts besides the class names of ``optuna.samplers``.
SAMPLERS: Mapping[str, str] = {"tpe": "TPESampler", "cmaes": "CmaEsSampler",
                               "nsgaii": "NSGAIISampler", "random": "RandomSampler"}

#: Keys of a search file that only an optimising search has.
OPTIMISE_KEYS: tuple[str, ...] = ("objectives", "constraints", "sampler", "n_trials",
                                  "batch_size", "on_failure")


@attrs.frozen(kw_only=True)
class Range:
    """How one dotted path varies: ``kind`` float (``log`` scale or not), int, or
    categorical (``choices``)."""

    path: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    choices: tuple[Any, ...] = ()


@attrs.frozen(kw_only=True)
class Objective:
    """One objective: the mean of the SingleValues named ``value`` (of ``sheet``, if given);
    with ``target`` the squared distance to it is minimised, else it goes ``direction``."""

    value: str
    sheet: str | None = None
    target: float | None = None
    direction: str = "minimize"

    @property
    def label(self) -> str:
        """How the objective is shown (``exc: (Mean(Firing rate) - 10)^2``)."""
        name = f"{self.sheet}: {self.value}" if self.sheet else self.value
        return f"({name} - {self.target:g})^2" if self.target is not None else name


@attrs.frozen(kw_only=True)
class Constraint:
    """A point is feasible when its value lies in [``min``, ``max``] (either may be absent)."""

    value: str
    sheet: str | None = None
    min: float | None = None
    max: float | None = None


@attrs.frozen(kw_only=True)
class Optimisation:
    """The optimising part of a search (see the module's docstring)."""

    ranges: tuple[Range, ...]
    objectives: tuple[Objective, ...]
    constraints: tuple[Constraint, ...] = ()
    sampler: str = "tpe"
    seed: int | None = None
    n_trials: int = 20
    batch_size: int = 1
    penalty: tuple[float, ...] | None = None

    @property
    def directions(self) -> list[str]:
        return [o.direction for o in self.objectives]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _range(path: str, spec: Any, where: str) -> Range:
    here = f"{where}: parameters: {path}"
    if isinstance(spec, dict) and set(spec) == {"choice"}:
        choices = spec["choice"]
        if not isinstance(choices, list) or not choices:
            msg = f"{here}: choice must be a non-empty list, got {choices!r}"
            raise ConfigError(msg)
        return Range(path=path, kind="categorical", choices=tuple(choices))
    if not isinstance(spec, dict) or not {"low", "high"} <= set(spec) or not set(spec) <= {
            "low", "high", "log", "type"}:
        msg = (f"{here}: an optimising search needs a range {{low, high}} (optionally log: true, "
               f"type: int) or {{choice: [...]}}, got {spec!r}")
        raise ConfigError(msg)
    low, high = spec["low"], spec["high"]
    if not (_number(low) and _number(high)):
        msg = f"{here}: low and high must be finite numbers, got low={low!r}, high={high!r}"
        raise ConfigError(msg)
    if low >= high:
        msg = f"{here}: low ({low!r}) must be below high ({high!r}); swap them or widen the range"
        raise ConfigError(msg)
    log = spec.get("log", False)
    if not isinstance(log, bool):
        msg = f"{here}: log must be true or false, got {log!r}"
        raise ConfigError(msg)
    if log and low <= 0:
        msg = (f"{here}: a log range must be above 0, got low={low!r}; give a positive low "
               f"(e.g. low: {high / 1000:g}) or drop log: true")
        raise ConfigError(msg)
    kind = spec.get("type", "float")
    if kind not in ("float", "int"):
        msg = f"{here}: type must be float or int, got {kind!r}"
        raise ConfigError(msg)
    if kind == "int" and not (float(low).is_integer() and float(high).is_integer()):
        msg = f"{here}: an int range needs whole low and high, got low={low!r}, high={high!r}"
        raise ConfigError(msg)
    return Range(path=path, kind=kind, low=float(low), high=float(high), log=log)


def _value_ref(item: Any, here: str, extra: tuple[str, ...]) -> tuple[str, str | None]:
    if not isinstance(item, dict) or not isinstance(item.get("value"), str):
        msg = (f"{here}: expected {{value: <SingleValue name>, sheet: <sheet>, "
               f"{' | '.join(extra)}}}, got {item!r}")
        raise ConfigError(msg)
    unknown = sorted(set(item) - {"value", "sheet", *extra})
    if unknown:
        msg = (f"{here}: unknown key(s) {', '.join(unknown)}; allowed: value, sheet, "
               f"{', '.join(extra)}")
        raise ConfigError(msg)
    sheet = item.get("sheet")
    return item["value"], None if sheet is None else str(sheet)


def _objective(item: Any, here: str) -> Objective:
    value, sheet = _value_ref(item, here, ("target", "direction"))
    if ("target" in item) == ("direction" in item):
        msg = (f"{here}: give either target: <number> (its squared distance is minimised) or "
               f"direction: minimize|maximize, got {item!r}")
        raise ConfigError(msg)
    if "target" in item:
        if not _number(item["target"]):
            msg = f"{here}: target must be a finite number, got {item['target']!r}"
            raise ConfigError(msg)
        return Objective(value=value, sheet=sheet, target=float(item["target"]))
    direction = str(item["direction"]).lower()
    if direction not in ("minimize", "maximize"):
        msg = f"{here}: direction must be minimize or maximize, got {item['direction']!r}"
        raise ConfigError(msg)
    return Objective(value=value, sheet=sheet, direction=direction)


def _constraint(item: Any, here: str) -> Constraint:
    value, sheet = _value_ref(item, here, ("min", "max"))
    bounds = {k: item[k] for k in ("min", "max") if k in item}
    if not bounds or not all(_number(b) for b in bounds.values()):
        msg = f"{here}: give min and/or max as finite numbers, got {item!r}"
        raise ConfigError(msg)
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        msg = f"{here}: min ({bounds['min']!r}) is above max ({bounds['max']!r})"
        raise ConfigError(msg)
    return Constraint(value=value, sheet=sheet, min=bounds.get("min"), max=bounds.get("max"))


def _positive_int(data: Mapping[str, Any], key: str, default: int, where: str) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        msg = f"{where}: {key}: must be a whole number >= 1, got {value!r}"
        raise ConfigError(msg)
    return value


def parse_optimisation(data: Mapping[str, Any], where: str) -> Optimisation:
    """The optimising part of a search definition ``data`` (``kind: optimise``).

    Raises
    ------
    ConfigError
        Naming ``where`` and the key: a range with low >= high, a log range reaching 0, an
        objective without target or direction, an unknown sampler name, a sampler that cannot
        optimise several objectives, a penalty of the wrong length.
    """
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict) or not parameters:
        msg = f"{where}: parameters: an optimising search needs a range per dotted path"
        raise ConfigError(msg)
    ranges = tuple(_range(str(p), s, where) for p, s in parameters.items())
    raw = data.get("objectives")
    if not isinstance(raw, list) or not raw:
        msg = (f"{where}: objectives: an optimising search needs a list of objectives, e.g. "
               "[{value: Mean(Firing rate), sheet: exc, target: 10.0}]")
        raise ConfigError(msg)
    objectives = tuple(_objective(o, f"{where}: objectives.{i}") for i, o in enumerate(raw))
    raw_c = data.get("constraints") or []
    if not isinstance(raw_c, list):
        msg = f"{where}: constraints: must be a list of {{value, sheet, min, max}}"
        raise ConfigError(msg)
    constraints = tuple(_constraint(c, f"{where}: constraints.{i}") for i, c in enumerate(raw_c))
    sampler = str(data.get("sampler", "nsgaii" if len(objectives) > 1 else "tpe"))
    if not (sampler in SAMPLERS or sampler.endswith("Sampler")):
        msg = (f"{where}: sampler: {sampler!r} is not an Optuna sampler; use one of "
               f"{', '.join(SAMPLERS)} or a class name of optuna.samplers (e.g. GPSampler)")
        raise ConfigError(msg)
    if len(objectives) > 1 and SAMPLERS.get(sampler, sampler) == "CmaEsSampler":
        msg = (f"{where}: sampler: cmaes optimises one objective, this search has "
               f"{len(objectives)}; use nsgaii or tpe")
        raise ConfigError(msg)
    seed = data.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        msg = f"{where}: seed: must be a whole number >= 0, got {seed!r}"
        raise ConfigError(msg)
    failure = data.get("on_failure", "fail")
    penalty: tuple[float, ...] | None = None
    if isinstance(failure, dict) and set(failure) == {"penalty"}:
        given = failure["penalty"]
        given = given if isinstance(given, list) else [given]
        if len(given) != len(objectives) or not all(_number(g) for g in given):
            msg = (f"{where}: on_failure: penalty: one finite number per objective "
                   f"({len(objectives)}), got {failure['penalty']!r}")
            raise ConfigError(msg)
        penalty = tuple(float(g) for g in given)
    elif failure != "fail":
        msg = (f"{where}: on_failure: must be fail (failed points are told to Optuna as "
               f"failed) or {{penalty: [...]}} (told with these values), got {failure!r}")
        raise ConfigError(msg)
    return Optimisation(ranges=ranges, objectives=objectives, constraints=constraints,
                        sampler=sampler, seed=seed,
                        n_trials=_positive_int(data, "n_trials", 20, where),
                        batch_size=_positive_int(data, "batch_size", 1, where), penalty=penalty)
