"""Exports of the shipped examples on NEST, read back by readers that are not ours.

The Vogels & Abbott and V1 push-pull examples run at a few seconds (the sizes of
tests/test_kill_and_resume.py); ``mozaik export RUN --format nwb`` writes each; a fresh
process reads the file with pynwb and its spikes (one unit per recorded neuron), presentation
intervals and analog signals equal the store's exactly; nwbinspector finds no issue of
importance CRITICAL or BEST_PRACTICE_VIOLATION. For the V&A network, BMTK reads the SONATA
spike report and finds the store's spikes, and loads the SONATA network export: its node and
edge counts, weights and delays equal the store's; BMTK's PointNet simulates the exported
network on the same NEST (with the same Poisson background) in the same asynchronous irregular
state as Mozaik's run (rates within 10%, CV of ISI >= 0.8).

The V&A run is 800 + 200 neurons driven by a Poisson background instead of the example's kick
(the background keeps a network this small in the AI state, exc about 20 Hz, CV 1.4, and
PointNet gets the same one): 2 x 500 ms of spontaneous activity, compared from 200 ms on. At
400 + 100 neurons the population rate swings between 10 and 25 Hz from one 100 ms bin to the
next, and two runs of 500 ms differ by up to 20%; at this size they agree within 3%. One run
serves every check.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest
from mozaik.datastore import DataStore
from v1_sizes import V1_TINY

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
MOZAIK = str(Path(sys.executable).with_name("mozaik"))
NO_PLOTS = "plots=[]"
CONNECTIONS = "controller.store_connections=true"
#: the V&A run's Poisson background on every cell (NEST poisson_generator, min_delay)
NOISE_HZ, NOISE_US = 1000.0, 0.002
_NOISE = f"{{rate_exc_hz: {NOISE_HZ}, weight_exc_uS: {NOISE_US}}}"
VA_STEADY_MS = (200.0, 1000.0)  # the window whose rates and CVs are compared
STUDIES = {
    "vogels_abbott": (ROOT / "examples" / "vogels_abbott2005", (
        "sheets.exc.params.placement.n_neurons=800",
        "experiments=[{component: NoStimulation, params: {duration_ms: 500.0, num_trials: 2}}]",
        f"sheets.exc.params.background_noise={_NOISE}",
        f"sheets.inh.params.background_noise={_NOISE}", "analyses=[]", NO_PLOTS,
        CONNECTIONS)),
    "v1_pushpull": (ROOT / "examples" / "v1_pushpull", (
        *V1_TINY, NO_PLOTS)),
}

_READ_BACK = r"""
import json, sys
from pynwb import NWBHDF5IO
with NWBHDF5IO(sys.argv[1], "r") as io:
    f = io.read()
    units = f.units.to_dataframe()
    print(json.dumps({
        "units": [[r.sheet, int(r.neuron_index), [float(t) for t in r.spike_times]]
                  for r in units.itertuples()],
        "intervals": f.intervals["presentations"].to_dataframe()[
            ["start_time", "stop_time", "stimulus_name", "trial", "is_null"]].values.tolist(),
        "signals": {k: v.data[:].tolist() for k, v in f.acquisition.items()},
        "resolution": f.units.resolution}))
