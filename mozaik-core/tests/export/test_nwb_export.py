"""The exporter kind, ``mozaik export`` and the NWB export of a store, read back by pynwb."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest
from click.testing import CliRunner
from mozaik import ExportError
from mozaik.cli import cli
from mozaik.datastore import DataStore
from mozaik.export import EXPORTERS, Exporter, export
from mozaik.plugin import get_registry

_READ_BACK = r"""
import json, sys
from pynwb import NWBHDF5IO
with NWBHDF5IO(sys.argv[1], "r") as io:
    f = io.read()
    units = f.units.to_dataframe()
    out = {"units": [[r.sheet, int(r.neuron_index), [float(t) for t in r.spike_times]]
                     for r in units.itertuples()],
           "intervals": f.intervals["presentations"].to_dataframe()[
               ["start_time", "stop_time", "stimulus_name", "trial", "is_null"]].values.tolist(),
           "signals": {k: [v.data[:].tolist(), float(v.conversion), v.unit]
                       for k, v in f.acquisition.items()},
           "notes": json.loads(f.notes)}
print(json.dumps(out))
"""

_SUBJECT = {"species": "Felis catus", "age": "P1Y"}


def _nwb(filled: tuple[Path, dict], tmp_path: Path) -> Path:
    store = DataStore.open(filled[0])
    return export(store.full_view(), tmp_path / "run.nwb", format="nwb",
                  registry=get_registry(), params=_SUBJECT)


def test_formats_are_registered_exporters() -> None:
    table = get_registry()[EXPORTERS]
    assert {"nix", "nwb"} <= set(table)
    for name in ("nix", "nwb"):
        assert issubclass(table[name].factory, Exporter)  # type: ignore[arg-type]


def test_nwb_read_back_in_a_fresh_process_equals_the_store(filled, tmp_path) -> None:
    path = _nwb(filled, tmp_path)
    done = subprocess.run([sys.executable, "-c", _READ_BACK, str(path)], check=True,
                          capture_output=True, text=True)
    got = json.loads(done.stdout)
    store = DataStore.open(filled[0])
    view = store.full_view()
    index = view.segment_index
    # spikes: every recorded neuron one unit, its spike times (s) exactly the store's / 1000
    units = {(sheet, n): times for sheet, n, times in got["units"]}
    n_spikes = 0
    for sheet in view.sheets():
        for null in (False, True):
            spikes = view.spike_arrays(sheet, null=null)
            n_spikes += len(spikes.times)
        rows = index.filter(pc.equal(index["sheet_name"], sheet))
        table = store.reader.read_payload(rows, "spikes", ["neuron", "time"])
        neurons = table["neuron"].to_numpy()
        times = table["time"].to_numpy(zero_copy_only=False)
        for n in np.unique(neurons):
            expected = np.sort(times[(neurons == n) & ~np.isnan(times)]) / 1000.0
            assert units[(sheet, int(n))] == expected.tolist()
    assert sum(len(t) for t in units.values()) == n_spikes
    # intervals: one row per presentation, times and labels equal
    first = {}
    for row in index.sort_by("segment_id").to_pylist():
        first.setdefault(row["presentation_id"], row)
    expected = [[r["t_start"] / 1000.0, r["t_stop"] / 1000.0, r["stimulus_name"], r["trial"],
                 r["is_null"]] for _, r in sorted(first.items())]
    assert got["intervals"] == expected
    # signals: the stored traces exactly, in the stored units with the SI conversion
    for sheet in view.sheets():
        for variable in ("v", "gsyn_exc"):
            name = f"{sheet}_{variable}".replace("/", "_")
            if name not in got["signals"]:
                continue
            data, conversion, unit = got["signals"][name]
            rows = index.filter(pc.equal(index["sheet_name"], sheet)).sort_by("t_start")
            traces = []
            for k in range(rows.num_rows):
                t = store.reader.read_payload(rows.slice(k, 1), "analog", ["variable", "values"])
                t = t.filter(pc.equal(t["variable"], variable))
                if t.num_rows:
                    traces.append(np.array(t["values"].to_pylist()).T)
            assert np.array_equal(np.array(data), np.concatenate(traces))
            assert unit in ("volts", "siemens") and conversion > 0
    assert any(k.endswith("_v") for k in got["signals"]), "the fixture records v"
    assert got["notes"]["seed"] == 7 and got["notes"]["simulator"] == "mock"


def test_nwb_passes_nwbinspector(filled, tmp_path) -> None:
    from nwbinspector import Importance, inspect_nwbfile

    path = _nwb(filled, tmp_path)
    issues = [i for i in inspect_nwbfile(nwbfile_path=str(path))
              if i.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION)]
    assert not issues, [f"{i.check_function_name}: {i.message}" for i in issues]


def test_cli_lists_formats_and_exports(filled, tmp_path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["export", "--list"])
    assert res.exit_code == 0 and "nwb" in res.output and "nix" in res.output, res.output
    out = tmp_path / "x.nix"
    res = runner.invoke(cli, ["export", str(filled[0]), "--format", "nix", "--out", str(out),
                              "--sheet", "V1_Exc_L4"])
    assert res.exit_code == 0, res.output
    assert out.is_file() and not list(tmp_path.glob(".*partial*"))


def test_unknown_format_lists_installed_ones_and_the_extra(filled) -> None:
    store = DataStore.open(filled[0])
    with pytest.raises(ExportError, match=r"'mat'.*installed formats: nix, nwb"):
        export(store.full_view(), "x.mat", format="mat", registry=get_registry())
    res = CliRunner().invoke(cli, ["export", str(filled[0]), "--format", "mat"])
    assert res.exit_code != 0 and "installed formats" in res.output


def test_existing_path_is_refused_unless_overwrite(filled, tmp_path) -> None:
    path = _nwb(filled, tmp_path)
    store = DataStore.open(filled[0])
    with pytest.raises(ExportError, match="already exists.*--overwrite"):
        export(store.full_view(), path, format="nwb", registry=get_registry())
    before = path.stat().st_mtime_ns
    export(store.full_view(), path, format="nwb", registry=get_registry(), params=_SUBJECT,
           overwrite=True)
    assert path.stat().st_mtime_ns != before


def test_run_without_spikes_is_refused(tmp_path) -> None:
    store = DataStore.create(tmp_path / "empty")
    with pytest.raises(ExportError, match="no recorded presentation"):
        export(store.full_view(), tmp_path / "e.nwb", format="nwb", registry=get_registry())


@pytest.mark.parametrize(("format", "module", "extra"), [
    ("nwb", "pynwb", "nwb"), ("nix", "nixio", "nix"), ("sonata_spikes", "h5py", "sonata"),
    ("sonata", "h5py", "sonata")])
def test_missing_dependency_names_the_extra(filled, tmp_path, monkeypatch, format, module,
                                            extra) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == module else real(name, *a))
    store = DataStore.open(filled[0])
    with pytest.raises(ExportError, match=rf"{module}.*mozaik-core\[{extra}\]"):
        export(store.full_view(), tmp_path / "m.out", format=format, registry=get_registry())
    assert not (tmp_path / "m.out").exists()


_QUERY_BACK = r"""
import json, sys
from pynwb import NWBHDF5IO
with NWBHDF5IO(sys.argv[1], "r") as io:
    f = io.read()
    tables = f.processing["mozaik_analysis"].data_interfaces.values()
    print(json.dumps({"notes": json.loads(f.notes), "data_collection": f.data_collection,
                      "sheets": sorted(set(f.units["sheet"][:])),
                      "results": [json.loads(t.description) for t in tables]}))
