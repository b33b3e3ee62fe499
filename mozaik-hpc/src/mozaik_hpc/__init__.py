"""mozaik-hpc: HPC backends for Mozaik parameter searches: Slurm job arrays and MPI ranks.

Components register through the `mozaik` entry point; :mod:`mozaik_hpc.testing` starts a real
single-node Slurm cluster on localhost for tests.
"""

from __future__ import annotations

import importlib.metadata as _md

from mozaik_hpc._errors import MPIError
from mozaik_hpc._mpi import LAUNCHER_VARIABLES, MPIBackend, MPIBackendParams
from mozaik_hpc._slurm import (
    SlurmBackend,
    SlurmBackendParams,
    SlurmError,
    batch_script,
    check_slurm,
    job_states,
    jobcomp_file,
    jobcomp_states,
    max_array_size,
    slurm_config,
    time_limit_s,
)

__version__ = _md.version("mozaik-hpc")

__all__ = [
    "LAUNCHER_VARIABLES",
    "MPIBackend",
    "MPIBackendParams",
    "MPIError",
    "SlurmBackend",
    "SlurmBackendParams",
    "SlurmError",
    "__version__",
    "batch_script",
    "check_slurm",
    "job_states",
    "jobcomp_file",
    "jobcomp_states",
    "max_array_size",
    "slurm_config",
    "time_limit_s",
]
