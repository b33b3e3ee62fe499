"""Validating a study or workflow file against the installed components.

Everything a run can check without building the network is checked here, so that ``mozaik
config check`` finds it with the file and line: every section's shape, every component's name
and parameters, the components named inside parameters (:class:`mozaik.config.ComponentRef`,
e.g. a modular connector's functions), the sheets connectors and experiments name, and constant
delays against the simulator's delay range (:mod:`mozaik.study._cross`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from mozaik._errors import UnknownComponentError
from mozaik.config import (
    ConfigTree,
    ControllerConfig,
    ProblemCollector,
    SimulatorConfig,
    component_refs,
    load_config,
    structure,
)
from mozaik.plugin import AnyComponent, Registry, get_registry, kind_label
from mozaik.study._cross import check_delays, check_sheet_names, did_you_mean
from mozaik.study._layout import (
    SECTIONS,
    STUDY_SECTIONS,
    WORKFLOW_SECTIONS,
    ComponentEntry,
    ConnectorEntry,
    Entry,
    Section,
    Study,
    WorkflowEntry,
)

__all__ = ["load_study", "load_workflow_sections", "structure_component", "study_from_tree"]

_ENTRY_KEYS = {"component", "params"}
#: Keys param_filter_query takes besides query keywords; not allowed in a ``query:``.
_QUERY_FLAGS = {"ads_unique", "rec_unique"}
_SETTINGS: dict[str, type] = {"simulator": SimulatorConfig, "controller": ControllerConfig}


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def structure_component(registry: Registry, kind: str, entry: Any, path: str,
                        tree: ConfigTree | None = None,
                        extra_keys: Iterable[str] = ()
                        ) -> tuple[AnyComponent[Callable[..., object]], Any]:
    """Look ``entry['component']`` up in the registry and structure ``entry['params']``,
    including every component named inside the parameters.

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
    for key in sorted(set(entry) - allowed, key=str):
        problems.add(_join(path, key), f"unknown key {key!r}{did_you_mean(key, allowed)}; "
                     f"allowed keys: {', '.join(sorted(allowed))}")
    name = entry["component"]
    if not isinstance(name, str) or not name:
        installed = ", ".join(registry.kind(kind)) or "none"
        problems.add(_join(path, "component"), f"expected the registered name of a "
                     f"{kind_label(kind)} (a string), got {name!r}; installed "
                     f"{kind_label(kind, plural=True)}: {installed}")
        problems.raise_if_any()
    try:
        registered = registry.get(kind, name)
    except UnknownComponentError as exc:
        problems.add(_join(path, "component"), str(exc))
        problems.raise_if_any()
        raise AssertionError from exc  # unreachable
    params_path = _join(path, "params")
    params = entry.get("params") or {}
    with problems.section(params_path):
        params = structure(params, registered.config_cls, path=params_path, tree=tree)
        _check_nested(registry, params, params_path, tree, problems)
    problems.raise_if_any()
    return registered, params


def _check_nested(registry: Registry, params: Any, path: str, tree: ConfigTree | None,
                  problems: ProblemCollector) -> None:
    """Look up and structure every component named inside ``params`` (recursively)."""
    for ref_path, ref in component_refs(params, path):
        try:
            registered = registry.get(ref.KIND, ref.component)
        except UnknownComponentError as exc:
            problems.add(_join(ref_path, "component"), str(exc))
            continue
        with problems.section(_join(ref_path, "params")):
            nested: Any = structure(dict(ref.params), registered.config_cls,
                               path=_join(ref_path, "params"), tree=tree)
            _check_nested(registry, nested, _join(ref_path, "params"), tree, problems)


def load_study(file: str | Path, overrides: Iterable[str] = (),
               registry: Registry | None = None,
               include_roots: Iterable[str | Path] = ()) -> Study:
    """Load, resolve and validate a study file; every problem is reported in one ConfigError.

    Parameters
    ----------
    file : path
        A study YAML file, or a folder holding ``study.yaml``.
    overrides : iterable of str
        ``dotted.path=value`` items applied before references are resolved.
    registry : Registry, optional
        Where component names are looked up; defaults to the installed plugins.
    include_roots : iterable of path
        Folders outside the study's folder tree that includes may come from (see
        :func:`mozaik.config.load_tree`).
    """
    tree = load_config(file, overrides, include_roots)
    return study_from_tree(tree, registry)


