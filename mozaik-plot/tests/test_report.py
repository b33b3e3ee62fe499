"""`mozaik report RUN_DIR`: a self-contained HTML page, rendered in headless Chromium."""

from __future__ import annotations

import base64
import contextlib
import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from mozaik.cli import main
from mozaik.datastore import DataStore
from mozaik.workflow import FIGURES_DIR, MANIFEST_FIELD
from mozaik_plot import (
    COLORS,
    ActivityMovie,
    MovieParams,
    OverviewParams,
    OverviewPlot,
    RasterParams,
    RasterPlot,
    write_report,
)
from PIL import Image
from playwright.sync_api import sync_playwright


def _run_with_figures(store: DataStore) -> Path:
    folder = store.root / FIGURES_DIR
    folder.mkdir()
    RasterPlot(RasterParams(max_stimuli=1)).draw(store, folder / "00_RasterPlot.png")
    OverviewPlot(OverviewParams(max_stimuli=1)).draw(store, folder / "01_OverviewPlot.png")
    ActivityMovie(MovieParams(sheet="exc", frame_ms=50.0)).draw(store, folder / "02_Movie.png")
    # as the workflow records what its plot steps wrote (the report shows only those)
    store.update_manifest(**{MANIFEST_FIELD: {
        f"plots/{name}": {"kind": "plot", "files": [f"{FIGURES_DIR}/{file}"]}
        for name, file in (("RasterPlot", "00_RasterPlot.png"),
                           ("OverviewPlot", "01_OverviewPlot.png"),
                           ("ActivityMovie", "02_Movie.gif"))}})
    return store.root


def test_report_holds_run_model_figures_and_values(plot_store: DataStore) -> None:
    root = _run_with_figures(plot_store)
    page = write_report(root).read_text()
    assert page.startswith("<!DOCTYPE html>")
    images = re.findall(r'<img alt="([^"]+)" src="data:(image/\w+);base64,([^"]+)"', page)
    assert [(a, t) for a, t, _ in images] == [
        ("00_RasterPlot", "image/png"), ("01_OverviewPlot", "image/png"),
        ("02_Movie", "image/gif")]
    assert base64.b64decode(images[0][2]) == (root / FIGURES_DIR / "00_RasterPlot.png"
                                              ).read_bytes()
    assert "src=\"http" not in page and "src=\"file" not in page  # self-contained
    text = html.unescape(page)
    for expected in ("<td>exc</td><td>16</td>", "<td>inh</td><td>4</td>",
                     "<td>Mean(Firing rate)</td><td>12.5</td><td>Hz</td>",
                     "<td>mozaik-plot</td>", "TinyGrating",
                     "<td>exc_exc</td><td></td><td>exc</td><td>exc</td><td>"):
        assert expected in text, expected
    # captions say what each figure shows (not "query {}")
    assert "00_RasterPlot.png</b> &mdash; Spikes of sheet(s) exc, inh (columns)" in page
    assert "query <code>{}</code>" not in text


