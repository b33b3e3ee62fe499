"""A real single-node Slurm cluster for the whole session (mozaik_hpc.testing.LocalSlurm)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from mozaik import testing
from mozaik_hpc.testing import LocalSlurm

contract_study_dir = testing.contract_study_dir  # the fixture, shared with core's search tests


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


SEGV_PLUGIN = """
import os, signal
import attrs
from mozaik.analysis import Analysis
from mozaik.plugin import ComponentSpec, hookimpl

MOZAIK_HOOK_API = (2, 0)


@attrs.frozen(kw_only=True)
class SegvParams:
    crash: bool = False


class Segv(Analysis[SegvParams]):
    def run(self, view):
        if self.params.crash:
            os.kill(os.getpid(), signal.SIGSEGV)
        return []


@hookimpl
def mozaik_analyses():
    return [ComponentSpec(name="Segv", config_cls=SegvParams, factory=Segv, summary="crashes")]
"""


@pytest.fixture
def segv_study_dir(tmp_path: Path, contract_study_dir: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """``contract_study_dir`` with the analysis ``Segv`` (a test-only plugin on ``PYTHONPATH``,
    for the processes that run points), which segfaults its process when ``crash`` is true."""
    site = tmp_path / "site"
    info = site / "segv_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: segv-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[mozaik]\nsegv = segv_plugin\n")
    (site / "segv_plugin.py").write_text(SEGV_PLUGIN)
    monkeypatch.setenv("PYTHONPATH", str(site))
    study = contract_study_dir / "study.yaml"
    study.write_text(study.read_text() + "analyses: [{component: Segv, params: {crash: false}}]\n")
    return contract_study_dir
