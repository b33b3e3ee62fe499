"""The other kinds of study, interrupted anywhere, resume to the store of an uninterrupted run:
the LGN study with its current-driven and with its linear-nonlinear-Poisson output (at the
kill points where the two differ: ``kill_resume.VARIANT_KILL_POINTS``), one point of
the V&A search, and an optogenetic intensity sweep (whose per-neuron injected currents are
stored). The kill points and the comparison are in ``kill_resume.py``; the shipped examples are
in ``test_kill_and_resume.py``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from kill_resume import Outcome, check_resumed, matrix, outcomes

pytestmark = [pytest.mark.nest]

__all__ = ["outcomes"]  # the module-scoped fixture, one per matrix file

STUDIES = ["lgn", "lgn-poisson", "search-point", "optogenetics"]


@pytest.mark.parametrize(("study", "kill"), matrix(STUDIES))
def test_interrupted_run_resumes_to_the_uninterrupted_store(
        study: str, kill: str, outcomes: Callable[[str], Outcome]) -> None:
    check_resumed(study, kill, outcomes(study))
