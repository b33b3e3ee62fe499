"""The plots blocks shipped for the examples are valid workflow sections."""

from __future__ import annotations

from pathlib import Path

from mozaik.workflow import load_workflow

ROOT = Path(__file__).resolve().parents[2]


def test_v1_snippet_is_a_workflow_file() -> None:
    analyses, plots = load_workflow(ROOT / "mozaik-plot" / "examples" / "v1_plots.yaml")
    assert analyses == ()
    assert [p.name for p in plots] == ["OverviewPlot", "TuningCurvePlot", "PerNeuronValuePlot",
                                       "PerNeuronValueScatter", "RasterPlot"]


def test_vogels_abbott_plots() -> None:
    _, plots = load_workflow(ROOT / "examples" / "vogels_abbott2005" / "study.yaml")
    assert [p.name for p in plots] == ["RasterPlot", "OverviewPlot", "PerNeuronValuePlot",
                                       "PerNeuronValuePlot"]
    assert [p.params.value_name for p in plots[2:]] == ["Firing rate", "CV of ISI"]
