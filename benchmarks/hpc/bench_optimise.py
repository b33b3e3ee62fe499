"""The optimiser's own time per trial of an optimising search (ask, tell, bookkeeping) at 1,000
trials, against the run time of a trial.

    uv run python benchmarks/hpc/bench_optimise.py [N_TRIALS] [BATCH] [FOLDER]

Points are "run" by a backend that copies one finished point (a store with 4 SingleValues, its
status and SingleValue cache, as ``run_point`` leaves them) into the point's directory: what
the backend spends is timed apart and subtracted, leaving what ``run_search`` spends around
it: asking Optuna (TPE, 2 float parameters, journal storage in the master directory), saving
the points, telling the objectives read from each point's SingleValues, the trial table, and
the index rebuilt at the end. Reported per trial and as a share of a 10 s trial (the issue's
target: under 1%), with one real NEST trial (a 500-neuron V&A point, 400 ms, measured in the
same run when NEST is installed) as the reference.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import quantities as pq
from mozaik.ads import SingleValue
from mozaik.datastore import DataStore
from mozaik.search import (
    Search,
    SearchOptions,
    point_dir,
    point_values,
    run_search,
    search_from_mapping,
    write_status,
)
from mozaik.testing import contract_study_text

X = "connectors.exc_inh.params.weight_uS"
Y = "connectors.exc_inh.params.delay_ms"
ROOT = Path(__file__).resolve().parents[2]


class CopyBackend:
    """Runs a point by copying a finished template point into it; times itself."""

    def __init__(self, template: Path) -> None:
        self.template = template
        self.seconds = 0.0

    def run_search(self, search: Search, master_dir: Path, point_ids: Sequence[int],
                   options: SearchOptions | None = None) -> dict[int, str]:
        start = time.perf_counter()
        (master_dir / "status").mkdir(exist_ok=True)
        for i in point_ids:
            shutil.copytree(self.template / "points" / "p00000", point_dir(master_dir, i))
            shutil.copy(self.template / "status" / "p00000.values.json",
                        master_dir / "status" / f"p{i:05d}.values.json")
            write_status(master_dir, i, "done")
        self.seconds += time.perf_counter() - start
        return {}


def template(root: Path) -> Path:
    master = root / "template"
    with DataStore.create(point_dir(master, 0), {"config": {"name": "x"}}) as store:
        for sheet in ("exc", "inh"):
            for name, value, units in (("Mean(Firing rate)", 12.0, pq.Hz),
                                       ("Mean(CV of ISI)", 1.1, pq.dimensionless)):
                store.add_analysis_result(SingleValue(
                    analysis_algorithm="PopulationMean", sheet_name=sheet, value=value,
                    value_name=name, value_units=units))
    write_status(master, 0, "done")
    point_values(master, 0)
    return master


def nest_trial(root: Path) -> float | None:
    """Seconds of one trial of the example fit on NEST (None: NEST not installed)."""
    try:
        import nest  # noqa: F401
    except ImportError:
        return None
    import yaml
    from mozaik.backends import search_backend
    from mozaik.search import load_search

    fit = ROOT / "examples" / "vogels_abbott2005_search" / "fit.yaml"
    data = yaml.safe_load(fit.read_text())
    data.update(study=str(ROOT / "examples" / "vogels_abbott2005"), n_trials=1, batch_size=1,
                workflow=str(fit.parent / "fit_analyses.yaml"), plots=[],
                resources={"workers": 1})
    file = root / "fit.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    search = load_search(file)
    start = time.perf_counter()
    run_search(search, root / "nest", search_backend(search))
    return time.perf_counter() - start


def main(n: int = 1000, batch: int = 10, folder: str | None = None) -> None:
    root = Path(folder or tempfile.mkdtemp(prefix="bench_optimise_"))
    (root / "study").mkdir(parents=True, exist_ok=True)
    (root / "study" / "study.yaml").write_text(contract_study_text("mock"))
    search = search_from_mapping({
        "study": "study", "kind": "optimise",
        "parameters": {X: {"low": 0.001, "high": 0.01, "log": True},
                       Y: {"low": 0.1, "high": 2.0}},
        "objectives": [{"value": "Mean(Firing rate)", "sheet": "exc", "target": 10.0}],
        "sampler": "tpe", "seed": 1, "n_trials": n, "batch_size": batch}, root, name="bench")
    backend = CopyBackend(template(root))
    start = time.perf_counter()
    summary = run_search(search, root / "master", backend)
    total = time.perf_counter() - start
    assert summary.done == n, summary
    own = (total - backend.seconds) / n
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{n} trials in batches of {batch}: {total:.1f} s in all, the backend (copying "
          f"points) {backend.seconds:.1f} s")
    print(f"optimiser's own time per trial: {own * 1000:.1f} ms = {own / 10.0:.2%} of a 10 s "
          "trial")
    reference = nest_trial(root)
    if reference is not None:
        print(f"reference: one trial of the example fit on NEST: {reference:.1f} s; the "
              f"optimiser's own time is {own / reference:.2%} of it")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 1000, int(args[1]) if len(args) > 1 else 10,
         args[2] if len(args) > 2 else None)
