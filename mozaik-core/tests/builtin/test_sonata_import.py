"""SONATA network import (``SonataSheet``, ``SonataConnector``): a network built with BMTK's
``NetworkBuilder`` inside the test runs with a Mozaik experiment on NEST; its stored
connections equal the files' edges, its spikes are stored; a bad circuit is a clear error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pyarrow.compute as pc
import pytest
import yaml
from mozaik import ConfigError, MozaikError
from mozaik.ads import Connections
from mozaik.controller import run_study
from mozaik.datastore import DataStore
from mozaik.model import build_model
from mozaik.study import load_study

pytest.importorskip("bmtk")

N_EXC, N_INH, N_LGN = 60, 15, 20
#: NEST's iaf_cond_exp with the Vogels & Abbott cells, in NEST's names and units
VA_NEST = {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0,
           "t_ref": 5.0, "E_ex": 0.0, "E_in": -80.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0,
           "I_e": 0.0, "V_m": -55.0}


def _circuit(root: Path) -> Path:
    """A BMTK network: cortex (exc and inh node types of nest:iaf_cond_exp, one population)
    and lgn (virtual nodes: no model); weights in nS, some edges with nsyns 2."""
    from bmtk.builder import NetworkBuilder

    rng = np.random.default_rng(7)

    def sparse(source: Any, target: Any, p: float = 0.15) -> int:
        return int(rng.random() < p)

    def doubled(source: Any, target: Any) -> int:
        return int(rng.integers(0, 3) if rng.random() < 0.2 else 0)

    cortex = NetworkBuilder("cortex")
    cortex.add_nodes(N=N_EXC, pop_name="exc", model_type="point_neuron",
                     model_template="nest:iaf_cond_exp", dynamics_params="exc.json",
                     x=rng.uniform(-500, 500, N_EXC), y=rng.uniform(-500, 500, N_EXC))
    cortex.add_nodes(N=N_INH, pop_name="inh", model_type="point_neuron",
                     model_template="nest:iaf_cond_exp", dynamics_params="inh.json",
                     x=rng.uniform(-500, 500, N_INH), y=rng.uniform(-500, 500, N_INH))
    for src, trg, weight, rule in (("exc", "exc", 4.0, sparse), ("exc", "inh", 4.0, sparse),
                                   ("inh", "exc", -51.0, doubled), ("inh", "inh", -51.0, sparse)):
        cortex.add_edges(source={"pop_name": src}, target={"pop_name": trg},
                         connection_rule=rule, syn_weight=weight, delay=1.0,
                         dynamics_params="static.json", model_template="static_synapse")
    cortex.build()
    lgn = NetworkBuilder("lgn")
    lgn.add_nodes(N=N_LGN, pop_name="relay", model_type="virtual")
    lgn.add_edges(source=lgn.nodes(), target=cortex.nodes(pop_name="exc"),
                  connection_rule=sparse, syn_weight=6.0, delay=2.0,
                  dynamics_params="static.json", model_template="static_synapse")
    lgn.build()
    network = root / "network"
    cortex.save(output_dir=str(network))
    lgn.save(output_dir=str(network))
    cells = root / "components" / "cell_models"
    cells.mkdir(parents=True)
    (cells / "exc.json").write_text(json.dumps(VA_NEST))
    (cells / "inh.json").write_text(json.dumps(VA_NEST))
    synapses = root / "components" / "synaptic_models"
    synapses.mkdir(parents=True)
    (synapses / "static.json").write_text("{}")
    config = {
        "manifest": {"$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR/network",
                     "$COMPONENTS_DIR": "$BASE_DIR/components"},
        "components": {"point_neuron_models_dir": "$COMPONENTS_DIR/cell_models",
                       "synaptic_models_dir": "$COMPONENTS_DIR/synaptic_models"},
        "networks": {
            "nodes": [{"nodes_file": f"$NETWORK_DIR/{p}_nodes.h5",
                       "node_types_file": f"$NETWORK_DIR/{p}_node_types.csv"}
                      for p in ("cortex", "lgn")],
            "edges": [{"edges_file": f"$NETWORK_DIR/{p}_edges.h5",
                       "edge_types_file": f"$NETWORK_DIR/{p}_edge_types.csv"}
                      for p in ("cortex_cortex", "lgn_cortex")]},
    }
    (root / "circuit_config.json").write_text(json.dumps(config))
    return root / "circuit_config.json"


@pytest.fixture(scope="module")
def circuit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _circuit(tmp_path_factory.mktemp("bmtk"))


def _study(circuit: Path, folder: Path, **changes: Any) -> Path:
    """A study whose sheets and connectors are the circuit's."""
    c = str(circuit)
    noise = {"rate_exc_hz": 2000.0, "weight_exc_uS": 0.002}

    def sheet(select: str) -> dict[str, Any]:
        return {"component": "SonataSheet", "params": {
            "circuit": c, "population": "cortex", "select": {"pop_name": select},
            "background_noise": noise, "recorders": [{"variables": ["spikes"]}]}}

    def conn(source: str, target: str, population: str = "cortex_to_cortex",
             **params: Any) -> dict[str, Any]:
        return {"component": "SonataConnector", "source": source, "target": target,
                "params": {"circuit": c, "population": population, **params}}

    study: dict[str, Any] = {
        "name": "bmtk_import",
        "simulator": {"backend": "nest", "time_step": 0.1, "min_delay": 0.1,
                      "max_delay": 10.0, "seed": 11},
        "controller": {"null_stimulus_period": 0.0, "store_connections": True},
        "sheets": {
            "exc": sheet("exc"), "inh": sheet("inh"),
            "lgn": {"component": "SonataSheet", "params": {
                "circuit": c, "population": "lgn",
                "cell": {"model": "SpikeSourcePoisson", "params": {"rate": 20.0}}}}},
        "connectors": {"exc_exc": conn("exc", "exc"), "exc_inh": conn("exc", "inh"),
                       "inh_exc": conn("inh", "exc"), "inh_inh": conn("inh", "inh"),
                       "lgn_exc": conn("lgn", "exc", "lgn_to_cortex")},
        "experiments": [{"component": "NoStimulation", "params": {"duration_ms": 300.0}}],
    }
    for key, value in changes.items():
        *head, last = key.split(".")
        node = study
        for part in head:
            node = node[part]
        node[last] = value
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False))
    return path


