"""The workflow: analyses and plots run on a stored run, never simulating; incrementally.

:func:`run_workflow` runs a list of analyses (each ``factory(params).run(view)`` returns its
results, which the workflow stores tagged with the step that made them) and plots
(``factory(params).draw(view, path)`` returns the files written), each on the view its
``query:`` selects; a step whose inputs (:func:`view_digest`), declaration and code version are
unchanged since it last ran is skipped. :func:`load_workflow` reads the ``analyses`` and
``plots`` sections of a workflow file. ``mozaik analyse`` and the controller both use them. A
plot that fails is recorded as failed (:func:`failed_plots`) and does not stop the others.
"""

from __future__ import annotations

from mozaik.workflow._steps import MANIFEST_FIELD, Step, plan_steps, view_digest
from mozaik.workflow._workflow import (
    FIGURES_DIR,
    failed_plots,
    load_workflow,
    pending_steps,
    run_workflow,
)

__all__ = [
    "FIGURES_DIR",
    "MANIFEST_FIELD",
    "Step",
    "failed_plots",
    "load_workflow",
    "pending_steps",
    "plan_steps",
    "run_workflow",
    "view_digest",
]
