"""Image regression of two figures against committed reference PNGs (Agg, DejaVu Sans, 100 dpi).

Regenerate the references after a deliberate change of the look with
``MOZAIK_PLOT_REGENERATE=1 pytest mozaik-plot/tests/test_images.py`` and look at them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images
from mozaik.datastore import DataStore
from mozaik_plot import (
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
from plot_helpers import make_plot_store

BASELINE = Path(__file__).resolve().parent / "baseline"
#: RMS difference allowed (0-255 grey levels): font hinting may differ a little across builds.
TOLERANCE = 6.0

FIGURES = {
    "raster_psth": RasterPlot(RasterParams(sheets=("exc",), max_stimuli=2, psth=True,
                                           size_in=(5.0, 4.6))),
    "rate_histograms": PerNeuronValuePlot(PerNeuronValueParams(
        value_name="Firing rate", size_in=(5.0, 2.6), ncols=2, bins=6)),
}

#: The standard figures of a study, drawn from the plot store (per-trial rates, 3 trials).
STANDARD = {
    "overview": OverviewPlot(OverviewParams(max_stimuli=2, size_in=(6.0, 5.0))),
    "tuning_curves": TuningCurvePlot(TuningCurveParams(
        parameter="orientation", neurons=(0, 1), sheet="exc", size_in=(6.0, 2.8))),
    "preference_scatter": PerNeuronValueScatter(ScatterParams(
        x_value="orientation_preference", y_value="orientation preference")),
}


def _compare(png: Path, name: str) -> None:
    reference = BASELINE / f"{name}.png"
    if os.environ.get("MOZAIK_PLOT_REGENERATE"):
        shutil.copyfile(png, reference)
    assert reference.is_file(), f"no reference image {reference}; see this module's docstring"
    problem = compare_images(str(reference), str(png), tol=TOLERANCE)
    assert problem is None, problem


def test_standard_figures_match_their_references(tmp_path: Path, figures: Path) -> None:
    store = make_plot_store(tmp_path / "run")
    try:
        for name, plot in STANDARD.items():
            png, *_ = plot.draw(store, figures / f"{name}.png")
            _compare(png, name)
    finally:
        store.close()


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_matches_reference(name: str, tiny_store: DataStore, figures: Path) -> None:
    png, *_ = FIGURES[name].draw(tiny_store, figures / f"{name}.png")
    _compare(png, name)
