"""The optimisation plots (history, parameter importances, Pareto front) of an optimising
search, drawn from a collated search table (point i = trial i)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from mozaik import ConfigError
from mozaik.testing import SEARCH_TABLE_PARAMETERS, SearchPlotContract, make_search_table
from mozaik_plot import (
    OptimisationHistoryPlot,
    OptimisationObjective,
    OptimisationPlotParams,
    ParameterImportancePlot,
    ParetoFrontPlot,
    objective_columns,
)

RATE = {"value": "Mean(Firing rate)", "sheet": "exc", "target": 100.0}
CV = {"value": "Mean(CV of ISI)", "sheet": "exc", "direction": "maximize"}


def _params(*objectives: dict[str, Any]) -> OptimisationPlotParams:
    return OptimisationPlotParams(objectives=tuple(OptimisationObjective(**o)
                                                   for o in objectives))


class TestOptimisationHistoryPlot(SearchPlotContract):
    name = "OptimisationHistoryPlot"
    example_params: ClassVar[dict[str, Any]] = {"objectives": [RATE]}


class TestParameterImportancePlot(SearchPlotContract):
    name = "ParameterImportancePlot"
    example_params: ClassVar[dict[str, Any]] = {"objectives": [RATE]}


class TestParetoFrontPlot(SearchPlotContract):
    name = "ParetoFrontPlot"
    example_params: ClassVar[dict[str, Any]] = {"objectives": [RATE, CV]}


def test_objectives_are_computed_as_the_search_does() -> None:
    values = objective_columns(make_search_table(), _params(RATE).objectives)
    # point 0: w_exc 0.002, w_inh 0.03: rate 1000 * 0.002 / 0.03 = 66.7 Hz
    assert sorted(values) == list(range(6))
    assert values[0][0] == pytest.approx((1000.0 * 0.002 / 0.03 - 100.0) ** 2)


def test_history_has_the_best_so_far(tmp_path: Path) -> None:
    files = OptimisationHistoryPlot(_params(RATE)).draw(
        make_search_table(), SEARCH_TABLE_PARAMETERS, tmp_path / "h.png")
    record = json.loads(next(f for f in files if f.suffix == ".json").read_text())
    best = record["best"]
    assert best == sorted(best, reverse=True) and best[-1] == min(record["objective"])


def test_importances_favour_the_parameter_that_matters(tmp_path: Path) -> None:
    # the CV of ISI depends only on the excitatory weight
    files = ParameterImportancePlot(_params(CV)).draw(
        make_search_table(), SEARCH_TABLE_PARAMETERS, tmp_path / "i.png")
    importances = json.loads(next(f for f in files if f.suffix == ".json").read_text())[
        "importances"]
    assert importances[SEARCH_TABLE_PARAMETERS[0]] > importances[SEARCH_TABLE_PARAMETERS[1]]


def test_pareto_front_is_the_non_dominated_trials(tmp_path: Path) -> None:
    files = ParetoFrontPlot(_params(RATE, CV)).draw(
        make_search_table(), SEARCH_TABLE_PARAMETERS, tmp_path / "p.png")
    front = json.loads(next(f for f in files if f.suffix == ".json").read_text())["front"]
    # points 4, 5 (w_exc 0.006) have the highest CV; point 4's rate (200 Hz) is farther from
    # 100 Hz than point 5's (100 Hz): 5 dominates 4
    assert 5 in front and 4 not in front


def test_an_objective_the_search_lacks_lists_the_available() -> None:
    with pytest.raises(ConfigError, match=r"no SingleValue 'Mean\(rate\)'.*available: "
                       r"Mean\(CV of ISI\) \(sheet exc\)"):
        objective_columns(make_search_table(), _params({"value": "Mean(rate)",
                                                        "target": 1.0}).objectives)


def test_the_pareto_front_needs_two_objectives(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ParetoFrontPlot needs 2, got 1"):
        ParetoFrontPlot(_params(RATE)).draw(make_search_table(), SEARCH_TABLE_PARAMETERS,
                                            tmp_path / "p.png")
