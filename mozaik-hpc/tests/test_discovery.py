from __future__ import annotations

from mozaik.testing import PluginDistributionContract


class TestDiscovery(PluginDistributionContract):
    distribution = "mozaik-hpc"
    entry_point = "hpc"
    provides = {"backends": ["MPIBackend", "SlurmBackend"]}


def test_the_short_backend_names_are_declared_here() -> None:
    """`--backend slurm` and `--backend mpi` come from this plugin's registrations (core
    hard-codes no alias), and the MPI backend says what to install."""
    from mozaik.backends import backend_component
    from mozaik.plugin import PluginManager

    registry = PluginManager(autoload=True).registry
    slurm = backend_component(registry, "slurm", where="--backend")
    mpi = backend_component(registry, "mpi", where="--backend")
    assert (slurm.name, slurm.distribution) == ("SlurmBackend", "mozaik-hpc")
    assert (mpi.name, mpi.distribution) == ("MPIBackend", "mozaik-hpc")
    assert "mozaik-hpc[mpi]" in mpi.spec.install_hint
