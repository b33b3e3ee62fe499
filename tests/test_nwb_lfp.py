"""NWB export of a run with an LFP: ElectricalSeries on an electrodes table, and the query.

A small Vogels & Abbott run on NEST (200 + 50 cells, 2 x 100 ms of spontaneous activity,
Vm and conductances of 20 excitatory cells every 1 ms) with mozaik-analysis's ElectrodeLFP on a
2 x 2 array declared in the study. ``mozaik export --format nwb --sheet exc --param lfp_ohm=...``
writes it; a fresh process reads it with pynwb:

- the LFP is one ElectricalSeries in ``processing/ecephys/LFP``: its data equal the stored
  results (every presentation in time order) exactly, its timestamps are the presentations'
  onsets plus the results' times, in s; its conversion is the transfer resistance (nA -> V);
  its electrodes are rows of the file's electrodes table holding the array's positions (um),
  with a device, an electrode group and the filtering described;
- the query of ``mozaik export`` (``--sheet exc``) is in the file's metadata and in every
  analysis result's description, with the analysis's declaration (component, parameters,
  query);
- nwbinspector reports no issue of importance CRITICAL or BEST_PRACTICE_VIOLATION.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mozaik.datastore import DataStore

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
MOZAIK = str(Path(sys.executable).with_name("mozaik"))
OHM = 1.0e4
LFP = ("[{component: ElectrodeLFP, params: {sheet_names: [exc], grid_shape: [2, 2], "
       "spacing_um: 200.0}, query: {st_protocol: NoStimulation}}, "
       "{component: TrialAveragedFiringRate, query: {st_protocol: NoStimulation}}]")
OVERRIDES = (
    "sheets.exc.params.placement.n_neurons=200",
    "sheets.exc.params.recorders.1.neurons={random_n: 20}",
    "experiments.0.params.duration_ms=50.0",
    "experiments.1.params.duration_ms=100.0",
    "experiments.1.params.num_trials=2",
    f"analyses={LFP}", "plots=[]")

_READ_BACK = r"""
import json, sys
from pynwb import NWBHDF5IO
with NWBHDF5IO(sys.argv[1], "r") as io:
    f = io.read()
    lfp = f.processing["ecephys"]["LFP"]
    series = {}
    for name, s in lfp.electrical_series.items():
        rows = s.electrodes.to_dataframe()
        series[name] = {
            "data": s.data[:].tolist(), "timestamps": s.timestamps[:].tolist(),
            "conversion": s.conversion, "unit": s.unit, "filtering": s.filtering,
            "x": rows["x"].tolist(), "y": rows["y"].tolist(), "z": rows["z"].tolist(),
            "electrode_filtering": rows["filtering"].tolist(),
            "group": rows["group_name"].tolist(),
            "device": s.electrodes.table["group"][0].device.name}
    analysis = {name: json.loads(t.description)
                for name, t in f.processing["mozaik_analysis"].data_interfaces.items()}
    print(json.dumps({"series": series, "notes": json.loads(f.notes),
                      "data_collection": f.data_collection, "analysis": analysis}))
