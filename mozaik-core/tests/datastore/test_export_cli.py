from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from mozaik._errors import DataStoreError
from mozaik.cli._show import show
from mozaik.datastore import DataStore, export_nix, export_view, param_filter_query
from neo.io import NixIO


def test_export_view_to_nix_and_read_back(filled, tmp_path) -> None:
    run, _ = filled
    store = DataStore.open(run)
    view = param_filter_query(store, sheet_name="V1_Exc_L4", st_orientation=0.0)
    out = export_nix(view, tmp_path / "v.nix")
    io = NixIO(str(out), mode="ro")
    try:
        (block,) = io.read_all_blocks()
    finally:
        io.close()
    assert len(block.segments) == 4  # 2 trials, real + blank
    originals = {s.annotations["segment_id"]: s for s in view.get_segments()}
    for seg in block.segments:
        assert seg.annotations["sheet_name"] == "V1_Exc_L4"
        ref = originals.get(seg.annotations["segment_id"])
        if ref is None:
            assert seg.annotations["is_null"]
            continue
        for st, rst in zip(seg.spiketrains, ref.spiketrains, strict=True):
            np.testing.assert_allclose(st.rescale("ms").magnitude, rst.magnitude)
            assert st.annotations["source_index"] == rst.annotations["source_index"]
        assert {a.name for a in seg.analogsignals} == {"v", "gsyn_exc"}
    assert "mozaik_manifest" in block.annotations
    with pytest.raises(DataStoreError, match="already exists"):
        export_nix(view, out)


def test_export_view_points_other_formats_to_the_exporters(filled, tmp_path) -> None:
    store = DataStore.open(filled[0])
    with pytest.raises(DataStoreError, match=r"NIX only.*mozaik export RUN --format mat"):
        export_view(store, tmp_path / "x", format="mat")
    with pytest.raises(DataStoreError, match=r"mozaik.export.export\(view, path, format='nwb'"):
        export_view(store, tmp_path / "x.nwb", format="nwb")


def test_show_summary_and_filters(filled) -> None:
    run, _ = filled
    runner = CliRunner()
    res = runner.invoke(show, [str(run)])
    assert res.exit_code == 0, res.output
    out = res.output
    for text in (
        "V1_Exc_L4: 6 neurons",
        "V1_Inh_L2/3: 3 neurons",
        "orientation_preference",
        "Stimuli (6, one line each",
        "FullfieldDriftingSinusoidalGrating: 1 presentation(s), trials 1; contrast=100, "
        "duration_ms=50.0, orientation=0.7853981633974483, trial=1",
        "6 segments (+6 blank)",
        "PerNeuronValue from TrialAveragedFiringRate",
        "Analysis results: 7",
        "Simulator     : mock",
    ):
        assert text in out, out
    res = runner.invoke(
        show, [str(run), "--sheet", "V1_Inh_L2/3", "-f", "st_orientation=[0.0]", "--no-ads"]
    )
    assert res.exit_code == 0, res.output
    assert "V1_Exc_L4" not in res.output.split("Sheets:")[1]
    assert "2 segments (+2 blank)" in res.output and "Analysis results" not in res.output


def test_show_bad_input_raises_mozaik_errors(tmp_path, filled) -> None:
    (tmp_path / "empty").mkdir()  # (tmp_path itself holds a run: show lists it)
    res = CliRunner().invoke(show, [str(tmp_path / "empty")])
    assert isinstance(res.exception, DataStoreError)
    res = CliRunner().invoke(show, [str(filled[0]), "-f", "no_equals_sign"])
    assert isinstance(res.exception, DataStoreError) and "KEY=VALUE" in str(res.exception)
