"""One network over the MPI ranks of a launch: ``mpirun -n N mozaik run STUDY --backend mpi``.

NEST built with MPI distributes the neurons over the ranks; every rank runs core's
:func:`~mozaik.controller.run_study` with the :class:`~mozaik.controller.Ranks` made here from
mpi4py's ``COMM_WORLD``, and stores its own neurons' recordings as its part of each
presentation (nothing is gathered). The PyPI NEST wheel has no MPI: that is refused before
anything is built, naming how to build NEST with MPI.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from mozaik.backends import RunOptions
from mozaik.controller import Ranks, RunSummary, run_study
from mozaik.study import Study

from mozaik_hpc._errors import MPIError

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["BUILD_NEST_WITH_MPI", "check_ranks", "launched_ranks", "nest_has_mpi",
           "run_network"]

#: How to build NEST with MPI (Debian/Ubuntu package names), for error messages and docs.
BUILD_NEST_WITH_MPI = (
    "apt-get install openmpi-bin libopenmpi-dev libboost-dev libgsl-dev libltdl-dev; "
    "pip install --no-binary nest-simulator nest-simulator==3.10.0 "
    "-C cmake.define.with-mpi=ON (about 12 minutes on 2 cores)")

#: Variables any MPI launcher (Open MPI, MPICH/Hydra, Slurm's srun with PMI or PMIx) sets.
_LAUNCH_MARKERS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK",
                   "MPI_LOCALNRANKS")


def launched_ranks() -> int:
    """The number of ranks of the launch this process is part of (1 without a launcher).

    Asks mpi4py (which initialises MPI) only when a launcher's variables are set.
    """
    if not any(v in os.environ for v in _LAUNCH_MARKERS):
        return 1
    try:
        from mpi4py import MPI
    except ImportError as exc:
        msg = ("this process was started by an MPI launcher, but mpi4py is not installed: "
               "install mozaik-hpc[mpi] (or mpi4py built against your MPI)")
        raise MPIError(msg) from exc
    return int(MPI.COMM_WORLD.Get_size())


def nest_has_mpi() -> bool | None:
    """Whether the installed NEST was built with MPI, read from its ``config.h`` without
    importing it (the PyPI wheel exits on import under a launcher); None if unknown."""
    spec = importlib.util.find_spec("nest")
    if spec is None or spec.origin is None:
        return None
    header = Path(spec.origin).parent / "include" / "nest" / "config.h"
    if not header.is_file():
        return None
    return re.search(r"^#define HAVE_MPI\b", header.read_text(errors="replace"),
                     re.MULTILINE) is not None


def _declared_sizes(study: Study) -> dict[str, int]:
    """Neurons of each sheet whose size its parameters declare (``placement``)."""
    sizes = {}
    for name, entry in study.sheets.items():
        size = getattr(getattr(entry.params, "placement", None), "size", None)
        if isinstance(size, int):
            sizes[name] = size
    return sizes


def check_ranks(sizes: dict[str, int], ranks: int, when: str) -> None:
    """Refuse more ranks than a sheet has neurons: each rank must hold neurons of every sheet.

    Parameters
    ----------
    sizes : mapping of str to int
        Neurons per sheet.
    ranks : int
        Number of MPI ranks.
    when : str
        When the sizes were found (for the message).
    """
    small = {name: n for name, n in sizes.items() if n < ranks}
    if small:
        listed = ", ".join(f"{name} ({n})" for name, n in sorted(small.items()))
        msg = (f"{ranks} MPI ranks but the network has fewer neurons than ranks in sheet(s) "
               f"{listed} ({when}; {sum(sizes.values())} neurons in all): NEST gives each rank "
               f"a share of every sheet, so launch at most {min(small.values())} ranks "
               "(mpirun -n), or make those sheets larger")
        raise MPIError(msg)


def run_network(study: Study, run_dir: Path, options: RunOptions) -> RunSummary:
    """Run ``study`` as one network over the ranks of this launch (every rank calls this)."""
    from mpi4py import MPI  # initialises MPI before NEST does

    comm = MPI.COMM_WORLD
    size, rank = int(comm.Get_size()), int(comm.Get_rank())
    check_ranks(_declared_sizes(study), size, "as declared, before building")
    backend = study.simulator.backend
    if backend != "nest" or nest_has_mpi() is False:
        what = ("the installed NEST (the PyPI nest-simulator wheel?) has none" if
                backend == "nest" else f"simulator.backend is {backend!r}")
        msg = (f"{study.name}: one network across {size} MPI ranks needs NEST built with MPI; "
               f"{what}. Build it: "
               f"{BUILD_NEST_WITH_MPI}. Or run it on one rank (threads: --threads N), or run "
               "a parameter search with `mozaik search run --backend mpi` (each rank its own "
               "points, works with the wheel)")
        raise MPIError(msg)

    def build(study: Study) -> Model:
        from mozaik.model import build_model

        model = build_model(study)
        processes = int(model.sim.num_processes())
        if processes != size:
            msg = (f"{study.name}: launched on {size} MPI ranks but the simulator sees "
                   f"{processes} process(es): NEST and mpi4py use different MPI libraries; "
                   "build both against the same MPI (the launcher's)")
            raise MPIError(msg)
        check_ranks({n: s.size for n, s in model.sheets.items()}, size, "as built")
        return model

    progress = options.progress or "auto"
    return run_study(study, run_dir, ranks=Ranks(rank=rank, size=size, barrier=comm.Barrier),
                     build_model=build, progress=progress if rank == 0 else "off",
                     replay=options.replay)
