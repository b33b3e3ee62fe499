"""The run loop on real NEST: chunked simulation gives the same spikes as one run call, and no
entry point prints PyNN's cmake error for its NEST extension."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from mozaik.controller import run_study
from mozaik.datastore import DataStore
from mozaik.plugin import PluginManager
from mozaik.study import load_study

pytestmark = [pytest.mark.nest]

CELL = ("{tau_m: 20.0, v_rest: -60.0, v_thresh: -50.0, v_reset: -60.0, tau_refrac: 5.0, "
        "tau_syn_E: 5.0, tau_syn_I: 10.0, e_rev_E: 0.0, e_rev_I: -80.0, cm: 0.2}")

STUDY = f"""\
name: chunks
simulator: {{backend: nest, seed: 4}}
controller: {{null_stimulus_period: 30.0}}
sheets:
  exc:
    component: Sheet
    params:
      cell: {{model: IF_cond_exp, params: {CELL},
              initial_values: {{v: {{distribution: uniform, low: -60.0, high: -50.0}}}}}}
      placement: {{n_neurons: 80}}
      recorders: [{{variables: [spikes], neurons: all}}]
      background_noise: {{rate_exc_hz: 2500.0, weight_exc_uS: 0.002}}
connectors:
  exc_exc: {{component: FixedProbabilityConnector, source: exc, target: exc,
            params: {{probability: 0.1, weight_uS: 0.004, delay_ms: 0.5}}}}
experiments:
  - {{component: PoissonNetworkKick, params: {{duration_ms: 110.0, drive_period_ms: 40.0,
      sheets: [exc], rate_hz: 300.0, weight_uS: 0.01}}}}
  - {{component: NoStimulation, params: {{duration_ms: 255.0}}}}
"""


def _spikes(run_dir: Path) -> dict[tuple[str, int, bool], list[tuple[int, float]]]:
    out = {}
    with DataStore.open(run_dir) as store:
        view = store.full_view()
        for null in (False, True):
            arrays = view.spike_arrays("exc", null=null)
            for row in view.segment_index.to_pylist():
                if row["is_null"] != null:
                    continue
                mask = arrays.segment_id == row["segment_id"]
                pairs = zip(arrays.neuron[mask].tolist(),
                            np.round(arrays.times[mask], 4).tolist(), strict=True)
                out[(row["stimulus_id"], row["trial"], null)] = sorted(pairs)
    return out


def test_chunked_runs_store_the_same_spikes_as_one_run_call(
        plugin_manager: PluginManager, tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    for name, chunk in (("whole", "0"), ("chunked", "25")):
        study = load_study(path, [f"controller.progress_chunk_ms={chunk}"],
                           registry=plugin_manager.registry)
        run_study(study, tmp_path / name, progress="off")
    whole, chunked = _spikes(tmp_path / "whole"), _spikes(tmp_path / "chunked")
    assert sum(len(v) for v in whole.values()) > 50  # the network is active
    assert whole == chunked
    # the session record keeps NEST's own account of its time
    with DataStore.open(tmp_path / "chunked") as store:
        session = store.manifest["sessions"][-1]
    timers = session["simulator_timers"]
    assert set(timers) == {"create_s", "connect_s", "prepare_connections_s", "simulate_s"}
    assert 0.0 < timers["simulate_s"] <= session["simulate_s"]
    assert 0.0 < timers["prepare_connections_s"] <= timers["simulate_s"]


def test_store_connections_keeps_each_projection(plugin_manager: PluginManager,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    study = load_study(path, ["controller.store_connections=true",
                              "experiments.1.params.duration_ms=20.0"],
                       registry=plugin_manager.registry)
    run_study(study, tmp_path / "run", progress="off")
    with DataStore.open(tmp_path / "run") as store:
        (stored,) = store.get_analysis_result(identifier="Connections")
    assert stored.proj_name == "exc_exc" and stored.source_name == "exc"
    assert 80 * 80 * 0.05 < len(stored.weights) < 80 * 80 * 0.15  # probability 0.1
    np.testing.assert_allclose(stored.weights, 0.004)
    np.testing.assert_allclose(stored.delays, 0.5)


def test_no_entry_point_prints_the_cmake_error(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    code = textwrap.dedent(f"""\
        import mozaik.model
        import pyNN.nest  # a user's own import after mozaik.model's stays quiet too
        from mozaik.study import load_study
        study = load_study({str(path)!r})
        model = mozaik.model.build_model(study)
        model.run(10.0)
        model.end()
        print("built", sum(s.size for s in model.sheets.values()))
        """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "built 80" in result.stdout
    for text in ("cmake", "CMAKE", "CMakeLists", "nest-config", "extension"):
        assert text not in result.stderr, result.stderr


def test_recording_is_set_up_while_building_not_in_the_first_run(
        plugin_manager: PluginManager, tmp_path: Path) -> None:
    from mozaik.model import Model, build_model

    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    study = load_study(path, ["experiments.1.params.duration_ms=10.0",
                              "controller.null_stimulus_period=0.0"],
                       registry=plugin_manager.registry)
    at_first_run: list[dict[str, set[str]]] = []

    def build(s: object) -> Model:
        model = build_model(study)
        simulate = model.run

        def run(duration_ms: float) -> float:
            if not at_first_run:  # what PyNN was told to record before anything ran
                at_first_run.append({name: {v.name for v in sheet.population.recorder.recorded}
                                     for name, sheet in model.sheets.items()})
            return simulate(duration_ms)

        model.run = run  # type: ignore[method-assign]
        return model

    run_study(study, tmp_path / "run", progress="off", build_model=build)
    assert at_first_run == [{"exc": {"spikes"}}]
    with DataStore.open(tmp_path / "run") as store:
        assert sum(store.segment_index["n_spikes"].to_pylist()) > 0
