"""`mozaik report` on a stranger's run directory: it embeds only the regular files of the run
that its plot steps recorded, never follows a planted link, never hangs on a FIFO."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from mozaik import MozaikError
from mozaik.datastore import DataStore
from mozaik.workflow import FIGURES_DIR, MANIFEST_FIELD
from mozaik_plot import RasterParams, RasterPlot, write_report

SECRET = b"root:$6$secret-hash-of-the-machine"


def _record(store: DataStore, *files: str) -> None:
    store.update_manifest(**{MANIFEST_FIELD: {
        f"plots/P{i}": {"kind": "plot", "files": [f"{FIGURES_DIR}/{f}"]}
        for i, f in enumerate(files)}})


@pytest.fixture
def run(plot_store: DataStore, tmp_path: Path) -> tuple[DataStore, Path]:
    folder = plot_store.root / FIGURES_DIR
    folder.mkdir()
    RasterPlot(RasterParams(max_stimuli=1)).draw(plot_store, folder / "00_RasterPlot.png")
    secret = tmp_path / "shadow"
    secret.write_bytes(SECRET)
    return plot_store, secret


def _embedded(page: str, data: bytes) -> bool:
    return base64.b64encode(data).decode() in page


def test_a_link_planted_as_a_figure_is_not_followed(run) -> None:
    store, secret = run
    os.symlink(secret, store.root / FIGURES_DIR / "01_x.png")
    _record(store, "00_RasterPlot.png", "01_x.png")
    page = write_report(store.root).read_text()
    assert not _embedded(page, SECRET)
    assert "figures/01_x.png is not embedded" in page and "symlink" in page
    assert page.count("<img ") == 1  # the real figure still is


def test_a_link_to_a_file_inside_the_run_is_not_followed_either(run) -> None:
    store, _ = run
    os.symlink(store.root / "manifest.json", store.root / FIGURES_DIR / "01_x.png")
    _record(store, "00_RasterPlot.png", "01_x.png")
    page = write_report(store.root).read_text()
    assert "figures/01_x.png is not embedded" in page and "symbolic link" in page


def test_a_fifo_planted_as_a_figure_does_not_hang_the_report(run) -> None:
    store, _ = run
    os.mkfifo(store.root / FIGURES_DIR / "01_x.png")
    _record(store, "00_RasterPlot.png", "01_x.png")
    page = write_report(store.root).read_text()  # before the fix: blocked forever
    assert "not a regular file" in page


def test_only_recorded_figures_are_embedded(run) -> None:
    store, secret = run
    (store.root / FIGURES_DIR / "99_planted.png").write_bytes(SECRET)
    _record(store, "00_RasterPlot.png", "../../shadow.png")
    page = write_report(store.root).read_text()
    assert not _embedded(page, SECRET)
    assert "99_planted" not in page
    assert "points outside the run directory" in page


def test_a_malformed_sidecar_only_loses_its_caption(run) -> None:
    store, _ = run
    (store.root / FIGURES_DIR / "00_RasterPlot.json").write_text('["not", "a", "record"]')
    _record(store, "00_RasterPlot.png")
    page = write_report(store.root).read_text()
    assert page.count("<img ") == 1


def test_the_report_is_never_written_through_a_link(run, tmp_path: Path) -> None:
    store, secret = run
    os.symlink(secret, store.root / "report.html")
    with pytest.raises(MozaikError, match="symbolic link"):
        write_report(store.root)
    assert secret.read_bytes() == SECRET
