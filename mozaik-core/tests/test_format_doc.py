"""docs/datastore-format.md against real stores: the example runs its queries use are sound,
regenerate identically from their script, and the doc's manifest table names the real fields.

The queries themselves run in the ``format_queries`` nox session (duckdb and pyarrow only), through
``docs/format/check_queries.py``, which reads them from the doc."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq
import pytest
from mozaik.datastore import FORMAT_VERSION, WHOLE_FORMAT_VERSION, DataStore, check_store

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "datastore-format.md"
FORMAT = ROOT / "docs" / "format"
RUNS = FORMAT / "example_runs"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, FORMAT / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_doc_version_is_the_format_version() -> None:
    assert DOC.read_text().startswith(f"# Mozaik datastore format (version {FORMAT_VERSION})")
    for run in ("with_analyses", "no_analyses"):
        manifest = json.loads((RUNS / run / "manifest.json").read_text())
        # written by one process, so whole: version 3 only adds stores written in parts
        assert manifest["format_version"] == WHOLE_FORMAT_VERSION == FORMAT_VERSION - 1


@pytest.mark.parametrize("run", ["with_analyses", "no_analyses"])
def test_example_runs_are_sound_and_complete(run: str) -> None:
    assert check_store(RUNS / run) == []
    store = DataStore.open(RUNS / run)
    assert store.manifest["status"] == "complete"
    assert store.n_segments == 4 and store.sheets() == ["exc", "inh"]
    assert store.n_analysis_results == (6 if run == "with_analyses" else 0)
    # what the doc's examples rely on: dotted nested parameters, sequences as text
    columns = store.segment_index.column_names
    assert "st_direct_stimulation.rate_hz" in columns and "st_protocol" in columns
    assert "exc" in store.segment_index["st_direct_stimulation.sheets"].to_pylist()


def test_the_doc_examples_are_extracted() -> None:
    found = _module("check_queries").examples(DOC)
    sql = [code for lang, code in found if lang == "sql"]
    assert len(sql) >= 8 and sum(lang == "python" for lang, _ in found) == 1
    assert all(code.endswith(";") and "RUN_DIR" in code for code in sql)
    # the doc warns against the glob that fails on a complete run; no example uses it
    assert not any("segments/*.parquet" in code or "ads/index/*" in code for code in sql)


def test_doc_manifest_table_names_every_field() -> None:
    text = DOC.read_text()
    section = text[text.index("## manifest.json"):text.index("## Segment index")]
    first_cells = re.findall(r"^\| (`[^|]*`) \|", section, re.M)
    documented = {f for cell in first_cells for f in re.findall(r"`([a-z_]+)[.`]", cell)}
    manifest = json.loads((RUNS / "with_analyses" / "manifest.json").read_text())
    assert set(manifest) <= documented, set(manifest) - documented
    provenance = {f.lstrip(".") for f in re.findall(r"`(?:provenance)?(\.[a-z_]+)`", section)}
    assert set(manifest["provenance"]) <= provenance, set(manifest["provenance"]) - provenance


def _content(run: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for path in sorted(p for p in run.rglob("*") if p.is_file()):
        rel = path.relative_to(run).as_posix()
        if path.suffix == ".json":
            out[rel] = json.loads(path.read_text())
        else:
            table = pq.read_table(path)
            out[rel] = (table.schema.to_string(show_schema_metadata=True), table.to_pylist())
    return out


@pytest.mark.nest
def test_the_script_regenerates_the_example_runs_identically(tmp_path: Path) -> None:
    script = FORMAT / "make_example_runs.py"
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True,
                          text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    made = [tmp_path / "no_analyses", tmp_path / "with_analyses"]
    for run in made:
        assert _content(run) == _content(RUNS / run.name), (
            f"{run.name} differs from docs/format/example_runs/{run.name}; regenerate it with "
            f"`uv run python docs/format/make_example_runs.py`")
