"""The explorer (mozaik-plot) in a real browser, on real runs: Playwright driving Debian's
Chromium, headless.

The served directory holds runs simulated on NEST once for the module
(``make_real_runs`` of mozaik-plot's explorer test helpers: a tiny Vogels & Abbott run and a
three-trial optimising search, which need mozaik-analysis's analyses, and a tiny V1 run, which
needs mozaik-visual: hence here, with every distribution) and, for the raster's zoom, a run of
10^5 spikes written through the store API. One browser for the module. Screenshots are compared
with committed references (``mozaik-plot/tests/explorer/baseline/``) within an RMS tolerance;
regenerate them after a deliberate change of the look with ``MOZAIK_PLOT_REGENERATE=1 pytest
tests/test_explorer_browser.py`` and look at them.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from matplotlib.testing.compare import compare_images
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
HELPERS = ROOT / "mozaik-plot" / "tests" / "explorer"
sys.path[:0] = [str(HELPERS), str(HELPERS.parent)]

from explorer_helpers import Served, make_big_run, make_real_runs, make_search  # noqa: E402
from http_get import get_json  # noqa: E402

pytestmark = pytest.mark.nest

BASELINE = HELPERS / "baseline"
#: RMS difference allowed (0-255 grey levels): font hinting may differ a little across builds.
TOLERANCE = 8.0


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, ("headless Chromium is needed: `apt-get install chromium` (the nox plot "
                   "session installs it)")
    return found


@pytest.fixture(scope="module")
def served_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DIR with real runs (NEST, built once for the module) and a big stored run."""
    root = tmp_path_factory.mktemp("real")
    make_real_runs(root)
    make_big_run(root / "runs" / "va_big", n_spikes=100_000)
    return root



@pytest.fixture(scope="module")
def server(served_dir: Path) -> Iterator[Served]:
    with Served(served_dir) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield pg
        assert not errors, errors
    finally:
        context.close()


def _matches(page: Page, name: str, tmp_path: Path, **options: Any) -> None:
    shot = tmp_path / f"{name}.png"
    target = options.pop("element", None)
    (target or page).screenshot(path=str(shot), **options)
    reference = BASELINE / f"{name}.png"
    if os.environ.get("MOZAIK_PLOT_REGENERATE"):
        BASELINE.mkdir(exist_ok=True)
        shutil.copyfile(shot, reference)
    assert reference.is_file(), f"no reference image {reference}; see this module's docstring"
    problem = compare_images(str(reference), str(shot), tol=TOLERANCE)
    assert problem is None, problem


def test_home_lists_runs_and_searches(server: Served, served_dir: Path, page: Page,
                                      tmp_path: Path) -> None:
    page.goto(server.url + "/")
    page.wait_for_selector("#entries tbody tr")
    rows = page.locator("#entries tbody tr").all_inner_texts()
    text = "\n".join(rows)
    assert "va_tiny" in text and "vogels_abbott2005" in text and "v1_pushpull" in text, text
    assert any(r.startswith("search") and "va_fit" in r for r in rows), rows
    assert page.locator("#entries tbody tr").count() == 4
    page.fill('input[data-filter="study"]', "v1")
    assert page.locator("#entries tbody tr").count() == 1
    page.fill('input[data-filter="study"]', "")
    # a run that appears while the page is open is listed without a reload
    shutil.copytree(served_dir / "runs" / "va_tiny", served_dir / "runs" / "new_run")
    try:
        expect(page.locator("#entries tbody tr")).to_have_count(5, timeout=20_000)
        assert "new_run" in page.locator("#entries").inner_text()
    finally:
        shutil.rmtree(served_dir / "runs" / "new_run")
    expect(page.locator("#entries tbody tr")).to_have_count(4, timeout=20_000)
    # date and size depend on when the fixture ran, the served directory's name (in the
    # header) on pytest's numbering and the xdist worker: masked
    _matches(page, "home", tmp_path, full_page=True,
             mask=[page.locator("#crumb"), page.locator("#entries td:nth-child(6)"),
                   page.locator("#entries td:nth-child(7)"),
                   page.locator("#entries td:nth-child(8)")])


def test_raster_zooms_with_finer_bins(server: Served, page: Page, tmp_path: Path) -> None:
    page.goto(server.url + "/run?path=runs/va_big")
    canvas = page.locator("#raster[data-mode]")
    canvas.wait_for()
    whole_text = canvas.get_attribute("data-bin-ms") or ""
    whole = {k: float(canvas.get_attribute(f"data-{k}") or 0) for k in ("bins", "bin-ms")}
    assert canvas.get_attribute("data-mode") == "bins"
    with page.expect_response(lambda r: "/api/raster" in r.url) as info:
        page.click("#zoom-in")
    zoomed = json.loads(info.value.body())
    assert zoomed["mode"] == "bins" and zoomed["bins"] <= whole["bins"]
    assert zoomed["bin_ms"] < whole["bin-ms"] / 2
    expect(canvas).to_have_attribute("data-bin-ms", str(zoomed["bin_ms"]))
    _matches(page, "run_raster_zoomed", tmp_path, element=page.locator("#raster"))
    page.click("#zoom-reset")
    expect(canvas).to_have_attribute("data-bin-ms", whole_text)