"""


def _mozaik(*args: str) -> str:
    done = subprocess.run([MOZAIK, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module", params=sorted(STUDIES))
def exported(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    study, overrides = STUDIES[request.param]
    run = tmp_path_factory.mktemp(request.param) / "run"
    _mozaik("run", str(study), *[x for o in overrides for x in ("--set", o)], "--out",
            str(run), "--progress", "log")
    out = run.parent / "run.nwb"
    _mozaik("export", str(run), "--format", "nwb", "--out", str(out),
            "--param", "species=Felis catus", "--param", "age=P1Y")
    return run, out


def test_read_back_equals_the_store(exported: tuple[Path, Path]) -> None:
    run, path = exported
    done = subprocess.run([sys.executable, "-c", _READ_BACK, str(path)], check=True,
                          capture_output=True, text=True, timeout=300)
    got = json.loads(done.stdout)
    assert got["resolution"] == pytest.approx(1e-4), "the run's 0.1 ms time step"
    with DataStore.open(run) as store:
        index = store.full_view().segment_index
        units = {(sheet, n): times for sheet, n, times in got["units"]}
        total = 0
        for sheet in sorted(set(index["sheet_name"].to_pylist())):
            rows = index.filter(pc.equal(index["sheet_name"], sheet))
            table = store.reader.read_payload(rows, "spikes", ["neuron", "time"])
            neurons = table["neuron"].to_numpy()
            times = table["time"].to_numpy(zero_copy_only=False)
            for n in np.unique(neurons):
                expected = np.sort(times[(neurons == n) & ~np.isnan(times)]) / 1000.0
                assert units[(sheet, int(n))] == expected.tolist(), (sheet, n)
                total += 1
            variables = {v for vs in rows["variables"].to_pylist() for v in vs} - {"spikes"}
            ordered = rows.sort_by("t_start")
            for variable in variables:
                traces = []
                for k in range(ordered.num_rows):
                    t = store.reader.read_payload(ordered.slice(k, 1), "analog",
                                                  ["variable", "values"])
                    t = t.filter(pc.equal(t["variable"], variable))
                    if t.num_rows:
                        traces.append(np.array(t["values"].to_pylist()).T)
                name = f"{sheet}_{variable}".replace("/", "_")
                assert np.array_equal(np.array(got["signals"][name]), np.concatenate(traces))
        assert len(units) == total, "one unit per recorded neuron, no other"
        first: dict[int, dict] = {}
        for row in index.sort_by("segment_id").to_pylist():
            first.setdefault(row["presentation_id"], row)
        assert got["intervals"] == [
            [r["t_start"] / 1000.0, r["t_stop"] / 1000.0, r["stimulus_name"], r["trial"],
             r["is_null"]] for _, r in sorted(first.items())]
        assert got["signals"], "the examples record membrane potentials"


def test_nwbinspector_finds_no_important_issue(exported: tuple[Path, Path]) -> None:
    from nwbinspector import Importance, inspect_nwbfile

    issues = [i for i in inspect_nwbfile(nwbfile_path=str(exported[1]))
              if i.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION)]
    assert not issues, [f"{i.check_function_name}: {i.message}" for i in issues]


@pytest.mark.parametrize("exported", ["vogels_abbott"], indirect=True)
def test_sonata_spike_report_read_by_bmtk_equals_the_store(
        exported: tuple[Path, Path], sonata: Path) -> None:
    """BMTK (not ours) reads the SONATA spike report: per sheet, every spike's node id and time
    equal the store's. The report is the network export's ``output/spikes.h5``, written by the
    ``sonata_spikes`` exporter with its defaults (what ``--format sonata_spikes`` writes; its
    command line is tested with the other formats in mozaik-core/tests/export)."""
    from bmtk.utils.reports.spike_trains import SpikeTrains

    run = exported[0]
    report = SpikeTrains.load(str(sonata / "output" / "spikes.h5"))
    with DataStore.open(run) as store:
        index = store.full_view().segment_index
        sheets = sorted(set(index["sheet_name"].to_pylist()))
        assert sorted(report.populations) == sorted(s.replace("/", "_") for s in sheets)
        for sheet in sheets:
            rows = index.filter(pc.equal(index["sheet_name"], sheet))
            table = store.reader.read_payload(rows, "spikes", ["neuron", "time"])
            times = table["time"].to_numpy(zero_copy_only=False)
            keep = ~np.isnan(times)
            expected = sorted(zip(table["neuron"].to_numpy()[keep].tolist(),
                                  times[keep].tolist(), strict=True))
            frame = report.to_dataframe(populations=sheet.replace("/", "_"))
            got = sorted(zip(frame["node_ids"].astype(int).tolist(),
                             frame["timestamps"].astype(float).tolist(), strict=True))
            assert got == expected, sheet


@pytest.mark.parametrize("exported", ["vogels_abbott"], indirect=True)
def test_sonata_network_loaded_by_bmtk_equals_the_store(
        exported: tuple[Path, Path], sonata: Path) -> None:
    from bmtk.utils.sonata import File

    run = exported[0]
    out = sonata
    network = out / "network"
    config = json.loads((out / "circuit_config.json").read_text())
    assert config["networks"]["nodes"][0]["nodes_file"].endswith("nodes.h5")
    net = File(data_files=[str(network / "nodes.h5"), str(network / "edges.h5")],
               data_type_files=[str(network / "node_types.csv"),
                                str(network / "edge_types.csv")])
    with DataStore.open(run) as store:
        view = store.full_view()
        assert sorted(net.nodes.population_names) == sorted(
            s.replace("/", "_") for s in store.sheets())
        for sheet in store.sheets():
            assert len(net.nodes[sheet.replace("/", "_")]) == len(view.neuron_ids(sheet))
        connections = [r for r in view.analysis_results() if type(r).__name__ == "Connections"]
        assert connections, "the run stored its connections"
        assert sorted(net.edges.population_names) == sorted(
            c.proj_name.replace("/", "_") for c in connections)
        for conn in connections:
            edges = net.edges[conn.proj_name.replace("/", "_")]
            assert edges.source_population == conn.source_name.replace("/", "_")
            assert edges.target_population == conn.target_name.replace("/", "_")
            frame = edges.to_dataframe()
            got = sorted(zip(frame["source_node_id"].tolist(), frame["target_node_id"].tolist(),
                             frame["syn_weight"].tolist(), frame["delay"].tolist(),
                             strict=True))
            # NEST's units and sign (nS, inhibition negative), as PointNet reads them
            sign = -1000.0 if conn.proj_name.startswith("inh") else 1000.0
            expected = sorted(zip(conn.source_index.tolist(), conn.target_index.tolist(),
                                  (sign * np.asarray(conn.weights, float)).tolist(),
                                  np.asarray(conn.delays, float).tolist(), strict=True))
            assert len(got) == len(expected) and got == expected, conn.proj_name


@pytest.fixture(scope="module")
def sonata(exported: tuple[Path, Path]) -> Path:
    """The V&A run's network exported as a SONATA circuit (with its spike report), once for
    the module, in this process (the command line is tested with the NWB export above)."""
    from mozaik.export import export

    run = exported[0]
    out = run.parent / "sonata"
    if not out.exists():
        with DataStore.open(run) as store:
            export(store.full_view(), out, format="sonata", registry=store.registry)
    return out


_POINTNET = r"""
import json, sys
from pathlib import Path
import nest
from bmtk.simulator import pointnet