"""


def _mozaik(*args: str) -> None:
    done = subprocess.run([MOZAIK, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    run = tmp_path_factory.mktemp("lfp") / "run"
    _mozaik("run", str(ROOT / "examples" / "vogels_abbott2005"),
            *[x for o in OVERRIDES for x in ("--set", o)], "--out", str(run),
            "--progress", "off")
    out = run.parent / "run.nwb"
    _mozaik("export", str(run), "--format", "nwb", "--out", str(out), "--sheet", "exc",
            "--param", "species=Felis catus", "--param", "age=P1Y",
            "--param", f"lfp_ohm={OHM}")
    return run, out


def test_without_a_transfer_resistance_the_current_proxy_stays_in_nA(
        exported: tuple[Path, Path]) -> None:
    """NWB's ElectricalSeries is in volts; the RWS proxy is a current: without lfp_ohm it is
    a TimeSeries in nA (not a mislabelled ElectricalSeries), and the file stays clean."""
    from mozaik.export import export
    from nwbinspector import Importance, inspect_nwbfile
    from pynwb import NWBHDF5IO, TimeSeries

    out = exported[1].with_name("as_current.nwb")
    with DataStore.open(exported[0]) as store:
        export(store.full_view(), out, format="nwb", registry=store.registry,
               params={"species": "Felis catus", "age": "P1Y"})
    with NWBHDF5IO(str(out), "r") as io:
        f = io.read()
        module = f.processing["ecephys"]
        assert sorted(module.data_interfaces) == ["exc_ElectrodeLFP"]
        series = module["exc_ElectrodeLFP"]
        assert type(series) is TimeSeries and series.unit == "nA" and len(series.data[:])
        assert f.electrodes is None
    issues = [i for i in inspect_nwbfile(nwbfile_path=str(out))
              if i.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION)]
    assert not issues, [f"{i.check_function_name}: {i.message}" for i in issues]


@pytest.fixture(scope="module")
def read_back(exported: tuple[Path, Path]) -> dict[str, Any]:
    """The file as pynwb reads it in a fresh process."""
    done = subprocess.run([sys.executable, "-c", _READ_BACK, str(exported[1])], check=True,
                          capture_output=True, text=True, timeout=300)
    return dict(json.loads(done.stdout))


def test_lfp_is_an_electrical_series_on_positioned_electrodes(
        exported: tuple[Path, Path], read_back: dict[str, Any]) -> None:
    run, got = exported[0], read_back
    assert list(got["series"]) == ["exc_ElectrodeLFP"]
    series = got["series"]["exc_ElectrodeLFP"]
    with DataStore.open(run) as store:
        view = store.full_view()
        results = view.get_analysis_result(analysis_algorithm="ElectrodeLFP")
        index = view.segment_index.to_pylist()
        onset = {}
        for row in index:
            if row["sheet_name"] == "exc" and not row["is_null"]:
                onset[row["trial"]] = row["t_start"]
        results.sort(key=lambda r: onset[r.stimulus_id.params["trial"]])
        assert len(results) == 2, "one result per presentation"
        data = np.concatenate([np.asarray(r.signal.magnitude) for r in results])
        stamps = np.concatenate([
            (onset[r.stimulus_id.params["trial"]] + r.signal.times.rescale("ms").magnitude)
            / 1000.0 for r in results])
        positions = results[0].positions_um
    assert np.array_equal(np.array(series["data"]), data)
    assert np.array_equal(np.array(series["timestamps"]), stamps)
    assert series["unit"] == "volts" and series["conversion"] == pytest.approx(1e-9 * OHM)
    assert np.array_equal(series["x"], positions[:, 0])
    assert np.array_equal(series["y"], positions[:, 1])
    assert series["z"] == [0.0] * 4
    assert series["group"] == ["exc_ElectrodeLFP"] * 4
    assert series["device"] == "mozaik_virtual_electrodes"
    assert "ElectrodeLFP" in series["filtering"] and "spacing_um" in series["filtering"]
    assert series["electrode_filtering"] == [series["filtering"]] * 4


def test_the_export_query_is_recorded_in_the_file_and_with_each_result(
        read_back: dict[str, Any]) -> None:
    got = read_back
    assert got["notes"]["export_query"] == {"sheet_name": ["exc"]}
    assert '{"sheet_name": ["exc"]}' in got["data_collection"]
    rates = [a for a in got["analysis"].values() if a["analysis"] == "TrialAveragedFiringRate"]
    assert rates, got["analysis"]
    for about in rates:
        assert about["export_query"] == {"sheet_name": ["exc"]}
        assert about["parameters"]["sheet_name"] == "exc"
        assert about["declaration"]["query"] == {"st_protocol": "NoStimulation"}
        assert about["declaration"]["component"] == "TrialAveragedFiringRate"


def test_nwbinspector_finds_no_important_issue(exported: tuple[Path, Path]) -> None:
    from nwbinspector import Importance, inspect_nwbfile

    issues = [i for i in inspect_nwbfile(nwbfile_path=str(exported[1]))
              if i.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION)]
    assert not issues, [f"{i.check_function_name}: {i.message}" for i in issues]
