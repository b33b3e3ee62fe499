"""The mozaik plugin of mozaik-hpc: registers its components through core's hooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mozaik.plugin import ComponentSpec, hookimpl

from mozaik_hpc._mpi import MPIBackend, MPIBackendParams
from mozaik_hpc._slurm import SlurmBackend, SlurmBackendParams

if TYPE_CHECKING:
    from mozaik.backends import BackendFactory

MOZAIK_HOOK_API = (2, 0)


@hookimpl
def mozaik_backends() -> Iterable[ComponentSpec[Any, BackendFactory[Any]]]:
    return [ComponentSpec(name="SlurmBackend", config_cls=SlurmBackendParams,
                          factory=SlurmBackend,
                          summary="a parameter search as one Slurm job array",
                          aliases=("slurm",)),
            ComponentSpec(name="MPIBackend", config_cls=MPIBackendParams, factory=MPIBackend,
                          summary="a parameter search on the ranks of one mpiexec or srun launch",
                          aliases=("mpi",),
                          install_hint="pip install 'mozaik-hpc[mpi]' (mpi4py and an MPI)")]
