"""The workflow: analyses and plots run on a stored run, never simulating.

:func:`run_workflow` runs a list of analyses (each ``factory(params).run(view)`` returns its
results, which the workflow stores with ``replace=True``) and plots (``factory(params).draw(view,
path)`` returns the files written); :func:`load_workflow` reads the ``analyses`` and ``plots``
sections of a workflow file. ``mozaik analyse`` and the controller both use them.
"""

from __future__ import annotations

from mozaik.workflow._workflow import FIGURES_DIR, load_workflow, pending_steps, run_workflow

__all__ = ["FIGURES_DIR", "load_workflow", "pending_steps", "run_workflow"]
