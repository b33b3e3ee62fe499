from __future__ import annotations

import mozaik_hpc
import mozaik_hpc.testing

SNAPSHOT = {
    mozaik_hpc: ["LAUNCHER_VARIABLES", "MPIBackend", "MPIBackendParams", "MPIError",
                 "SlurmBackend", "SlurmBackendParams", "SlurmError", "__version__",
                 "batch_script", "check_slurm", "job_states", "jobcomp_file",
                 "jobcomp_states", "max_array_size", "slurm_config", "time_limit_s"],
    mozaik_hpc.testing: ["LocalSlurm", "SLURM_BINARIES", "slurm_installed"],
}


def test_all_snapshot() -> None:
    for module, names in SNAPSHOT.items():
        assert list(module.__all__) == names
        assert all(hasattr(module, n) for n in names)