def _edges(circuit: Path, name: str) -> dict[str, np.ndarray]:
    root = circuit.parent / "network"
    with h5py.File(root / f"{name}_edges.h5", "r") as file:
        (group,) = file["edges"].values()
        return {"source": group["source_node_id"][()], "target": group["target_node_id"][()],
                "type": group["edge_type_id"][()], "nsyns": group["0"]["nsyns"][()]}


@pytest.mark.nest
def test_a_bmtk_network_runs_with_its_connections_and_stores_spikes(
        circuit: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    summary = run_study(load_study(_study(circuit, tmp_path)), run, progress="off")
    assert summary is not None
    cortex, lgn = _edges(circuit, "cortex_cortex"), _edges(circuit, "lgn_cortex")
    n_in_files = len(cortex["source"]) + len(lgn["source"])
    with DataStore.open(run) as store:
        view = store.full_view()
        stored = {c.proj_name: c for c in view.analysis_results() if isinstance(c, Connections)}
        assert sorted(stored) == ["exc_exc", "exc_inh", "inh_exc", "inh_inh", "lgn_exc"]
        assert sum(len(c.weights) for c in stored.values()) == n_in_files
        # every edge, mapped to node ids, is one stored connection with its weight (nS -> uS,
        # times nsyns, sign to the receptor) and delay
        node_ids = {s: np.asarray(view.neuron_annotations(s)["node_id"], dtype=int)
                    for s in ("exc", "inh")}
        node_ids["lgn"] = np.arange(N_LGN)
        got = sorted((int(node_ids[c.source_name][i]), int(node_ids[c.target_name][j]),
                      round(float(w), 9), float(d), c.source_name == "lgn")
                     for c in stored.values() for i, j, w, d in zip(
                         c.source_index, c.target_index, np.asarray(c.weights, float),
                         np.asarray(c.delays, float), strict=True))
        weight = {100: 0.004, 101: 0.004, 102: 0.051, 103: 0.051}
        expected = sorted(
            [(int(s), int(t), round(weight[int(k)] * int(n), 9), 1.0, False)
             for s, t, k, n in zip(*cortex.values(), strict=True)]
            + [(int(s), int(t), round(0.006 * int(n), 9), 2.0, True)
               for s, t, _, n in zip(*lgn.values(), strict=True)])
        assert got == expected
        assert any(n > 1 for n in cortex["nsyns"]), "the test exercises nsyns"
        # positions and node types come from the file
        with h5py.File(circuit.parent / "network" / "cortex_nodes.h5", "r") as file:
            x = file["nodes"]["cortex"]["0"]["x"][()]
        assert np.allclose(view.neuron_positions("exc")[:, 0], x[node_ids["exc"]])
        index = view.segment_index
        rows = index.filter(pc.equal(index["sheet_name"], "exc"))
        spikes = store.reader.read_payload(rows, "spikes", ["neuron", "time"])
        assert spikes.num_rows > N_EXC, "the imported network fires and its spikes are stored"


@pytest.mark.nest
def test_nest_cell_parameters_are_translated(circuit: Path, tmp_path: Path) -> None:
    model = build_model(load_study(_study(circuit, tmp_path)))
    exc = model.sheets["exc"].population
    assert type(exc.celltype).__name__ == "IF_cond_exp"
    assert exc.get("cm") == pytest.approx(0.2)          # 200 pF -> nF
    assert exc.get("tau_m") == pytest.approx(20.0)      # C_m / g_L
    assert exc.get("tau_syn_I") == pytest.approx(10.0)
    assert np.allclose(exc.node_collection.get("V_m"), -55.0)  # V_m: the initial v


# -- bad circuits ----------------------------------------------------------------------------------


def _copy(circuit: Path, tmp_path: Path) -> Path:
    shutil.copytree(circuit.parent, tmp_path / "c")
    return tmp_path / "c" / "circuit_config.json"


def test_a_missing_circuit_file_names_it(circuit: Path, tmp_path: Path) -> None:
    bad = _copy(circuit, tmp_path)
    (bad.parent / "network" / "cortex_cortex_edges.h5").unlink()
    with pytest.raises(MozaikError) as info:
        load_study(_study(bad, tmp_path))
    text = str(info.value)
    assert "cortex_cortex_edges.h5 does not exist" in text
    assert "sheets.exc.params.circuit" in text and "NetworkBuilder.save" in text
    with pytest.raises(MozaikError, match=r"no such file.*circuit_config.json"):
        load_study(_study(tmp_path / "nowhere.json", tmp_path))


@pytest.mark.nest
def test_a_node_type_without_a_model_names_the_types_file_and_the_fix(
        circuit: Path, tmp_path: Path) -> None:
    study = _study(circuit, tmp_path)
    text = yaml.safe_load(study.read_text())
    del text["sheets"]["lgn"]["params"]["cell"]
    study.write_text(yaml.safe_dump(text, sort_keys=False))
    with pytest.raises(ConfigError) as info:
        build_model(load_study(study))
    message = str(info.value)
    assert "has no cell model" in message and "lgn_node_types.csv" in message
    assert "sheets.lgn.params.cell" in message


@pytest.mark.nest
def test_edges_pointing_at_missing_nodes_name_the_file(circuit: Path, tmp_path: Path) -> None:
    bad = _copy(circuit, tmp_path)
    with h5py.File(bad.parent / "network" / "cortex_cortex_edges.h5", "r+") as file:
        target = file["edges"]["cortex_to_cortex"]["target_node_id"]
        ids = target[()]
        ids[0] = N_EXC + N_INH + 40
        target[...] = ids
    with pytest.raises(ConfigError) as info:
        build_model(load_study(_study(bad, tmp_path)))
    message = str(info.value)
    assert "cortex_cortex_edges.h5" in message and str(N_EXC + N_INH + 40) in message
    assert "not nodes of population 'cortex'" in message and "rebuild the edges" in message


# -- pynn: layouts (what Mozaik's own export writes where NEST cannot be named), on PyNN's mock --


def _pynn_circuit(root: Path, *, receptor_column: bool = True) -> Path:
    """Two node types of pynn:IF_cond_exp in one population (different tau_m), one edge
    population mixing an excitatory and an inhibitory edge type (weights in uS)."""
    network = root / "network"
    network.mkdir(parents=True)
    with h5py.File(network / "nodes.h5", "w") as file:
        group = file.create_group("nodes/net")
        group["node_id"] = np.arange(6, dtype=np.uint64)
        group["node_type_id"] = np.array([1, 1, 1, 1, 2, 2], dtype=np.uint64)
        group["node_group_id"] = np.zeros(6, dtype=np.uint32)
        group["node_group_index"] = np.arange(6, dtype=np.uint64)
        group["0/x"] = np.arange(6, dtype=float) * 10.0
        group["0/depth"] = np.linspace(100.0, 600.0, 6)
    (network / "node_types.csv").write_text(
        "node_type_id model_template dynamics_params pop_name\n"
        "1 pynn:IF_cond_exp a.json a\n2 pynn:IF_cond_exp b.json b\n")
    with h5py.File(network / "edges.h5", "w") as file:
        group = file.create_group("edges/net_to_net")
        group["source_node_id"] = np.array([0, 1, 4, 5], dtype=np.uint64)
        group["source_node_id"].attrs["node_population"] = "net"
        group["target_node_id"] = np.array([2, 3, 0, 1], dtype=np.uint64)
        group["target_node_id"].attrs["node_population"] = "net"
        group["edge_type_id"] = np.array([10, 10, 11, 11], dtype=np.uint64)
        group["0/syn_weight"] = np.array([0.004, 0.005, 0.05, 0.06])
    column = " receptor" if receptor_column else ""
    rows = ("10 static_synapse 0.5 excitatory\n11 static_synapse 0.5 inhibitory\n"
            if receptor_column else "10 static_synapse 0.5\n11 static_synapse 0.5\n")
    (network / "edge_types.csv").write_text(
        f"edge_type_id model_template delay{column}\n{rows}")
    cells = root / "cells"
    cells.mkdir()
    (cells / "a.json").write_text(json.dumps({"tau_m": 10.0, "cm": 0.25}))
    (cells / "b.json").write_text(json.dumps({"tau_m": 30.0, "cm": 0.25}))
    (root / "circuit_config.json").write_text(json.dumps({
        "manifest": {"$BASE_DIR": "${configdir}"},
        "components": {"point_neuron_models_dir": "$BASE_DIR/cells"},
        "networks": {"nodes": [{"nodes_file": "$BASE_DIR/network/nodes.h5",
                                "node_types_file": "$BASE_DIR/network/node_types.csv"}],
                     "edges": [{"edges_file": "$BASE_DIR/network/edges.h5",
                                "edge_types_file": "$BASE_DIR/network/edge_types.csv"}]}}))
    return root


def _mock_study(circuit: Path, folder: Path, connectors: dict[str, Any]) -> Path:
    c = str(circuit)
    study = {"name": "pynn_layout", "simulator": {"backend": "mock", "seed": 1},
             "sheets": {"all": {"component": "SonataSheet",
                                "params": {"circuit": c, "population": "net"}}},
             "connectors": {name: {"component": "SonataConnector", "source": "all",
                                   "target": "all", "params": {"circuit": c,
                                                               "population": "net_to_net",
                                                               **params}}
                            for name, params in connectors.items()},
             "experiments": [{"component": "NoStimulation", "params": {"duration_ms": 1.0}}]}
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False))
    return path


