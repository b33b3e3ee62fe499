"""The shipped example studies, interrupted anywhere, resume to the store of an uninterrupted
run: the Vogels & Abbott example, the V1 push-pull example and its figure study, the tonotopy
plugin's example. The kill points and the comparison are in ``kill_resume.py``; the other kinds
of study are in ``test_kill_and_resume_kinds.py`` (a second file, so that pytest-xdist runs the
two halves of the matrix on two workers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from kill_resume import Outcome, check_resumed, matrix, outcomes

pytestmark = [pytest.mark.nest]

__all__ = ["outcomes"]  # the module-scoped fixture, one per matrix file

STUDIES = ["vogels_abbott", "v1_pushpull", "v1_figures", "tonotopy"]


@pytest.mark.parametrize(("study", "kill"), matrix(STUDIES))
def test_interrupted_run_resumes_to_the_uninterrupted_store(
        study: str, kill: str, outcomes: Callable[[str], Outcome]) -> None:
    check_resumed(study, kill, outcomes(study))
