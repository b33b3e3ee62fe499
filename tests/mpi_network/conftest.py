"""Collected only by the opt-in ``nox -s mpi_network`` session, which sets ``MOZAIK_MPI_NETWORK=1``
after installing NEST built with MPI: elsewhere (the ``integration`` session runs ``pytest tests``)
this folder holds nothing to collect, and in that session a NEST without MPI fails the tests instead
of skipping them."""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("MOZAIK_MPI_NETWORK") == "1" else ["test_*.py"]
