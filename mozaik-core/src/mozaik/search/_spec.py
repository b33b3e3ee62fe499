"""The search file: which study, which parameters, which points, which backend.

Layout of a search file (YAML)::

    study: ../vogels_abbott2005      # a study file or folder, relative to this file
    kind: grid                       # grid | random | list | optimise
    set: ["sheets.exc.params.placement.n_neurons=400"]   # fixed overrides of every point
    parameters:                      # grid: a list of values per dotted path
      connectors.exc_exc.params.weight_uS: [0.002, 0.004]
      connectors.inh_exc.params.weight_uS: [0.03, 0.05]
    # random:  parameters: {PATH: {low: 0.001, high: 0.01}} or {PATH: {choice: [..]}},
    #          n_points: 20, seed: 1
    # list:    points: [{PATH: value, ...}, ...]
    # optimise: ranges, objectives, sampler, n_trials, batch_size (mozaik.search._optimise_spec):
    #          points are asked of Optuna batch by batch (mozaik.search._optimise)
    workflow: analyses.yaml          # optional: the analyses and plots of every point
                                     # (instead of the study's own)
    plots:                           # optional: figures of the whole search (search plots)
      - {component: ParameterSearchPlot, params: {values: [Mean(Firing rate)]}}
    backend: local                   # a registered backend's name or alias (local, ...)
    resources: {workers: 2}          # the backend's parameters

``plots:`` entries name search plots (registered through ``mozaik_search_plots``, e.g.
mozaik-plot's ``ParameterSearchPlot``); they are drawn from the collated table into
``MASTER/figures/`` (``mozaik.search._plots``).
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import yaml

from mozaik._errors import ConfigError
from mozaik.config import ConfigTree, ProblemCollector, apply_overrides, load_tree
from mozaik.plugin import Registry, get_registry
from mozaik.search._optimise_spec import OPTIMISE_KEYS, Optimisation, parse_optimisation
from mozaik.study import ComponentEntry, load_study, structure_component

__all__ = ["KINDS", "Search", "definition_tree", "load_search", "make_points",
           "search_from_mapping", "search_plot_entries"]

#: The kinds of search.
KINDS: tuple[str, ...] = ("grid", "random", "list", "optimise")

_KEYS = ("study", "kind", "set", "parameters", "points", "n_points", "seed", "workflow",
         "plots", "backend", "resources", "name", *OPTIMISE_KEYS)


@attrs.frozen(kw_only=True)
class Search:
    """A loaded, validated parameter search.

    Attributes
    ----------
    name : str
        Name of the search (default: the search file's stem).
    study : pathlib.Path
        The study file (absolute).
    kind : {"grid", "random", "list", "optimise"}
        How points are made (``optimise``: asked of Optuna as the search goes; ``points``
        holds those asked so far).
    parameters : tuple of str
        The dotted paths the search varies, in order.
    points : tuple of dict
        One mapping dotted path -> value per point; point ``i`` is ``points[i]``.
    fixed : tuple of str
        ``dotted.path=value`` overrides applied to every point before the point's own.
    workflow : pathlib.Path or None
        A workflow file whose analyses and plots run on every point instead of the study's
        own (None: the study's own).
    plots : tuple of dict
        The ``plots:`` entries as written (``{component, params}``): search plots drawn from
        the collated table (:func:`mozaik.search.plot_search`).
    backend : str
        A registered backend's name or an alias its plugin declares (``local``; mozaik-hpc
        declares ``slurm`` and ``mpi``).
    resources : dict
        The backend's parameters.
    definition : dict
        The search file as read (copied into the master directory).
    optimisation : Optimisation or None
        The ranges, objectives and sampler of an optimising search (``kind: optimise``).
    """

    name: str
    study: Path
    kind: str
    parameters: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    fixed: tuple[str, ...] = ()
    workflow: Path | None = None
    plots: tuple[dict[str, Any], ...] = ()
    backend: str = "local"
    resources: dict[str, Any] = attrs.field(factory=dict)
    definition: dict[str, Any] = attrs.field(factory=dict, repr=False)
    optimisation: Optimisation | None = None

    def overrides(self, point_id: int) -> list[str]:
        """The ``dotted.path=value`` overrides of point ``point_id`` (fixed ones first)."""
        point = self.points[point_id]
        return [*self.fixed, *(f"{path}={yaml_value(point[path])}" for path in self.parameters)]


def yaml_value(value: Any) -> str:
    """``value`` written as the YAML of a ``--set`` item, read back as the same value: JSON
    (a subset of YAML), except that NaN and the infinities are YAML's ``.nan``, ``.inf`` and
    ``-.inf`` (JSON's ``NaN`` and ``Infinity`` would read back as strings)."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))}: {yaml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    return json.dumps(value)


def _non_finite(value: Any) -> bool:
    """Whether ``value`` is, or holds, a NaN or an infinity."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_non_finite(v) for v in value)
    return False


def _check_non_finite(where: str, search: Search, registry: Registry) -> None:
    """A NaN or infinite value of a search is read as that float by the study, which may
    refuse it (most parameters must be finite): load the study with the first point holding
    each such value, so that a refusal is reported now, naming the search file, the point and
    the dotted path, instead of failing that point (or all of them) when it runs."""
    grid = search.definition.get("parameters") if search.kind == "grid" else None
    if isinstance(grid, dict) and not any(_non_finite(grid.get(path)) for path in
                                          search.parameters):
        return  # a grid's values are its lists: no point needs looking at (10^6 points)
    seen: set[tuple[str, str]] = set()
    for i, point in enumerate(search.points):
        bad = [(path, yaml_value(point[path])) for path in search.parameters
               if _non_finite(point[path])]
        if not bad or all(b in seen for b in bad):
            continue
        seen.update(bad)
        try:
            load_study(search.study, search.overrides(i), registry)
        except ConfigError as exc:
            shown = ", ".join(f"{path}={text}" for path, text in bad)
            msg = (f"{where}: point {i} ({shown}): the study {search.study} refuses it:\n"
                   f"{exc}\nNaN and infinite values reach the study as floats; give finite "
                   "values, or vary a parameter whose documentation allows them")
            raise ConfigError(msg) from None


def _tree_paths(node: Any, prefix: str = "") -> list[str]:
    paths: list[str] = []
    items: list[tuple[str, Any]] = (
        list(node.items()) if isinstance(node, dict) else
        [(str(i), v) for i, v in enumerate(node)] if isinstance(node, list) else [])
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        paths.append(path)
        paths.extend(_tree_paths(value, path))
    return paths


#: Optional seeds of ``simulator`` a search may vary even when the study does not set them.
_STREAM_SEEDS = ("model_seed", "simulation_seed", "experiment_seed")


def _check_paths(where: str, study: Path, paths: Sequence[str], fixed: Sequence[str] = ()
                 ) -> None:
    """Every varied path must exist in the study as written (before references resolve), or
    be made by the search's own ``set:`` overrides ``fixed`` (e.g. a sheet's
    ``background_noise`` the study does not have, set by the search and varied in it)."""
    data = apply_overrides(load_tree(study), fixed).data if fixed else load_tree(study).data
    existing = _tree_paths(data)
    # the seed streams may be varied without the study naming them (they default to the seed)
    known = set(existing) | {f"simulator.{k}" for k in _STREAM_SEEDS}
    for path in paths:
        if path not in known:
            near = difflib.get_close_matches(path, existing, n=3, cutoff=0.5)
            hint = (f"; nearest existing paths: {', '.join(near)}" if near else
                    f"; the study's top-level sections are: {', '.join(data)}")
            msg = f"{where}: parameters: {path!r} does not exist in the study {study}{hint}"
            raise ConfigError(msg)


def make_points(kind: str, parameters: Mapping[str, Any], *, n_points: int | None = None,
                seed: int | None = None, points: Sequence[Mapping[str, Any]] = (),
                where: str = "search") -> tuple[tuple[str, ...], tuple[dict[str, Any], ...]]:
    """The varied paths and the points of a search.

    Parameters
    ----------
    kind : {"grid", "random", "list"}
        ``grid``: every combination of the value lists of ``parameters`` (the first path varies
        slowest); ``random``: ``n_points`` draws with ``seed``, each path either
        ``{low, high}`` (uniform) or ``{choice: [...]}``; ``list``: ``points`` as given.
    where : str
        Named in errors (the search file).

    Raises
    ------
    ConfigError
        For an unknown kind, an empty value list, a random search without ``n_points``, or list
        points that do not all set the same paths.
    """
    if kind == "grid":
        names = tuple(parameters)
        for name in names:
            values = parameters[name]
            if not isinstance(values, list) or not values:
                msg = (f"{where}: parameters: {name}: a grid needs a non-empty list of values, "
                       f"got {values!r}; write e.g. {name}: [1.0, 2.0]")
                raise ConfigError(msg)
        combos = itertools.product(*(parameters[n] for n in names))
        return names, tuple(dict(zip(names, combo, strict=True)) for combo in combos)
    if kind == "random":
        if not isinstance(n_points, int) or n_points < 1:
            msg = f"{where}: n_points: a random search needs n_points >= 1, got {n_points!r}"
            raise ConfigError(msg)
        rng = np.random.default_rng(seed)
        names = tuple(parameters)
        drawn: list[dict[str, Any]] = [{} for _ in range(n_points)]
        for name in names:
            spec = parameters[name]
            if isinstance(spec, dict) and "choice" in spec:
                choice = spec["choice"]
                if not isinstance(choice, list) or not choice:
                    msg = f"{where}: parameters: {name}: choice must be a non-empty list"
                    raise ConfigError(msg)
                picks = rng.integers(0, len(choice), size=n_points)
                values = [choice[int(i)] for i in picks]
            elif isinstance(spec, dict) and set(spec) == {"low", "high"}:
                bounds = [spec["low"], spec["high"]]
                if not all(isinstance(b, int | float) and not isinstance(b, bool)
                           and math.isfinite(b) for b in bounds):
                    msg = (f"{where}: parameters: {name}: low and high must be finite numbers, "
                           f"got low={bounds[0]!r}, high={bounds[1]!r}")
                    raise ConfigError(msg)
                values = [float(v) for v in rng.uniform(spec["low"], spec["high"], n_points)]
            else:
                msg = (f"{where}: parameters: {name}: a random search needs {{low, high}} or "
                       f"{{choice: [...]}}, got {spec!r}")
                raise ConfigError(msg)
            for point, value in zip(drawn, values, strict=True):
                point[name] = value
        return names, tuple(drawn)
    if kind == "list":
        if not points:
            msg = f"{where}: points: a list search needs a non-empty list of points"
            raise ConfigError(msg)
        names = tuple(points[0])
        for i, given in enumerate(points):
            if not isinstance(given, dict) or tuple(given) != names:
                msg = (f"{where}: points.{i}: every point must set the same paths in the same "
                       f"order as the first ({', '.join(names)}), got {given!r}")
                raise ConfigError(msg)
        return names, tuple(dict(p) for p in points)
    msg = f"{where}: kind: must be one of {', '.join(KINDS)}, got {kind!r}"
    raise ConfigError(msg)


def search_plot_entries(raw: Any, where: str, tree: ConfigTree | None, registry: Registry
                        ) -> tuple[Any, ...]:
    """The ``plots:`` of a search, each looked up among the search plots of ``registry``
    (``mozaik_search_plots``) and its ``params`` structured.

    Returns
    -------
    tuple of mozaik.study.ComponentEntry

    Raises
    ------
    ConfigError
        Naming the file, line and entry (``plots.0.component``...): not a list of
        ``{component, params}``, an unknown search plot (with the installed ones), bad
        parameters.
    """
    if raw is None or raw == []:
        return ()
    tree = tree or ConfigTree(data={"plots": raw}, sources={}, root=Path(where))
    problems = ProblemCollector(tree)
    if not isinstance(raw, list):
        problems.add("plots", f"expected a list of {{component: <search plot>, params: "
                     f"{{...}}}}, got {raw!r}")
        problems.raise_if_any()
    entries = []
    for i, item in enumerate(raw):
        path = f"plots.{i}"
        with problems.section(path):
            registered, params = structure_component(registry, "search_plots", item, path,
                                                     tree)
            entries.append(ComponentEntry(name=registered.name, registered=registered,
                                          params=params, path=path))
    problems.raise_if_any()
    return tuple(entries)


def definition_tree(file: Path, data: dict[str, Any]) -> ConfigTree:
    """``data`` (read from ``file``) with the line of every value, so that errors in the
    definition name ``file:line`` (plain YAML: no includes or expressions here)."""
    sources: dict[str, str] = {}

    def walk(node: yaml.Node, path: str) -> None:
        sources.setdefault(path, f"{file}:{node.start_mark.line + 1}")
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, f"{path}.{key.value}" if path else str(key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, f"{path}.{i}" if path else str(i))

    with contextlib.suppress(OSError, yaml.YAMLError):
        root = yaml.compose(file.read_text(encoding="utf-8"))
        if root is not None:
            walk(root, "")
    sources.pop("", None)
    return ConfigTree(data=data, sources=sources, root=file)


def search_from_mapping(data: Mapping[str, Any], base: Path, *, name: str = "search",
                        where: str = "search", tree: ConfigTree | None = None,
                        check_plots: bool = True, check_values: bool = True,
                        registry: Registry | None = None) -> Search:
    """Validate a search definition; relative paths are relative to ``base``.

    ``registry`` is where search plots and the study's components are looked up (default:
    the installed plugins').

    ``tree`` gives errors in ``plots:`` their file and line; ``check_plots=False`` leaves the
    plots unchecked (a process running points needs no plot plugin); ``check_values=False``
    skips loading the study for points with NaN or infinite values (done when the search
    starts).

    Raises
    ------
    ConfigError
        Also when the study refuses a NaN or infinite value of the search: naming ``where``,
        the point and the dotted path, with the study's own error.
    """
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        msg = f"{where}: unknown key(s) {', '.join(unknown)}; a search file has {', '.join(_KEYS)}"
        raise ConfigError(msg)
    if "study" not in data:
        msg = f"{where}: study: missing; name the study file or folder the search varies"
        raise ConfigError(msg)
    study = (base / str(data["study"])).resolve()
    if study.is_dir():
        study = study / "study.yaml"
    if not study.is_file():
        msg = f"{where}: study: {study} does not exist"
        raise ConfigError(msg)
    kind = str(data.get("kind", "grid"))
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict):
        msg = f"{where}: parameters: must be a mapping of dotted paths to values"
        raise ConfigError(msg)
    optimisation = None
    points: tuple[dict[str, Any], ...]
    if kind == "optimise":
        optimisation = parse_optimisation(data, where)
        names, points = tuple(r.path for r in optimisation.ranges), ()
    else:
        stray = [k for k in OPTIMISE_KEYS if k in data]
        if stray:
            msg = (f"{where}: {', '.join(stray)}: only an optimising search (kind: optimise) "
                   f"has these keys; this search's kind is {kind}")
            raise ConfigError(msg)
        names, points = make_points(kind, parameters, n_points=data.get("n_points"),
                                    seed=data.get("seed"), points=data.get("points") or (),
                                    where=where)
    fixed = data.get("set") or []
    if not isinstance(fixed, list) or not all(isinstance(s, str) for s in fixed):
        msg = f"{where}: set: must be a list of 'dotted.path=value' strings"
        raise ConfigError(msg)
    _check_paths(where, study, names, fixed)
    workflow = data.get("workflow")
    resources = data.get("resources") or {}
    if not isinstance(resources, dict):
        msg = f"{where}: resources: must be a mapping of the backend's parameters"
        raise ConfigError(msg)
    plots = data.get("plots") or []
    if check_plots:
        search_plot_entries(plots, where, tree, registry or get_registry())
    elif not isinstance(plots, list) or not all(isinstance(p, dict) for p in plots):
        msg = f"{where}: plots: must be a list of {{component: <search plot>, params: {{...}}}}"
        raise ConfigError(msg)
    search = Search(name=str(data.get("name", name)), study=study, kind=kind, parameters=names,
                  points=points, fixed=tuple(fixed),
                  workflow=(base / str(workflow)).resolve() if workflow else None,
                  plots=tuple(dict(p) for p in plots),
                  backend=str(data.get("backend", "local")), resources=dict(resources),
                  definition={**dict(data), "study": str(study),
                              **({"workflow": str((base / str(workflow)).resolve())}
                                 if workflow else {})},
                  optimisation=optimisation)
    if check_values:
        _check_non_finite(where, search, registry or get_registry())
    return search


def load_search(file: str | Path, registry: Registry | None = None) -> Search:
    """Load and validate a search file (see the module's docstring for its layout); search
    plots and the study's components are looked up in ``registry`` (default: the installed
    plugins').

    Raises
    ------
    ConfigError
        Naming the file and the key: a dotted path the study does not have (with the nearest
        existing paths), an empty value list, an unknown kind or key.
    """
    file = Path(file)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        msg = f"{file}: cannot read the search file: {exc}"
        raise ConfigError(msg) from None
    if not isinstance(data, dict):
        msg = f"{file}: a search file is a mapping (study, kind, parameters, ...)"
        raise ConfigError(msg)
    return search_from_mapping(data, file.resolve().parent, name=file.stem, where=str(file),
                               tree=definition_tree(file, data), registry=registry)
