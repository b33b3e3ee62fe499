"""The overhead benchmark compares one network: its identical-spikes check, at small size.

``benchmarks/overhead/run_benchmark.py`` prints no ratio unless the plain PyNN script and the
Mozaik study recorded the same spikes (neuron by neuron, time step by time step). Here both
run as the benchmark runs them (fresh processes, 500 neurons, 150 ms of model time): the
check passes for the two as shipped (the seed protocol here; the benchmark checks every pair
it times, both protocols), and refuses a script that draws another network (another seed).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
BENCHMARK = ROOT / "benchmarks" / "overhead" / "run_benchmark.py"
N_EXC = 400  # 400 excitatory + 100 inhibitory cells


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("overhead_run_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _args(protocol: str) -> argparse.Namespace:
    return argparse.Namespace(protocol=protocol, spontaneous_ms=50.0)


@pytest.mark.parametrize("protocol", ["seed"])
def test_script_and_study_record_identical_spikes(bench: ModuleType, tmp_path: Path,
                                                  protocol: str) -> None:
    pure = bench.run_pure(_args(protocol), N_EXC, tmp_path)
    mozaik = bench.run_mozaik(_args(protocol), N_EXC, tmp_path)
    assert pure["spikes"] == mozaik["spikes"] > 100  # the kick made the network fire
    assert bench.spike_difference(tmp_path / "pure", tmp_path / "mozaik") is None
    bench.check_identical_spikes(tmp_path / "pure", tmp_path / "mozaik")


def test_check_refuses_a_script_that_drew_another_network(bench: ModuleType,
                                                          tmp_path: Path) -> None:
    bench.run_mozaik(_args("seed"), N_EXC, tmp_path)
    bench.run_pure(_args("seed"), N_EXC, tmp_path, "--seed", "54321")
    difference = bench.spike_difference(tmp_path / "pure", tmp_path / "mozaik")
    assert difference is not None and "sheet 'exc'" in difference
    with pytest.raises(bench.SpikesDiffer, match="did not record the same spikes"):
        bench.check_identical_spikes(tmp_path / "pure", tmp_path / "mozaik")
