"""The shipped optimising search (examples/vogels_abbott2005_search/fit.yaml): a fit of the
Vogels & Abbott network's weights to a 10 Hz excitatory rate with Optuna's TPE. On NEST, two
trials (one batch of 2, 500 neurons, 400 ms) through the ``mozaik`` CLI: every trial a normal
point, the objective told from the point's own SingleValue, the history and importance figures
drawn, ``mozaik search status`` showing the best trial. Needs every distribution and the
``optimise`` extra (Optuna)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from mozaik.search import load_search, read_index, trial_table

ROOT = Path(__file__).resolve().parents[1]
FIT = ROOT / "examples" / "vogels_abbott2005_search" / "fit.yaml"
MOZAIK = str(Path(sys.executable).with_name("mozaik"))


def _mozaik(*args: str) -> str:
    done = subprocess.run([MOZAIK, *args], capture_output=True, text=True, timeout=600,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, f"mozaik {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def test_the_example_fit_loads() -> None:
    search = load_search(FIT)
    assert search.kind == "optimise" and search.points == ()
    opt = search.optimisation
    assert opt is not None and opt.sampler == "tpe" and opt.n_trials == 30
    assert [(o.value, o.sheet, o.target) for o in opt.objectives] == [
        ("Mean(Firing rate)", "exc", 10.0)]


@pytest.mark.nest
def test_two_trials_of_the_example_fit_on_nest(tmp_path: Path) -> None:
    data = yaml.safe_load(FIT.read_text())
    data.update(study=str(FIT.parent.parent / "vogels_abbott2005"), n_trials=2,
                workflow=str(FIT.parent / "fit_analyses.yaml"))
    file = tmp_path / "fit.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    master = tmp_path / "va_fit"
    out = _mozaik("search", "run", str(file), "--out", str(master))
    assert "ran 2 point(s); 2 of 2 done, 0 failed" in out, out
    assert read_index(master)["status"].to_pylist() == ["done", "done"]
    trials = trial_table(master).to_pylist()
    assert [t["state"] for t in trials] == ["COMPLETE", "COMPLETE"]
    rates = {r["point_id"]: r["value"] for r in pq.read_table(master / "collated.parquet")
             .to_pylist() if r["value_name"] == "Mean(Firing rate)" and r["sheet_name"] == "exc"}
    for t in trials:
        assert t["value_0"] == pytest.approx(rates[t["trial"]])
        assert t["objective_0"] == pytest.approx((rates[t["trial"]] - 10.0) ** 2)
    figures = master / "figures"
    assert (figures / "00_OptimisationHistoryPlot.png").is_file(), out
    assert (figures / "01_ParameterImportancePlot.png").is_file(), out
    status = _mozaik("search", "status", str(master))
    assert "2 trials, 2 complete, 0 failed" in status and "best so far: trial" in status
