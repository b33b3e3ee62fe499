"""``mpiexec -n N python -m mozaik_hpc._rank MASTER POINTS_FILE``: one rank of an MPI search.

MASTER is the search's master directory; POINTS_FILE lists the numbers of the points still to
run, separated by whitespace. Rank r of N runs every N-th of them, starting with the r-th.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mozaik_hpc._mpi import run_rank

if __name__ == "__main__":
    run_rank(Path(sys.argv[1]), Path(sys.argv[2]))
