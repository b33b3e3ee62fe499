"""Writes into a run directory never follow a link a stranger planted, nor leave the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mozaik._errors import DataStoreError
from mozaik.datastore import DataStore, open_for_write


@pytest.mark.parametrize("entry", [".writer.lock", "segments", "spikes", "ads/payloads",
                                   "segments.parquet", "manifest.json"])
def test_a_planted_link_in_a_run_stops_writing_before_anything_is_written(
        filled, tmp_path: Path, entry: str) -> None:
    """`RUN/.writer.lock -> ~/file` was truncated and got a PID."""
    run, _ = filled
    victim = tmp_path / "victim"
    victim.mkdir() if not Path(entry).suffix else victim.write_text("precious")
    target = run / entry
    if target.is_dir():
        for child in target.iterdir():
            child.rename(victim / child.name) if victim.is_dir() else None
        target.rmdir()
    else:
        target.unlink(missing_ok=True)
    before = sorted(p.name for p in victim.iterdir()) if victim.is_dir() else victim.read_text()
    os.symlink(victim, target)
    with pytest.raises(DataStoreError, match="symbolic link"):
        DataStore.open(run, mode="a")
    after = sorted(p.name for p in victim.iterdir()) if victim.is_dir() else victim.read_text()
    assert after == before


def test_creating_a_store_refuses_a_planted_link(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    os.symlink(victim, run / ".writer.lock")
    with pytest.raises(DataStoreError, match="symbolic link"):
        DataStore.create(run)
    assert victim.read_text() == "precious"


def test_open_for_write_never_follows_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / "log")
    with pytest.raises(DataStoreError, match="symbolic link"):
        open_for_write(tmp_path / "log", append=True)
    assert victim.read_text() == "precious"

