"""The SONATA network exporter: a run's network as SONATA nodes, edges and configuration.

Nodes come from the store's neuron tables (one node population per sheet, positions and
annotations as group-0 columns) and the run's configuration (each sheet's cell model and
parameters as its node type's dynamics parameters); edges from the ``Connections`` results a
run stores with ``controller.store_connections: true`` (one edge population per projection:
source and target node ids, ``syn_weight`` and ``delay``; the receptor as an edge type
column, the connector's configuration in ``components/mozaik_connectors``). The recorded
spikes go to ``output/spikes.h5`` (the ``sonata_spikes`` layout) next to
``circuit_config.json`` and ``simulation_config.json``.

Cell models are written as BMTK's PointNet reads them, so that it simulates the circuit on
NEST: a PyNN standard cell type with constant parameters becomes its NEST model
(``model_template`` ``nest:iaf_cond_exp`` for ``IF_cond_exp``) with every parameter in
NEST's names and units (translated by PyNN's NEST backend: ``cm`` 0.2 nF -> ``C_m`` 200 pF,
``tau_m`` -> ``g_L``), and weights in NEST's units and sign (nS or pA, inhibition negative);
a cell type PyNN's NEST backend does not have, or parameters drawn per neuron, stay
``pynn:<cell type>`` with PyNN's names and units (weights then in uS or nA, positive). Mozaik's
``SonataSheet`` and ``SonataConnector`` read both back.

PyNN's own ``export_to_sonata`` serializes a live ``pyNN.network.Network``; an export reads a
finished run, so this writer reads the store instead, in the same layout.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from mozaik import ExportError
from mozaik.ads import Connections
from mozaik.builtin._exporters import _require
from mozaik.builtin._sonata import SonataSpikesExporter, SonataSpikesParams, population_name
from mozaik.datastore import DataStoreView
from mozaik.export import Exporter

__all__ = ["SonataNetworkExporter", "SonataNetworkParams"]


@attrs.frozen(kw_only=True)
class SonataNetworkParams:
    """Parameters of the SONATA network export.

    Parameters
    ----------
    spikes : bool
        Also write the recorded spikes as ``output/spikes.h5``.
    """

    spikes: bool = True


def _connections(view: DataStoreView) -> list[Connections]:
    return [r for r in view.analysis_results() if isinstance(r, Connections)]


class SonataNetworkExporter(Exporter[SonataNetworkParams]):
    """A SONATA circuit (a directory): nodes, edges, types, configuration and spikes."""

    suffix = ""
    needs = ()
    extra = "pip install 'mozaik-core[sonata]'"

    def check(self, view: DataStoreView) -> None:
        _require("h5py", "SONATA", self.extra)
        if not view.store.sheets():
            msg = (f"{type(self).__name__}: the run {view.store.root} holds no neurons; "
                   "run the study first (mozaik run)")
            raise ExportError(msg)
        if not _connections(view):
            msg = (f"{type(self).__name__}: the run {view.store.root} stored no connections; "
                   "run the study again with --set controller.store_connections=true")
            raise ExportError(msg)

    def write(self, view: DataStoreView, path: Path) -> None:
        import h5py

        network = path / "network"
        network.mkdir(parents=True)
        config = view.store.manifest.get("config") or {}
        sheets_config = config.get("sheets", {}) if isinstance(config, dict) else {}
        connectors_config = config.get("connectors", {}) if isinstance(config, dict) else {}
        components = path / "components"
        (components / "cell_models").mkdir(parents=True)
        (components / "synaptic_models").mkdir(parents=True)
        (components / "mozaik_connectors").mkdir(parents=True)
        node_types: list[dict[str, Any]] = []
        native_sheets: dict[str, bool] = {}
        with h5py.File(network / "nodes.h5", "w") as out:
            out.attrs["version"] = np.array([0, 1], dtype=np.uint32)
            nodes = out.create_group("nodes")
            for type_id, sheet in enumerate(view.store.sheets(), start=100):
                population = population_name(sheet)
                n = len(view.neuron_ids(sheet))
                group = nodes.create_group(population)
                group.create_dataset("node_id", data=np.arange(n, dtype=np.uint64))
                group.create_dataset("node_type_id", data=np.full(n, type_id, np.uint64))
                group.create_dataset("node_group_id", data=np.zeros(n, np.uint32))
                group.create_dataset("node_group_index", data=np.arange(n, dtype=np.uint64))
                columns = group.create_group("0")
                positions = view.neuron_positions(sheet)
                for k, axis in enumerate("xyz"[: positions.shape[1]]):
                    columns.create_dataset(axis, data=positions[:, k].astype(np.float64))
                for name, values in view.neuron_annotations(sheet).items():
                    array = np.asarray(values)
                    if array.dtype.kind in "OUS":
                        columns.create_dataset(name, data=array.astype(str).astype(object),
                                               dtype=h5py.string_dtype())
                    else:
                        columns.create_dataset(name, data=array.astype(np.float64))
                cell = (sheets_config.get(sheet, {}).get("params", {}).get("cell", {})
                        if isinstance(sheets_config.get(sheet), dict) else {})
                model = cell.get("model", "unknown") if isinstance(cell, dict) else "unknown"
                params = cell.get("params", {}) if isinstance(cell, dict) else {}
                native = nest_cell(model, params)
                native_sheets[sheet] = native is not None
                template, dynamics = (f"nest:{native[0]}", native[1]) if native else (
                    f"pynn:{model}", params)
                params_file = f"{population}.json"
                (components / "cell_models" / params_file).write_text(json.dumps(
                    dynamics, indent=2))
                node_types.append({"node_type_id": type_id, "pop_name": population,
                                   "model_type": "point_neuron",
                                   "model_template": template,
                                   "dynamics_params": params_file})
        _write_types(network / "node_types.csv", node_types)
        edge_types: list[dict[str, Any]] = []
        with h5py.File(network / "edges.h5", "w") as out:
            out.attrs["version"] = np.array([0, 1], dtype=np.uint32)
            edges = out.create_group("edges")
            for type_id, conn in enumerate(_connections(view), start=100):
                group = edges.create_group(population_name(conn.proj_name))
                n = len(conn.weights)
                source = group.create_dataset("source_node_id",
                                              data=conn.source_index.astype(np.uint64))
                source.attrs["node_population"] = population_name(conn.source_name)
                target = group.create_dataset("target_node_id",
                                              data=conn.target_index.astype(np.uint64))
                target.attrs["node_population"] = population_name(conn.target_name)
                group.create_dataset("edge_type_id", data=np.full(n, type_id, np.uint64))
                group.create_dataset("edge_group_id", data=np.zeros(n, np.uint32))
                group.create_dataset("edge_group_index", data=np.arange(n, dtype=np.uint64))
                columns = group.create_group("0")
                connector = connectors_config.get(conn.proj_name, {})
                params = connector.get("params", {}) if isinstance(connector, dict) else {}
                receptor = (params.get("receptor", "") if isinstance(params, dict)
                            else "") or "excitatory"
                weights = np.asarray(conn.weights, np.float64)
                if native_sheets.get(conn.target_name, False):
                    # NEST: nS or pA, inhibition negative
                    weights = weights * (-1000.0 if receptor == "inhibitory" else 1000.0)
                columns.create_dataset("syn_weight", data=weights)
                columns.create_dataset("delay", data=np.asarray(conn.delays, np.float64))
                params_file = f"{population_name(conn.proj_name)}.json"
                # what NEST's Connect takes besides weight and delay (BMTK's PointNet hands
                # it over): nothing for a static synapse
                (components / "synaptic_models" / params_file).write_text("{}")
                (components / "mozaik_connectors" / params_file).write_text(json.dumps(
                    {"connector": connector, "weight_units": "NEST (nS, pA; inhibition "
                     "negative)" if native_sheets.get(conn.target_name, False) else str(
                        conn.weight_units.dimensionality), "delay_units": "ms"},
                    indent=2, default=str))
                edge_types.append({"edge_type_id": type_id,
                                   "model_template": "static_synapse",
                                   "receptor": receptor,
                                   "dynamics_params": params_file})
        _write_types(network / "edge_types.csv", edge_types)
        circuit = {
            "manifest": {"$BASE_DIR": "${configdir}", "$NETWORK_DIR": "$BASE_DIR/network",
                         "$COMPONENTS_DIR": "$BASE_DIR/components"},
            "components": {"point_neuron_models_dir": "$COMPONENTS_DIR/cell_models",
                           "synaptic_models_dir": "$COMPONENTS_DIR/synaptic_models"},
            "networks": {
                "nodes": [{"nodes_file": "$NETWORK_DIR/nodes.h5",
                           "node_types_file": "$NETWORK_DIR/node_types.csv"}],
                "edges": [{"edges_file": "$NETWORK_DIR/edges.h5",
                           "edge_types_file": "$NETWORK_DIR/edge_types.csv"}]},
        }
        (path / "circuit_config.json").write_text(json.dumps(circuit, indent=2))
        simulator = config.get("simulator", {}) if isinstance(config, dict) else {}
        index = view.segment_index
        tstop = float(max(index["t_stop"].to_pylist())) if index.num_rows else 0.0
        simulation = {
            "manifest": {"$BASE_DIR": "${configdir}", "$OUTPUT_DIR": "$BASE_DIR/output"},
            "target_simulator": "NEST",
            "run": {"tstart": 0.0, "tstop": tstop,
                    "dt": float(simulator.get("time_step", 0.1))
                    if isinstance(simulator, dict) else 0.1},
            "network": "$BASE_DIR/circuit_config.json",
            "output": {"output_dir": "$OUTPUT_DIR", "spikes_file": "spikes.h5"},
        }
        (path / "simulation_config.json").write_text(json.dumps(simulation, indent=2))
        (path / "output").mkdir()
        if self.params.spikes and index.num_rows:
            SonataSpikesExporter(SonataSpikesParams()).write(view, path / "output" / "spikes.h5")


def nest_cell(model: str, params: Any) -> tuple[str, dict[str, float]] | None:
    """The NEST model and its parameters (NEST's names and units, every parameter) of a PyNN
    standard cell type with constant ``params`` (PyNN's names and units); None if PyNN's NEST
    backend does not have it or a parameter is not a number."""
    if not isinstance(params, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in params.values()):
        return None
    if importlib.util.find_spec("nest") is None:
        return None
    import pyNN.nest as sim
    from pyNN.parameters import ParameterSpace

    cls = getattr(sim, model, None)
    nest_name = getattr(cls, "nest_name", {}).get("on_grid") if cls is not None else None
    if cls is None or nest_name is None or not hasattr(cls, "translate"):
        return None
    full = {**cls.default_parameters, **{k: float(v) for k, v in params.items()}}
    celltype = cls()
    space = celltype.translate(ParameterSpace(full, celltype.get_schema(), shape=(1,)))
    space.evaluate(simplify=True)
    values = {k: float(np.ravel(v)[0]) for k, v in space.as_dict().items()
              if np.size(v) == 1 and isinstance(np.ravel(v)[0], int | float | np.number)}
    return str(nest_name), values


def _write_types(path: Path, rows: list[dict[str, Any]]) -> None:
    """A SONATA types table: space-separated CSV, one row per type."""
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [], delimiter=" ")
        writer.writeheader()
        writer.writerows(rows)
