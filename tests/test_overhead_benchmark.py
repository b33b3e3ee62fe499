"""The overhead benchmark compares one network: its identical-spikes check, at small size.

``benchmarks/overhead/run_benchmark.py`` prints no ratio unless the plain PyNN script and the
Mozaik study recorded the same spikes (neuron by neuron, time step by time step). Here both
run as the benchmark runs them (fresh processes, 500 neurons, 150 ms of model time; the study
once, the script twice: three processes of about 6 s of CPU each): the
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


ARGS = argparse.Namespace(protocol="seed", spontaneous_ms=50.0)


@pytest.fixture(scope="module")
def runs(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The study once, the script as shipped and the script drawn from another seed (each a
    fresh process, as the benchmark runs them)."""
    work = tmp_path_factory.mktemp("overhead")
    counts = {"mozaik": bench.run_mozaik(ARGS, N_EXC, work)["spikes"],
              "pure": bench.run_pure(ARGS, N_EXC, work)["spikes"]}
    assert counts["pure"] == counts["mozaik"] > 100  # the kick made the network fire
    bench.run_pure(ARGS, N_EXC, work / "other", "--seed", "54321")
    return {"mozaik": work / "mozaik", "pure": work / "pure", "other": work / "other" / "pure"}


def test_script_and_study_record_identical_spikes(bench: ModuleType,
                                                  runs: dict[str, Path]) -> None:
    assert bench.spike_difference(runs["pure"], runs["mozaik"]) is None
    bench.check_identical_spikes(runs["pure"], runs["mozaik"])


def test_check_refuses_a_script_that_drew_another_network(bench: ModuleType,
                                                          runs: dict[str, Path]) -> None:
    difference = bench.spike_difference(runs["other"], runs["mozaik"])
    assert difference is not None and "sheet 'exc'" in difference
    with pytest.raises(bench.SpikesDiffer, match="did not record the same spikes"):
        bench.check_identical_spikes(runs["other"], runs["mozaik"])
