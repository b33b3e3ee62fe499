"""Parameter searches: many runs of one study with some parameters changed.

A search file (:func:`load_search`, layout in ``mozaik.search._spec``) names a study, the dotted
paths to vary and how (a grid, seeded random draws or an explicit list of points). Each point
is the study loaded with ``--set``-style overrides, applied before references resolve, so
parameters written as ``ref(...)`` of a varied one follow it. :func:`run_search` runs the points
into one master directory (layout in ``mozaik.search._master``) through a backend's
:meth:`~mozaik.backends.Backend.run_search` (``LocalBackend``: each point in its own
child process, a crash recorded with its signal;
mozaik-hpc: Slurm job arrays and MPI ranks; :func:`mozaik.backends.search_backend` picks the
search's backend: this package is below :mod:`mozaik.backends` and does not import it);
:func:`run_optimisation` (``kind: optimise``, through :func:`run_search`) asks the points of
Optuna batch by batch, its state in the master directory, and tells it each point's
objectives; :func:`collate_search` and :func:`query_search` read the results of every point;
:func:`plot_search` draws the search file's ``plots:`` (search plots,
:class:`mozaik.plot.SearchPlot`) from the collated table into ``MASTER/figures/``.
``mozaik search`` is the command line.
"""

from __future__ import annotations

from mozaik.search._collate import (
    COLLATED_COLUMNS,
    COLLATED_FILE,
    aggregate_over,
    collate_search,
    point_values,
    query_search,
)
from mozaik.search._master import (
    INDEX_COLUMNS,
    INDEX_FILE,
    STATUSES,
    current_index,
    load_master,
    point_dir,
    read_index,
    refresh_index,
    run_point,
    save_definition,
    write_status,
)
from mozaik.search._optimise import (
    JOURNAL_FILE,
    TRIALS_FILE,
    best_trials,
    history_lines,
    run_optimisation,
    trial_table,
)
from mozaik.search._optimise_spec import SAMPLERS, Constraint, Objective, Optimisation, Range
from mozaik.search._options import (
    LARGE_SEARCH_POINTS,
    SearchBackend,
    SearchOptions,
    SearchSummary,
)
from mozaik.search._plots import SEARCH_FIGURES_DIR, plot_search
from mozaik.search._progress import SearchProgress, format_duration
from mozaik.search._run import (
    INDEX_BYTES_PER_POINT,
    check_search_size,
    estimate_disk,
    run_points_in_pool,
    run_search,
)
from mozaik.search._spec import (
    KINDS,
    Search,
    load_search,
    make_points,
    search_from_mapping,
    search_plot_entries,
)

__all__ = [
    "COLLATED_COLUMNS",
    "COLLATED_FILE",
    "Constraint",
    "INDEX_BYTES_PER_POINT",
    "INDEX_COLUMNS",
    "INDEX_FILE",
    "JOURNAL_FILE",
    "KINDS",
    "LARGE_SEARCH_POINTS",
    "Objective",
    "Optimisation",
    "Range",
    "SAMPLERS",
    "SEARCH_FIGURES_DIR",
    "STATUSES",
    "Search",
    "SearchBackend",
    "SearchOptions",
    "SearchProgress",
    "SearchSummary",
    "TRIALS_FILE",
    "aggregate_over",
    "best_trials",
    "check_search_size",
    "collate_search",
    "current_index",
    "estimate_disk",
    "format_duration",
    "history_lines",
    "load_master",
    "load_search",
    "make_points",
    "plot_search",
    "point_dir",
    "point_values",
    "query_search",
    "read_index",
    "refresh_index",
    "run_optimisation",
    "run_point",
    "run_points_in_pool",
    "run_search",
    "save_definition",
    "search_from_mapping",
    "search_plot_entries",
    "trial_table",
    "write_status",
]
