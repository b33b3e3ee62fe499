"""The controller: runs a study's experiments on the model and stores the recordings.

:func:`run_study` is one run (``mozaik run`` through a :class:`mozaik.backends.Backend`, by
default :class:`mozaik.backends.LocalBackend`, which calls it). The run directory's lifecycle
is in ``_rundir.py``, presentation planning in ``_plan.py``, the run loop in ``_run.py``.
Analyses and plots are run by :mod:`mozaik.workflow`.
"""

from __future__ import annotations

from mozaik.controller._faults import analyses_write_failed, check_writable, write_fault
from mozaik.controller._plan import Presentation, plan_presentations
from mozaik.controller._progress import LOG_FILE, Progress, resolve_progress_mode, run_logging
from mozaik.controller._provenance import (
    check_simulator,
    config_differences,
    default_run_dir,
    run_dir_name,
)
from mozaik.controller._repair import repair_run
from mozaik.controller._run import EXPLODED_EXIT_STATUS, run_study
from mozaik.controller._rundir import is_run_dir, study_from_run_dir
from mozaik.controller._signals import RunInterrupted
from mozaik.controller._state import Ranks, RunState, RunSummary

__all__ = [
    "EXPLODED_EXIT_STATUS",
    "LOG_FILE",
    "Presentation",
    "Progress",
    "Ranks",
    "RunInterrupted",
    "RunState",
    "RunSummary",
    "analyses_write_failed",
    "check_simulator",
    "check_writable",
    "config_differences",
    "default_run_dir",
    "is_run_dir",
    "plan_presentations",
    "repair_run",
    "resolve_progress_mode",
    "run_dir_name",
    "run_logging",
    "run_study",
    "study_from_run_dir",
    "write_fault",
]
