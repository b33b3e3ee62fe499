"""Benchmark of mozaik-plot: the raster of a large sheet from the store against plain matplotlib
on the same arrays, and the time ``mozaik report`` takes for a run.

    python benchmarks/plot/bench_plot.py --neurons 100000 --rate 10 --duration 1000
    python benchmarks/plot/bench_plot.py --report-run /path/to/run   # report timing only

Prints a JSON report (``--json FILE`` also writes it).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from mozaik.datastore import DataStore, SheetRecording
from mozaik.stimulus import StimulusIdentity
from mozaik_plot import RasterParams, RasterPlot, look, write_report


def build_store(root: Path, neurons: int, rate_hz: float, duration_ms: float,
                seed: int = 0) -> tuple[DataStore, int]:
    """One sheet of ``neurons`` Poisson neurons over one presentation, written to the store."""
    rng = np.random.default_rng(seed)
    store = DataStore.create(root, {"simulator": "none", "config": {"name": "bench_plot"}})
    side = int(np.ceil(np.sqrt(neurons)))
    grid = np.column_stack([np.arange(neurons) % side, np.arange(neurons) // side]) * 10.0
    store.write_neurons("exc", np.arange(neurons, dtype=np.int64), grid.astype(float), {})
    counts = rng.poisson(rate_hz * duration_ms / 1000.0, neurons)
    neuron = np.repeat(np.arange(neurons), counts)
    times = rng.uniform(0.0, duration_ms, len(neuron))
    order = np.argsort(times, kind="stable")
    stimulus = StimulusIdentity("Bench", {"duration_ms": duration_ms})
    recording = SheetRecording(t_start=0.0, t_stop=duration_ms, spike_neurons=neuron[order],
                               spike_times=times[order], spike_recorded=np.arange(neurons),
                               signals=[])
    store.write_presentation_arrays(stimulus, 0, {"exc": recording})
    return store, len(neuron)


def plain(neuron: np.ndarray, times: np.ndarray, path: Path) -> None:
    """What a user would write by hand: one pixel-marker line, PNG at the same size and dpi."""
    with look():
        fig, ax = plt.subplots(figsize=(7.0, 5.0))
        ax.plot(times, neuron, linestyle="none", marker=",", color="#c0392b")
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("neuron")
        fig.savefig(path)
        plt.close(fig)


def ours(store: DataStore, path: Path) -> None:
    """mozaik-plot from the store: read spikes, build the tree, PNG only."""
    plot = RasterPlot(RasterParams(sheets=("exc",)))
    figure = plot.figure(store)
    with look():
        figure.savefig(path)
    plt.close(figure)


def timed(fn: Any, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_raster(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    store, n_spikes = build_store(tmp / "run", args.neurons, args.rate, args.duration)
    arrays = store.spike_arrays("exc")
    neuron, times = arrays.neuron.copy(), arrays.times.copy()
    eventplot_s = None
    if args.eventplot:
        def event() -> None:
            trains = np.split(times, np.cumsum(np.bincount(neuron, minlength=args.neurons))[:-1])
            fig, ax = plt.subplots(figsize=(7.0, 5.0))
            ax.eventplot(trains, linewidths=0.5)
            fig.savefig(tmp / "event.png")
            plt.close(fig)
        eventplot_s = timed(event, 1)
    # one warm-up call of each (font cache, first figure), then alternating timed calls
    plain(neuron, times, tmp / "plain.png")
    ours(store, tmp / "ours.png")
    plain_samples, ours_samples = [], []
    for _ in range(args.repeat):
        plain_samples.append(timed(lambda: plain(neuron, times, tmp / "plain.png"), 1))
        ours_samples.append(timed(lambda: ours(store, tmp / "ours.png"), 1))
    plain_s, ours_s = statistics.median(plain_samples), statistics.median(ours_samples)
    (tmp / "figures").mkdir()
    full_s = timed(lambda: RasterPlot(RasterParams(sheets=("exc",))).draw(
        store, tmp / "figures" / "00_RasterPlot.png"), 1)
    store.close()
    return {"neurons": args.neurons, "spikes": n_spikes, "duration_ms": args.duration,
            "plain_matplotlib_png_s": round(plain_s, 3),
            "mozaik_plot_from_store_png_s": round(ours_s, 3),
            "ratio": round(ours_s / plain_s, 3),
            "mozaik_plot_draw_png_svg_json_s": round(full_s, 3),
            "eventplot_png_s": None if eventplot_s is None else round(eventplot_s, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=10.0, help="Hz")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--eventplot", action="store_true",
                        help="also time ax.eventplot on the same spikes (slow)")
    parser.add_argument("--report-run", type=Path, default=None,
                        help="time `mozaik report` on this run directory (and skip the raster)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result: dict[str, Any] = {"machine": platform.platform(), "python": platform.python_version(),
                              "matplotlib": matplotlib.__version__,
                              "date": time.strftime("%Y-%m-%d")}
    if args.report_run is not None:
        out = Path(tempfile.mkdtemp()) / "report.html"
        seconds = timed(lambda: write_report(args.report_run, out), args.repeat)
        result["report"] = {"run": str(args.report_run), "seconds": round(seconds, 3),
                            "bytes": out.stat().st_size}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result["raster"] = bench_raster(args, Path(tmp))
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
