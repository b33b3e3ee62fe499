"""SONATA export and import of the overhead network (benchmarks/overhead) against PyNN's own
serializer (``pyNN.serialization.export_to_sonata`` / ``import_from_sonata``) on the same
network.

For each size, every step runs in a fresh interpreter that times itself (imports and NEST
start-up are outside the clock; the figure is the serializer's own time):

- ``mozaik_export``: ``mozaik.export.export(view, path, format="sonata")`` of a run of
  ``benchmarks/overhead/study.yaml`` stored with ``controller.store_connections: true`` (the
  run itself, 1 ms simulated, is not timed);
- ``mozaik_import``: ``mozaik.model.build_model`` of a study whose sheets and connectors are
  ``SonataSheet`` / ``SonataConnector`` of that export (the network built in NEST);
- ``mozaik_build``: ``build_model`` of the overhead study itself (the reference: the same
  network drawn by its connectors);
- ``pynn_export``: the same network built by a plain PyNN script (as
  ``benchmarks/overhead/pure_pynn.py`` does), then ``export_to_sonata(Network(...), target=
  "PyNN")``, timed alone (PyNN's ``target="NEST"`` export is not read back by its own
  ``import_from_sonata``: "IF_cond_exp is not a known component");
- ``pynn_import``: ``import_from_sonata`` of that export, building it in NEST.

Usage::

    .venv/bin/python benchmarks/interchange/bench_sonata.py --sizes 10000 30000 \
        --json benchmarks/interchange/results-sonata.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MOZAIK = str(Path(sys.executable).with_name("mozaik"))

_MOZAIK_EXPORT = r"""
import json, sys, time
from mozaik.datastore import DataStore
from mozaik.export import export
run, out = sys.argv[1:]
with DataStore.open(run) as store:
    view = store.full_view()
    start, cpu = time.perf_counter(), time.process_time()
    export(view, out, format="sonata", registry=store.registry)
    print(json.dumps({"s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}))
"""

_MOZAIK_BUILD = r"""
import json, sys, time
from mozaik.model import build_model
from mozaik.study import load_study
study = load_study(sys.argv[1], sys.argv[2:])
import pyNN.nest  # NEST's start-up outside the clock
start, cpu = time.perf_counter(), time.process_time()
model = build_model(study)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
connections = sum(p.size() for p in model.projections.values())
print(json.dumps({"s": wall, "cpu_s": cpu, "connections": connections,
                  "neurons": sum(s.size for s in model.sheets.values())}))
"""

_PYNN = r"""
import json, sys, time
import pyNN.nest as sim
from pyNN.network import Network
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.serialization import export_to_sonata, import_from_sonata
sys.path.insert(0, sys.argv[3])
from pure_pynn import CELL

n_exc, out = int(sys.argv[1]), sys.argv[2]
sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
rng = NumpyRNG(seed=12345)
exc = sim.Population(n_exc, sim.IF_cond_exp(**CELL), label="exc")
inh = sim.Population(n_exc // 4, sim.IF_cond_exp(**CELL), label="inh")
projections = []
for pre, weight, receptor in ((exc, 0.004, "excitatory"), (inh, 0.051, "inhibitory")):
    for post in (exc, inh):
        projections.append(sim.Projection(
            pre, post, sim.FixedProbabilityConnector(64.0 / n_exc, rng=rng),
            sim.StaticSynapse(weight=weight, delay=0.2), receptor_type=receptor,
            label=f"{pre.label}_{post.label}"))
connections = sum(p.size() for p in projections)
start, cpu = time.perf_counter(), time.process_time()
export_to_sonata(Network(exc, inh, *projections), out, target="PyNN", overwrite=True)
export_s, export_cpu_s = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"export_s": export_s, "export_cpu_s": export_cpu_s,
                  "connections": connections}), flush=True)
sim.end()
sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
start, cpu = time.perf_counter(), time.process_time()
try:
    network = import_from_sonata(f"{out}/circuit_config.json", sim)
except Exception as exc:  # PyNN 0.13 with h5py 3: see the README
    import_s, import_cpu_s, imported = None, None, None
    error = f"{type(exc).__name__}: {exc}"
else:
    import_s, import_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    error = None
    import nest
    # PyNN's projections onto Assemblies have no size()
    imported = int(nest.GetKernelStatus("num_connections"))
print(json.dumps({"export_s": export_s, "export_cpu_s": export_cpu_s, "import_s": import_s,
                  "import_cpu_s": import_cpu_s, "connections": connections,
                  "imported_connections": imported, "import_error": error}))
"""


def _run(args: list[str], partial: dict[str, object] | None = None,
         prefix: str = "") -> dict[str, object]:
    """Run one step; every JSON line it prints goes into ``partial`` as soon as it comes, so
    a step stopped half-way (PyNN's export done, its import not) still leaves its figures."""
    out: dict[str, object] = {}
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        assert process.stdout is not None and process.stderr is not None
        for line in process.stdout:
            if line.startswith("{"):
                out.update(json.loads(line))
                if partial is not None:
                    partial.update({f"{prefix}{k}": v for k, v in out.items()})
                    _save()
        error = process.stderr.read()
    if process.returncode != 0:
        raise SystemExit(error[-3000:])
    return out


_RESULTS: list[dict[str, object]] = []
_JSON: Path | None = None


def _save() -> None:
    if _JSON is not None:
        _JSON.write_text(json.dumps(_RESULTS, indent=2))


def _import_study(circuit: Path, folder: Path) -> Path:
    """The overhead network as a study of SonataSheets and SonataConnectors."""
    c = str(circuit)
    sheets = {s: {"component": "SonataSheet", "params": {
        "circuit": c, "population": s, "recorders": [{"variables": ["spikes"]}]}}
        for s in ("exc", "inh")}
    connectors = {f"{a}_{b}": {"component": "SonataConnector", "source": a, "target": b,
                               "params": {"circuit": c, "population": f"{a}_{b}"}}
                  for a in ("exc", "inh") for b in ("exc", "inh")}
    study = {"name": "sonata_import",
             "simulator": {"backend": "nest", "time_step": 0.1, "min_delay": 0.1,
                           "max_delay": 10.0, "seed": 12345},
             "sheets": sheets, "connectors": connectors,
             "experiments": [{"component": "NoStimulation", "params": {"duration_ms": 1.0}}]}
    path = folder / "import.json"
    path.write_text(json.dumps(study))
    return path


def measure(n_exc: int, tmp: Path, out: dict[str, object]) -> None:
    study = ROOT / "benchmarks" / "overhead" / "study.yaml"
    size = f"sheets.exc.params.placement.n_neurons={n_exc}"
    run = tmp / f"run{n_exc}"
    out.update({"n_neurons": n_exc + n_exc // 4, "load_average_before": os.getloadavg()})
    start = time.perf_counter()
    subprocess.run([MOZAIK, "run", str(study), "--set", size, "--set",
                    "experiments=[{component: NoStimulation, params: {duration_ms: 1.0}}]",
                    "--set", "controller.store_connections=true", "--out", str(run),
                    "--progress", "off"], check=True, capture_output=True)
    out["mozaik_run_with_connections_s"] = time.perf_counter() - start
    _save()
    sonata = tmp / f"sonata{n_exc}"
    _run([sys.executable, "-c", _MOZAIK_EXPORT, str(run), str(sonata)], out, "mozaik_export_")
    out["load_average_after_mozaik_export"] = os.getloadavg()
    imported = _run([sys.executable, "-c", _MOZAIK_BUILD, str(_import_study(sonata, tmp))],
                    out, "mozaik_import_")
    out["load_average_after_mozaik_import"] = os.getloadavg()
    reference = _run([sys.executable, "-c", _MOZAIK_BUILD, str(study), size],
                     out, "mozaik_build_")
    out["connections"] = reference["connections"]
    out["mozaik_imported_connections"] = imported["connections"]
    out["load_average_after_mozaik_build"] = os.getloadavg()
    _save()
    pynn = _run([sys.executable, "-c", _PYNN, str(n_exc), str(tmp / f"pynn{n_exc}"),
                 str(ROOT / "benchmarks" / "overhead")], out, "pynn_")
    out["load_average_after"] = os.getloadavg()
    out["export_ratio_mozaik_over_pynn"] = (
        float(out["mozaik_export_s"]) / float(pynn["export_s"]))  # type: ignore[arg-type]
    out["import_ratio_mozaik_over_pynn"] = (
        float(out["mozaik_import_s"]) / float(pynn["import_s"])  # type: ignore[arg-type]
        if pynn["import_s"] else None)


def main() -> None:
    global _JSON
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8000],
                        help="excitatory cells (a quarter as many inhibitory ones)")
    parser.add_argument("--json", type=Path, help="written after every step")
    args = parser.parse_args()
    _JSON = args.json
    with tempfile.TemporaryDirectory() as tmp:
        for n_exc in args.sizes:
            start = time.perf_counter()
            result: dict[str, object] = {}
            _RESULTS.append(result)
            measure(n_exc, Path(tmp), result)
            result["wall_s"] = time.perf_counter() - start
            _save()
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
