"""The shipped optimising search (examples/vogels_abbott2005_search/fit.yaml): a fit of the
Vogels & Abbott network (500 neurons driven by Poisson input, 400 ms a trial) to a mean
excitatory rate of 10 Hz with CV of ISI >= 0.8, with Optuna's TPE (seed 1). On NEST, its first
:data:`CI_TRIALS` trials (batches of 2) through the ``mozaik`` CLI: a trial reaches the target
of the docs' worked fit (within 2 Hz of 10 Hz, CV >= 0.8), every trial is a normal point, the
objective is told from the point's own SingleValue, the history and importance figures are
drawn and ``mozaik search status`` shows the best trial. The whole 30-trial fit is measured by
benchmarks/hpc/bench_fit.py (figures in benchmarks/hpc/README.md). Needs every distribution
and the ``optimise`` extra (Optuna)."""

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

#: Trials run here: the first trial within 2 Hz of 10 Hz with CV of ISI >= 0.8 is trial 1 (the
#: 2nd, measured: benchmarks/hpc/README.md); one more batch of 2 is the margin.
CI_TRIALS = 4


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
def test_the_example_fit_reaches_its_target_on_nest(tmp_path: Path) -> None:
    data = yaml.safe_load(FIT.read_text())
    data.update(study=str(FIT.parent.parent / "vogels_abbott2005"), n_trials=CI_TRIALS,
                workflow=str(FIT.parent / "fit_analyses.yaml"))
    file = tmp_path / "fit.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    master = tmp_path / "va_fit"
    out = _mozaik("search", "run", str(file), "--out", str(master))
    assert f"ran {CI_TRIALS} point(s); {CI_TRIALS} of {CI_TRIALS} done, 0 failed" in out, out
    assert read_index(master)["status"].to_pylist() == ["done"] * CI_TRIALS
    trials = trial_table(master).to_pylist()
    assert [t["state"] for t in trials] == ["COMPLETE"] * CI_TRIALS
    reached = [t["trial"] for t in trials if abs(t["value_0"] - 10.0) <= 2.0 and t["feasible"]]
    assert reached, "no trial within 2 Hz of 10 Hz with CV of ISI >= 0.8: " + ", ".join(
        f"trial {t['trial']}: {t['value_0']:.2f} Hz, feasible {t['feasible']}" for t in trials)
    rates = {r["point_id"]: r["value"] for r in pq.read_table(master / "collated.parquet")
             .to_pylist() if r["value_name"] == "Mean(Firing rate)" and r["sheet_name"] == "exc"}
    for t in trials:
        assert t["value_0"] == pytest.approx(rates[t["trial"]])
        assert t["objective_0"] == pytest.approx((rates[t["trial"]] - 10.0) ** 2)
    figures = master / "figures"
    assert (figures / "00_OptimisationHistoryPlot.png").is_file(), out
    assert (figures / "01_ParameterImportancePlot.png").is_file(), out
    status = _mozaik("search", "status", str(master))
    assert f"{CI_TRIALS} trials, {CI_TRIALS} complete, 0 failed" in status
    assert "best so far: trial" in status
