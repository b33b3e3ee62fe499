"""Draw the figures of ``docs/signals.md`` from a small Vogels & Abbott run.

Usage::

    mozaik run examples/vogels_abbott2005 $(tests' SMALL overrides, see tests/test_lfp_nest.py) \
        --out /tmp/va
    python docs/figures/signals_figures.py /tmp/va

Writes ``signals_lfp_array.png`` and ``signals_spectrum.png`` beside this script.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from mozaik.datastore import DataStore, param_filter_query
from mozaik_analysis import (
    ElectrodeLFP,
    ElectrodeLFPParams,
    PowerSpectrum,
    PowerSpectrumParams,
)
from mozaik_plot import LFPArrayParams, LFPArrayPlot, SpectrumParams, SpectrumPlot

HERE = Path(__file__).resolve().parent


def main(run_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "run"
        shutil.copytree(run_dir, copy)
        with DataStore.open(copy, mode="a") as store:
            lfp = ElectrodeLFP(ElectrodeLFPParams(sheet_names=["exc"], grid_shape=(2, 2),
                                                  spacing_um=400.0)).run(store.full_view())
            for r in lfp:
                store.add_analysis_result(r, replace=True)
            view = param_filter_query(store.full_view(), st_protocol="NoStimulation")
            for r in PowerSpectrum(PowerSpectrumParams(frequency_resolution_hz=8.0)).run(view):
                store.add_analysis_result(r, replace=True)
            view = param_filter_query(store.full_view(), st_protocol="NoStimulation")
            for plot, name in ((LFPArrayPlot(LFPArrayParams(size_in=(6.0, 6.0))), "lfp_array"),
                               (SpectrumPlot(SpectrumParams(ncols=1, size_in=(5.0, 3.5))),
                                "spectrum")):
                files = plot.draw(view, Path(tmp) / f"{name}.png")
                png = next(f for f in files if f.suffix == ".png")
                shutil.copy(png, HERE / f"signals_{name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
