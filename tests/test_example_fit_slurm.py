"""The shipped optimising search (examples/vogels_abbott2005_search/fit.yaml) on a real local
Slurm cluster (mozaik_hpc.testing.LocalSlurm): two batches of 2 trials on NEST, each batch one
job array asked of Optuna, run by Slurm and told back; as locally (tests/test_optimise_nest.py),
a trial reaches the fit's target (mean excitatory rate within 2 Hz of 10 Hz, CV of ISI >= 0.8)
within these 4 trials."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from mozaik.backends import search_backend
from mozaik.search import load_search, read_index, run_search, trial_table
from mozaik_hpc.testing import LocalSlurm

ROOT = Path(__file__).resolve().parents[1]
FIT = ROOT / "examples" / "vogels_abbott2005_search" / "fit.yaml"


@pytest.fixture
def slurm(tmp_path: Path) -> Iterator[LocalSlurm]:
    cluster = LocalSlurm(tmp_path / "slurm")
    cluster.start()
    old = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(cluster.conf)
    try:
        yield cluster
    finally:
        cluster.stop()
        if old is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = old


@pytest.mark.nest
@pytest.mark.usefixtures("slurm")
def test_the_example_fit_runs_batches_as_slurm_job_arrays(tmp_path: Path) -> None:
    data = yaml.safe_load(FIT.read_text())
    data.update(study=str(FIT.parent.parent / "vogels_abbott2005"), n_trials=4, batch_size=2,
                workflow=str(FIT.parent / "fit_analyses.yaml"), plots=[], backend="slurm",
                resources={"poll_s": 0.2, "max_parallel": 2, "time": "00:05:00"})
    file = tmp_path / "fit.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    search = load_search(file)
    master = tmp_path / "va_fit"
    summary = run_search(search, master, search_backend(search))
    assert (summary.points, summary.done, summary.failed) == (4, 4, 0)
    assert read_index(master)["status"].to_pylist() == ["done"] * 4
    assert [t["state"] for t in trial_table(master).to_pylist()] == ["COMPLETE"] * 4
    assert len(list((master / "slurm").glob("job-*.txt"))) == 2, "one job array per batch"
    trials = trial_table(master).to_pylist()
    reached = [t["trial"] for t in trials if abs(t["value_0"] - 10.0) <= 2.0 and t["feasible"]]
    assert reached, [(t["value_0"], t["feasible"]) for t in trials]