def test_real_va_run_page_shows_its_spikes_and_values(server: Served, page: Page) -> None:
    page.goto(server.url + "/run?path=runs/va_tiny")
    expect(page.locator("#run-status")).to_have_text("complete")
    page.wait_for_selector("#raster[data-mode]")
    assert "spikes" in page.locator("#raster-label").inner_text()
    values = page.locator("#values").inner_text()
    assert "Mean(Firing rate)" in values and "CV of ISI" in values, values


def test_neuron_map_hover_and_run_page(server: Served, page: Page, tmp_path: Path) -> None:
    page.goto(server.url + "/run?path=runs/v1_tiny")
    page.wait_for_selector("#map[data-ads-id] circle")
    labels = page.locator("#map-value option").all_inner_texts()
    preference = next(i for i, t in enumerate(labels) if "orientation_rad preference" in t)
    chosen = page.select_option("#map-value", index=preference)[0]
    # the map is redrawn when the server answers: wait for that drawing, not for a time (a
    # fixed 300 ms wait let a loaded machine hover and shoot the previous drawing)
    expect(page.locator("#map")).to_have_attribute("data-ads-id", chosen)
    page.hover("#map circle >> nth=5")
    tip = page.locator("#tip").inner_text()
    assert "neuron" in tip and "orientation_rad preference" in tip, tip
    assert "gabor_orientation_rad" in tip, tip
    _matches(page, "run_map", tmp_path, element=page.locator("#map"))
    page.fill("#query-text", "sheet_name = V1_Exc_L4\nidentifier = PerNeuronValue")
    page.click("#query-go")
    page.wait_for_selector("#query-results tbody tr")
    assert page.locator("#query-results tbody tr").count() >= 3


def test_search_filter_heat_map_and_open_a_point(server: Served, page: Page,
                                                 tmp_path: Path) -> None:
    weight = "connectors.exc_exc.params.weight_uS"
    _, data = get_json(server.url + "/api/search?path=searches/va_fit")
    weights = sorted(data["columns"][weight])
    page.goto(server.url + "/search?path=searches/va_fit")
    page.wait_for_selector("#points tbody tr")
    page.wait_for_selector("#heat[data-cells]")
    assert page.locator("#points tbody tr").count() == 3 == len(weights)
    assert page.locator("#history circle").count() == 3  # the optimisation's trials
    page.fill(f'input[data-filter="{weight}"]', f">{weights[0]}")
    assert page.locator("#points tbody tr").count() == 2
    assert page.locator("#heat").get_attribute("data-cells") == "2"
    page.fill(f'input[data-filter="{weight}"]', "")
    page.select_option("#heat-x", "connectors.inh_exc.params.weight_uS")
    page.select_option("#heat-y", weight)
    assert page.locator("#heat").get_attribute("data-x") == "connectors.inh_exc.params.weight_uS"
    assert page.locator("#heat").get_attribute("data-cells") == "3"
    _matches(page, "search", tmp_path, full_page=True)
    page.click("#points tbody tr >> nth=0")
    page.wait_for_url("**/run?path=searches%2Fva_fit%2Fpoints%2Fp00000")
    page.wait_for_selector("#run-status")
    assert page.locator("#run-title").inner_text().startswith("vogels_abbott2005")


def test_compare_two_runs(server: Served, page: Page) -> None:
    page.goto(server.url + "/compare?path=runs/va_tiny&path=runs/v1_tiny")
    page.wait_for_selector("#differ tr")
    text = page.locator("#differ").inner_text()
    assert "name" in text and "v1_pushpull" in text and "vogels_abbott2005" in text
    assert "Mean(Firing rate) [exc]" in page.locator("#compare-values").inner_text()


def test_path_escapes_get_403_or_404_in_the_browser(server: Served, page: Page) -> None:
    for path in ("/run?path=../../etc", "/run?path=%2e%2e%2f%2e%2e", "/search?path=/etc",
                 "/static/..%2f_app.py",
                 "/api/figure?path=runs/va_tiny&file=..%2fmanifest.json",
                 "/run?path=%252e%252e"):
        response = page.goto(server.url + path)
        assert response is not None and response.status in (403, 404), (path, response)


def test_a_big_search_table_is_shown_a_page_at_a_time(server: Served, served_dir: Path,
                                                      page: Page) -> None:
    """250 points (a master in mozaik.search's layout): 100 rows in the page at a time."""
    weight = "connectors.exc_exc.params.weight_uS"
    master = served_dir / "big_search"
    make_search(master, served_dir / "runs" / "va_tiny",
                [[0.001 * (i + 1) for i in range(25)], [0.01 * (j + 1) for j in range(10)]],
                runs=1)
    try:
        page.goto(server.url + "/search?path=big_search")
        rows = page.locator("#points tbody tr")
        expect(rows).to_have_count(100)
        expect(page.locator("#heat")).to_have_attribute("data-cells", "250")
        assert rows.first.inner_text().split("\t")[0] == "0"
        page.click(".page-next")
        expect(page.locator(".datatable")).to_have_attribute("data-page", "2")
        assert rows.first.locator("td").first.inner_text() == "100"
        page.click(".page-next")
        expect(rows).to_have_count(50)  # the last page
        assert page.locator(".page-next").is_disabled()
        page.fill(f'input[data-filter="{weight}"]', "<0.0025")  # 2 x 10 points: page 1 again
        expect(rows).to_have_count(20)
        assert page.locator(".datatable").get_attribute("data-page") == "1"
        assert "20 of 250 rows" in page.locator(".datatable .count").inner_text()
    finally:
        shutil.rmtree(master)
