"""A plot given a view with nothing it can draw says so and writes no file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from mozaik.datastore import DataStore
from mozaik_plot import (
    ActivityMovie,
    ConnectivityParams,
    ConnectivityPlot,
    MovieParams,
    OverviewParams,
    OverviewPlot,
    PerNeuronValueParams,
    PerNeuronValuePlot,
    PerNeuronValueScatter,
    RasterParams,
    RasterPlot,
    ScatterParams,
    TuningCurveParams,
    TuningCurvePlot,
)

CASES: list[tuple[Any, str]] = [
    (RasterPlot(RasterParams(sheets=("V1",))), "no recorded presentations of sheets ['V1']"),
    (OverviewPlot(OverviewParams(sheet="exc", neuron=11)),
     "no membrane potential 'v' of sheet exc, neuron 11"),
    (PerNeuronValuePlot(PerNeuronValueParams(value_name="F1")), "no PerNeuronValue 'F1'"),
    (PerNeuronValueScatter(ScatterParams(x_value="a", y_value="Firing rate")),
     "no PerNeuronValue 'Firing rate' with a matching 'a'"),
    (TuningCurvePlot(TuningCurveParams(parameter="contrast", neurons=(0,), sheet="exc")),
     "at two or more values of stimulus parameter 'contrast'"),
    (ConnectivityPlot(ConnectivityParams()), "no Connections results in the view: the run "
     "stores its connections when the study says controller: {store_connections: true}"),
    (ActivityMovie(MovieParams(sheet="exc", stimulus=7)), "no presentation 7 of sheet 'exc'"),
]


@pytest.mark.parametrize(("plot", "reason"), CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_nothing_to_draw(plot: Any, reason: str, tiny_store: DataStore, figures: Path,
                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="mozaik_plot"):
        assert list(plot.draw(tiny_store, figures / "01_X.png")) == []
    assert f"{type(plot).__name__}: nothing to draw: " in caplog.text
    assert reason in caplog.text
    assert not any(figures.iterdir())