circuit, tstop, rate, weight_uS = Path(sys.argv[1]), float(sys.argv[2]), *map(float, sys.argv[3:])
out = circuit.parent / "pointnet"
config = circuit.parent / "pointnet_config.json"
config.write_text(json.dumps({
    "target_simulator": "NEST", "run": {"tstart": 0.0, "tstop": tstop, "dt": 0.1},
    "network": str(circuit / "circuit_config.json"),
    "output": {"output_dir": str(out), "spikes_file": "spikes.h5",
               "overwrite_output_dir": True}}))
conf = pointnet.Config.from_json(str(config))
conf.build_env()
network = pointnet.PointNetwork.from_config(conf)
simulator = pointnet.PointSimulator.from_config(conf, network)
# the run's background: one poisson_generator onto every cell, weight in nS, min_delay
noise = nest.Create("poisson_generator", params={"rate": rate})
nest.Connect(noise, nest.GetNodes({"model": "iaf_cond_exp"}), "all_to_all",
             {"weight": weight_uS * 1000.0, "delay": 0.1})
simulator.run()
print(out / "spikes.h5")
"""


def _rate_and_cv(neurons: np.ndarray, times: np.ndarray, n: int) -> tuple[float, float]:
    """Mean rate (Hz) of ``n`` neurons and mean CV of ISI (neurons with 3 spikes or more) in
    the steady window."""
    t0, t1 = VA_STEADY_MS
    keep = (times >= t0) & (times < t1)
    neurons, times = neurons[keep], times[keep]
    cvs = []
    for i in np.unique(neurons):
        isi = np.diff(np.sort(times[neurons == i]))
        if len(isi) >= 2:
            cvs.append(isi.std() / isi.mean())
    return len(times) / n / ((t1 - t0) / 1000.0), float(np.mean(cvs))


@pytest.mark.parametrize("exported", ["vogels_abbott"], indirect=True)
def test_bmtk_pointnet_simulates_the_exported_network_in_the_same_state(
        exported: tuple[Path, Path], sonata: Path) -> None:
    """The exported V&A circuit (nest:iaf_cond_exp cells, NEST-unit weights) run by BMTK's
    PointNet on our NEST, with the run's Poisson background, is in the same asynchronous
    irregular state as the Mozaik run: per sheet, rates within 10% and CV of ISI >= 0.8."""
    import h5py

    run = exported[0]
    with DataStore.open(run) as store:
        index = store.full_view().segment_index
        tstop = float(max(index["t_stop"].to_pylist()))
        sizes = {s: len(store.full_view().neuron_ids(s)) for s in store.sheets()}
        mozaik = {}
        for sheet in sizes:
            rows = index.filter(pc.equal(index["sheet_name"], sheet))
            table = store.reader.read_payload(rows, "spikes", ["neuron", "time"])
            times = table["time"].to_numpy(zero_copy_only=False)
            keep = ~np.isnan(times)
            mozaik[sheet] = _rate_and_cv(table["neuron"].to_numpy()[keep], times[keep],
                                         sizes[sheet])
    assert tstop >= VA_STEADY_MS[1]
    done = subprocess.run([sys.executable, "-c", _POINTNET, str(sonata), str(tstop),
                           str(NOISE_HZ), str(NOISE_US)], capture_output=True, text=True,
                          timeout=600, cwd=sonata.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    with h5py.File(done.stdout.strip().splitlines()[-1], "r") as file:
        for sheet, (rate, cv) in mozaik.items():
            spikes = file["spikes"][sheet]
            got_rate, got_cv = _rate_and_cv(spikes["node_ids"][()].astype(int),
                                            spikes["timestamps"][()], sizes[sheet])
            assert 5.0 <= rate <= 50.0 and cv >= 0.8, ("Mozaik's run is AI", sheet, rate, cv)
            assert got_rate == pytest.approx(rate, rel=0.1), (sheet, got_rate, rate)
            assert got_cv >= 0.8, (sheet, got_cv)
