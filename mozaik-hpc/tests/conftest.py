"""A real single-node Slurm cluster for the whole session (mozaik_hpc.testing.LocalSlurm)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from mozaik_hpc.testing import LocalSlurm


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSlurm]:
    cluster = LocalSlurm(tmp_path_factory.mktemp("slurm"))
    cluster.start()
    old = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(cluster.conf)
    try:
        yield cluster
    finally:
        cluster.stop()
        if old is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = old


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    from mozaik.testing._backend_contract import contract_study_text

    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "study.yaml").write_text(contract_study_text("mock"))
    return folder
