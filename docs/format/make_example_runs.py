"""Make the two example stores the queries of ``docs/datastore-format.md`` run against.

A real run of ``examples/vogels_abbott2005`` on NEST, shrunk to 100 neurons and 300 ms, finished
(``status: complete``): ``example_runs/no_analyses`` as the run left it, and
``example_runs/with_analyses``, the same run plus per-neuron firing rates and a population mean
stored as analysis results. Fields that differ from one run to the next (times, host, versions,
absolute paths, timings) are set to fixed values, so running this script again regenerates the
stores identically (``mozaik-core/tests/test_format_doc.py`` checks it).

    uv run python docs/format/make_example_runs.py [OUT_DIR]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import quantities as pq
from mozaik.ads import PerNeuronValue, SingleValue
from mozaik.controller import run_study
from mozaik.datastore import DataStore
from mozaik.study import load_study

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "examples" / "vogels_abbott2005" / "study.yaml"
OVERRIDES = (
    "sheets.exc.params.placement.n_neurons=80",
    "experiments.1.params.duration_ms=200.0",
    "analyses=[]",  # the example's own analyses and plots: this script adds its own results
    "plots=[]",
)
FIXED_TIME = "2026-01-01T00:00:00+00:00"


def _fixed_times(record: dict[str, Any]) -> dict[str, Any]:
    """A session record with fixed timestamps, process and host, and every duration (``*_s``,
    nested too) 0."""
    return {k: (FIXED_TIME if k in ("started", "finished", "last_write")
                else 12345 if k == "pid" else "example" if k == "host"
                else _fixed_times(v) if isinstance(v, dict)
                else 0.0 if k.endswith("_s") else v)
            for k, v in record.items()}


def _normalise(run: Path) -> None:
    """Replace what differs between two runs of the same study by fixed values."""
    (run / "mozaik.log").unlink(missing_ok=True)
    with DataStore.open(run, "a") as store:
        m = store.manifest
        sessions = [_fixed_times(s) for s in m.get("sessions") or []]
        prov = m["provenance"]
        prov.update(
            host="example", python="3.11", platform="example", cpus=1,
            command=["mozaik", "run", "examples/vogels_abbott2005"],
            distributions=dict.fromkeys(("PyNN", "mozaik-core", "neo", "nest-simulator",
                                         "numpy", "pyarrow"), "example"),
            plugins=[{**p, "version": "example"} for p in prov.get("plugins", [])
                     if p.get("distribution") == "mozaik-core"],
            simulator={k: "example" if k != "backend" else v
                       for k, v in prov.get("simulator", {}).items()},
            model_dir=str(STUDY.parent.relative_to(ROOT)), model_git_commit="example",
        )
        store.update_manifest(start_time=FIXED_TIME, end_time=FIXED_TIME, sessions=sessions,
                              provenance=prov, config_file=str(STUDY.relative_to(ROOT)))


def _add_analyses(run: Path) -> None:
    """Store firing rates (Hz) per neuron and stimulus, and each sheet's mean, as results."""
    with DataStore.open(run, "a") as store:
        for sheet in store.sheets():
            n = len(store.neuron_ids(sheet))
            means = []
            for stimulus, trial in store.presentations():
                view = store.full_view()
                rows = [r for r in view.segment_index.to_pylist()
                        if r["sheet_name"] == sheet and not r["is_null"]
                        and r["stimulus_id"] == stimulus.to_string() and r["trial"] == trial]
                arrays = view.spike_arrays(sheet)
                seconds = sum(r["t_stop"] - r["t_start"] for r in rows) / 1000.0
                ids = {r["segment_id"] for r in rows}
                mask = np.isin(arrays.segment_id, list(ids))
                rates = np.bincount(arrays.neuron[mask], minlength=n) / seconds
                means.append(float(rates.mean()))
                store.add_analysis_result(PerNeuronValue(
                    analysis_algorithm="FiringRate", sheet_name=sheet, stimulus_id=stimulus,
                    values=rates, ids=np.arange(n), value_name="Firing rate",
                    value_units=pq.Hz, tags=["example"]))
            store.add_analysis_result(SingleValue(
                analysis_algorithm="PopulationMean", sheet_name=sheet,
                value=float(np.mean(means)), value_name="Mean firing rate", value_units=pq.Hz,
                tags=["example"]))


def make(out: Path) -> tuple[Path, Path]:
    """Write ``out/no_analyses`` and ``out/with_analyses``; return both."""
    bare, full = out / "no_analyses", out / "with_analyses"
    for path in (bare, full):
        if path.exists():
            shutil.rmtree(path)
    out.mkdir(parents=True, exist_ok=True)
    run_study(load_study(STUDY, OVERRIDES), bare, progress="off")
    _normalise(bare)
    shutil.copytree(bare, full)
    _add_analyses(full)
    for path in (bare, full):
        with DataStore.open(path, "a") as store:
            store.update_manifest(status="complete")
    return bare, full


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    for made in make(target / "example_runs" if len(sys.argv) <= 1 else target):
        print(made)
