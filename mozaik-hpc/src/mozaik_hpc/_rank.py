"""``mpiexec -n N python -m mozaik_hpc._rank MASTER TODO``: one rank of an MPI search."""

from __future__ import annotations

import sys
from pathlib import Path

from mozaik_hpc._mpi import run_rank

if __name__ == "__main__":
    run_rank(Path(sys.argv[1]), Path(sys.argv[2]))
