"""One network across 2 MPI ranks on NEST built with MPI (``nox -s mpi_network``).

A shrunk Vogels & Abbott (2005) network (500 neurons, a kick then two spontaneous trials, the
firing-rate analyses) runs under ``mpirun -n 2 mozaik run --backend mpi`` and in one process
with ``simulator.threads=2``: NEST gives both the same 2 virtual processes, so both must store
the same spikes (neuron, time) in every sheet and segment. The MPI run's store is written in
parts (each rank its own neurons, nothing gathered), merged, and passes ``mozaik check``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from mozaik.datastore import DataStore, check_store
from mozaik.testing import assert_same_spikes
from mozaik_hpc._network import nest_has_mpi

pytestmark = [pytest.mark.nest, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
MOZAIK = str(Path(sys.executable).with_name("mozaik"))
SMALL = [
    "sheets.exc.params.placement.n_neurons=400",
    *(f"connectors.{c}.params.probability=0.05"
      for c in ("exc_exc", "exc_inh", "inh_exc", "inh_inh")),
    "connectors.exc_exc.params.weight_uS=0.006",
    "connectors.exc_inh.params.weight_uS=0.006",
    "experiments.1.params.duration_ms=300.0",
    "experiments.1.params.num_trials=2",
]


def _mpirun(n: int, *args: str) -> subprocess.CompletedProcess[str]:
    launcher = shutil.which("mpirun")
    assert launcher, "mpirun (Open MPI) is not installed: the mpi_network session installs it"
    root = ["--allow-run-as-root"] if os.geteuid() == 0 else []
    # containers often forbid the cross-memory attach Open MPI's shared memory would use
    env = {**os.environ, "OMPI_MCA_btl_vader_single_copy_mechanism": "none"}
    return subprocess.run([launcher, *root, "--oversubscribe", "-n", str(n), MOZAIK, *args],
                          capture_output=True, text=True, timeout=900, env=env, cwd=ROOT)


def _mozaik(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MOZAIK, *args], capture_output=True, text=True, timeout=900,
                          cwd=ROOT)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example without its plots, with its firing-rate analyses."""
    data = yaml.safe_load((ROOT / "examples" / "vogels_abbott2005" / "study.yaml").read_text())
    data.pop("plots")
    data["analyses"] = [a for a in data["analyses"]
                        if a["component"] in ("TrialAveragedFiringRate", "PopulationMean")]
    path = tmp_path_factory.mktemp("study") / "study.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _sets(*extra: str) -> list[str]:
    return [item for o in (*SMALL, *extra) for item in ("--set", o)]


@pytest.fixture(scope="module")
def runs(study: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(2 MPI ranks of 1 thread, 1 process of 2 threads)."""
    assert nest_has_mpi() is True, "this NEST was built without MPI"
    out = tmp_path_factory.mktemp("runs")
    ranks = _mpirun(2, "run", str(study), *_sets(), "--backend", "mpi", "--out",
                    str(out / "ranks"), "--progress", "log")
    assert ranks.returncode == 0, ranks.stdout + ranks.stderr
    threads = _mozaik("run", str(study), *_sets("simulator.threads=2"), "--out",
                      str(out / "threads"), "--progress", "log")
    assert threads.returncode == 0, threads.stdout + threads.stderr
    return out / "ranks", out / "threads"


def test_two_ranks_store_the_spikes_of_two_threads(runs: tuple[Path, Path]) -> None:
    assert_same_spikes(*runs, n_segments=2 * 3)


def test_each_rank_stored_its_own_neurons_and_the_store_checks(runs: tuple[Path, Path]) -> None:
    ranks, threads = runs
    assert check_store(ranks) == [] and check_store(threads) == []
    checked = _mozaik("check", str(ranks))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    manifest = json.loads((ranks / "manifest.json").read_text())
    assert manifest["ranks"] == 2 and manifest["format_version"] == 3
    assert manifest["status"] == "complete"
    assert sorted(p.name for p in (ranks / "spikes").iterdir()) == [
        f"p{k:08d}-r{r:04d}.parquet" for k in range(3) for r in range(2)]
    with DataStore.open(ranks) as store:
        for row in store.segment_index.to_pylist():
            assert row["spikes_file"] is None and [p["part"] for p in row["parts"]] == [0, 1]
            assert sum(p["n_spiketrains"] for p in row["parts"]) == row["n_spiketrains"]
            n = len(store.neuron_ids(row["sheet_name"]))
            assert row["n_spiketrains"] == n
            # NEST deals the neurons out round robin: each rank stored only its own
            parts = [p["n_spiketrains"] for p in row["parts"]]
            assert min(parts) > 0 and abs(parts[0] - parts[1]) <= 1, parts
        # rank 0 alone ran the analyses, on the merged store: the same results as 2 threads
        with DataStore.open(threads) as other:
            for sheet in ("exc", "inh"):
                [a] = store.get_analysis_result(sheet_name=sheet, value_name="Firing rate")
                [b] = other.get_analysis_result(sheet_name=sheet, value_name="Firing rate")
                np.testing.assert_array_equal(np.asarray(a.values), np.asarray(b.values))


def test_more_ranks_than_neurons_in_a_sheet_is_refused(study: Path, tmp_path: Path) -> None:
    done = _mpirun(2, "run", str(study), *_sets("sheets.inh.params.placement.n_neurons=1"),
                   "--backend", "mpi", "--out", str(tmp_path / "run"), "--progress", "log")
    assert done.returncode != 0
    assert "2 MPI ranks but the network has fewer neurons than ranks in sheet(s) inh (1)" in (
        done.stdout + done.stderr)
    assert not (tmp_path / "run").exists()
