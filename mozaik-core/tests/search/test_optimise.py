"""mozaik.search, optimising searches (kind: optimise): Optuna asked and told batch by batch.

The points are "run" by ``SyntheticBackend`` (tests/support/synthetic_search.py), which stores
SingleValues computed from the parameters: the loop, the journal, resume after ``kill -9``,
failures and bad input are tested in a few seconds. The science test on NEST is in
tests/test_optimise_nest.py (repository root)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from mozaik import ConfigError
from mozaik.cli import cli
from mozaik.search import (
    collate_search,
    load_master,
    read_index,
    run_search,
    search_from_mapping,
    trial_table,
)
from synthetic_search import SyntheticBackend, X, Y

SUPPORT = Path(__file__).resolve().parents[1] / "support"


def _definition(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "study": "study", "kind": "optimise",
        "parameters": {X: {"low": 0.0, "high": 40.0}, Y: {"low": 0.2, "high": 2.0}},
        "objectives": [{"value": "Mean(Firing rate)", "sheet": "exc", "target": 10.0}],
        "constraints": [{"value": "Mean(CV ISI)", "sheet": "exc", "min": 0.8}],
        "sampler": "tpe", "seed": 7, "n_trials": 24, "batch_size": 4}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _search(tmp_path: Path, **changes: Any) -> Any:
    return search_from_mapping(_definition(**changes), tmp_path, name="fit")


def test_an_optimising_search_reaches_its_target(tmp_path: Path, contract_study_dir: Path) -> None:
    backend = SyntheticBackend()
    summary = run_search(_search(tmp_path), tmp_path / "m", backend)
    assert (summary.points, summary.done, summary.failed) == (24, 24, 0)
    assert backend.ran == list(range(24)), "each trial runs once, in batches, in order"
    rows = trial_table(tmp_path / "m").to_pylist()
    assert [r["trial"] for r in rows] == list(range(24))
    good = [r for r in rows if r["feasible"] and abs(r["value_0"] - 10.0) < 2.0]
    assert good, "a feasible trial within 2 Hz of the 10 Hz target"
    # every trial is a normal point: the index and the collation see it
    assert read_index(tmp_path / "m")["status"].to_pylist() == ["done"] * 24
    collated = collate_search(tmp_path / "m")
    assert sorted(set(collated["point_id"].to_pylist())) == list(range(24))
    assert load_master(tmp_path / "m").points[3][X] == rows[3][X]
    # nothing left to do: a second call asks nothing
    assert run_search(_search(tmp_path), tmp_path / "m", backend).ran == ()


@pytest.mark.parametrize("sampler", ["cmaes", "random", "nsgaii"])
def test_each_sampler_runs(tmp_path: Path, contract_study_dir: Path, sampler: str) -> None:
    search = _search(tmp_path, sampler=sampler, n_trials=6, batch_size=3, constraints=[])
    assert run_search(search, tmp_path / "m", SyntheticBackend()).done == 6


def test_several_objectives_and_a_pareto_front(tmp_path: Path, contract_study_dir: Path) -> None:
    search = _search(tmp_path, n_trials=8, sampler=None, objectives=[
        {"value": "Mean(Firing rate)", "sheet": "exc", "target": 10.0},
        {"value": "Mean(CV ISI)", "sheet": "exc", "direction": "maximize"}])
    assert search.optimisation.sampler == "nsgaii"
    run_search(search, tmp_path / "m", SyntheticBackend())
    from mozaik.search import best_trials

    front = best_trials(tmp_path / "m")
    assert front and all(r["state"] == "COMPLETE" for r in front)


_DRIVER = textwrap.dedent("""\
    import sys
    sys.path.insert(0, {support!r})
    from mozaik.search import load_search, run_search
    from synthetic_search import SyntheticBackend
    run_search(load_search({file!r}), {master!r}, SyntheticBackend(), resume=True)
    """)


def test_kill_9_of_the_driver_and_resume_gives_the_same_trials(tmp_path: Path,
                                                               contract_study_dir: Path) -> None:
    import yaml

    file = tmp_path / "fit.yaml"
    file.write_text(yaml.safe_dump(_definition(n_trials=16), sort_keys=False))
    whole = tmp_path / "whole"
    cut = tmp_path / "cut"
    for master, kill in ((whole, None), (cut, "9")):
        env = {**os.environ, **({"KILL_AT": kill} if kill else {})}
        script = _DRIVER.format(support=str(SUPPORT), file=str(file), master=str(master))
        done = subprocess.run([sys.executable, "-c", script], env=env, check=False,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == (-9 if kill else 0), done.stderr
    interrupted = trial_table(cut).to_pylist()
    assert len(interrupted) == 8 and [r["state"] for r in interrupted[8:]] == []
    states = [r["state"] for r in pq.read_table(cut / "trials.parquet").to_pylist()]
    assert states == ["COMPLETE"] * 8, "the batch being run when killed is not in the table"
    backend = SyntheticBackend()
    with pytest.raises(ConfigError, match="asked but never told.*--resume"):
        run_search(_search(tmp_path, n_trials=16), cut, backend)
    run_search(_search(tmp_path, n_trials=16), cut, backend, resume=True)
    assert backend.ran[0] == 9, "point 8 finished before the kill: told, not rerun"
    assert trial_table(cut) == trial_table(whole)


def test_failed_and_runaway_points_are_told_and_the_search_goes_on(
        tmp_path: Path, contract_study_dir: Path) -> None:
    points = [{X: -1.0, Y: 1.0}, {X: 95.0, Y: 1.0}]
    search = _search(tmp_path, parameters={X: {"low": -5.0, "high": 100.0},
                                           Y: {"low": 0.2, "high": 2.0}},
                     n_trials=6, batch_size=2, constraints=[])
    run_search(search, tmp_path / "m", _Enqueue(points))
    rows = trial_table(tmp_path / "m").to_pylist()
    assert [r["state"] for r in rows[:2]] == ["FAIL", "FAIL"]
    assert "weight_uS < 0" in rows[0]["error"] and "runaway" in rows[1]["error"]
    assert [r["state"] for r in rows[2:]] == ["COMPLETE"] * 4, "the search went on"
    penalised = _search(tmp_path, parameters={X: {"low": -5.0, "high": 100.0}}, n_trials=2,
                        batch_size=2, constraints=[], on_failure={"penalty": 1.0e6})
    run_search(penalised, tmp_path / "p", _Enqueue(points))
    rows = trial_table(tmp_path / "p").to_pylist()
    assert [(r["state"], r["objective_0"], r["status"]) for r in rows] == [
        ("COMPLETE", 1.0e6, "failed")] * 2
    out = CliRunner().invoke(cli, ["search", "status", str(tmp_path / "m")])
    assert out.exit_code == 0, out.output
    assert "best so far: trial" in out.output and "history:" in out.output
    assert "runaway" in out.output


class _Enqueue(SyntheticBackend):
    """Replaces the first points asked with ``points`` (a failing one, a runaway one)."""

    def __init__(self, points: list[dict[str, float]]) -> None:
        super().__init__()
        self.points = points

    def run_search(self, search: Any, master_dir: Path, point_ids: Any,
                   options: Any = None) -> dict[int, str]:
        import attrs

        replaced = [dict(p) for p in search.points]
        for i, p in enumerate(self.points):
            if i < len(replaced):
                replaced[i].update(p)
        return super().run_search(attrs.evolve(search, points=tuple(replaced)), master_dir,
                                  point_ids, options)


@pytest.mark.parametrize(("changes", "message"), [
    ({"parameters": {X: {"low": 2.0, "high": 1.0}}},
     rf"parameters: {X}: low \(2.0\) must be below high \(1.0\)"),
    ({"parameters": {X: {"low": 0.0, "high": 1.0, "log": True}}},
     rf"parameters: {X}: a log range must be above 0, got low=0.0"),
    ({"sampler": "annealing"}, r"sampler: 'annealing' is not an Optuna sampler; use one of tpe"),
    ({"sampler": "cmaes", "objectives": [{"value": "a", "target": 1.0},
                                         {"value": "b", "direction": "maximize"}]},
     "cmaes optimises one objective"),
    ({"objectives": [{"value": "a"}]}, r"objectives\.0: give either target"),
    ({"on_failure": {"penalty": [1.0, 2.0]}}, r"penalty: one finite number per objective \(1\)"),
    ({"kind": "grid", "parameters": {X: [1.0]}}, "only an optimising search"),
])
def test_bad_input_names_the_key(tmp_path: Path, contract_study_dir: Path, changes: dict[str, Any],
                                 message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _search(tmp_path, **changes)


def test_a_sampler_class_optuna_lacks_is_refused_with_its_samplers(
        tmp_path: Path, contract_study_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"'WarpSampler' is not an Optuna sampler.*GPSampler"):
        run_search(_search(tmp_path, sampler="WarpSampler"), tmp_path / "m", SyntheticBackend())


def test_an_objective_no_analysis_produces_lists_the_available(tmp_path: Path,
                                                               contract_study_dir: Path) -> None:
    search = _search(tmp_path, objectives=[{"value": "Mean(rate)", "sheet": "exc",
                                            "target": 10.0}], n_trials=2, batch_size=1)
    with pytest.raises(ConfigError, match=r"objectives\.0: no analysis of point 0 produces the "
                       r"SingleValue 'Mean\(rate\)' of sheet 'exc'; the available ones are: "
                       r"Mean\(CV ISI\) \(sheet exc\), Mean\(Firing rate\) \(sheet exc\)"):
        run_search(search, tmp_path / "m", SyntheticBackend())
    (row,) = trial_table(tmp_path / "m").to_pylist()
    assert (row["state"], row["status"]) == ("FAIL", "failed")
    assert "no analysis of point 0 produces" in row["error"]


def test_without_optuna_the_extra_is_named(tmp_path: Path, contract_study_dir: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(ConfigError, match=r"needs Optuna.*mozaik-core\[optimise\]"):
        run_search(_search(tmp_path), tmp_path / "m", SyntheticBackend())


def test_a_resumed_search_whose_file_changed_is_refused_with_the_difference(
        tmp_path: Path, contract_study_dir: Path) -> None:
    run_search(_search(tmp_path, n_trials=2, batch_size=2), tmp_path / "m", SyntheticBackend())
    changed = _search(tmp_path, n_trials=2, batch_size=2,
                      parameters={X: {"low": 0.0, "high": 50.0}, Y: {"low": 0.2, "high": 2.0}})
    with pytest.raises(ConfigError, match=r"holds a different search(.|\n)*- .*high: 40.0"
                       r"(.|\n)*\+ .*high: 50.0"):
        run_search(changed, tmp_path / "m", SyntheticBackend(), resume=True)


def test_an_optimising_search_is_extended_by_raising_n_trials(tmp_path: Path,
                                                              contract_study_dir: Path) -> None:
    backend = SyntheticBackend()
    run_search(_search(tmp_path, n_trials=4), tmp_path / "m", backend)
    run_search(_search(tmp_path, n_trials=8), tmp_path / "m", backend)
    assert backend.ran == list(range(8))
    whole = tmp_path / "whole"
    run_search(_search(tmp_path, n_trials=8), whole, SyntheticBackend())
    assert trial_table(tmp_path / "m") == trial_table(whole)
