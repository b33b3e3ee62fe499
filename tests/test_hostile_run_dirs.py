"""A stranger's run directory: every command ends in success or one clear error.

A finished run of a small study (Vogels & Abbott at 50 neurons, with the example's analyses
and plots) is copied and its manifest fuzzed: random JSON in every field, at every level
the manifest has (issue 19 found 54 crash cases this way). ``mozaik show``, ``check``,
``analyse``, ``report`` and ``run`` on each copy either succeed or print one error paragraph
and exit 1; none ends in a traceback. Damaged index and payload files are covered by
``mozaik-core/tests/datastore/test_damage.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mozaik.cli import cli

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "vogels_abbott2005"
TINY = [
    "sheets.exc.params.placement.n_neurons=40",
    *(f"connectors.{c}.params.probability=0.2"
      for c in ("exc_exc", "exc_inh", "inh_exc", "inh_inh")),
    "experiments.0.params.duration_ms=50.0",
    "experiments.1.params.duration_ms=100.0",
]
COMMANDS = (["show"], ["check"], ["analyse"], ["report"], ["run", "--progress", "off"])


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("hostile") / "run"
    overrides = [x for o in TINY for x in ("--set", o)]
    done = subprocess.run([str(Path(sys.executable).with_name("mozaik")), "run", str(EXAMPLE),
                           *overrides, "--out", str(run_dir), "--progress", "off"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return run_dir


def field_paths(manifest: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every place of the manifest down to three levels (list items: the first)."""
    paths: list[tuple[Any, ...]] = []

    def walk(value: Any, path: tuple[Any, ...]) -> None:
        if path:
            paths.append(path)
        if len(path) >= 3:
            return
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, (*path, key))
        elif isinstance(value, list) and value:
            walk(value[0], (*path, 0))

    walk(manifest, ())
    return paths


def planted(manifest: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(manifest))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats()
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6,
)


def run_every_command(run_dir: Path) -> None:
    runner = CliRunner()
    for command in COMMANDS:
        result = runner.invoke(cli, [command[0], str(run_dir), *command[1:]])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(
                f"mozaik {command[0]} ended in a traceback: {type(result.exception).__name__}: "
                f"{result.exception}\n{result.output[-2000:]}") from result.exception
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output


def test_the_finished_run_passes_every_command(finished: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    runner = CliRunner()
    for command in COMMANDS:
        result = runner.invoke(cli, [command[0], str(copy), *command[1:]])
        assert result.exit_code == 0, result.output


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_command_survives_a_fuzzed_manifest(finished: Path, tmp_path: Path,
                                                  data: st.DataObject) -> None:
    manifest = json.loads((finished / "manifest.json").read_text())
    path = data.draw(st.sampled_from(field_paths(manifest)), label="field")
    value = data.draw(JSON_VALUES, label="value")
    copy = tmp_path / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(finished, copy)
    (copy / "manifest.json").write_text(json.dumps(planted(manifest, path, value)))
    run_every_command(copy)


@pytest.mark.parametrize(("path", "value"), [
    (("provenance",), "x"),
    (("config_file",), 3),
    (("format_version",), True),
    (("workflow",), {"plots/RasterPlot": {"kind": "plot", "ads_ids": "x"}}),
    (("sessions",), [{"status": None}]),
    (("plan",), [{"stimulus": 1}]),
    (("config",), "abc"),
])
def test_malformed_fields_found_before(finished: Path, tmp_path: Path, path: tuple[Any, ...],
                                       value: Any) -> None:
    """Each crashed at least one command before the manifest was typed."""
    manifest = json.loads((finished / "manifest.json").read_text())
    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    (copy / "manifest.json").write_text(json.dumps(planted(manifest, path, value)))
    run_every_command(copy)
    result = CliRunner().invoke(cli, ["show", str(copy)])
    assert result.exit_code == 1 and path[0] in result.output


def _flip_spikes(run: Path) -> None:
    path = sorted((run / "spikes").glob("*.parquet"))[0]
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate_segments(run: Path) -> None:
    path = run / "segments.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _row_group_bomb(run: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(run / "segments.parquet")
    i = table.column_names.index("spikes_row_groups")
    values = [2**31 - 1] * table.num_rows
    pq.write_table(table.set_column(i, "spikes_row_groups", pa.array(values, pa.int64())),
                   run / "segments.parquet")


def _segment_ids_as_strings(run: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(run / "segments.parquet")
    i = table.column_names.index("segment_id")
    ids = [str(v) for v in table["segment_id"].to_pylist()]
    pq.write_table(table.set_column(i, "segment_id", pa.array(ids)), run / "segments.parquet")


def _figure_link(run: Path) -> None:
    figure = sorted((run / "figures").glob("*.png"))[0]
    figure.unlink()
    figure.symlink_to("/etc/passwd")


@pytest.mark.parametrize("plant", [_flip_spikes, _truncate_segments, _row_group_bomb,
                                   _segment_ids_as_strings, _figure_link])
def test_every_command_on_a_damaged_store(finished: Path, tmp_path: Path, plant) -> None:
    """Damaged payloads, indexes and planted links: success or one clear error, never a
    traceback, for show, check, analyse, report and run."""
    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    plant(copy)
    run_every_command(copy)
    assert "root:" not in (copy / "report.html").read_text() if (
        copy / "report.html").is_file() else True
