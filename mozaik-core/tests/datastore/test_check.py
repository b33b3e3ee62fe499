"""Store integrity: `check_store` / `mozaik check` find every planted fault; paths stay inside."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from datastore_helpers import SHEETS, grating, pynn_segment
from mozaik._errors import DataStoreFormatError
from mozaik.cli._main import cli
from mozaik.datastore import DataStore, Problem, check_store


def kinds(problems: list[Problem]) -> set[tuple[str, str]]:
    return {(p.kind, p.file) for p in problems}


def first_spikes(run: Path) -> str:
    return DataStore.open(run).segment_index["spikes_file"][0].as_py()


def rewrite_index(run: Path, column: str, change) -> None:
    """Rewrite the consolidated segment index with ``column`` of row 0 changed."""
    path = run / "segments.parquet"
    table = pq.read_table(path)
    values = table[column].to_pylist()
    values[0] = change(values[0])
    i = table.column_names.index(column)
    table = table.set_column(i, column, pa.array(values, table.schema.field(column).type))
    pq.write_table(table, path)


def test_a_sound_store_has_no_problem(filled) -> None:
    run, _ = filled
    assert check_store(run) == []
    assert check_store(run, quick=True) == []


def test_complete_means_consolidated_and_lock_removed(tmp_path, rng) -> None:
    store = DataStore.create(tmp_path / "r")
    assert (tmp_path / "r" / ".writer.lock").is_file()
    store.write_neurons("V1_Exc_L4", np.arange(10, 16), np.zeros((6, 2)))
    store.write_presentation(grating(0.0, 0), 0, {"V1_Exc_L4": pynn_segment("V1_Exc_L4", 6, 0.0,
                                                                            50.0, rng)})
    (tmp_path / "r" / "spikes" / "p00000009.parquet.tmp").write_bytes(b"half")
    assert list((tmp_path / "r" / "segments").glob("*.parquet"))
    store.update_manifest(status="complete", end_time="2026-01-01T00:00:00+00:00")
    assert not list((tmp_path / "r" / "segments").glob("*.parquet"))
    assert not list((tmp_path / "r").rglob("*.tmp"))
    assert (tmp_path / "r" / "segments.parquet").is_file()
    assert (tmp_path / "r" / "ads" / "index.parquet").is_file()  # no analyses, still a file
    assert {p.kind for p in check_store(tmp_path / "r")} == {"busy"}  # the writer is open
    store.close()
    assert not (tmp_path / "r" / ".writer.lock").exists()
    assert check_store(tmp_path / "r") == []


def test_truncated_payload(filled) -> None:
    run, _ = filled
    rel = first_spikes(run)
    data = (run / rel).read_bytes()
    (run / rel).write_bytes(data[: len(data) // 2])
    assert ("unreadable", rel) in kinds(check_store(run))
    assert ("unreadable", rel) in kinds(check_store(run, quick=True))


def test_garbage_payload(filled) -> None:
    run, _ = filled
    rel = DataStore.open(run).segment_index["analog_file"][0].as_py()
    size = (run / rel).stat().st_size
    (run / rel).write_bytes(os.urandom(size))
    assert ("unreadable", rel) in kinds(check_store(run))
    assert ("unreadable", rel) in kinds(check_store(run, quick=True))


def test_garbage_inside_a_valid_parquet_frame(filled) -> None:
    run, _ = filled
    rel = first_spikes(run)
    data = bytearray((run / rel).read_bytes())
    data[8:-8] = os.urandom(len(data) - 16)  # keeps PAR1 at both ends: only the full check sees
    (run / rel).write_bytes(bytes(data))
    assert ("unreadable", rel) in kinds(check_store(run))


def test_deleted_payload(filled) -> None:
    run, _ = filled
    rel = first_spikes(run)
    (run / rel).unlink()
    assert ("missing", rel) in kinds(check_store(run))
    assert ("missing", rel) in kinds(check_store(run, quick=True))


def test_deleted_ads_payload(filled) -> None:
    run, _ = filled
    rel = DataStore.open(run).analysis_index["payload_file"][0].as_py()
    (run / rel).unlink()
    assert ("missing", rel) in kinds(check_store(run))


def test_orphan_payload(filled) -> None:
    run, _ = filled
    rel = first_spikes(run)
    (run / "spikes" / "p09999999.parquet").write_bytes((run / rel).read_bytes())
    (run / "ads" / "payloads" / "a09999999.parquet").write_bytes(b"x")
    found = kinds(check_store(run))
    assert ("orphan", "spikes/p09999999.parquet") in found
    assert ("orphan", "ads/payloads/a09999999.parquet") in found


def test_tmp_left(filled) -> None:
    run, _ = filled
    (run / "analog" / "p00000004.parquet.tmp").write_bytes(b"half a file")
    assert ("tmp", "analog/p00000004.parquet.tmp") in kinds(check_store(run))


def test_edited_counts(filled) -> None:
    run, _ = filled
    rewrite_index(run, "n_spikes", lambda n: n + 1)
    problems = [p for p in check_store(run) if p.kind == "count"]
    assert len(problems) == 1 and "spikes" in problems[0].message


def test_edited_spiketrain_count(filled) -> None:
    run, _ = filled
    rewrite_index(run, "n_spiketrains", lambda n: n + 2)
    assert [p.kind for p in check_store(run)] == ["count"]


def test_edited_variable_neurons(filled) -> None:
    run, _ = filled
    seg = DataStore.open(run).segment_index
    row = int(pc.index(pc.is_valid(seg["analog_file"]), True).as_py())
    assert row == 0
    rewrite_index(run, "variable_neurons", lambda counts: [c + 1 for c in counts])
    found = [p for p in check_store(run) if p.kind == "count"]
    assert found and any("'v'" in p.message for p in found)


def test_wrong_payload_schema(filled) -> None:
    run, _ = filled
    rel = first_spikes(run)
    table = pq.read_table(run / rel)
    table = table.set_column(2, "time", pc.cast(table["time"], pa.float32()))
    pq.write_table(table, run / rel)
    problems = [p for p in check_store(run) if p.file == rel]
    assert [p.kind for p in problems] == ["schema"] and "time" in problems[0].message


def test_wrong_index_schema(filled) -> None:
    run, _ = filled
    table = pq.read_table(run / "segments.parquet").drop_columns(["n_spikes"])
    pq.write_table(table, run / "segments.parquet")
    problems = check_store(run)
    assert ("schema", "segments.parquet") in kinds(problems)
    assert "n_spikes" in next(p.message for p in problems if p.kind == "schema")


def test_wrong_neurons_table(filled) -> None:
    run, _ = filled
    path = next((run / "neurons").glob("*.parquet"))
    pq.write_table(pq.read_table(path).drop_columns(["x"]), path)
    assert ("schema", f"neurons/{path.name}") in kinds(check_store(run))


def test_complete_but_fragments_unmerged(tmp_path, rng) -> None:
    run = tmp_path / "r"
    store = DataStore.create(run)
    store.write_presentation(grating(0.0, 0), 0,
                             {s: pynn_segment(s, n, 0.0, 50.0, rng) for s, n in SHEETS.items()})
    manifest = json.loads((run / "manifest.json").read_text())
    manifest.update(status="complete", end_time="2026-01-01T00:00:00+00:00")
    store._lock.release(remove=True)  # a writer that vanished without consolidating
    store._lock = None
    (run / "manifest.json").write_text(json.dumps(manifest))
    assert kinds(check_store(run)) == {("unmerged", "segments/p00000000.parquet")}
    (run / "ads" / "index.parquet").unlink()
    assert ("unmerged", "ads/index.parquet") in kinds(check_store(run))


def test_complete_with_a_stale_lock(filled) -> None:
    run, _ = filled
    store = DataStore.open(run, "a")
    store.update_manifest(status="complete")
    store.close()
    assert check_store(run) == []
    (run / ".writer.lock").write_text("12345")
    assert kinds(check_store(run)) == {("lock", ".writer.lock")}


def test_complete_without_end_time(filled) -> None:
    run, _ = filled
    manifest = json.loads((run / "manifest.json").read_text())
    manifest.update(status="complete", end_time=None)
    (run / "manifest.json").write_text(json.dumps(manifest))
    assert kinds(check_store(run)) == {("manifest", "manifest.json")}


def test_damaged_manifest(filled) -> None:
    run, _ = filled
    (run / "manifest.json").write_text("{not json")
    assert kinds(check_store(run)) == {("manifest", "manifest.json")}


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside.parquet", "spikes/../../x.parquet"])
def test_index_path_outside_the_run_is_refused(filled, bad: str) -> None:
    run, _ = filled
    rewrite_index(run, "spikes_file", lambda _: bad)
    with pytest.raises(DataStoreFormatError) as info:
        DataStore.open(run)
    assert "segment 0" in str(info.value) and repr(bad) in str(info.value)
    assert ("unsafe-path", bad) in kinds(check_store(run))


def test_ads_payload_path_outside_the_run_is_refused(filled) -> None:
    run, _ = filled
    path = run / "ads" / "index.parquet"
    table = pq.read_table(path)
    files = table["payload_file"].to_pylist()
    files[0] = "/etc/hostname"
    table = table.set_column(table.column_names.index("payload_file"), "payload_file",
                             pa.array(files, pa.string()))
    pq.write_table(table, path)
    with pytest.raises(DataStoreFormatError, match="analysis result 0 .*'/etc/hostname'"):
        DataStore.open(run)


def test_symlink_out_of_the_run_is_refused(filled, tmp_path) -> None:
    run, _ = filled
    rel = first_spikes(run)
    outside = tmp_path / "outside.parquet"
    outside.write_bytes((run / rel).read_bytes())
    (run / rel).unlink()
    (run / rel).symlink_to(outside)
    store = DataStore.open(run)  # the text of the row is fine; the file is checked when read
    sheet = store.segment_index["sheet_name"][0].as_py()
    with pytest.raises(DataStoreFormatError, match="outside the run directory.*symlink"):
        store.spike_arrays(sheet)
    assert ("unsafe-path", rel) in kinds(check_store(run))


def test_cli_check(filled) -> None:
    run, _ = filled
    ok = CliRunner().invoke(cli, ["check", str(run)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith(f"OK {run}: 12 presentations, 24 segments,")
    assert ok.output.count("\n") == 1
    as_json = json.loads(CliRunner().invoke(cli, ["check", "--json", str(run)]).output)
    assert as_json["ok"] and as_json["problems"] == [] and as_json["summary"]["segments"] == 24
    rel = first_spikes(run)
    (run / rel).unlink()
    (run / "analog" / "x.parquet.tmp").write_bytes(b"")
    bad = CliRunner().invoke(cli, ["check", str(run)])
    assert bad.exit_code == 1
    assert f"missing: {rel}" in bad.output and "tmp: analog/x.parquet.tmp" in bad.output
    result = CliRunner().invoke(cli, ["check", "--json", str(run)])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert not data["ok"]
    assert {(p["kind"], p["file"]) for p in data["problems"]} == {
        ("missing", rel), ("tmp", "analog/x.parquet.tmp")}


def test_leftovers_of_a_crash_are_found_then_removed_by_resuming(filled) -> None:
    run, _ = filled
    rel = first_spikes(run)
    (run / "spikes" / "p00000099.parquet").write_bytes((run / rel).read_bytes())  # uncommitted
    (run / "segments" / "p00000099.parquet.tmp").write_bytes(b"half")
    assert {p.kind for p in check_store(run)} == {"orphan", "tmp"}
    DataStore.open(run, "a").close()  # resuming cleans up what the crash left
    assert check_store(run) == []
    assert not (run / ".writer.lock").exists()
