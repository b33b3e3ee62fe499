"""Snapshots of the workflow packages' public names, and what importing them costs."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

SNAPSHOT = {
    "mozaik.controller": [
        "EXPLODED_EXIT_STATUS", "LOG_FILE", "Presentation", "Progress", "Ranks", "RunInterrupted",
        "RunState", "RunSummary", "analyses_write_failed", "check_simulator", "check_writable",
        "config_differences", "default_run_dir", "is_run_dir", "plan_presentations", "repair_run",
        "resolve_progress_mode", "run_dir_name", "run_logging", "run_study", "study_from_run_dir",
        "write_fault"
    ],
    "mozaik.workflow": ["FIGURES_DIR", "MANIFEST_FIELD", "Step", "failed_plots", "load_workflow",
                        "pending_steps", "plan_steps", "run_workflow", "view_digest"],
    "mozaik.experiments": [
        "CurrentInjection", "CurrentInjectionParams", "DirectStimulator", "EXPERIMENTS",
        "Experiment", "ExperimentFactory", "INJECTED_CURRENT", "InjectedCurrent", "NoStimulation",
        "NoStimulationParams", "PerNeuronCurrent", "PoissonKick", "PoissonNetworkKick",
        "PoissonNetworkKickParams", "StepCurrent", "experiment_rng", "select_cells", "sheet_of"
    ],
}


@pytest.mark.parametrize("module", sorted(SNAPSHOT))
def test_all_snapshot(module: str) -> None:
    mod = importlib.import_module(module)
    assert list(mod.__all__) == sorted(mod.__all__), "keep __all__ sorted"
    assert list(mod.__all__) == sorted(SNAPSHOT[module])
    for name in mod.__all__:
        assert hasattr(mod, name)


def test_stimulus_package_exports_the_base_classes() -> None:
    import mozaik.stimulus as stimulus

    for name in ("InternalStimulus", "InternalStimulusParams", "NullStimulus",
                 "NullStimulusParams", "Stimulus", "flatten_params", "unflatten_params"):
        assert name in stimulus.__all__


def test_importing_the_workflow_loads_no_simulator() -> None:
    code = ("import sys, mozaik.controller, mozaik.experiments, mozaik.workflow, "
            "mozaik.cli._run; "
            "print(sorted(m for m in ('nest', 'pyNN.nest', 'pyNN') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
