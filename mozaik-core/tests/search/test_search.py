"""mozaik.search: search files, points, the master directory, robustness, collation, CLI.

Everything runs on PyNN's ``mock`` backend (no NEST)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import quantities as pq_units
from click.testing import CliRunner
from mozaik import ConfigError
from mozaik.ads import SingleValue
from mozaik.analysis import Analysis
from mozaik.backends import search_backend
from mozaik.cli._main import cli
from mozaik.datastore import DataStore
from mozaik.search import (
    Search,
    SearchSummary,
    collate_search,
    load_search,
    make_points,
    point_dir,
    query_search,
    read_index,
    refresh_index,
    run_search,
    search_from_mapping,
    write_status,
)
from mozaik.study import load_study


def run_own(search: Search, master: Path, **options: Any) -> SearchSummary:
    """Run ``search`` into ``master`` through its own backend (``backend:``/``resources:``)."""
    return run_search(search, master, search_backend(search), **options)


W = "connectors.exc_inh.params.weight_uS"


def _search(tmp_path: Path, **data: object) -> object:
    return search_from_mapping({"study": "study", **data}, tmp_path, name="t")


def test_grid_is_every_combination_first_path_slowest() -> None:
    names, points = make_points("grid", {"a": [1, 2], "b": ["x", "y", "z"]})
    assert names == ("a", "b")
    assert [(p["a"], p["b"]) for p in points] == [
        (1, "x"), (1, "y"), (1, "z"), (2, "x"), (2, "y"), (2, "z")]


def test_random_is_seeded() -> None:
    spec = {"a": {"low": 0.0, "high": 1.0}, "b": {"choice": [1, 2, 3]}}
    _, first = make_points("random", spec, n_points=5, seed=3)
    _, again = make_points("random", spec, n_points=5, seed=3)
    _, other = make_points("random", spec, n_points=5, seed=4)
    assert first == again and first != other
    assert all(0.0 <= p["a"] < 1.0 and p["b"] in (1, 2, 3) for p in first)


def test_list_points_must_set_the_same_paths() -> None:
    assert make_points("list", {}, points=[{"a": 1}, {"a": 2}])[1] == ({"a": 1}, {"a": 2})
    with pytest.raises(ConfigError, match=r"points\.1: every point must set the same paths"):
        make_points("list", {}, points=[{"a": 1}, {"b": 2}])


def test_an_empty_value_list_is_an_error(tmp_path: Path, contract_study_dir: Path) -> None:
    with pytest.raises(ConfigError, match=rf"parameters: {W}: a grid needs a non-empty list"):
        _search(tmp_path, parameters={W: []})


def test_a_missing_dotted_path_is_named_with_the_nearest(tmp_path: Path,
                                                         contract_study_dir: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _search(tmp_path, parameters={"connectors.exc_inh.params.wieght_uS": [0.1]})
    text = str(info.value)
    assert "'connectors.exc_inh.params.wieght_uS' does not exist" in text
    assert f"nearest existing paths: {W}" in text


def test_a_path_made_by_the_search_s_own_set_may_be_varied(tmp_path: Path,
                                                          contract_study_dir: Path) -> None:
    noise = "sheets.exc.params.background_noise"
    search = _search(tmp_path, set=[f"{noise}={{rate_exc_hz: 100.0, weight_exc_uS: 0.001}}"],
                     parameters={f"{noise}.rate_exc_hz": [200.0, 400.0]})
    rates = [load_study(search.study, search.overrides(i)).sheets["exc"].params
             .background_noise.rate_exc_hz for i in range(2)]
    assert rates == [200.0, 400.0]
    with pytest.raises(ConfigError, match=rf"'{noise}.rate_exc_hz' does not exist"):
        _search(tmp_path, parameters={f"{noise}.rate_exc_hz": [200.0]})


def test_unknown_kind_and_key(tmp_path: Path, contract_study_dir: Path) -> None:
    with pytest.raises(ConfigError, match="kind: must be one of grid, random, list"):
        _search(tmp_path, kind="sobol", parameters={W: [1.0]})
    with pytest.raises(ConfigError, match="unknown key"):
        _search(tmp_path, paramters={W: [1.0]})


def test_overrides_apply_before_refs_so_tied_parameters_follow(tmp_path: Path,
                                                               contract_study_dir: Path) -> None:
    text = (contract_study_dir / "study.yaml").read_text().replace(
        "weight_uS: 0.004", "weight_uS: ref('controller.null_stimulus_period') / 5000.0")
    (contract_study_dir / "study.yaml").write_text(text)
    search = _search(tmp_path, parameters={"controller.null_stimulus_period": [10.0, 30.0]})
    weights = [load_study(search.study, search.overrides(i)).connectors["exc_inh"].params
               for i in range(2)]
    assert [w.weight_uS for w in weights] == pytest.approx([0.002, 0.006])


def test_search_file_paths_are_relative_to_it(tmp_path: Path, contract_study_dir: Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text(f"study: study\nparameters: {{{W}: [0.001, 0.002]}}\n")
    search = load_search(file)
    assert search.name == "s" and search.study == contract_study_dir / "study.yaml"
    assert search.overrides(1) == [f"{W}=0.002"]


def test_failures_resume_corruption_and_nothing_to_do(
        tmp_path: Path, contract_study_dir: Path) -> None:
    # point 1 cannot be built: a negative weight
    search = _search(tmp_path, kind="list", points=[{W: 0.004}, {W: -1.0}, {W: 0.008}],
                     resources={"workers": 1})
    master = tmp_path / "master"
    first = run_own(search, master)
    assert (first.ran, first.done, first.failed) == ((0, 1, 2), 2, 1)
    index = read_index(master).to_pylist()
    assert [r["status"] for r in index] == ["done", "failed", "done"]
    assert "weight_uS" in index[1]["error"] and index[1]["log_tail"]
    assert index[0]["run_dir"] == "points/p00000"
    assert [r[W] for r in index] == [0.004, -1.0, 0.008]

    with pytest.raises(ConfigError, match="1 failed.*--resume"):
        run_own(search, master)
    assert run_own(search, master, resume=True).ran == (1,)

    # a store damaged after the point finished, and a point killed before it finished
    victim = next((point_dir(master, 0) / "spikes").glob("*.parquet"))
    victim.write_bytes(victim.read_bytes()[:20])
    (master / "status" / "p00002.json").unlink()
    states = refresh_index(master)["status"].to_pylist()
    assert states == ["corrupt", "failed", "incomplete"]
    fixed = _search(tmp_path, kind="list", points=[{W: 0.004}, {W: -1.0}, {W: 0.008}],
                    resources={"workers": 1})
    assert run_own(fixed, master, resume=True).ran == (0, 1, 2)
    assert read_index(master)["status"].to_pylist() == ["done", "failed", "done"]


def test_a_master_directory_holds_one_search(tmp_path: Path, contract_study_dir: Path) -> None:
    master = tmp_path / "m"
    run_own(_search(tmp_path, parameters={W: [0.004]}), master)
    again = _search(tmp_path, parameters={W: [0.004]}, resources={"workers": 2})
    assert run_own(again, master).ran == (), "other resources: the same search"
    with pytest.raises(ConfigError, match="holds a different search"):
        run_own(_search(tmp_path, parameters={W: [0.005]}), master)


def _synthetic_point(master: Path, point_id: int, rate_hz: float) -> None:
    with DataStore.create(point_dir(master, point_id), {"config": {"name": "x"}}) as store:
        for sheet in ("exc", "inh"):
            store.add_analysis_result(SingleValue(
                analysis_algorithm="PopulationMean", sheet_name=sheet, value=rate_hz,
                value_name="Mean(Firing rate)", value_units=pq_units.Hz))
    write_status(master, point_id, "done")


def test_collate_one_row_per_point_and_value(tmp_path: Path, contract_study_dir: Path) -> None:
    search = _search(tmp_path, parameters={W: [0.001, 0.002, 0.003]})
    master = tmp_path / "m"
    from mozaik.search._master import save_definition

    save_definition(search, master)
    for i in range(2):
        _synthetic_point(master, i, 10.0 * (i + 1))
    write_status(master, 2, "failed", error="boom")
    refresh_index(master)
    table = collate_search(master)
    assert table.column_names == ["point_id", W, "sheet_name", "analysis_algorithm",
                                  "stimulus_id", "value_name", "value", "value_units"]
    rows = sorted((r["point_id"], r[W], r["sheet_name"], r["value"], r["value_units"])
                  for r in pq.read_table(master / "collated.parquet").to_pylist())
    assert rows == [(0, 0.001, "exc", 10.0, "Hz"), (0, 0.001, "inh", 10.0, "Hz"),
                    (1, 0.002, "exc", 20.0, "Hz"), (1, 0.002, "inh", 20.0, "Hz")]
    joined = query_search(master, sheet_name="inh")
    assert joined["point_id"].to_pylist() == [0, 1]
    assert joined["identifier"].to_pylist() == ["SingleValue"] * 2


def test_cli_run_status_collate_and_bad_input(tmp_path: Path, contract_study_dir: Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text(f"study: study\nparameters: {{{W}: [0.004, 0.006]}}\n"
                    "resources: {workers: 1}\n")
    runner = CliRunner()
    master = tmp_path / "m"
    dry = runner.invoke(cli, ["search", "run", str(file), "--out", str(master), "--dry-run"])
    assert dry.exit_code == 0 and f"point 1: {W}=0.006" in dry.output
    done = runner.invoke(cli, ["search", "run", str(file), "--out", str(master)])
    assert done.exit_code == 0, done.output
    assert "ran 2 point(s); 2 of 2 done" in done.output
    again = runner.invoke(cli, ["search", "run", str(file), "--out", str(master)])
    assert "nothing to do: 2 of 2 points done" in again.output
    status = runner.invoke(cli, ["search", "status", str(master)])
    assert f"p00001 done       {W}=0.006" in status.output
    collated = runner.invoke(cli, ["search", "collate", str(master)])
    assert collated.exit_code == 0 and "collated.parquet: 0 rows" in collated.output
    file.write_text("study: study\nparameters: {connectors.exc_inh.params.weigth_uS: [1]}\n")
    bad = runner.invoke(cli, ["search", "run", str(file)])
    # the message is wrapped at 100 columns after a temporary path of any length
    assert bad.exit_code == 1 and "nearest existing paths" in " ".join(bad.output.split())
    unknown = runner.invoke(cli, ["search", "run", str(file), "--backend", "nosuch"])
    assert unknown.exit_code == 1


def test_nan_and_infinite_values_reach_the_study_as_floats(tmp_path: Path,
                                                           contract_study_dir: Path) -> None:
    """A NaN search value reaches the study as a float (it was written as the string 'NaN'
    and failed as a type error), where the study's own finite-number rule refuses it."""
    import math

    from mozaik.config import apply_overrides, load_tree
    from mozaik.search import make_points

    points = make_points("grid", {W: [float("nan"), 0.004]})
    search = _search(tmp_path, parameters={W: [0.004]})
    overrides = [o for o in search.overrides(0) if not o.startswith(W)]
    item = f"{W}=.nan"
    assert math.isnan(points[1][0][W])
    tree = apply_overrides(load_tree(search.study), [*overrides, item])
    value = tree.data["connectors"]["exc_inh"]["params"]["weight_uS"]
    assert isinstance(value, float) and math.isnan(value)
    file = tmp_path / "s.yaml"
    file.write_text(f"study: study\nparameters: {{{W}: [.nan, 0.004]}}\n"
                    "set: ['controller.null_stimulus_period=20.0']\n")
    with pytest.raises(ConfigError, match=r"expected a finite number .* got nan"):
        load_search(file)


