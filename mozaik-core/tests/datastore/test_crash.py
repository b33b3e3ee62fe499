"""A real writer process is SIGKILLed; the store must open with every completed presentation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import mozaik
import numpy as np
import pytest
from datastore_helpers import grating, pynn_segment
from mozaik.datastore import DataStore

WRITER = textwrap.dedent(
    """
    import os, sys, time
    sys.path[:0] = {paths!r}
    import numpy as np
    import pyarrow.parquet as pq
    from datastore_helpers import grating, pynn_segment
    from mozaik.datastore import DataStore
    from mozaik.datastore import _format

    run, kill_point = sys.argv[1], sys.argv[2]
    current = {{"pid": -1}}

    def pause(where):
        print("PAUSED", where, flush=True)
        time.sleep(120)

    if kill_point == "before-commit":  # payload files renamed, index fragment not yet
        real_replace = os.replace
        def replace(src, dst):
            if current["pid"] == 3 and "/segments/" in str(dst):
                pause("before-commit")
            return real_replace(src, dst)
        _format.os.replace = replace
    elif kill_point == "mid-payload":  # half a Parquet file on disk, no footer
        real_write = pq.ParquetWriter.write_table
        def write_table(self, table, *a, **k):
            real_write(self, table, *a, **k)
            if current["pid"] == 3:
                pause("mid-payload")
        pq.ParquetWriter.write_table = write_table

    store = DataStore.create(run, {{"config": {{}}}})
    store.write_neurons("S", np.arange(4), np.zeros((4, 2)))
    rng = np.random.default_rng(0)
    for k in range(6):
        current["pid"] = k
        seg = pynn_segment("V1_Exc_L4", 4, 100.0 * k, 50.0, rng)
        store.write_presentation(grating(0.1 * k, 0), 0, {{"S": seg}})
        print("DONE", k, flush=True)
        if kill_point == "between" and k == 2:
            pause("between")
    """
)


def _run_and_kill(tmp_path: Path, kill_point: str) -> Path:
    here = Path(__file__).resolve().parents[1] / "support"
    src = Path(mozaik.__path__[0]).parent
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(paths=[str(here), str(src)]))
    run = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(run), kill_point], stdout=subprocess.PIPE, text=True
    )
    lines = []
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line.strip())
            if line.startswith("PAUSED"):
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, lines
    assert lines[-1] == f"PAUSED {kill_point}", lines
    return run


@pytest.mark.parametrize(
    ("kill_point", "completed"), [("between", 3), ("before-commit", 3), ("mid-payload", 3)]
)
def test_sigkill_leaves_a_readable_store(tmp_path: Path, kill_point: str, completed: int) -> None:
    run = _run_and_kill(tmp_path, kill_point)

    store = DataStore.open(run)  # read-only open of a crashed store works as is
    assert [sid for sid, _ in store.presentations()] == [
        grating(0.1 * k, 0) for k in range(completed)
    ]
    for seg in store.get_segments():
        assert len(seg.spiketrains) == 4 and len(seg.analogsignals) == 2
    assert len(store.spike_arrays("S").times) == sum(store.segment_index["n_spikes"].to_pylist())

    # resuming cleans up the half-written presentation and continues after the last complete one
    resumed = DataStore.open(run, mode="a")
    assert not list(run.rglob("*.tmp"))
    assert sorted(p.name for p in (run / "spikes").iterdir()) == [
        f"p{k:08d}.parquet" for k in range(completed)
    ]
    assert not resumed.has_presentation(grating(0.1 * completed, 0), 0)
    rng = np.random.default_rng(1)
    resumed.write_presentation(
        grating(0.1 * completed, 0), 0, {"S": pynn_segment("V1_Exc_L4", 4, 1000.0, 50.0, rng)}
    )
    resumed.close()
    assert len(DataStore.open(run).presentations()) == completed + 1
