"""RasterPlot and OverviewPlot on real tiny stores: panels, labels with units, titles, files."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from mozaik.datastore import DataStore, param_filter_query
from mozaik.testing import TINY_STORE
from mozaik_plot import (
    COLORS,
    OverviewParams,
    OverviewPlot,
    PlotParameterError,
    RasterParams,
    RasterPlot,
)
from mozaik_plot._data import stimulus_spikes


def _titles(figure: plt.Figure) -> list[str]:
    return [ax.get_title() for ax in figure.axes]


def test_raster_has_one_panel_per_sheet_and_stimulus(tiny_store: DataStore) -> None:
    figure = RasterPlot(RasterParams()).figure(tiny_store)
    try:
        n_stimuli = len(TINY_STORE.stimuli)
        assert len(figure.axes) == len(TINY_STORE.sheets) * n_stimuli
        assert figure.get_suptitle() == "Spike rasters"
        titles = _titles(figure)
        assert sum(t.startswith("exc: TinyGrating") for t in titles) == 2
        assert sum(t.startswith("inh: TinyFlash") for t in titles) == 1
        for ax in figure.axes:
            assert ax.get_xlabel() == "time (ms)"
            assert ax.get_ylabel() == "neuron x trial"
        exc, inh = figure.axes[0], figure.axes[1]  # row-major: exc and inh of stimulus 0
        assert to_hex(exc.lines[0].get_color()) == COLORS["excitatory"]
        assert to_hex(inh.lines[0].get_color()) == COLORS["inhibitory"]
        # one row per neuron and trial; every spike of the first grating drawn once
        assert exc.get_ylim() == (-0.5, TINY_STORE.sheets["exc"] * TINY_STORE.trials - 0.5)
        spikes = tiny_store.spike_arrays("exc")
        seg = tiny_store.segment_index.to_pylist()
        first = {r["segment_id"] for r in seg if r["sheet_name"] == "exc" and not r["is_null"]
                 and "orientation\":0.0" in r["stimulus_id"]}
        assert len(exc.lines[0].get_xdata()) == int(np.isin(spikes.segment_id, list(first)).sum())
        assert min(exc.lines[0].get_xdata()) >= 0.0 and max(exc.lines[0].get_xdata()) < 200.0
    finally:
        plt.close(figure)


def test_raster_trial_grouping_and_psth(tiny_store: DataStore) -> None:
    params = RasterParams(sheets=("exc",), psth=True, bin_ms=20.0, group_by="trial",
                          max_stimuli=1)
    figure = RasterPlot(params).figure(tiny_store)
    try:
        raster, psth = figure.axes
        assert raster.get_ylabel() == "trial\nx neuron" and raster.get_xlabel() == ""
        rows = np.asarray(raster.lines[0].get_ydata())
        n = TINY_STORE.sheets["exc"]
        assert set(rows // n) == {0, 1}  # blocks of trials
        assert psth.get_ylabel() == "rate (Hz)" and psth.get_xlabel() == "time (ms)"
        (bars,) = psth.patches
        assert len(bars.get_path().vertices) > 200 / 20  # ten bins of 20 ms
    finally:
        plt.close(figure)


def test_overview_rows_are_raster_conductances_vm(tiny_store: DataStore) -> None:
    figure = OverviewPlot(OverviewParams(sheet="exc")).figure(tiny_store)
    try:
        assert len(figure.axes) == 3 * len(TINY_STORE.stimuli)
        assert figure.get_suptitle() == "Overview of sheet exc, neuron 0"
        ylabels = [ax.get_ylabel() for ax in figure.axes]
        assert ylabels.count("conductance (uS)") == 3 and ylabels.count("Vm (mV)") == 3
        vm = next(ax for ax in figure.axes if ax.get_ylabel() == "Vm (mV)")
        # two single trials pale, their mean bold
        widths = sorted(line.get_linewidth() for line in vm.lines)
        assert len(widths) == TINY_STORE.trials + 1 and widths[-1] > 2 * widths[0]
        assert vm.lines[0].get_alpha() < 1.0
        g = next(ax for ax in figure.axes if ax.get_ylabel() == "conductance (uS)")
        assert to_hex(g.lines[0].get_color()) == COLORS["excitatory"]
    finally:
        plt.close(figure)


def test_overview_raster_of_the_drawn_neuron_one_row_per_trial(tiny_store: DataStore) -> None:
    params = OverviewParams(sheet="exc", neuron=1, max_stimuli=1, raster="neuron")
    figure = OverviewPlot(params).figure(tiny_store)
    try:
        raster = figure.axes[0]
        assert raster.get_ylabel() == "trial"
        spikes = stimulus_spikes(tiny_store, "exc")[0]
        mine = spikes.neuron == 1
        assert mine.any() and not mine.all()  # the other neurons' spikes are left out
        np.testing.assert_array_equal(np.sort(raster.lines[0].get_xdata()),
                                      np.sort(spikes.time_ms[mine]))
        np.testing.assert_array_equal(np.unique(raster.lines[0].get_ydata()),
                                      np.unique(spikes.trial_index[mine]))
    finally:
        plt.close(figure)


def test_overview_of_a_sheet_without_conductances(tiny_store: DataStore) -> None:
    figure = OverviewPlot(OverviewParams(sheet="inh", max_stimuli=2)).figure(tiny_store)
    try:
        assert [ax.get_ylabel() for ax in figure.axes].count("Vm (mV)") == 2
        assert len(figure.axes) == 4
    finally:
        plt.close(figure)


def test_draw_writes_png_svg_and_sidecar(tiny_store: DataStore, figures: Path) -> None:
    params = RasterParams(query={"sheet_name": "exc"}, overrides={"*.raster.marker_size": 5})
    files = RasterPlot(params).draw(tiny_store, figures / "01_RasterPlot.png")
    assert [f.name for f in files] == ["01_RasterPlot.png", "01_RasterPlot.svg",
                                       "01_RasterPlot.json"]
    assert files[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in files[1].read_bytes()[:400]
    record = json.loads(files[2].read_text())
    assert record["plot"] == "RasterPlot" and record["query"] == {"sheet_name": "exc"}
    assert record["params"]["overrides"] == {"*.raster.marker_size": 5}
    assert len(record["axes"]) == len(TINY_STORE.stimuli)  # the query kept one sheet
    assert all(a["title"].startswith("exc:") for a in record["axes"])


def test_overrides_reach_nodes_by_dotted_path(tiny_store: DataStore) -> None:
    params = RasterParams(overrides={"*.raster.marker_size": 7.0, "exc_1.raster.title": "B"})
    figure = RasterPlot(params).figure(tiny_store)
    try:
        assert {line.get_markersize() for ax in figure.axes for line in ax.lines} == {7.0}
        assert "B" in _titles(figure)
    finally:
        plt.close(figure)
    bad = RasterPlot(RasterParams(overrides={"exc_0.rastr.marker_size": 1}))
    with pytest.raises(PlotParameterError, match=r"exc_0 has no part 'rastr'; its parts: "
                                                 r"raster"):
        bad.figure(tiny_store)


def test_drawing_is_deterministic(tiny_store: DataStore, tmp_path: Path) -> None:
    plot = OverviewPlot(OverviewParams(max_stimuli=1, max_neurons=4))
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    a = plot.draw(tiny_store, first / "x.png")
    b = plot.draw(tiny_store, second / "x.png")
    for fa, fb in zip(a, b, strict=True):
        assert fa.read_bytes() == fb.read_bytes(), fa.name


def test_pdf_vector_copy(tiny_store: DataStore, figures: Path) -> None:
    params = RasterParams(sheets=("inh",), max_stimuli=1, vector_format="pdf")
    png, pdf, sidecar = RasterPlot(params).draw(tiny_store, figures / "02_Raster.png")
    assert pdf.suffix == ".pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    assert json.loads(sidecar.read_text())["files"] == ["02_Raster.png", "02_Raster.pdf"]


@pytest.mark.nest
def test_overview_of_a_nest_run_whose_first_experiment_has_two_trials(tmp_path: Path) -> None:
    """Every trial of a stimulus holds as many Vm samples as the first (issue 18: the first
    trial had one more, and the plot failed on "traces of 'v' have different lengths")."""
    from mozaik.controller import run_study
    from mozaik.study import load_study

    example = Path(__file__).resolve().parents[2] / "examples" / "vogels_abbott2005"
    study = load_study(example / "study.yaml", [
        "sheets.exc.params.placement.n_neurons=80", "experiments.0.params.num_trials=2",
        "experiments.0.params.duration_ms=40.0", "experiments.0.params.drive_period_ms=20.0",
        "experiments.1.params.duration_ms=20.0", "analyses=[]",
        "plots=[{component: OverviewPlot, params: {sheet: exc, max_stimuli: 2}}]"])
    run_dir = tmp_path / "run"
    run_study(study, run_dir, progress="off")
    with DataStore.open(run_dir) as store:
        assert store.manifest["status"] == "complete"
        assert "failed" not in store.manifest["workflow"]["plots/OverviewPlot"]
        assert (run_dir / "figures" / "00_OverviewPlot.png").is_file()
        kicks = param_filter_query(store, st_protocol="PoissonNetworkKick")
        signals = kicks.analog_arrays("exc", "v")  # both trials: raised before the fix
    # interval 1 ms: 41 samples over each 40 ms trial (both ends), starting at its onset
    assert signals.values.shape[1] == 41 and len(set(signals.segment_id.tolist())) == 2
    assert sorted(set(signals.t_start.tolist())) == [0.0, 40.0]


def test_psth_panel_counts_a_spike_on_an_edge_in_the_bin_ending_there() -> None:
    from mozaik_plot import PsthPanel

    figure, ax = plt.subplots()
    try:
        # one train; spikes exactly at 25, 50 and 100 ms of a 100 ms presentation
        PsthPanel("psth", np.array([25.0, 50.0, 100.0]), 100.0, 1, bin_ms=25.0).draw(ax)
        (bars,) = ax.patches
        # bins (0, 25], (25, 50], (50, 75], (75, 100]: one spike each but the third
        steps = bars.get_data().values
        np.testing.assert_allclose(steps, [40.0, 40.0, 0.0, 40.0])
    finally:
        plt.close(figure)