def test_a_nan_or_infinite_value_the_study_refuses_is_named_at_load(
        tmp_path: Path, contract_study_dir: Path) -> None:
    path = "connectors.exc_inh.params.delay_ms"
    file = tmp_path / "s.yaml"
    file.write_text(f"study: study\nparameters: {{{path}: [0.2, .inf]}}\n")
    with pytest.raises(ConfigError) as info:
        load_search(file)
    text = str(info.value)
    assert str(file) in text and f"point 1 ({path}=.inf)" in text
    assert "expected a finite number" in text, "the study's own reason"
    with pytest.raises(ConfigError, match=r"low and high must be finite numbers"):
        make_points("random", {W: {"low": float("nan"), "high": 1.0}}, n_points=2, seed=1)


def test_the_master_copy_keeps_the_order_of_the_parameters(tmp_path: Path,
                                                           contract_study_dir: Path) -> None:
    # issue 18: the copy was written with sorted keys, so a point run from the master copy
    # (a backend worker, --resume) got another point's values when the paths were not sorted
    from mozaik.search import load_master
    from mozaik.search._master import save_definition

    later = "connectors.exc_inh.params.delay_ms"
    search = _search(tmp_path, parameters={W: [0.004, 0.008], later: [0.2, 0.5, 0.7]})
    assert search.parameters == (W, later)
    master = tmp_path / "m"
    save_definition(search, master)
    copied = load_master(master)
    assert copied.parameters == search.parameters
    assert [copied.overrides(i) for i in range(6)] == [search.overrides(i) for i in range(6)]
    swapped = _search(tmp_path, parameters={later: [0.2, 0.5, 0.7], W: [0.004, 0.008]})
    with pytest.raises(ConfigError, match="holds a different search"):
        save_definition(swapped, master)


