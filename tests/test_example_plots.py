"""The examples' plots sections load as workflow sections."""

from __future__ import annotations

from pathlib import Path

from mozaik.workflow import load_workflow

ROOT = Path(__file__).resolve().parents[1]


def test_v1_plots() -> None:
    _, plots = load_workflow(ROOT / "examples" / "v1_pushpull" / "study.yaml")
    assert [p.name for p in plots] == ["OverviewPlot", "TuningCurvePlot", "PerNeuronValuePlot",
                                       "PerNeuronValueScatter", "RasterPlot"]


def test_vogels_abbott_plots() -> None:
    _, plots = load_workflow(ROOT / "examples" / "vogels_abbott2005" / "study.yaml")
    assert [p.name for p in plots] == ["RasterPlot", "OverviewPlot", "PerNeuronValuePlot",
                                       "PerNeuronValuePlot"]
    assert [p.params.value_name for p in plots[2:]] == ["Firing rate", "CV of ISI"]


def test_v1_figure_study_plots() -> None:
    """The seed's Figure 4 (overview) and Figure 5 (size, contrast), each on its own stimuli."""
    _, plots = load_workflow(ROOT / "examples" / "v1_pushpull" / "figures.yaml")
    assert [p.name for p in plots] == ["OverviewPlot", "TuningCurvePlot", "TuningCurvePlot"]
    assert [p.params.parameter for p in plots[1:]] == ["radius_deg", "contrast_pct"]
