"""Search plots: the ``plots:`` of a search file, checked at load with file and line, drawn from
the collated table into ``MASTER/figures``; the CLI's ``search plot`` and ``status --point``;
backend notes in the index. PyNN's ``mock`` backend (no NEST)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pyarrow as pa
import pytest
import quantities as pq_units
import yaml
from click.testing import CliRunner
from mozaik import AnalysisError, ConfigError
from mozaik.ads import SingleValue
from mozaik.backends import search_backend
from mozaik.cli._main import cli
from mozaik.datastore import DataStore
from mozaik.plot import SearchPlot
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.search import (
    COLLATED_COLUMNS,
    Search,
    SearchSummary,
    load_master,
    load_search,
    plot_search,
    point_dir,
    read_index,
    refresh_index,
    run_search,
    write_status,
)
from mozaik.search._master import save_definition
from mozaik.testing import (
    SEARCH_TABLE_PARAMETERS,
    SearchPlotContract,
    make_search_table,
    register_components,
    use_plugin_manager,
)


def run_own(search: Search, master: Path, **options: Any) -> SearchSummary:
    """Run ``search`` into ``master`` through its own backend (``backend:``/``resources:``)."""
    return run_search(search, master, search_backend(search), **options)


W = "connectors.exc_inh.params.weight_uS"


@attrs.frozen(kw_only=True)
class RateListParams:
    value_name: str = "Mean(Firing rate)"


class RateList(SearchPlot[RateListParams]):
    """Writes one line per selected row: the varied values and the value."""

    seen: ClassVar[list[tuple[list[str], list[str]]]] = []

    def draw(self, table: pa.Table, parameters: Sequence[str], path: Path) -> Sequence[Path]:
        RateList.seen.append((table.column_names, list(parameters)))
        rows = [r for r in table.to_pylist() if r["value_name"] == self.params.value_name]
        if not rows:
            return []
        out = path.with_suffix(".txt")
        out.write_text("".join(f"{[r[p] for p in parameters]} {r['sheet_name']} {r['value']}\n"
                               for r in rows))
        return [out]


class Broken(SearchPlot):
    def draw(self, table: pa.Table, parameters: Sequence[str], path: Path) -> Sequence[Path]:
        raise ZeroDivisionError("no rates")


def _register(manager: PluginManager) -> None:
    register_components(
        manager, "search_plots",
        ComponentSpec(name="RateList", config_cls=RateListParams, factory=RateList,
                      summary="rates of every point as text"),
        ComponentSpec(name="Broken", config_cls=RateListParams, factory=Broken,
                      summary="always fails"))


@pytest.fixture(autouse=True)
def _search_plots() -> Any:
    manager = PluginManager(autoload=False)
    _register(manager)
    with use_plugin_manager(manager):
        yield manager


class TestRateList(SearchPlotContract):
    name = "RateList"
    example_params = {"value_name": "Mean(CV of ISI)"}

    def registry(self) -> Any:
        manager = PluginManager(autoload=False)
        _register(manager)
        return manager.registry


def test_the_example_table_has_the_collated_columns() -> None:
    table = make_search_table()
    assert table.column_names == [COLLATED_COLUMNS[0], *SEARCH_TABLE_PARAMETERS,
                                  *COLLATED_COLUMNS[1:]]
    assert table.num_rows == 6 * 2 * 2 and make_search_table(rows=False).num_rows == 0


def _file(tmp_path: Path, plots: str) -> Path:
    file = tmp_path / "s.yaml"
    file.write_text(f"study: study\nparameters: {{{W}: [0.001, 0.002, 0.003]}}\n"
                    f"resources: {{workers: 1}}\n{plots}")
    return file


def test_plots_are_checked_at_load_with_file_and_line(
        tmp_path: Path, contract_study_dir: Path) -> None:
    file = _file(tmp_path, "plots:\n  - {component: RateList}\n  - {component: RateLst}\n"
                 "  - component: RateList\n    params: {value_nam: x}\n")
    with pytest.raises(ConfigError) as info:
        load_search(file)
    text = str(info.value)
    assert f"{file}:6: plots.1.component: unknown search plot 'RateLst'" in text
    assert "installed search plots: Broken, RateList" in text and "Did you mean 'RateList'" in text
    assert f"{file}:8: plots.2.params.value_nam: unknown key(s) value_nam" in text
    with pytest.raises(ConfigError, match=r"s\.yaml:4: plots: expected a list"):
        load_search(_file(tmp_path, "plots: {component: RateList}\n"))


def _synthetic_point(master: Path, point_id: int, rate_hz: float) -> None:
    with DataStore.create(point_dir(master, point_id), {"config": {"name": "x"}}) as store:
        store.add_analysis_result(SingleValue(
            analysis_algorithm="PopulationMean", sheet_name="exc", value=rate_hz,
            value_name="Mean(Firing rate)", value_units=pq_units.Hz))
    write_status(master, point_id, "done")


def test_plot_search_draws_from_the_collated_table(
        tmp_path: Path, contract_study_dir: Path) -> None:
    search = load_search(_file(tmp_path, "plots:\n  - {component: RateList}\n"))
    master = tmp_path / "m"
    save_definition(search, master)
    for i in range(2):
        _synthetic_point(master, i, 10.0 * (i + 1))
    refresh_index(master)
    RateList.seen.clear()
    files = plot_search(master)
    assert files == [master / "figures" / "00_RateList.txt"]
    assert files[0].read_text() == "[0.001] exc 10.0\n[0.002] exc 20.0\n"
    assert RateList.seen == [([COLLATED_COLUMNS[0], W, *COLLATED_COLUMNS[1:]], [W])]
    assert (master / "collated.parquet").is_file(), "drawing collates first"


def test_changed_plots_are_recorded_and_a_failing_plot_is_named(tmp_path: Path,
                                                                 contract_study_dir: Path) -> None:
    master = tmp_path / "m"
    run_own(load_search(_file(tmp_path, "")), master)
    assert load_master(master).plots == ()
    assert plot_search(master) == []
    # same points, other plots: the same search, and the copy records the plots
    assert run_own(load_search(_file(tmp_path, "plots: [{component: Broken}]\n")),
                      master).ran == ()
    assert load_master(master).plots == ({"component": "Broken"},)
    with pytest.raises(AnalysisError) as info:
        plot_search(master)
    text = str(info.value)
    assert "plots.0 (Broken, from mozaik-toy) failed: ZeroDivisionError: no rates" in text
    assert f"mozaik search plot {master}" in text
    # an entry made unknown in the copy is named with the copy's file and line
    definition = master / "search.yaml"
    data = yaml.safe_load(definition.read_text())
    data["plots"] = [{"component": "Gone"}]
    definition.write_text(yaml.safe_dump(data, sort_keys=True))
    with pytest.raises(ConfigError, match=rf"{definition}:\d+: plots.0.component: unknown"):
        plot_search(master)


def test_cli_plot_status_point_and_resume_of_a_missing_point(tmp_path: Path,
                                                             contract_study_dir: Path) -> None:
    file = _file(tmp_path, "plots: [{component: RateList, params: {value_name: none}}]\n")
    runner = CliRunner()
    master = tmp_path / "m"
    done = runner.invoke(cli, ["search", "run", str(file), "--out", str(master)])
    assert done.exit_code == 0, done.output
    assert "ran 3 point(s); 3 of 3 done" in done.output
    assert "figures: nothing to draw" in done.output, "no such value: the plot draws nothing"
    drawn = runner.invoke(cli, ["search", "plot", str(master)])
    assert drawn.exit_code == 0 and "figures: nothing to draw" in drawn.output

    # a point whose run directory and status vanished is missing: a plain run reruns it alone
    import shutil

    shutil.rmtree(point_dir(master, 1))
    (master / "status" / "p00001.json").unlink()
    assert refresh_index(master)["status"].to_pylist() == ["done", "missing", "done"]
    again = runner.invoke(cli, ["search", "run", str(file), "--out", str(master)])
    assert "ran 1 point(s); 3 of 3 done" in again.output, again.output

    # a backend's note: its first line is the error, the rest goes to the log tail
    write_status(master, 2, "failed", error="boom\nsecond line", log_tail="Traceback ...")
    (master / "status" / "p00000.json").unlink()
    refresh_index(master, notes={0: "Slurm task 7_0 ended TIMEOUT: time limit\nslurm/7_0.out:"
                                    "\n*** DUE TO TIME LIMIT ***"})
    row = read_index(master).to_pylist()[0]
    assert (row["status"], row["error"]) == ("failed", "Slurm task 7_0 ended TIMEOUT: time limit")
    assert row["log_tail"].startswith("slurm/7_0.out:\n*** DUE TO TIME LIMIT ***")
    status = runner.invoke(cli, ["search", "status", str(master)])
    lines = status.output.splitlines()
    assert lines[0] == (f"p00000 failed     {W}=0.001  Slurm task 7_0 ended TIMEOUT: "
                        "time limit")
    assert lines[2] == f"p00002 failed     {W}=0.003  boom"
    assert "--point ID" in lines[-1]
    one = runner.invoke(cli, ["search", "status", str(master), "--point", "0"])
    assert one.exit_code == 0, one.output
    assert f"{W} = 0.001" in one.output and "*** DUE TO TIME LIMIT ***" in one.output
    bad = runner.invoke(cli, ["search", "status", str(master), "--point", "3"])
    assert bad.exit_code == 2 and "points 0 to 2" in bad.output
