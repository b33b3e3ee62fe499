"""SONATA network import: a study's sheets and connectors taken from a SONATA circuit.

``SonataSheet`` builds a sheet from the nodes of one node population (optionally the node
types a ``select`` picks: BMTK's builder puts every node type of a network in one population);
``SonataConnector`` builds a projection from the edges of one edge population whose source and
target nodes are in its two sheets. Both are registered like any sheet and connector, so a
network built with BMTK's ``NetworkBuilder`` (or exported by Mozaik's ``sonata`` exporter)
runs with Mozaik's experiments, store, analyses and plots::

    sheets:
      exc: {component: SonataSheet, params: {circuit: net/circuit_config.json,
            population: cortex, select: {pop_name: exc}, recorders: [{variables: [spikes]}]}}
    connectors:
      exc_inh: {component: SonataConnector, source: exc, target: inh,
                params: {circuit: net/circuit_config.json, population: cortex_to_cortex}}

Cell models: a node type's ``model_template`` ``pynn:<PyNN standard cell type>`` takes its
``dynamics_params`` (a JSON file in the circuit's ``point_neuron_models_dir``) in PyNN's names
and units; ``nest:<NEST model>`` (what BMTK's PointNet reads) in NEST's, translated by PyNN's
NEST backend to the PyNN standard cell type that wraps that NEST model (``V_m`` becomes the
initial ``v``). Weights: ``syn_weight`` (times ``nsyns`` where the file has it, as BMTK's
PointNet does) in PyNN units (uS or nA) for ``pynn:`` targets, in NEST units (nS or pA) for
``nest:`` targets; a negative weight is inhibitory. Delays in ms.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from mozaik import ConfigError
from mozaik.config import Distribution, ParameterError, StudyPath
from mozaik.model import (
    CellParams,
    Connector,
    Sheet,
    SheetBaseParams,
    SynapseParams,
    project_arrays,
)

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["SonataConnector", "SonataConnectorParams", "SonataSheet", "SonataSheetParams"]

_EXTRA = "pip install 'mozaik-core[sonata]'"
_NULL = ("", "NULL", "None", "nan")


def draw(value: float | Distribution, n: int, rng: Any) -> Any:
    """A float stays; a Distribution becomes ``n`` draws from ``rng``."""
    if isinstance(value, Distribution):
        return np.asarray(value.to_pynn(rng).next(n), dtype=float).reshape(n)
    return value


def _need_h5py() -> None:
    if importlib.util.find_spec("h5py") is None:
        msg = (f"reading a SONATA circuit needs the Python package 'h5py', which is not "
               f"installed; install it with {_EXTRA}")
        raise ConfigError(msg)


# -- the circuit configuration --------------------------------------------------------------------


@attrs.frozen
class Circuit:
    """The files of a SONATA circuit, from its circuit configuration (paths resolved).

    Attributes
    ----------
    config : Path
        The circuit configuration file.
    nodes, edges : tuple of (Path, Path)
        ``(nodes_file, node_types_file)`` and ``(edges_file, edge_types_file)`` pairs.
    components : mapping of str to Path
        The ``components`` directories (``point_neuron_models_dir``, ...).
    """

    config: Path
    nodes: tuple[tuple[Path, Path], ...]
    edges: tuple[tuple[Path, Path], ...]
    components: Mapping[str, Path]


def _expand(value: str, manifest: Mapping[str, str], config: Path, where: str) -> Path:
    """``value`` with the manifest's variables and ``${configdir}`` (the directory of the
    configuration file, BMTK's convention) substituted; relative to ``config``'s directory."""
    text = value.replace("${configdir}", str(config.parent))
    for _ in range(len(manifest) + 1):
        new = re.sub(r"\$\{?(\w+)\}?", lambda m: manifest.get("$" + m.group(1), m.group(0)),
                     text)
        if new == text:
            break
        text = new
    if "$" in text:
        msg = (f"SONATA circuit {config}: {where} = {value!r} uses a variable the manifest "
               f"does not define; define it under \"manifest\" in {config}")
        raise ConfigError(msg)
    path = Path(text)
    return path if path.is_absolute() else (config.parent / path).resolve()


def read_circuit(circuit: str | Path) -> Circuit:
    """Read a circuit configuration (``circuit_config.json``, or a directory holding one; a
    simulation configuration whose ``network`` names one is followed).

    Raises
    ------
    mozaik.ConfigError
        A missing or unreadable file, naming it and the fix.
    """
    config = Path(circuit).expanduser()
    if config.is_dir():
        config = config / "circuit_config.json"
    for _ in range(2):
        if not config.is_file():
            msg = (f"SONATA circuit {config}: no such file; give the path of the circuit's "
                   "configuration (circuit_config.json, which lists its nodes and edges files)")
            raise ConfigError(msg)
        try:
            data = json.loads(config.read_text())
        except (OSError, ValueError) as exc:
            msg = f"SONATA circuit {config}: cannot be read as JSON ({exc}); fix or rewrite it"
            raise ConfigError(msg) from exc
        if not isinstance(data, dict):
            msg = f"SONATA circuit {config}: holds {type(data).__name__}, not a JSON object"
            raise ConfigError(msg)
        manifest = {str(k): str(v) for k, v in (data.get("manifest") or {}).items()}
        manifest.setdefault("$BASE_DIR", ".")
        manifest = {k: str(_expand(v, {**manifest, k: "."}, config, f"manifest.{k}"))
                    if k == "$BASE_DIR" else v for k, v in manifest.items()}
        networks = data.get("networks")
        if networks is None and isinstance(data.get("network"), str):
            config = _expand(data["network"], manifest, config, "network")
            continue
        break
    if not isinstance(networks, dict):
        msg = (f"SONATA circuit {config}: has no \"networks\" section listing nodes and edges "
               "files; give the circuit configuration (circuit_config.json)")
        raise ConfigError(msg)
    pairs: dict[str, list[tuple[Path, Path]]] = {"nodes": [], "edges": []}
    for kind in ("nodes", "edges"):
        for i, entry in enumerate(networks.get(kind) or []):
            files = []
            for key in (f"{kind}_file", f"{kind[:-1]}_types_file"):
                where = f"networks.{kind}.{i}.{key}"
                if not isinstance(entry, dict) or not isinstance(entry.get(key), str):
                    msg = f"SONATA circuit {config}: {where} is missing; add it to {config}"
                    raise ConfigError(msg)
                path = _expand(entry[key], manifest, config, where)
                if not path.is_file():
                    msg = (f"SONATA circuit {config}: {where} {path} does not exist; build "
                           f"the network there (BMTK: NetworkBuilder.save) or fix the path in "
                           f"{config}")
                    raise ConfigError(msg)
                files.append(path)
            pairs[kind].append((files[0], files[1]))
    components = {str(k): _expand(str(v), manifest, config, f"components.{k}")
                  for k, v in (data.get("components") or {}).items()}
    return Circuit(config=config, nodes=tuple(pairs["nodes"]), edges=tuple(pairs["edges"]),
                   components=components)


def _types(path: Path, id_column: str) -> dict[int, dict[str, str]]:
    """A SONATA types table (space-separated CSV): type id -> its columns."""
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file, delimiter=" ", skipinitialspace=True))
    out: dict[int, dict[str, str]] = {}
    for row in rows:
        try:
            out[int(row[id_column])] = {k: v for k, v in row.items() if k is not None}
        except (KeyError, TypeError, ValueError):
            msg = (f"SONATA types table {path}: a row has no whole-number {id_column} "
                   f"({row}); every row needs one")
            raise ConfigError(msg) from None
    return out


def _column(group: Any, name: str, index: np.ndarray) -> np.ndarray:
    data = group[name][()]
    if data.dtype.kind in "SO":
        data = np.asarray([v.decode() if isinstance(v, bytes) else str(v) for v in data])
    out: np.ndarray = np.asarray(data)[index]
    return out


def _population_file(pairs: tuple[tuple[Path, Path], ...], kind: str, population: str,
                     config: Path) -> tuple[Path, Path]:
    import h5py

    found = []
    for h5, types in pairs:
        with h5py.File(h5, "r") as file:
            names = list(file.get(kind, {}))
        if population in names:
            return h5, types
        found += names
    msg = (f"SONATA circuit {config}: no {kind[:-1]} population {population!r}; its {kind} "
           f"files hold: {', '.join(sorted(found)) or 'none'}")
    raise ConfigError(msg)


# -- nodes ----------------------------------------------------------------------------------------


@attrs.frozen
class Nodes:
    """The selected nodes of one node population, sorted by node id.

    Attributes
    ----------
    file, types_file : Path
    population : str
    node_ids, type_ids : ndarray of int
    columns : mapping of str to ndarray
        Each group column (``x``, ``y``, ...), one value per selected node.
    types : mapping of int to mapping
        The node types table's rows of the selected nodes' types.
    population_size : int
        Nodes in the whole population (selected or not).
    """

    file: Path
    types_file: Path
    population: str
    node_ids: np.ndarray
    type_ids: np.ndarray
    columns: Mapping[str, np.ndarray]
    types: Mapping[int, Mapping[str, str]]
    population_size: int


def population_node_ids(circuit: Circuit, population: str) -> tuple[Path, np.ndarray]:
    """The node file and every node id of a node population."""
    import h5py

    h5, _ = _population_file(circuit.nodes, "nodes", population, circuit.config)
    with h5py.File(h5, "r") as file:
        group = file["nodes"][population]
        n = len(group["node_type_id"])
        ids = np.asarray(group["node_id"][()], dtype=np.int64) if "node_id" in group else (
            np.arange(n, dtype=np.int64))
    return h5, ids


def read_nodes(circuit: Circuit, population: str, select: Mapping[str, str],
               where: str) -> Nodes:
    """The nodes of ``population`` whose node type matches every ``select`` column."""
    import h5py

    _need_h5py()
    h5, types_file = _population_file(circuit.nodes, "nodes", population, circuit.config)
    types = _types(types_file, "node_type_id")
    with h5py.File(h5, "r") as file:
        group = file["nodes"][population]
        type_ids = np.asarray(group["node_type_id"][()], dtype=np.int64)
        n = len(type_ids)
        node_ids = (np.asarray(group["node_id"][()], dtype=np.int64) if "node_id" in group
                    else np.arange(n, dtype=np.int64))
        missing = sorted(set(np.unique(type_ids).tolist()) - set(types))
        if missing:
            msg = (f"SONATA node population {population!r} in {h5}: node types {missing} are "
                   f"not in its node types table {types_file}; add them there")
            raise ConfigError(msg)
        wanted = [t for t, row in types.items()
                  if all(str(row.get(k, "")) == str(v) for k, v in select.items())]
        keep = np.flatnonzero(np.isin(type_ids, wanted))
        if not keep.size:
            msg = (f"{where}.select: {dict(select)} picks no node of population "
                   f"{population!r} in {h5}; its node types are: "
                   f"{[{'node_type_id': t, **dict(r)} for t, r in sorted(types.items())]}")
            raise ConfigError(msg)
        keep = keep[np.argsort(node_ids[keep], kind="stable")]
        columns: dict[str, np.ndarray] = {}
        group_ids = (np.asarray(group["node_group_id"][()], dtype=np.int64)
                     if "node_group_id" in group else np.zeros(n, dtype=np.int64))
        group_index = (np.asarray(group["node_group_index"][()], dtype=np.int64)
                       if "node_group_index" in group else np.arange(n, dtype=np.int64))
        for gid in np.unique(group_ids[keep]).tolist():
            columns_group = group.get(str(gid))
            if columns_group is None:
                continue
            if "dynamics_params" in columns_group:
                msg = (f"SONATA node population {population!r} in {h5}: group {gid} has "
                       "per-node dynamics_params, which Mozaik does not import; give each "
                       "node type its parameters in its dynamics_params file instead")
                raise ConfigError(msg)
            rows = keep[group_ids[keep] == gid]
            for name, dataset in columns_group.items():
                if not hasattr(dataset, "shape"):
                    continue
                values = _column(columns_group, name, group_index[rows])
                if name not in columns:
                    columns[name] = (np.full(len(keep), np.nan) if values.dtype.kind in "fiu"
                                     else np.full(len(keep), "", dtype=object))
                columns[name][np.searchsorted(node_ids[keep], node_ids[rows])] = values
    return Nodes(file=h5, types_file=types_file, population=population,
                 node_ids=node_ids[keep], type_ids=type_ids[keep], columns=columns,
                 types={t: types[t] for t in np.unique(type_ids[keep]).tolist()},
                 population_size=n)


# -- cell models ----------------------------------------------------------------------------------


def _dynamics(row: Mapping[str, str], circuit: Circuit, nodes: Nodes, type_id: int,
              directory: str) -> dict[str, Any]:
    name = str(row.get("dynamics_params") or "")
    if name in _NULL:
        return {}
    base = circuit.components.get(directory)
    path = (base / name) if base is not None else circuit.config.parent / name
    if not path.is_file():
        msg = (f"SONATA node type {type_id} ({nodes.types_file}): its dynamics_params file "
               f"{path} does not exist; put it in the circuit's components.{directory} "
               f"({base if base is not None else 'not set in ' + str(circuit.config)})")
        raise ConfigError(msg)
    try:
        values = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        msg = f"SONATA dynamics_params file {path}: cannot be read as JSON ({exc})"
        raise ConfigError(msg) from exc
    if not isinstance(values, dict):
        msg = f"SONATA dynamics_params file {path}: holds {type(values).__name__}, not an object"
        raise ConfigError(msg)
    return values


def _nest_standard_type(sim: Any, nest_model: str) -> Any:
    """The PyNN standard cell type of ``sim`` that wraps the NEST model ``nest_model``."""
    for name in sorted(sim.list_standard_models()):
        cls = getattr(sim, name)
        if getattr(cls, "nest_name", {}).get("on_grid") == nest_model:
            return cls
    return None


@attrs.frozen
class CellModel:
    """A node type's cell model in PyNN terms.

    Attributes
    ----------
    model : str
        The PyNN standard cell type.
    params, initial_values : mapping of str to float
        PyNN names and units.
    native : bool
        The node type was written for NEST (``nest:`` template): its edges' weights are in
        NEST units (nS, pA).
    """

    model: str
    params: Mapping[str, float]
    initial_values: Mapping[str, float]
    native: bool


def cell_model(circuit: Circuit, nodes: Nodes, type_id: int, sim: Any, fix: str) -> CellModel:
    """The PyNN cell model of node type ``type_id`` (see the module notes).

    Parameters
    ----------
    fix : str
        What to tell a user whose node type has no model (the sheet's override).
    """
    row = nodes.types[type_id]
    template = str(row.get("model_template") or "")
    where = f"SONATA node type {type_id} ({nodes.types_file}, population {nodes.population!r})"
    if template in _NULL or ":" not in template:
        msg = (f"{where} has no cell model: model_template is {template or 'missing'!r}; give "
               f"it one such as pynn:IF_cond_exp or nest:iaf_psc_alpha, or {fix}")
        raise ConfigError(msg)
    prefix, _, name = template.partition(":")
    values = _dynamics(row, circuit, nodes, type_id, "point_neuron_models_dir")
    if prefix == "pynn":
        params = {k: v for k, v in values.items()}
        try:
            cell = CellParams(model=name, params=params)
        except ValueError as exc:
            msg = f"{where}: {exc}; fix its dynamics_params or model_template"
            raise ConfigError(msg) from exc
        return CellModel(model=cell.model, params={k: float(v) for k, v in params.items()},
                         initial_values={}, native=False)
    if prefix != "nest":
        msg = (f"{where}: model_template {template!r} is neither pynn:<PyNN cell type> nor "
               f"nest:<NEST model>; give one of these, or {fix}")
        raise ConfigError(msg)
    cls = _nest_standard_type(sim, name) if hasattr(sim, "list_standard_models") else None
    if cls is None or not hasattr(cls, "reverse_translate"):
        hint = ("" if sim.__name__ == "pyNN.nest"
                else " (nest: templates are read with simulator.backend: nest)")
        msg = (f"{where}: NEST model {name!r} is not one PyNN wraps as a standard cell "
               f"type{hint}; use a pynn:<cell type> template, or {fix}")
        raise ConfigError(msg)
    from pyNN.parameters import ParameterSpace

    translations = {t["translated_name"]: k for k, t in cls.translations.items()}
    state = {native: pynn for pynn, native in getattr(cls, "variable_map", {}).items()}
    unknown = sorted(set(values) - set(translations) - set(state))
    if unknown:
        msg = (f"{where}: {cls.__name__} (NEST {name}) has no parameter "
               f"{', '.join(map(repr, unknown))}; its parameters are: "
               f"{', '.join(sorted(translations))}; fix its dynamics_params file")
        raise ConfigError(msg)
    native_params = {k: float(v) for k, v in values.items() if k in translations}
    space = cls().reverse_translate(ParameterSpace(native_params))
    space.shape = (1,)
    space.evaluate(simplify=True)
    params = {k: float(np.ravel(v)[0]) for k, v in space.as_dict().items()}
    scale = getattr(cls, "scale_factors", {})
    initial = {state[k]: float(v) / float(scale.get(state[k], 1) or 1)
               for k, v in values.items() if k in state and k not in translations}
    return CellModel(model=cls.__name__, params=params, initial_values=initial, native=True)


# -- the sheet ------------------------------------------------------------------------------------


def _strings(mapping: Mapping[Any, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(mapping).items()}


def _check_circuit(circuit: StudyPath) -> None:
    """Read the circuit's configuration now, so a bad path is a problem of the study naming
    its file, the parameter's dotted path and the path as written and resolved."""
    try:
        read_circuit(circuit)
    except ConfigError as exc:
        msg = f"circuit {circuit.origin()}: {exc}"
        raise ParameterError("circuit", msg) from None


@attrs.frozen(kw_only=True)
class SonataSheetParams(SheetBaseParams):
    """Parameters of ``SonataSheet``: the nodes of a SONATA node population as a sheet.

    Parameters
    ----------
    circuit : StudyPath
        The circuit configuration (``circuit_config.json``, or a directory holding one):
        absolute, or relative to the folder of the study file.
    population : str
        The node population.
    select : mapping of str to str
        Node types to take: those whose columns in the node types table equal these values
        (``{pop_name: exc}``, ``{node_type_id: 100}``); all of the population if empty. One
        sheet holds one PyNN cell type: node types of different models go to different sheets.
    cell : CellParams, optional
        The cell model of every node, instead of the node types' own (for node types without
        a model, e.g. BMTK's virtual nodes: ``{model: SpikeSourcePoisson, params: {rate:
        5.0}}``).
    initial_values : mapping of str to (float or Distribution)
        Initial state in PyNN names and units (``v`` in mV), over what the node types give.
    recorders : list of RecorderParams
        What to record from which neurons (neuron i is the i-th selected node by node id).
    background_noise : NoiseParams, optional
        Poisson bombardment of every neuron.
    annotations : mapping of str to (float or Distribution)
        Per-neuron annotations set at creation, besides those taken from the file
        (``node_id``, ``node_type_id`` and every numeric node column but x, y, z).
    """

    circuit: StudyPath = attrs.field(converter=StudyPath)
    population: str
    select: Mapping[str, str] = attrs.field(factory=dict, converter=_strings)
    cell: CellParams | None = None
    initial_values: Mapping[str, float | Distribution] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        _check_circuit(self.circuit)


class SonataSheet(Sheet[SonataSheetParams]):
    """A sheet whose neurons are the (selected) nodes of a SONATA node population.

    Neuron i is the i-th selected node by node id (:attr:`node_ids`); positions are the
    nodes' ``x`` and ``y`` (um; 0 where the file has none); every node type's cell model is
    read from its ``model_template`` and ``dynamics_params`` (see the module notes) and one
    array per parameter holds each neuron's value.
    """

    @classmethod
    def expected_size(cls, params: object) -> int | None:
        """The number of selected nodes (read from the file)."""
        if not isinstance(params, SonataSheetParams):
            return None
        nodes = read_nodes(read_circuit(params.circuit), params.population, params.select,
                           "sheet")
        return len(nodes.node_ids)

    def __init__(self, name: str, params: SonataSheetParams, model: Model) -> None:
        self.circuit = read_circuit(params.circuit)
        self.nodes = read_nodes(self.circuit, params.population, params.select,
                                f"sheets.{name}.params")
        self._native = False
        super().__init__(name, params, model)
        self.annotate("node_id", self.nodes.node_ids.astype(np.float64))
        self.annotate("node_type_id", self.nodes.type_ids.astype(np.float64))
        for column, values in self.nodes.columns.items():
            if column not in ("x", "y", "z") and values.dtype.kind in "fiu":
                self.annotate(column, values.astype(np.float64))

    @property
    def node_population(self) -> str:
        """The SONATA node population the neurons come from."""
        return self.nodes.population

    @property
    def node_ids(self) -> np.ndarray:
        """Node id of each neuron (neuron i is node ``node_ids[i]``), ascending."""
        return self.nodes.node_ids

    @property
    def native_units(self) -> bool:
        """Whether the node types are NEST models (``nest:``): weights onto them are in NEST
        units (nS, pA)."""
        return self._native

    def place(self) -> np.ndarray:
        n = len(self.nodes.node_ids)
        columns = self.nodes.columns
        return np.column_stack([np.nan_to_num(np.asarray(columns[a], dtype=float))
                                if a in columns else np.zeros(n) for a in ("x", "y")])

    def make_cell_type(self, n: int) -> Any:
        params = self.sheet_params
        sim = self.model.sim
        if params.cell is not None:
            cell = params.cell
            values = {k: draw(v, n, self.rng) for k, v in cell.params.items()}
            self._initial = {k: draw(v, n, self.rng) for k, v in cell.initial_values.items()}
            return getattr(sim, cell.model)(**values)
        fix = f"set sheets.{self.name}.params.cell"
        models = {t: cell_model(self.circuit, self.nodes, t, sim, fix) for t in self.nodes.types}
        kinds = {m.model for m in models.values()}
        if len(kinds) > 1:
            msg = (f"sheet {self.name!r}: the node types of population "
                   f"{self.nodes.population!r} ({self.nodes.types_file}) have different cell "
                   f"models ({', '.join(f'{t}: {m.model}' for t, m in sorted(models.items()))})"
                   f"; a sheet holds one: give each its own sheet with "
                   f"sheets.{self.name}.params.select (e.g. {{node_type_id: {min(models)}}})")
            raise ConfigError(msg)
        self._native = any(m.native for m in models.values())
        model = next(iter(kinds))
        cls = getattr(sim, model)
        names = sorted({k for m in models.values() for k in m.params})
        defaults = cls.default_parameters
        values = {}
        for key in names:
            per_type = {t: m.params.get(key, defaults[key]) for t, m in models.items()}
            array = np.array([per_type[t] for t in self.nodes.type_ids.tolist()], dtype=float)
            values[key] = float(array[0]) if np.all(array == array[0]) else array
        self._initial = {}
        for key in sorted({k for m in models.values() for k in m.initial_values}):
            default = float(cls.default_initial_values[key])
            self._initial[key] = np.array([models[t].initial_values.get(key, default)
                                           for t in self.nodes.type_ids.tolist()])
        return cls(**values)

    def initial_values(self, n: int) -> dict[str, Any]:
        own = {k: draw(v, n, self.rng) for k, v in self.sheet_params.initial_values.items()}
        return {**getattr(self, "_initial", {}), **own}


# -- the connector --------------------------------------------------------------------------------


def _receptor_or_none(_: Any, attribute: Any, value: str | None) -> None:
    if value is not None and value not in ("excitatory", "inhibitory"):
        msg = f"receptor must be excitatory, inhibitory or left out, got {value!r}"
        raise ParameterError(attribute.name, msg)


def _units(_: Any, attribute: Any, value: str) -> None:
    if value not in ("auto", "pynn", "nest"):
        msg = f"weight_units must be auto, pynn or nest, got {value!r}"
        raise ParameterError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class SonataConnectorParams:
    """Parameters of ``SonataConnector``: the edges of a SONATA edge population between the
    nodes of its source and target sheets.

    Parameters
    ----------
    circuit : StudyPath
        The circuit configuration (``circuit_config.json``, or a directory holding one):
        absolute, or relative to the folder of the study file.
    population : str
        The edge population.
    edge_types : list of int
        Only edges of these edge types; every edge type if empty.
    receptor : str, optional
        ``excitatory`` or ``inhibitory``; by default the edge types' ``receptor`` column, else
        the sign of the weights (negative: inhibitory). The edges of one connector share one.
    weight_units : str
        ``auto`` (NEST units, nS or pA, onto a sheet of ``nest:`` node types; PyNN units, uS or
        nA, otherwise), ``pynn`` or ``nest``.
    synapse : SynapseParams
        The synapse dynamics (``{model: static}`` or ``{model: tsodyks_markram, ...}``).
    """

    circuit: StudyPath = attrs.field(converter=StudyPath)
    population: str
    edge_types: tuple[int, ...] = ()
    receptor: str | None = attrs.field(default=None, validator=_receptor_or_none)
    weight_units: str = attrs.field(default="auto", validator=_units)
    synapse: SynapseParams = attrs.field(factory=SynapseParams)

    def __attrs_post_init__(self) -> None:
        _check_circuit(self.circuit)


@attrs.frozen
class Edges:
    """The edges of one edge population a connector takes.

    Attributes
    ----------
    file : Path
    source_population, target_population : str
    source, target : ndarray of int
        Node ids.
    weights, delays : ndarray of float
        ``syn_weight`` (times ``nsyns``) and ``delay`` (ms) as the file gives them.
    receptors : ndarray of str
        The edge type's ``receptor`` column ("" where it has none).
    """

    file: Path
    source_population: str
    target_population: str
    source: np.ndarray
    target: np.ndarray
    weights: np.ndarray
    delays: np.ndarray
    receptors: np.ndarray


def read_edges(circuit: Circuit, population: str, edge_types: tuple[int, ...],
               where: str) -> Edges:
    """Every edge of ``population`` (of ``edge_types`` if given), with weight and delay."""
    import h5py

    _need_h5py()
    h5, types_file = _population_file(circuit.edges, "edges", population, circuit.config)
    types = _types(types_file, "edge_type_id")
    with h5py.File(h5, "r") as file:
        group = file["edges"][population]
        source_ds, target_ds = group["source_node_id"], group["target_node_id"]
        pops = []
        for ds in (source_ds, target_ds):
            pop = ds.attrs.get("node_population", "")
            pops.append(pop.decode() if isinstance(pop, bytes) else str(pop))
        type_ids = np.asarray(group["edge_type_id"][()], dtype=np.int64)
        n = len(type_ids)
        keep = (np.arange(n) if not edge_types
                else np.flatnonzero(np.isin(type_ids, list(edge_types))))
        missing = sorted(set(np.unique(type_ids[keep]).tolist()) - set(types))
        if missing:
            msg = (f"SONATA edge population {population!r} in {h5}: edge types {missing} are "
                   f"not in its edge types table {types_file}; add them there")
            raise ConfigError(msg)
        source = np.asarray(source_ds[()], dtype=np.int64)[keep]
        target = np.asarray(target_ds[()], dtype=np.int64)[keep]
        group_ids = (np.asarray(group["edge_group_id"][()], dtype=np.int64)[keep]
                     if "edge_group_id" in group else np.zeros(len(keep), dtype=np.int64))
        group_index = (np.asarray(group["edge_group_index"][()], dtype=np.int64)[keep]
                       if "edge_group_index" in group else keep)
        values: dict[str, np.ndarray] = {name: np.full(len(keep), np.nan)
                                         for name in ("syn_weight", "delay", "nsyns")}
        for gid in np.unique(group_ids).tolist():
            columns = group.get(str(gid), {})
            rows = np.flatnonzero(group_ids == gid)
            for name in values:
                if name in columns:
                    values[name][rows] = _column(columns, name, group_index[rows]).astype(float)
        kept_types = type_ids[keep]
        for name in ("syn_weight", "delay", "nsyns"):
            lacking = np.isnan(values[name])
            for t in np.unique(kept_types[lacking]).tolist():
                text = str(types[t].get(name, ""))
                if text in _NULL:
                    if name == "nsyns":
                        values[name][lacking & (kept_types == t)] = 1.0
                        continue
                    msg = (f"SONATA edge population {population!r} in {h5}: edges of edge "
                           f"type {t} have no {name} (neither an edge column nor a column of "
                           f"{types_file}); give them one")
                    raise ConfigError(msg)
                values[name][lacking & (kept_types == t)] = float(text)
        receptors = np.array([str(types[t].get("receptor", "") or "") for t in
                              kept_types.tolist()], dtype=object)
    weights = values["syn_weight"] * values["nsyns"]
    real = values["nsyns"] > 0
    return Edges(file=h5, source_population=pops[0], target_population=pops[1],
                 source=source[real], target=target[real], weights=weights[real],
                 delays=values["delay"][real], receptors=receptors[real])


class SonataConnector(Connector[SonataConnectorParams]):
    """A projection made of the edges of a SONATA edge population between the nodes of its
    source and target sheets (edges between other nodes are left to other connectors).

    Its sheets must be ``SonataSheet`` s of the edge population's source and target node
    populations; weights become PyNN units (see ``weight_units``) and the receptor comes from
    the file (see ``receptor``).
    """

    @classmethod
    def expected_connections(cls, params: SonataConnectorParams, n_source: int,
                             n_target: int) -> float | None:
        """At most every edge of the population (the file's count)."""
        import h5py

        _need_h5py()
        circuit = read_circuit(params.circuit)
        h5, _ = _population_file(circuit.edges, "edges", params.population, circuit.config)
        with h5py.File(h5, "r") as file:
            return float(len(file["edges"][params.population]["edge_type_id"]))

    def __init__(self, name: str, source: Sheet, target: Sheet, params: SonataConnectorParams,
                 model: Model) -> None:
        super().__init__(name, source, target, params, model)
        self._receptor = params.receptor or "excitatory"

    @property
    def receptor(self) -> str:
        return self._receptor

    def _sonata_sheet(self, sheet: Sheet, role: str, population: str) -> SonataSheet:
        if not isinstance(sheet, SonataSheet):
            msg = (f"{self.path}: {role} sheet {sheet.name!r} is a {type(sheet).__name__}; the "
                   f"edges of {self.params.population!r} join SONATA nodes: make it a "
                   f"SonataSheet of node population {population!r}")
            raise ConfigError(msg)
        if sheet.node_population != population:
            msg = (f"{self.path}: the edges of {self.params.population!r} come from node "
                   f"population {population!r}, but {role} sheet {sheet.name!r} holds nodes "
                   f"of {sheet.node_population!r}; connect the sheets of {population!r}")
            raise ConfigError(msg)
        return sheet

    def build(self) -> Any:
        params = self.params
        circuit = read_circuit(params.circuit)
        edges = read_edges(circuit, params.population, params.edge_types, self.path)
        source = self._sonata_sheet(self.source, "source", edges.source_population)
        target = self._sonata_sheet(self.target, "target", edges.target_population)
        for role, ids, pop in (("source", edges.source, edges.source_population),
                               ("target", edges.target, edges.target_population)):
            _, all_ids = population_node_ids(circuit, pop)
            absent = np.setdiff1d(np.unique(ids), all_ids)
            if absent.size:
                msg = (f"SONATA edge population {params.population!r} in {edges.file}: "
                       f"{absent.size} {role} node ids ({', '.join(map(str, absent[:5]))}"
                       f"{', ...' if absent.size > 5 else ''}) are not nodes of population "
                       f"{pop!r} (it has {len(all_ids)} nodes, ids {int(all_ids.min())}.."
                       f"{int(all_ids.max())}); rebuild the edges against these nodes, or fix "
                       "the node_population attributes of source_node_id/target_node_id")
                raise ConfigError(msg)
        mine = np.isin(edges.source, source.node_ids) & np.isin(edges.target, target.node_ids)
        pre = np.searchsorted(source.node_ids, edges.source[mine])
        post = np.searchsorted(target.node_ids, edges.target[mine])
        weights, delays = edges.weights[mine], edges.delays[mine]
        receptors = edges.receptors[mine]
        if params.receptor is None:
            named = {r for r in receptors.tolist() if r}
            signs = set(np.sign(weights[weights != 0]).tolist())
            if len(named) > 1 or (not named and len(signs) > 1):
                msg = (f"{self.path}: the edges of {params.population!r} from sheet "
                       f"{source.name!r} to {target.name!r} are both excitatory and inhibitory "
                       f"({', '.join(sorted(named)) if named else 'weights of both signs'}); "
                       "one connector acts on one receptor: split them with edge_types")
                raise ConfigError(msg)
            self._receptor = (named.pop() if named else
                              "inhibitory" if signs == {-1.0} else "excitatory")
        units = params.weight_units
        native = target.native_units if units == "auto" else units == "nest"
        weights = np.abs(weights) / (1000.0 if native else 1.0)
        self.check_delay(delays, "delays of the edges")
        self._size = len(pre)
        return project_arrays(self, pre, post, weights, delays)