class _NothingAnalysis(Analysis):
    def __init__(self, params: object) -> None:
        self.params = params

    def run(self, view: object) -> list[object]:
        return []


def test_a_point_stores_the_workflow_it_runs_so_it_resumes_with_it(tmp_path: Path,
                                                                  contract_study_dir: Path) -> None:
    # issue 18: a point's manifest held the study's own analyses, so `mozaik run POINT_DIR`
    # (resuming a killed point) ran those instead of the search's workflow
    import attrs
    from mozaik.controller import study_from_run_dir
    from mozaik.plugin import ComponentSpec, get_plugin_manager
    from mozaik.testing import register_components

    @attrs.frozen
    class NothingParams:
        pass

    register_components(get_plugin_manager(), "analyses", ComponentSpec(
        name="Nothing", config_cls=NothingParams, factory=_NothingAnalysis))
    (tmp_path / "workflow.yaml").write_text("analyses:\n  - {component: Nothing}\n")
    master = tmp_path / "m"
    run_own(_search(tmp_path, parameters={W: [0.004]}, workflow="workflow.yaml"), master)
    run_dir = point_dir(master, 0)
    # points run in child processes, which do not see this process's registrations: run the
    # point here, as a child does
    from mozaik.search import run_point

    assert run_point(master, 0) == "done"
    with DataStore.open(run_dir) as store:
        config = store.manifest["config"]
    assert [a["component"] for a in config["analyses"]] == ["Nothing"]
    assert config["plots"] == []
    assert [e.name for e in study_from_run_dir(run_dir).analyses] == ["Nothing"]