def test_a_pynn_layout_gives_per_type_parameters_receptors_and_weights(tmp_path: Path) -> None:
    circuit = _pynn_circuit(tmp_path / "c")
    model = build_model(load_study(_mock_study(circuit, tmp_path, {
        "exc": {"edge_types": [10]}, "inh": {"edge_types": [11]}})))
    sheet = model.sheets["all"]
    assert sheet.size == 6
    assert np.allclose(sheet.population.get("tau_m"), [10.0] * 4 + [30.0] * 2)
    assert sheet.annotations["depth"].tolist() == np.linspace(100.0, 600.0, 6).tolist()
    assert sheet.positions_um[:, 0].tolist() == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    exc, inh = model.projections["exc"], model.projections["inh"]
    assert (exc.receptor, inh.receptor) == ("excitatory", "inhibitory")
    assert exc.size() == 2 and inh.size() == 2
    got = sorted((int(i), int(j), round(float(w), 6)) for i, j, w in
                 exc.projection.get("weight", format="list"))
    assert got == [(0, 2, 0.004), (1, 3, 0.005)], "pynn: weights are uS, unscaled"


def test_one_connector_over_edges_of_both_receptors_says_to_split_them(
        tmp_path: Path) -> None:
    circuit = _pynn_circuit(tmp_path / "c")
    with pytest.raises(ConfigError, match=r"both excitatory and inhibitory.*edge_types"):
        build_model(load_study(_mock_study(circuit, tmp_path, {"all": {}})))
    # without a receptor column, positive (PyNN-unit) weights are excitatory
    plain = _pynn_circuit(tmp_path / "plain", receptor_column=False)
    model = build_model(load_study(_mock_study(plain, tmp_path, {"all": {}})))
    assert model.projections["all"].receptor == "excitatory"


