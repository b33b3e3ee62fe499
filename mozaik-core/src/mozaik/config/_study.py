"""The study: one file declaring model, experiments, analyses and plots.

Layout of a study file (every section but ``name`` and ``sheets`` optional)::

    name: vogels_abbott2005
    simulator: {backend: nest, time_step: 0.1, min_delay: 0.1, max_delay: 10.0,
                threads: 1, seed: 42}
    controller: {null_stimulus_period: 100.0, reset: false}
    input_space: {component: VisualSpace, params: {...}}      # from a plugin
    sensory_input: {component: Retina, params: {...}}
    sheets:
      exc: {component: Sheet, params: {...}}
    connectors:
      exc_exc: {component: FixedProbabilityConnector, source: exc, target: exc, params: {...}}
    experiments:
      - {component: PoissonNetworkKick, params: {...}}
    analyses:
      - {component: FiringRate, params: {...}}
    plots:
      - {component: RasterPlot, params: {...}}
    backend: {component: LocalBackend, params: {progress: auto}}   # how `mozaik run` runs it
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from mozaik._errors import UnknownComponentError
from mozaik.config._load import ConfigTree, join, load_config
from mozaik.config._structure import (
    ParameterError,
    ProblemCollector,
    non_negative,
    positive,
    structure,
)
from mozaik.plugin import RegisteredComponent, Registry, get_registry

__all__ = [
    "ComponentEntry",
    "ConnectorEntry",
    "ControllerConfig",
    "SimulatorConfig",
    "Study",
    "load_study",
    "structure_component",
]


@attrs.frozen(kw_only=True)
class SimulatorConfig:
    """Simulator setup.

    Parameters
    ----------
    backend : str
        PyNN backend module: ``nest`` (default) or ``mock`` (core's tests, no dynamics).
    time_step : float, ms
        Integration time step.
    min_delay : float, ms, optional
        Smallest synaptic delay; defaults to ``time_step``. Must be >= ``time_step``.
    max_delay : float, ms
        Largest synaptic delay.
    threads : int
        NEST threads per process (1 is fastest on small machines).
    seed : int
        Master seed: every random draw of the model and the simulator derives from it.
    """

    backend: str = "nest"
    time_step: float = attrs.field(default=0.1, validator=positive)
    min_delay: float | None = None
    max_delay: float = attrs.field(default=10.0, validator=positive)
    threads: int = attrs.field(default=1, validator=positive)
    seed: int = attrs.field(default=0, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.min_delay is not None and self.min_delay < self.time_step:
            msg = (f"min_delay ({self.min_delay} ms) is below time_step ({self.time_step} ms); "
                   "delays cannot be shorter than one time step")
            raise ParameterError("min_delay", msg)
        if self.max_delay < (self.min_delay or self.time_step):
            msg = f"max_delay ({self.max_delay} ms) is below min_delay"
            raise ParameterError("max_delay", msg)

    @property
    def effective_min_delay(self) -> float:
        return self.time_step if self.min_delay is None else self.min_delay


@attrs.frozen(kw_only=True)
class ControllerConfig:
    """How stimuli are presented.

    Parameters
    ----------
    null_stimulus_period : float, ms
        Blank period recorded (as a null segment) before each stimulus; 0 disables it.
    reset : bool
        Reset the network state between presentations (PyNN ``reset``) instead of a blank.
    progress_chunk_ms : float, ms
        Model time simulated per ``run`` call, so progress moves during long presentations
        (results do not depend on it); 0 simulates each presentation in one call.
    """

    null_stimulus_period: float = attrs.field(default=0.0, validator=non_negative)
    reset: bool = False
    progress_chunk_ms: float = attrs.field(default=100.0, validator=non_negative)


@attrs.frozen(kw_only=True)
class ComponentEntry:
    """One component declared in a study: its registered name, structured parameters and where."""

    name: str
    registered: RegisteredComponent
    params: Any
    path: str

    def build(self, *args: Any, **kwargs: Any) -> Any:
        """Call the component's factory with the kind's arguments and ``params``."""
        return self.registered.factory(*args, **kwargs)


@attrs.frozen(kw_only=True)
class ConnectorEntry(ComponentEntry):
    """A connector entry: also names its source and target sheets."""

    source: str
    target: str


@attrs.frozen(kw_only=True)
class Study:
    """A fully loaded and validated study."""

    name: str
    description: str
    simulator: SimulatorConfig
    controller: ControllerConfig
    input_space: ComponentEntry | None
    sensory_input: ComponentEntry | None
    sheets: Mapping[str, ComponentEntry]
    connectors: Mapping[str, ConnectorEntry]
    experiments: tuple[ComponentEntry, ...]
    analyses: tuple[ComponentEntry, ...]
    plots: tuple[ComponentEntry, ...]
    tree: ConfigTree = attrs.field(repr=False)
    backend: ComponentEntry | None = None

    @property
    def resolved(self) -> dict[str, Any]:
        """The fully resolved configuration tree (JSON-able), as stored in a run's manifest."""
        return self.tree.data


_SECTIONS = ("name", "description", "simulator", "controller", "input_space", "sensory_input",
             "sheets", "connectors", "experiments", "analyses", "plots", "backend")
_ENTRY_KEYS = {"component", "params"}


def structure_component(registry: Registry, kind: str, entry: Any, path: str,
                        tree: ConfigTree | None = None,
                        extra_keys: Iterable[str] = ()) -> tuple[RegisteredComponent, Any]:
    """Look ``entry['component']`` up in the registry and structure ``entry['params']``.

    Raises
    ------
    ConfigError
        Naming ``path`` for a malformed entry, an unknown component, or bad parameters.
    """
    allowed = _ENTRY_KEYS | set(extra_keys)
    problems = ProblemCollector(tree)
    if not isinstance(entry, Mapping) or "component" not in entry:
        problems.add(path, f"expected a mapping with 'component: <registered name>' and "
                     f"'params: {{...}}', got {entry!r}")
        problems.raise_if_any()
    unknown = set(entry) - allowed
    if unknown:
        problems.add(path, f"unknown key(s) {', '.join(sorted(unknown))}; allowed keys: "
                     f"{', '.join(sorted(allowed))}")
    name = entry["component"]
    try:
        registered = registry.get(kind, name)
    except UnknownComponentError as exc:
        problems.add(join(path, "component"), str(exc))
        problems.raise_if_any()
        raise AssertionError from exc  # unreachable
    params_path = join(path, "params")
    params = entry.get("params") or {}
    with problems.section(params_path):
        params = structure(params, registered.config_cls, path=params_path, tree=tree)
    problems.raise_if_any()
    return registered, params


def load_study(file: str | Path, overrides: Iterable[str] = (),
               registry: Registry | None = None) -> Study:
    """Load, resolve and validate a study file; every problem is reported in one ConfigError.

    Parameters
    ----------
    file : path
        A study YAML file, or a folder holding ``study.yaml``.
    overrides : iterable of str
        ``dotted.path=value`` items applied before references are resolved.
    registry : Registry, optional
        Where component names are looked up; defaults to the installed plugins.
    """
    tree = load_config(file, overrides)
    return study_from_tree(tree, registry)


def study_from_tree(tree: ConfigTree, registry: Registry | None = None) -> Study:
    """Validate an already loaded tree (see :func:`load_study`)."""
    registry = registry or get_registry()
    data = tree.data
    problems = ProblemCollector(tree)
    for key in data:
        if key not in _SECTIONS:
            problems.add(key, f"unknown section; a study has: {', '.join(_SECTIONS)}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        problems.add("name", f"the study needs a name (a string), got {name!r}")
    description = data.get("description", "")

    simulator = SimulatorConfig()
    with problems.section("simulator"):
        simulator = structure(data.get("simulator") or {}, SimulatorConfig, path="simulator",
                              tree=tree)
    controller = ControllerConfig()
    with problems.section("controller"):
        controller = structure(data.get("controller") or {}, ControllerConfig,
                               path="controller", tree=tree)

    def single(section: str, kind: str) -> ComponentEntry | None:
        entry = data.get(section)
        if entry is None:
            return None
        with problems.section(section):
            reg, params = structure_component(registry, kind, entry, section, tree)
            return ComponentEntry(name=reg.name, registered=reg, params=params, path=section)
        return None

    input_space = single("input_space", "input_spaces")
    sensory_input = single("sensory_input", "sensory_inputs")
    backend = single("backend", "backends")

    sheets: dict[str, ComponentEntry] = {}
    raw_sheets = data.get("sheets") or {}
    if not isinstance(raw_sheets, Mapping) or not raw_sheets:
        problems.add("sheets", "a study needs at least one sheet: sheets: {name: {component: "
                     "Sheet, params: {...}}}")
        raw_sheets = {}
    for sheet_name, entry in raw_sheets.items():
        path = join("sheets", sheet_name)
        with problems.section(path):
            reg, params = structure_component(registry, "sheets", entry, path, tree)
            sheets[sheet_name] = ComponentEntry(name=reg.name, registered=reg, params=params,
                                                path=path)
    populations = set(raw_sheets)
    if sensory_input is not None:
        populations |= set(getattr(sensory_input.params, "populations", ()) or ())

    connectors: dict[str, ConnectorEntry] = {}
    raw_connectors = data.get("connectors") or {}
    if not isinstance(raw_connectors, Mapping):
        problems.add("connectors", f"expected a mapping of projection names to connectors, "
                     f"got {raw_connectors!r}")
        raw_connectors = {}
    for proj_name, entry in raw_connectors.items():
        path = join("connectors", proj_name)
        ends = {}
        for end in ("source", "target"):
            value = entry.get(end) if isinstance(entry, Mapping) else None
            if value not in populations:
                problems.add(join(path, end), f"{end} sheet {value!r} does not exist; sheets "
                             f"are: {', '.join(sorted(populations)) or 'none'}")
            ends[end] = value
        with problems.section(path):
            reg, params = structure_component(registry, "connectors", entry, path, tree,
                                              extra_keys=("source", "target"))
            connectors[proj_name] = ConnectorEntry(
                name=reg.name, registered=reg, params=params, path=path,
                source=str(ends["source"]), target=str(ends["target"]))

    def many(section: str, kind: str) -> tuple[ComponentEntry, ...]:
        raw = data.get(section) or []
        if not isinstance(raw, list):
            problems.add(section, f"expected a list of {{component: ..., params: ...}}, "
                         f"got {raw!r}")
            return ()
        out = []
        for i, entry in enumerate(raw):
            path = join(section, i)
            with problems.section(path):
                reg, params = structure_component(registry, kind, entry, path, tree)
                out.append(ComponentEntry(name=reg.name, registered=reg, params=params,
                                          path=path))
        return tuple(out)

    experiments = many("experiments", "experiments")
    analyses = many("analyses", "analyses")
    plots = many("plots", "plots")
    problems.raise_if_any()
    return Study(name=str(name), description=str(description), simulator=simulator,
                 controller=controller, input_space=input_space, sensory_input=sensory_input,
                 sheets=sheets, connectors=connectors, experiments=experiments,
                 analyses=analyses, plots=plots, tree=tree, backend=backend)


