"""The study layout: which sections a study file and a workflow file have, and their validation
against the installed components.

:data:`SECTIONS` is the one list of a study's sections; :func:`load_study` loads a study file
(with :mod:`mozaik.config`, the generic loader) and validates every section, every component's
parameters and the components named inside parameters, with file and line;
:func:`load_workflow_sections` does the same for the ``analyses`` and ``plots`` of a workflow
file.
"""

from __future__ import annotations

from mozaik.study._layout import (
    SECTIONS,
    STUDY_SECTIONS,
    WORKFLOW_SECTIONS,
    ComponentEntry,
    ConnectorEntry,
    Section,
    Study,
    WorkflowEntry,
)
from mozaik.study._validate import (
    load_study,
    load_workflow_sections,
    structure_component,
    study_from_tree,
)

__all__ = [
    "ComponentEntry",
    "ConnectorEntry",
    "SECTIONS",
    "STUDY_SECTIONS",
    "Section",
    "Study",
    "WORKFLOW_SECTIONS",
    "WorkflowEntry",
    "load_study",
    "load_workflow_sections",
    "structure_component",
    "study_from_tree",
]
