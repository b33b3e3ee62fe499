"""Optimising searches and seed streams on MPI ranks (issue 24), on NEST, with real ranks of
the mpich wheel's ``mpiexec`` (mozaik-hpc's ``mpi`` backend: each rank runs its share of a
batch's points, each point in its own process with its own NEST).

- The optimiser on ranks: a tiny version of the example fit (examples/vogels_abbott2005_search/
  fit.yaml at 80 + 20 neurons and 150 ms, one batch of 2 trials) asked, run on 2 ranks (point 0
  on rank 0, point 1 on rank 1) and told, gives the trial table of the same search run locally,
  and every point stores the spikes of its local twin.
- Seed streams across ranks: a list search on 2 ranks of the same tiny network with
  ``simulator.simulation_seed`` 1, 1, 2 (points 0 and 2 on rank 0, point 1 on rank 1): the two
  points of simulation seed 1 (on different ranks) store the same spikes, the point of seed 2
  the same connections (same model seed) and other spikes.

One network distributed over ranks needs NEST built with MPI (the PyPI wheel has none): it is
tested by the opt-in ``nox -s mpi_network`` session (tests/mpi_network), not here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from mozaik.datastore import DataStore
from mozaik.search import point_dir, read_index, trial_table
from mozaik.testing import assert_same_spikes, stored_spikes

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "vogels_abbott2005_search"
MOZAIK = str(Path(sys.executable).with_name("mozaik"))

#: The example fit at 80 + 20 neurons and 150 ms (a point takes a few seconds).
TINY = ["sheets.exc.params.placement.n_neurons=80",
        "experiments.0.params.duration_ms=50.0",
        "experiments.0.params.drive_period_ms=20.0",
        "experiments.1.params.duration_ms=150.0"]


def _write(folder: Path, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "search.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    return file


def _tiny_fit(**changes: Any) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLE / "fit.yaml").read_text())
    data.update(study=str(ROOT / "examples" / "vogels_abbott2005"),
                workflow=str(EXAMPLE / "fit_analyses.yaml"), plots=[], n_trials=2, batch_size=2)
    data["set"] = [*data["set"], *TINY]
    data.update(changes)
    return dict(data)


def _search_run(file: Path, master: Path) -> str:
    done = subprocess.run([MOZAIK, "search", "run", str(file), "--out", str(master)],
                          capture_output=True, text=True, timeout=900, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _launch_log(master: Path) -> str:
    return "".join(p.read_text() for p in sorted((master / "mpi").glob("launch-*.log")))


def test_the_optimiser_on_mpi_ranks_tells_the_trials_of_a_local_search(tmp_path: Path) -> None:
    local, ranks = tmp_path / "local", tmp_path / "ranks"
    _search_run(_write(tmp_path / "a", _tiny_fit(resources={"workers": 1})), local)
    _search_run(_write(tmp_path / "b", _tiny_fit(backend="mpi", resources={"ranks": 2})), ranks)
    log = _launch_log(ranks)
    for line in ("rank 0 of 2: point 0 done", "rank 1 of 2: point 1 done"):
        assert line in log, log
    assert [t["state"] for t in trial_table(ranks).to_pylist()] == ["COMPLETE"] * 2
    assert trial_table(ranks) == trial_table(local)
    for point in (0, 1):
        assert_same_spikes(point_dir(ranks, point), point_dir(local, point), n_segments=4)


def _connections(run: Path) -> dict[str, tuple[np.ndarray, ...]]:
    with DataStore.open(run) as store:
        return {c.proj_name: (c.source_index, c.target_index, c.weights, c.delays)
                for c in store.get_analysis_result(identifier="Connections")}


def test_seed_streams_are_the_same_on_every_rank(tmp_path: Path) -> None:
    fit = yaml.safe_load((EXAMPLE / "fit.yaml").read_text())
    fixed = [*fit["set"], *TINY, "sheets.exc.params.background_noise.rate_exc_hz=250.0",
             "connectors.exc_exc.params.weight_uS=0.0022", "controller.store_connections=true"]
    seed = "simulator.simulation_seed"
    file = _write(tmp_path / "s", {
        "name": "seeds", "study": str(ROOT / "examples" / "vogels_abbott2005"), "kind": "list",
        "set": fixed, "points": [{seed: 1}, {seed: 1}, {seed: 2}],
        "workflow": str(EXAMPLE / "fit_analyses.yaml"), "backend": "mpi",
        "resources": {"ranks": 2}})
    master = tmp_path / "m"
    _search_run(file, master)
    assert read_index(master)["status"].to_pylist() == ["done"] * 3
    log = _launch_log(master)
    for line in ("rank 0 of 2: point 0 done", "rank 1 of 2: point 1 done",
                 "rank 0 of 2: point 2 done"):
        assert line in log, log
    first, twin, other = (point_dir(master, i) for i in range(3))
    assert_same_spikes(first, twin, n_segments=4)  # one simulation seed, two ranks
    conns, other_conns = _connections(first), _connections(other)
    assert conns and conns.keys() == other_conns.keys()
    for name, arrays in conns.items():
        assert all(np.array_equal(a, b) for a, b in zip(arrays, other_conns[name], strict=True)), \
            f"{name}: the model seed is the same, the connections must be"
    spikes, other_spikes = stored_spikes(first), stored_spikes(other)
    assert spikes.keys() == other_spikes.keys()
    assert any(not np.array_equal(spikes[k], other_spikes[k]) for k in spikes), \
        "another simulation seed must give other spikes"
