"""Seed streams: ``simulator.model_seed`` (the network), ``simulation_seed`` (NEST's noise) and
``experiment_seed`` (the experiments' own draws), each defaulting to ``simulator.seed``.

On NEST, the backend contract's tiny study (20 neurons, a Poisson kick of half the excitatory
cells, spontaneous activity) with its connections stored, each run in its own ``mozaik run``
process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mozaik.config import ParameterError, SimulatorConfig
from mozaik.datastore import DataStore
from mozaik.experiments import experiment_rng
from mozaik.testing import contract_study_text, stored_spikes

MOZAIK = str(Path(sys.executable).with_name("mozaik"))


def test_one_seed_gives_all_three_streams_and_each_can_be_set() -> None:
    assert SimulatorConfig(seed=5).seeds == {"model": 5, "simulation": 5, "experiment": 5}
    both = SimulatorConfig(seed=5, simulation_seed=9, experiment_seed=0)
    assert both.seeds == {"model": 5, "simulation": 9, "experiment": 0}
    with pytest.raises(ParameterError, match="model_seed"):
        SimulatorConfig(model_seed=-1)


class _Model:
    seed, simulation_seed, experiment_seed = 1, 2, 3


_MODEL = _Model()


def test_experiment_rng_draws_from_the_stream_it_names() -> None:
    def draw(stream: str, model: Any = _MODEL) -> list[float]:
        return list(experiment_rng(model, "x", stream=stream).random(3))

    assert draw("model") != draw("experiment") != draw("simulation")
    solo = type("Solo", (), {"seed": 3})()  # a model with only the master seed
    assert draw("experiment", solo) == draw("experiment")
    with pytest.raises(ValueError, match="stream must be one of model, simulation"):
        draw("network")


def _run(tmp_path: Path, name: str, **seeds: int) -> Path:
    text = contract_study_text("nest")
    fields = "".join(f", {k}: {v}" for k, v in seeds.items())
    text = text.replace("seed: 11}", f"seed: 11{fields}}}")
    text = text.replace("progress_chunk_ms: 50.0}", "progress_chunk_ms: 50.0, "
                        "store_connections: true}")
    text = text.replace("weight_uS: 0.01}}", "weight_uS: 0.01, fraction: 0.5}}")
    study = tmp_path / f"{name}.yaml"
    study.write_text(text)
    run = tmp_path / name
    done = subprocess.run([MOZAIK, "run", str(study), "--out", str(run)], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return run


def _connections(run: Path) -> dict[str, tuple[np.ndarray, ...]]:
    with DataStore.open(run) as store:
        return {c.proj_name: (c.source_index, c.target_index, c.weights, c.delays)
                for c in store.get_analysis_result(identifier="Connections")}


def _same_connections(a: Path, b: Path) -> bool:
    first, second = _connections(a), _connections(b)
    assert first and first.keys() == second.keys()
    return all(all(np.array_equal(x, y) for x, y in zip(first[k], second[k], strict=True))
               for k in first)


def _manifest_seeds(run: Path) -> dict[str, int]:
    return dict(json.loads((run / "manifest.json").read_text())["seeds"])


@pytest.mark.nest
def test_streams_separate_the_network_the_noise_and_the_experiments(tmp_path: Path) -> None:
    base = _run(tmp_path, "base")
    # a single seed derives all three streams as before they were split: identical spikes
    explicit = _run(tmp_path, "explicit", model_seed=11, simulation_seed=11, experiment_seed=11)
    assert not _spikes_differ(base, explicit)
    assert _manifest_seeds(base) == {"model": 11, "simulation": 11, "experiment": 11}

    # same network, other noise: identical stored connections, other spikes
    noise = _run(tmp_path, "noise", simulation_seed=12)
    assert _manifest_seeds(noise) == {"model": 11, "simulation": 12, "experiment": 11}
    assert _same_connections(base, noise)
    assert _spikes_differ(base, noise)

    # same network and noise, other experiment draws (which half is kicked): other spikes
    kicked = _run(tmp_path, "kicked", experiment_seed=12)
    assert _same_connections(base, kicked)
    assert _spikes_differ(base, kicked)

    # another network
    network = _run(tmp_path, "network", model_seed=12)
    assert not _same_connections(base, network)


def _spikes_differ(a: Path, b: Path) -> bool:
    first, second = stored_spikes(a), stored_spikes(b)
    assert first.keys() == second.keys()
    assert sum(v.shape[1] for v in first.values()) > 0, f"{a}: no spikes at all"
    return any(not np.array_equal(first[k], second[k]) for k in first)
