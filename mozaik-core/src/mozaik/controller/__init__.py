"""The controller: runs a study's experiments on the model, stores recordings, runs analyses.

:func:`run_study` is the whole workflow of one run (``mozaik run``); :func:`run_workflow` runs
only the analyses and plots on a stored run (``mozaik analyse``). See ``_run.py`` for the
presentation protocol and how interrupted runs resume.
"""

from __future__ import annotations

from mozaik.controller._backend import LocalBackend, LocalBackendParams
from mozaik.controller._progress import LOG_FILE, Progress, resolve_progress_mode
from mozaik.controller._provenance import (
    check_simulator,
    config_differences,
    default_run_dir,
    run_dir_name,
)
from mozaik.controller._run import (
    FIGURES_DIR,
    Presentation,
    RunSummary,
    is_run_dir,
    load_workflow,
    plan_presentations,
    run_study,
    run_workflow,
    study_from_run_dir,
)

__all__ = [
    "FIGURES_DIR",
    "LOG_FILE",
    "LocalBackend",
    "LocalBackendParams",
    "Presentation",
    "Progress",
    "RunSummary",
    "check_simulator",
    "config_differences",
    "default_run_dir",
    "is_run_dir",
    "load_workflow",
    "plan_presentations",
    "resolve_progress_mode",
    "run_dir_name",
    "run_study",
    "run_workflow",
    "study_from_run_dir",
]