def test_a_search_varies_one_seed_stream_the_study_does_not_set(tmp_path: Path,
                                                                contract_study_dir: Path) -> None:
    search = _search(tmp_path, parameters={"simulator.simulation_seed": [1, 2, 3]})
    seeds = [load_study(search.study, search.overrides(i)).simulator.seeds for i in range(3)]
    assert [s["simulation"] for s in seeds] == [1, 2, 3]
    assert {s["model"] for s in seeds} == {11}, "the network stays the study's"


def test_collation_aggregates_over_a_seed_stream(tmp_path: Path, contract_study_dir: Path) -> None:
    from mozaik.search import aggregate_over
    from mozaik.search._master import save_definition

    seed = "simulator.simulation_seed"
    search = _search(tmp_path, parameters={W: [0.001, 0.002], seed: [1, 2, 3]})
    master = tmp_path / "m"
    save_definition(search, master)
    for i, point in enumerate(search.points):  # rate = 1000 w + seed
        _synthetic_point(master, i, 1000.0 * point[W] + point[seed])
    refresh_index(master)
    table = aggregate_over(collate_search(master), seed)
    rows = sorted((r[W], r["sheet_name"], r["value_mean"], r["value_std"], r["value_count"])
                  for r in table.to_pylist())
    assert rows == [(0.001, "exc", 3.0, 1.0, 3), (0.001, "inh", 3.0, 1.0, 3),
                    (0.002, "exc", 4.0, 1.0, 3), (0.002, "inh", 4.0, 1.0, 3)]
    with pytest.raises(ConfigError, match=r"over 'seed': the search does not vary it"):
        aggregate_over(collate_search(master), "seed")