class _Checker:
    """Structures the sections of one tree, collecting every problem."""

    def __init__(self, tree: ConfigTree, registry: Registry) -> None:
        self.tree = tree
        self.registry = registry
        self.problems = ProblemCollector(tree)

    def entry(self, kind: str, raw: Any, path: str,
              make: Callable[[AnyComponent[Callable[..., object]], Any], Entry] | None = None
              ) -> Entry | None:
        extra: tuple[str, ...] = ()
        if kind == "connectors":
            extra = ("source", "target")
        elif kind in WORKFLOW_SECTIONS:
            extra = ("query",)
            query = self.query(raw, path)
            make = make or self.workflow_entry(path, query)
        with self.problems.section(path):
            reg, params = structure_component(self.registry, kind, raw, path, self.tree, extra)
            if make is not None:
                return make(reg, params)
            return ComponentEntry(name=reg.name, registered=reg, params=params, path=path)
        return None

    def section(self, section: Section) -> Any:
        raw = self.tree.data.get(section.name)
        kind = str(section.kind)
        if section.shape == "text":
            if section.required and (not isinstance(raw, str) or not raw):
                self.problems.add(section.name, f"the study needs a {section.name} (a string), "
                                  f"got {raw!r}")
            elif raw is not None and not isinstance(raw, str):
                self.problems.add(section.name, f"expected a string, got {raw!r}")
            return str(raw) if raw is not None else ""
        if section.shape == "settings":
            cls = _SETTINGS[section.name]
            with self.problems.section(section.name):
                return structure({} if raw is None else raw, cls, path=section.name,
                                 tree=self.tree)
            return cls()
        if section.shape == "component":
            return None if raw is None else self.entry(kind, raw, section.name)
        if section.shape == "named":
            return self.named(section, raw)
        return self.many(section.name, kind, raw)

    def named(self, section: Section, raw: Any) -> dict[str, Entry]:
        # a study whose sensory input makes the sheets (an LGN alone) needs no other sheet
        required = section.required and not (section.name == "sheets"
                                              and self.tree.data.get("sensory_input"))
        if required and (not isinstance(raw, Mapping) or not raw):
            self.problems.add(section.name, f"a study needs at least one of {section.name}: "
                              f"{section.name}: {{name: {{component: ..., params: {{...}}}}}}")
            return {}
        if not isinstance(raw, Mapping):
            if raw is not None:
                self.problems.add(section.name, f"expected a mapping of names to "
                                  f"{{component: ..., params: ...}}, got {raw!r}")
            return {}
        out = {}
        for key, value in raw.items():
            path = _join(section.name, key)
            if section.name == "connectors":
                found = self.entry(section.name, value, path, self.connector(path, value))
            else:
                found = self.entry(str(section.kind), value, path)
            if found is not None:
                out[key] = found
        return out

    def connector(self, path: str, raw: Any
                  ) -> Callable[[AnyComponent[Callable[..., object]], Any], Entry]:
        ends = {end: raw.get(end) if isinstance(raw, Mapping) else None
                for end in ("source", "target")}

        def make(reg: AnyComponent[Callable[..., object]], params: Any) -> Entry:
            return ConnectorEntry(name=reg.name, registered=reg, params=params, path=path,
                                  source=str(ends["source"]), target=str(ends["target"]))

        return make

    def query(self, raw: Any, path: str) -> dict[str, Any]:
        """The ``query:`` of an analyses/plots entry, checked: param_filter_query keywords."""
        value = raw.get("query") if isinstance(raw, Mapping) else None
        where = _join(path, "query")
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not value:
            self.problems.add(where, f"expected a non-empty mapping of param_filter_query "
                              f"keywords, e.g. {{sheet_name: exc, st_name: InternalStimulus}}, "
                              f"got {value!r}")
            return {}
        out: dict[str, Any] = {}
        for key, item in value.items():
            here = _join(where, key)
            if not isinstance(key, str) or (not key.isidentifier() and "." not in key):
                self.problems.add(here, f"a query key is a parameter name (sheet_name, "
                                  f"value_name, st_<stimulus parameter>, ...), got {key!r}")
            elif key in _QUERY_FLAGS:
                self.problems.add(here, f"{key} is not a query keyword; a query only selects")
            elif not _query_value(item):
                self.problems.add(here, f"expected a scalar (string, number, bool, null) or a "
                                  f"non-empty list of scalars (any of them), got {item!r}")
            else:
                out[key] = list(item) if isinstance(item, list) else item
        return out

    def workflow_entry(self, path: str, query: dict[str, Any]
                       ) -> Callable[[AnyComponent[Callable[..., object]], Any], Entry]:
        def make(reg: AnyComponent[Callable[..., object]], params: Any) -> Entry:
            return WorkflowEntry(name=reg.name, registered=reg, params=params, path=path,
                                 query=query)

        return make

    def check_connector_ends(self, sensory_input: Any) -> None:
        sheets = self.tree.data.get("sheets")
        populations = set(sheets) if isinstance(sheets, Mapping) else set()
        if sensory_input is not None:
            populations |= set(getattr(sensory_input.params, "populations", ()) or ())
        raw = self.tree.data.get("connectors") or {}
        for name, entry in raw.items() if isinstance(raw, Mapping) else ():
            for end in ("source", "target"):
                value = entry.get(end) if isinstance(entry, Mapping) else None
                if not isinstance(value, str):
                    self.problems.add(_join(_join("connectors", name), end),
                                      f"expected the name of a sheet (a string), got {value!r}; "
                                      f"sheets are: {', '.join(sorted(populations)) or 'none'}")
                elif value not in populations and populations:
                    # no sheets at all is its own problem (reported on 'sheets'), not this one
                    self.problems.add(_join(_join("connectors", name), end),
                                      f"{end} sheet {value!r} does not exist"
                                      f"{did_you_mean(value, populations)}; sheets are: "
                                      f"{', '.join(sorted(populations))}")

    def many(self, section: str, kind: str, raw: Any) -> tuple[Entry, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problems.add(section, f"expected a list of {{component: ..., params: ...}}, "
                              f"got {raw!r}")
            return ()
        found = (self.entry(kind, item, _join(section, i)) for i, item in enumerate(raw))
        return tuple(entry for entry in found if entry is not None)


def _query_value(value: Any) -> bool:
    def scalar(v: Any) -> bool:
        return v is None or isinstance(v, bool | int | float | str)

    if isinstance(value, list):
        return bool(value) and all(scalar(v) for v in value)
    return scalar(value)


def study_from_tree(tree: ConfigTree, registry: Registry | None = None) -> Study:
    """Validate an already loaded tree (see :func:`load_study`); the study keeps ``registry``
    (default: the installed plugins') as :attr:`Study.registry`."""
    registry = registry or get_registry()
    checker = _Checker(tree, registry)
    # experiments create their stimuli only during a run: loading the stimuli's registrations
    # now refuses one written against an older API (its kind's renamed fields) before anything
    # is built
    checker.registry.kind("stimuli")
    for key in tree.data:
        if key not in STUDY_SECTIONS:
            checker.problems.add(key, f"unknown section{did_you_mean(key, STUDY_SECTIONS)}; "
                                 f"a study has: {', '.join(STUDY_SECTIONS)}")
    values = {section.name: checker.section(section) for section in SECTIONS}
    checker.check_connector_ends(values["sensory_input"])
    check_delays(values["connectors"], values["simulator"], checker.problems)
    # sheets as written (one with a bad parameter still exists: no second, misleading problem)
    raw_sheets = tree.data.get("sheets")
    populations = set(raw_sheets if isinstance(raw_sheets, Mapping) else ()) | set(
        getattr(getattr(values["sensory_input"], "params", None), "populations", ()) or ())
    check_sheet_names(values["experiments"], populations, checker.problems)
    checker.problems.raise_if_any()
    return Study(**values, tree=tree, registry=registry)


def load_workflow_sections(file: str | Path, overrides: Iterable[str] = (),
                           registry: Registry | None = None,
                           include_roots: Iterable[str | Path] = ()
                           ) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    """Load and validate the :data:`WORKFLOW_SECTIONS` (``analyses``, ``plots``) of a file.

    A workflow file is a YAML file with only these sections (the same syntax as a study:
    includes, references, overrides); a whole study file is accepted too, its other sections
    are ignored.

    Returns
    -------
    (analyses, plots) : tuple of Entry each

    Raises
    ------
    ConfigError
        Naming the file, line, dotted path and problem (e.g. an analysis that is not
        installed), every problem at once.
    """
    tree = load_config(file, overrides, include_roots)
    checker = _Checker(tree, registry or get_registry())
    # experiments create their stimuli only during a run: loading the stimuli's registrations
    # now refuses one written against an older API (its kind's renamed fields) before anything
    # is built
    checker.registry.kind("stimuli")
    for key in tree.data:
        if key not in STUDY_SECTIONS:
            checker.problems.add(key, f"unknown section"
                                 f"{did_you_mean(key, WORKFLOW_SECTIONS)}; a workflow file "
                                 f"has {' and '.join(WORKFLOW_SECTIONS)}")
    analyses, plots = (checker.many(name, name, tree.data.get(name)) for name in
                       WORKFLOW_SECTIONS)
    checker.problems.raise_if_any()
    return analyses, plots
