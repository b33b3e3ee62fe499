"""Damaged and crafted stores: every damage is detected, every read of it is one clear error.

Each test plants one fault found by trying it (issue 19): flipped bytes, counts that size an
allocation, sparse or deeply nested metadata, duplicated index rows, values outside their sheet.
The faults that used to exhaust memory run in a subprocess under an address-space limit, so a
regression fails the test instead of the machine.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mozaik._errors import DataStoreFormatError
from mozaik.datastore import DataStore, check_store

#: Address-space limit of the subprocesses that read a crafted store (bytes): far above what
#: reading a tiny store needs, far below what the planted faults used to allocate.
MEMORY_LIMIT = 3 << 30


def snapshot(run: Path) -> list[object]:
    """Everything a reader decodes from ``run``: positions, spikes, signals, results."""
    out: list[object] = []
    with DataStore.open(run) as store:
        view = store.full_view()
        for sheet in view.sheets():
            out.append(view.neuron_positions(sheet).tobytes())
        for segment in list(view.get_segments()) + list(view.get_segments(null=True)):
            out += [st.magnitude.tobytes() for st in segment.spiketrains]
            out += [sig.magnitude.tobytes() for sig in segment.analogsignals]
        out += [repr(ads) for ads in view.analysis_results()]
    return out


def rewrite(path: Path, column: str, change, row: int = 0) -> None:
    """Rewrite a Parquet file with ``column`` of ``row`` changed, keeping its row groups (a
    crafted, well-formed file)."""
    pf = pq.ParquetFile(path)
    groups = [pf.read_row_group(g) for g in range(pf.num_row_groups)]
    schema = pf.schema_arrow
    done = 0
    for g, table in enumerate(groups):
        if done <= row < done + table.num_rows:
            values = table[column].to_pylist()
            values[row - done] = change(values[row - done])
            i = table.column_names.index(column)
            groups[g] = table.set_column(i, column,
                                         pa.array(values, schema.field(column).type))
        done += table.num_rows
    with pq.ParquetWriter(path, schema) as writer:
        for table in groups:
            writer.write_table(table)


def run_limited(code: str, run: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (with ``RUN`` bound to ``run``) in a fresh interpreter under MEMORY_LIMIT."""
    prelude = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))
        from pathlib import Path
        RUN = Path({str(run)!r})
    """)
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=300, check=False)


READ_ALL = """
    from mozaik._errors import DataStoreFormatError
    from mozaik.datastore import DataStore
    try:
        with DataStore.open(RUN) as store:
            view = store.full_view()
            for segment in view.get_segments():
                list(segment.spiketrains)
        print("READ")
    except DataStoreFormatError as exc:
        print("REFUSED", exc)
