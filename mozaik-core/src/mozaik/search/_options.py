"""What running a search's points takes and gives: options, the backend protocol, the summary.

A module of its own: both :mod:`mozaik.search._run` and :mod:`mozaik.search._optimise` use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import attrs

from mozaik.search._spec import Search

__all__ = ["LARGE_SEARCH_POINTS", "SearchBackend", "SearchOptions", "SearchSummary"]

#: The safety limit: a call of :func:`mozaik.search.run_search` that would run more points than
#: this stops before anything runs or is submitted (printing the points, the tasks and the disk
#: estimate) unless ``SearchOptions(yes=True)`` (``mozaik search run --yes``).
LARGE_SEARCH_POINTS = 10_000


@attrs.frozen(kw_only=True)
class SearchOptions:
    """Options of running a parameter search's points that every backend accepts.

    Parameters
    ----------
    dry_run : bool
        Show what would run (the points' overrides, a batch script), run and submit nothing.
    yes : bool
        Go on without asking: a search of more than :data:`LARGE_SEARCH_POINTS` points to run
        (refused without it, after the points, tasks and disk estimate are shown), a Slurm
        task whose estimated time exceeds its limit (a warning instead of an error).
    progress : bool
        Print a line per ended point (at most one a second) with an estimate of the time left
        (:class:`mozaik.search.SearchProgress`), and while a cluster's tasks are queued a
        heartbeat with their states, on standard error.
    """

    dry_run: bool = False
    yes: bool = False
    progress: bool = False


class SearchBackend(Protocol):
    """What :func:`run_search` needs of a backend: a way to run some points of a search.

    :class:`mozaik.backends.Backend` satisfies it (this package does not import
    :mod:`mozaik.backends`, which sits above it; :func:`mozaik.backends.search_backend` picks a
    search's backend).
    """

    def run_search(self, search: Search, master_dir: Path, point_ids: Sequence[int],
                   options: SearchOptions | None = None) -> dict[int, str]: ...


@attrs.frozen(kw_only=True)
class SearchSummary:
    """What :func:`run_search` did.

    Attributes
    ----------
    master_dir : pathlib.Path
    points : int
        Points of the search.
    ran : tuple of int
        Points run by this call (empty: nothing to do).
    done, failed : int
        Points done and failed after this call (the others are missing or incomplete).
    exploded : int
        Points whose network ran away (:class:`~mozaik.RunExploded`).
    """

    master_dir: Path
    points: int
    ran: tuple[int, ...]
    done: int
    failed: int
    exploded: int = 0