def test_report_command_of_the_cli(plot_store: DataStore, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.html"
    with pytest.raises(SystemExit) as done:
        main(["report", str(plot_store.root), "-o", str(out)])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert "No figures in" in out.read_text()


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """``path`` read-only as the OS enforces it: a read-only bind mount as root (whom
    permissions do not stop), else no write bits."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
            yield
        finally:
            subprocess.run(["umount", "-l", str(path)], check=True)
        return
    path.chmod(0o555)
    try:
        yield
    finally:
        path.chmod(0o755)


def test_report_of_a_run_on_read_only_media_says_where_to_write(
        plot_store: DataStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot_store.close()
    root = plot_store.root
    with _read_only(root):
        with pytest.raises(SystemExit) as done:
            main(["report", str(root)])
        assert done.value.code == 1
        err = " ".join(capsys.readouterr().err.replace("-\n  ", "-").split())
        assert "Traceback" not in err
        assert f"Error: cannot write the report {root / 'report.html'}: " in err
        assert f"write it elsewhere with `mozaik report {root} -o PATH`" in err
        with pytest.raises(SystemExit) as done:
            main(["report", str(root), "-o", str(tmp_path / "page.html")])
        assert done.value.code == 0


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, ("headless Chromium is needed: `apt-get install chromium` (the nox session "
                   "'plugins(package=\"plot\")' installs it)")
    return found


def test_report_renders_with_its_images_in_chromium(plot_store: DataStore,
                                                    tmp_path: Path) -> None:
    root = _run_with_figures(plot_store)
    page = write_report(root)
    shot = tmp_path / "shot.png"
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--screenshot={shot}", "--window-size=1200,3000",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=int)
    assert pixels.shape == (3000, 1200, 3)
    assert (pixels.sum(axis=2) < 600).mean() > 0.01  # not blank: text, tables, figures
    # the figures drew: pixels of the excitatory red of the raster and overview exist
    red = np.array([int(COLORS["excitatory"][i:i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(pixels - red).sum(axis=2) < 30).sum() > 50
    # and the image area is not uniform
    rows = np.flatnonzero((np.abs(pixels - red).sum(axis=2) < 30).any(axis=1))
    region = pixels[rows.min():rows.max() + 1]
    assert region.std() > 20


#: Debian's Chromium, driven by Playwright (no browser download).
CHROMIUM = "/usr/bin/chromium"

_PAGE_CHECK = """() => {
  const root = document.documentElement;
  const body = document.body.getBoundingClientRect();
  const images = [...document.images].map(i => ({alt: i.alt, ok: i.complete &&
      i.naturalWidth > 0 && i.naturalHeight > 0}));
  const wide = [...document.querySelectorAll('table, figure, img, h1, h2, h3, p')]
      .filter(e => e.getBoundingClientRect().right > body.right + 1)
      .map(e => e.tagName + ': ' + e.textContent.slice(0, 60));
  return {images, wide, scroll: root.scrollWidth, width: root.clientWidth};
}"""


def test_report_page_in_chromium_has_no_overflow_and_every_image_loads(
        plot_store: DataStore) -> None:
    root = _run_with_figures(plot_store)
    # a model section with long parameter values, as a real study has
    config = {"name": "report", "connectors": {"exc_exc": {
        "component": "FixedProbabilityConnector", "source": "exc", "target": "exc",
        "params": {"probability": 0.02, "weight_uS": 0.004, "delay_ms": 0.2,
                   "expression": "x" * 300}}},
              "sheets": {"exc": {"component": "Sheet", "params": {
                  "cell": {"model": "IF_cond_exp", "params": {"tau_m": 20.0}}}}}}
    plot_store.update_manifest(config=config)
    page_file = write_report(root)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            pages = {}
            for width in (1280, 800):  # a desktop and a narrow window
                page.set_viewport_size({"width": width, "height": 900})
                pages[width] = page.evaluate(_PAGE_CHECK)
        finally:
            browser.close()
    for width, found in pages.items():
        assert [i["alt"] for i in found["images"]] == ["00_RasterPlot", "01_OverviewPlot",
                                                       "02_Movie"]
        assert all(i["ok"] for i in found["images"]), (width, found["images"])
        assert found["wide"] == [], (width, found["wide"])
        assert found["scroll"] <= found["width"], (width, found)


def test_report_lists_parameters_seeds_command_and_commit(plot_store: DataStore) -> None:
    plot_store.update_manifest(
        config={"name": "va", "connectors": {"exc_inh": {
            "component": "FixedProbabilityConnector", "source": "exc", "target": "inh",
            "params": {"probability": 0.02, "weight_uS": 0.004, "delay_ms": 0.2}}},
                "sheets": {"exc": {"component": "Sheet", "params": {
                    "cell": {"model": "IF_cond_exp", "params": {"tau_m": 20.0, "cm": 0.2},
                             "initial_values": {"v": {"distribution": "uniform",
                                                      "low": -60.0, "high": -59.0}}},
                    "placement": {"n_neurons": 16}}}}},
        seeds={"model": 7, "simulation": 8, "experiment": 9},
        provenance={"command": ["mozaik", "run", "study.yaml", "--set", "a.b=[1, 2]"],
                    "model_git_commit": "0123456789abcdef"})
    text = html.unescape(write_report(plot_store.root).read_text())
    for expected in ("<td>command line</td><td>mozaik run study.yaml --set 'a.b=[1, 2]'</td>",
                     "<td>git commit of the study</td><td>0123456789abcdef</td>",
                     "<td>seeds</td><td>model 7, simulation 8, experiment 9</td>",
                     "probability = 0.02\nweight_uS = 0.004\ndelay_ms = 0.2",
                     "<td>IF_cond_exp</td><td>params.tau_m = 20\nparams.cm = 0.2\n"
                     "initial_values.v = uniform(low=-60, high=-59)</td>",
                     "placement.n_neurons = 16"):
        assert expected in text, expected
    heads = re.findall(r"<tr>((?:<th>[^<]*</th>)+)</tr>", text)
    for head in heads:
        names = re.findall(r"<th>([^<]*)</th>", head)
        assert len(names) == len(set(names)), names  # distinct column headings