"""


# ---------------------------------------------------------------------- flipped bytes
def _file_of(run: Path, kind: str) -> Path:
    store = DataStore.open(run)
    try:
        if kind in ("spikes", "analog"):
            return run / store.segment_index[f"{kind}_file"].drop_null()[0].as_py()
        if kind == "ads payload":
            return run / store.analysis_index["payload_file"][0].as_py()
    finally:
        store.close()
    return run / {"neurons": "neurons", "segment index": "segments.parquet",
                  "ads index": "ads/index.parquet"}[kind]


@pytest.mark.parametrize("kind", ["spikes", "analog", "neurons", "ads payload",
                                  "segment index", "ads index"])
def test_a_flipped_byte_changes_nothing_silently(filled, tmp_path: Path, kind: str) -> None:
    """Before page checksums, flips changed a Vm to -2.7e107 mV and a neuron index to 4e8
    while `mozaik check` said OK. Now a flip is harmless, or reading it is a
    DataStoreFormatError and `check` reports it; `check` itself never crashes."""
    base, _ = filled
    target = _file_of(base, kind)
    if target.is_dir():
        target = sorted(target.glob("*.parquet"))[0]
    rel = target.relative_to(base)
    reference = snapshot(base)
    size = target.stat().st_size
    outcomes = {"harmless": 0, "refused": 0}
    for pos in random.Random(19).sample(range(size), 12):
        run = tmp_path / f"flip{pos}"
        shutil.copytree(base, run)
        data = bytearray((run / rel).read_bytes())
        data[pos] ^= 0xFF
        (run / rel).write_bytes(bytes(data))
        try:
            same = snapshot(run) == reference
        except DataStoreFormatError as exc:
            assert str(run) in str(exc)  # names the damaged file
            same = False
            outcomes["refused"] += 1
        else:
            assert same, f"byte {pos} of {rel} changed the decoded data silently"
            outcomes["harmless"] += 1
        problems = check_store(run)
        if not same:
            assert problems, f"byte {pos} of {rel} makes reading fail, but check found nothing"
        shutil.rmtree(run)
    assert outcomes["refused"] > 0


# ---------------------------------------------------------------------- bounded reads
def test_a_row_group_count_that_would_exhaust_memory_is_refused(filled) -> None:
    """`spikes_row_groups = 2**31 - 1` made `mozaik analyse` grow to 24 GB."""
    run, _ = filled
    rewrite(run / "segments.parquet", "spikes_row_groups", lambda _: 2**31 - 1)
    done = run_limited(READ_ALL, run)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "REFUSED" in done.stdout and "row group" in done.stdout
    problems = check_store(run)
    assert any("row group" in p.message for p in problems)


@pytest.mark.parametrize("name", ["manifest.json", "segments.parquet"])
def test_sparse_metadata_files_are_refused_before_reading(filled, name: str) -> None:
    """A sparse 2 GB manifest cost 4.3 GB of memory in every command."""
    run, _ = filled
    with open(run / name, "r+b") as fh:
        fh.truncate(2 << 30)
    done = run_limited(READ_ALL, run)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "REFUSED" in done.stdout and name in done.stdout
    assert check_store(run)


def test_deeply_nested_json_in_the_manifest_is_one_clear_error(filled) -> None:
    run, _ = filled
    manifest = json.loads((run / "manifest.json").read_text())
    text = json.dumps(manifest)[:-1] + ', "deep": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (run / "manifest.json").write_text(text)
    with pytest.raises(DataStoreFormatError, match="nests deeper"):
        DataStore.open(run)
    assert [p.kind for p in check_store(run)] == ["manifest"]


def test_deeply_nested_result_parameters_are_one_clear_error(filled) -> None:
    run, _ = filled
    rewrite(run / "ads" / "index.parquet", "parameters",
            lambda _: "[" * 50_000 + "]" * 50_000)
    with DataStore.open(run) as store, pytest.raises(DataStoreFormatError, match="nests deeper"):
        store.full_view().analysis_results()
    assert any("nests deeper" in p.message for p in check_store(run))


# ---------------------------------------------------------------------- values
def test_duplicated_index_rows_are_reported(filled) -> None:
    """Duplicated rows passed `check` with their spikes counted twice."""
    run, _ = filled
    table = pq.read_table(run / "segments.parquet")
    pq.write_table(pa.concat_tables([table, table.slice(0, 1)]), run / "segments.parquet")
    assert "duplicate" in {p.kind for p in check_store(run)}


def test_a_neuron_index_outside_its_sheet_is_reported(filled) -> None:
    """A well-formed payload naming neuron 402,686,231 of a 6-neuron sheet (`analyse --force`
    used it): `check` reports it, naming the segment."""
    run, _ = filled
    with DataStore.open(run) as store:
        rel = store.segment_index["spikes_file"].drop_null()[0].as_py()
    rewrite(run / rel, "neuron", lambda _: 402_686_231)
    messages = [p.message for p in check_store(run)]
    assert any("outside the sheet" in m for m in messages), messages


def test_spike_times_outside_their_segment_are_reported(filled) -> None:
    run, _ = filled
    with DataStore.open(run) as store:
        rel = store.segment_index["spikes_file"].drop_null()[0].as_py()
    times = pq.read_table(run / rel)["time"]
    first = int(np.flatnonzero(times.is_valid().to_numpy(zero_copy_only=False))[0])
    rewrite(run / rel, "time", lambda _: 1e9, row=first)
    messages = [p.message for p in check_store(run)]
    assert any("outside the segment" in m for m in messages), messages