"""


def test_the_export_query_is_recorded_in_the_file_and_each_result(filled, tmp_path) -> None:
    out = tmp_path / "q.nwb"
    res = CliRunner().invoke(cli, [
        "export", str(filled[0]), "--format", "nwb", "--out", str(out), "--sheet",
        "V1_Exc_L4", "--param", "species=Felis catus", "--param", "age=P1Y"])
    assert res.exit_code == 0, res.output
    done = subprocess.run([sys.executable, "-c", _QUERY_BACK, str(out)], check=True,
                          capture_output=True, text=True)
    got = json.loads(done.stdout)
    assert got["sheets"] == ["V1_Exc_L4"]
    assert got["notes"]["export_query"] == {"sheet_name": ["V1_Exc_L4"]}
    assert '"sheet_name": ["V1_Exc_L4"]' in got["data_collection"]
    assert got["results"] and all(r["export_query"] == {"sheet_name": ["V1_Exc_L4"]}
                                  and r["parameters"]["sheet_name"] == "V1_Exc_L4"
                                  and "declaration" in r for r in got["results"])
    # the whole run: an empty query, said in words too
    whole = _nwb(filled, tmp_path)
    done = subprocess.run([sys.executable, "-c", _QUERY_BACK, str(whole)], check=True,
                          capture_output=True, text=True)
    got = json.loads(done.stdout)
    assert got["notes"]["export_query"] == {} and "the whole run" in got["data_collection"]
