"""The study layout: which sections a study file and a workflow file have, and their validation
against the installed components.

:data:`SECTIONS` is the one list of a study's sections; :func:`load_study` loads a study file
(with :mod:`mozaik.config`, the generic loader) and validates every section, every component's
parameters and the components named inside parameters, with file and line;
:func:`load_workflow_sections` does the same for the ``analyses`` and ``plots`` of a workflow
file.
:func:`estimate_size` and :func:`check_size` tell a study's neurons, connections and memory
before it is built, and refuse what the machine cannot hold.
"""

from __future__ import annotations

from mozaik.study._layout import (
    SECTIONS,
    STUDY_SECTIONS,
    WORKFLOW_SECTIONS,
    ComponentEntry,
    ConnectorEntry,
    Entry,
    Section,
    Study,
    WorkflowEntry,
)
from mozaik.study._size import (
    BASE_BYTES,
    NEST_BYTES_PER_CONNECTION,
    NEST_BYTES_PER_NEURON,
    RECORDING_BUDGET_BYTES_PER_S,
    SAMPLE_BYTES,
    THREADS_PER_CORE_LIMIT,
    ConnectorSize,
    SizeEstimate,
    check_densities,
    check_recording,
    check_size,
    check_threads,
    estimate_size,
    machine_cores,
    machine_memory_bytes,
)
from mozaik.study._validate import (
    load_study,
    load_workflow_sections,
    structure_component,
    study_from_tree,
)

__all__ = [
    "BASE_BYTES",
    "ComponentEntry",
    "ConnectorEntry",
    "ConnectorSize",
    "Entry",
    "NEST_BYTES_PER_CONNECTION",
    "NEST_BYTES_PER_NEURON",
    "RECORDING_BUDGET_BYTES_PER_S",
    "SAMPLE_BYTES",
    "SECTIONS",
    "STUDY_SECTIONS",
    "Section",
    "SizeEstimate",
    "Study",
    "THREADS_PER_CORE_LIMIT",
    "WORKFLOW_SECTIONS",
    "WorkflowEntry",
    "check_densities",
    "check_recording",
    "check_size",
    "check_threads",
    "estimate_size",
    "load_study",
    "load_workflow_sections",
    "machine_cores",
    "machine_memory_bytes",
    "structure_component",
    "study_from_tree",
]