# -- a circuit path relative to the study file ----------------------------------------------------


@pytest.mark.nest
def test_a_relative_circuit_is_read_from_the_study_folder_in_any_working_directory(
        circuit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(circuit, tmp_path)  # tmp_path/c/circuit_config.json, next to the study
    study = _study(Path("c") / "circuit_config.json", tmp_path, **{
        "experiments": [{"component": "NoStimulation", "params": {"duration_ms": 20.0}}]})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded = load_study(study)
    assert loaded.sheets["exc"].params.circuit == str(tmp_path / "c" / "circuit_config.json")
    summary = run_study(loaded, tmp_path / "run", progress="off")
    assert summary is not None
    with DataStore.open(tmp_path / "run") as store:
        stored = [c for c in store.full_view().analysis_results() if isinstance(c, Connections)]
    edges = _edges(circuit, "cortex_cortex"), _edges(circuit, "lgn_cortex")
    assert sum(len(c.weights) for c in stored) == sum(len(e["source"]) for e in edges)


def test_a_missing_relative_circuit_names_the_study_the_parameter_and_the_resolved_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    study = _study(Path("net") / "circuit_config.json", tmp_path)
    monkeypatch.chdir(tmp_path.parent)
    with pytest.raises(ConfigError) as info:
        load_study(study)
    text = str(info.value)
    assert str(study) in text
    assert "sheets.exc.params.circuit" in text and "connectors.exc_exc.params.circuit" in text
    assert str(tmp_path / "net" / "circuit_config.json") in text
    assert "'net/circuit_config.json' (relative to the study file's folder" in text
