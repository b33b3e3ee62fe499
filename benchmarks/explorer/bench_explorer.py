"""Explorer benchmark: run page of a 10^7-spike run, raster zooms, search page of 10^4 points.

Builds the stores with the explorer tests' helpers (a real store written through the store
API; a search master in ``mozaik.search``'s layout), serves them from a thread, and drives
headless Chromium with Playwright. Not part of CI::

    python benchmarks/explorer/bench_explorer.py --spikes 10000000 --points 10000 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "mozaik-plot" / "tests" / "explorer"),
                str(ROOT / "mozaik-plot" / "tests")]

import pyarrow.parquet as pq  # noqa: E402
from explorer_helpers import Served, make_big_run, make_search  # noqa: E402
from http_get import get  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000.0, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spikes", type=int, default=10_000_000)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    out: dict[str, object] = {"spikes": args.spikes, "points": args.points,
                              "load_average_at_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        make_big_run(root / "big", n_spikes=args.spikes, n_neurons=10_000, presentations=10,
                     duration_ms=10_000.0)
        side = round(args.points ** 0.5)
        make_search(root / "search", ROOT / "docs/format/example_runs/with_analyses",
                    [[0.001 * (i + 1) for i in range(side)],
                     [0.01 * (j + 1) for j in range(args.points // side)]], runs=1)
        out["build_s"] = round(time.perf_counter() - t0, 1)
        # reference, same run: pyarrow reading every spike payload of the run (no Mozaik)
        t0 = time.perf_counter()
        files = set(pq.read_table(root / "big" / "segments.parquet",
                                  columns=["spikes_file"])["spikes_file"].to_pylist())
        n = 0
        for f in sorted(files):  # silent neurons have a row with a null time
            time_column = pq.read_table(root / "big" / f, columns=["neuron", "time"])["time"]
            n += len(time_column) - time_column.null_count
        out["reference_read_spikes_ms"] = _ms(t0)
        assert n == args.spikes, n
        with Served(root) as served:
            get(served.url + "/api/entries")  # warm: imports, first scan
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            headless=True, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(served.url + "/")  # warm the browser and the static files
                page.wait_for_selector("#entries tbody tr")
                # cold: the first page of the run (plugins load, the spikes are indexed)
                t0 = time.perf_counter()
                page.goto(served.url + "/run?path=big")
                page.wait_for_selector("#run-title")
                out["cold_run_page_first_paint_ms"] = _ms(t0)
                page.wait_for_selector("#raster[data-mode]", timeout=300_000)
                out["cold_run_page_raster_drawn_ms"] = _ms(t0)
                page.wait_for_selector("#map circle", timeout=120_000)
                # warm server: the same page again, three times
                paint, drawn = [], []
                for _ in range(3):
                    t0 = time.perf_counter()
                    page.goto(served.url + "/run?path=big")
                    page.wait_for_selector("#run-title")
                    paint.append(_ms(t0))
                    page.wait_for_selector("#raster[data-mode]")
                    drawn.append(_ms(t0))
                    page.wait_for_selector("#map circle")
                out["warm_run_page_first_paint_ms"] = paint
                out["warm_run_page_raster_drawn_ms"] = drawn
                zooms = []
                for lo, hi in [(0, 100_000), (10_000, 60_000), (20_000, 30_000),
                               (25_000, 26_000), (25_500, 25_600), (40_000, 90_000)]:
                    t0 = time.perf_counter()
                    status, _, body = get(f"{served.url}/api/raster?path=big&sheet=exc"
                                          f"&width=900&t0={lo}&t1={hi}")
                    zooms.append(_ms(t0))
                    assert status == 200, body[:200]
                out["raster_zoom_requests_ms"] = zooms
                out["raster_zoom_median_ms"] = statistics.median(zooms)
                label = page.locator("#raster-label").inner_text()
                t0 = time.perf_counter()
                page.click("#zoom-in")
                while page.locator("#raster-label").inner_text() == label:
                    page.wait_for_timeout(5)
                out["raster_zoom_click_to_drawn_ms"] = _ms(t0)
                t0 = time.perf_counter()
                page.goto(served.url + "/search?path=search")
                page.wait_for_selector("#points tbody tr", timeout=120_000)
                page.wait_for_selector("#heat[data-cells]")
                out["search_page_first_ms"] = _ms(t0)
                warm, own = [], []
                for _ in range(3):
                    t0 = time.perf_counter()
                    page.goto(served.url + "/search?path=search")
                    page.wait_for_selector("#points tbody tr")
                    page.wait_for_selector("#heat[data-cells]")
                    warm.append(_ms(t0))
                    # the page's own clock, ms since navigation: data arrived, table built,
                    # heat map drawn
                    own.append({k: float(page.locator(sel).get_attribute(attr) or 0)
                                for k, sel, attr in (("fetched", "#app", "data-fetched-ms"),
                                                     ("built", "#app", "data-built-ms"),
                                                     ("heat_drawn", "#heat", "data-drawn-ms"))})
                out["search_page_warm_ms"] = warm
                out["search_page_warm_own_clock_ms"] = own
                t0 = time.perf_counter()
                status, _, body = get(served.url + "/api/search?path=search")
                out["search_api_warm_ms"] = _ms(t0)
                out["search_api_bytes"] = len(body)
                box = 'input[data-filter="connectors.exc_exc.params.weight_uS"]'
                filters = []
                for text in (">0.05", "<0.02", "0.01..0.03", ""):
                    t0 = time.perf_counter()
                    page.fill(box, text)
                    page.locator(".datatable").get_attribute("data-ms")
                    filters.append({"filter": text, "wall_ms": _ms(t0), "js_ms": float(
                        page.locator(".datatable").get_attribute("data-ms") or 0)})
                out["search_filters"] = filters
                browser.close()
            t0 = time.perf_counter()
            for _ in range(20):
                get(served.url + "/static/explorer.css")
            out["reference_static_request_ms"] = _ms(t0) / 20
    out["load_average_at_end"] = os.getloadavg()
    text = json.dumps(out, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
