"""The MPI backend: one network over the ranks of ``mpirun``/``srun``, or a search's points.

``mozaik run STUDY --backend mpi`` under a launcher with N > 1 ranks (NEST built with MPI)
distributes one network over the ranks: :meth:`MPIBackend.run` gives core's
:func:`~mozaik.controller.run_study` the ranks (:class:`~mozaik.controller.Ranks`), and each
rank stores its own neurons' recordings as its part of every presentation (``_network.py``).

``mozaik search run --backend mpi`` launches ranks that take the points of a search: rank ``r``
of ``n`` runs the points at positions ``r, r + n, ...`` of the list of points to run
(``MASTER/mpi/todo-<k>.txt``), each with its own independent NEST. The PyPI NEST wheel has no
MPI and exits with code 127 on ``import nest`` when it sees a launcher, so a rank initialises
MPI first (imports mpi4py), then removes the launcher variables (:data:`LAUNCHER_VARIABLES`),
then lets the point import NEST.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import attrs
from mozaik.backends import Backend, LocalBackend, RunOptions
from mozaik.config import whole_number
from mozaik.controller import RunSummary
from mozaik.search import Search, SearchOptions, run_points_in_pool
from mozaik.study import Study

from mozaik_hpc._errors import MPIError
from mozaik_hpc._network import launched_ranks, run_network

__all__ = ["LAUNCHER_VARIABLES", "MPIBackend", "MPIBackendParams", "MPIError", "run_rank"]

#: Variables through which the NEST wheel detects a launcher (and refuses to start).
LAUNCHER_VARIABLES: tuple[str, ...] = ("PMIX_RANK", "PMI_RANK", "OMPI_COMM_WORLD_SIZE",
                                       "MPI_LOCALNRANKS")


#: Prefixes of the launcher's variables that a rank hides from the processes running its
#: points (MPICH's PMI and Hydra, Open MPI, PMIx, PRRTE, Intel MPI).
_CHILD_HIDDEN: tuple[str, ...] = ("PMI_", "PMIX_", "HYDRA_", "HYDI_", "MPIR_", "OMPI_", "OPAL_",
                                  "PRTE_", "I_MPI_", "MPI_LOCAL")


@attrs.frozen(kw_only=True)
class MPIBackendParams:
    """How the ranks are launched.

    Parameters
    ----------
    ranks : int
        Number of ranks (``mpiexec -n``).
    launcher : str or None
        The launcher (default: ``mpiexec`` beside this Python, e.g. from the ``mpich`` wheel,
        else on PATH); ``srun`` inside a Slurm allocation.
    launcher_args : tuple of str
        More launcher options (Open MPI as root: ``["--allow-run-as-root"]``).
    """

    ranks: int = attrs.field(default=2, validator=whole_number(1))
    launcher: str | None = None
    launcher_args: tuple[str, ...] = ()


def _launcher(params: MPIBackendParams) -> str:
    if params.launcher:
        found = shutil.which(params.launcher)
    else:
        beside = Path(sys.executable).parent / "mpiexec"
        found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if not found:
        msg = ("MPI backend: no MPI launcher found (mpiexec); install mozaik-hpc[mpi] (the "
               "mpich wheel) or Open MPI, or set the backend's launcher")
        raise MPIError(msg)
    return found


def run_rank(master: Path, points_file: Path) -> None:
    """What each rank runs: initialise MPI, hide the launcher from NEST, run its share of the
    points listed in ``points_file``."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    for name in LAUNCHER_VARIABLES:
        os.environ.pop(name, None)
    # the points run in child processes, which must not take themselves for ranks of this
    # launch (PyNN imports mpi4py, whose MPI_Init would follow PMI_FD to a socket they lack)
    for name in [n for n in os.environ if n.startswith(_CHILD_HIDDEN)]:
        del os.environ[name]
    points = [int(p) for p in points_file.read_text().split()]
    rank, size = comm.Get_rank(), comm.Get_size()
    for point in points[rank::size]:
        # in a child process: a point that crashes (a segfault) fails alone, recorded with its
        # signal, instead of ending this rank and with it the whole launch
        status = run_points_in_pool(master, [point], 1)[point]
        print(f"rank {rank} of {size}: point {point} {status}", flush=True)
    comm.Barrier()


class MPIBackend(Backend[MPIBackendParams]):
    """Runs one network over the ranks of the launch it runs in, or a parameter search on
    the ranks of one ``mpiexec`` (or ``srun``) launch."""

    def __init__(self, params: MPIBackendParams | None = None) -> None:
        super().__init__(params or MPIBackendParams())

    def run(self, study: Study, run_dir: Path, options: RunOptions | None = None) -> RunSummary:
        """Run ``study`` as one network over the ranks of the launch this process is part of
        (``mpirun -n N mozaik run STUDY --backend mpi``; NEST built with MPI), or in this one
        process when not launched on several ranks.

        Raises
        ------
        MPIError
            Launched on several ranks but NEST has no MPI (the PyPI wheel), or mpi4py is
            missing, or the network has fewer neurons in a sheet than there are ranks.
        """
        if launched_ranks() <= 1:
            return LocalBackend().run(study, run_dir, options)
        return run_network(study, Path(run_dir), options or RunOptions())

    def run_search(self, search: Search, master_dir: Path, point_ids: Sequence[int],
                   options: SearchOptions | None = None) -> dict[int, str]:
        """Launch ``params.ranks`` ranks that take the points; wait for them."""
        dry_run = options is not None and options.dry_run
        master = Path(master_dir).resolve()
        mpi_dir = master / "mpi"
        n = len(list(mpi_dir.glob("todo-*.txt"))) if mpi_dir.exists() else 0
        todo = mpi_dir / f"todo-{n}.txt"
        command = [_launcher(self.params) if not dry_run else "mpiexec",
                   *self.params.launcher_args, "-n", str(self.params.ranks), sys.executable,
                   "-m", "mozaik_hpc._rank", str(master), str(todo)]
        if dry_run:
            print(" ".join(command))
            return {}
        mpi_dir.mkdir(parents=True, exist_ok=True)
        todo.write_text("\n".join(str(i) for i in point_ids) + "\n")
        log = mpi_dir / f"launch-{n}.log"
        with log.open("w") as out:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode == 0:
            return {}
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        return {p: f"MPI launch exited with {done.returncode}; launcher output tail:\n{tail}"
                for p in point_ids}
