"""Stores, search masters and a server for the explorer's tests and benchmarks.

:func:`make_real_runs` simulates on NEST (``mozaik run``, ``mozaik search run``): a tiny
Vogels & Abbott run, a tiny V1 run and a three-trial optimising search. The other makers write
stores through the public store API (a big run for the raster, a V1-shaped store); a search
master is written in the layout of ``mozaik.search`` (definition, ``points/``, ``status/`` with
the points' cached SingleValues, ``index.parquet`` with ``INDEX_COLUMNS``), without running
its points.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from aiohttp import web
from mozaik.datastore import DataStore, SheetRecording
from mozaik.search import INDEX_COLUMNS, INDEX_FILE, point_dir
from mozaik.stimulus import StimulusIdentity
from mozaik_plot.explorer import make_app

__all__ = ["V1_GRATING", "Served", "make_big_run", "make_real_runs", "make_search",
           "make_v1_run"]

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
MOZAIK = str(Path(sys.executable).with_name("mozaik"))

#: Vogels & Abbott at 160 + 40 neurons, 200 ms on its own after the kick, no figures.
VA_TINY = ("sheets.exc.params.placement.n_neurons=160", "experiments.1.params.duration_ms=200.0",
           "plots=[]")

#: The V1 model at a few seconds (as tests/test_kill_and_resume.py runs it): 64 + 16 V1 cells,
#: 10 x 10 LGN cells per sheet, 2 orientations of 70 ms after 28 ms blanks, no figures.
V1_TINY = ("sheets.V1_Exc_L4.params.placement.size_um=[1000.0,1000.0]",
           "sensory_input.params.n_cells=100", "input_space.params.pixel_size_deg=0.1",
           "connectors.V1AffConnection.params.extent_sigma=1.5",
           "connectors.V1AffInhConnection.params.extent_sigma=1.5",
           "controller.null_stimulus_period=28.0", "experiments.0.params.num_orientations=2",
           "experiments.0.params.num_trials=1", "experiments.0.params.duration_ms=70.0",
           "plots=[]")

#: An optimising search (Optuna TPE, seeded) of three trials, two processes at a time, over the two
#: weights of a tiny Vogels & Abbott network driven by Poisson noise (as the example's fit),
#: fitting its excitatory rate to 10 Hz.
SEARCH_TINY = textwrap.dedent(f"""\
    name: va_fit_tiny
    study: {EXAMPLES / "vogels_abbott2005"}
    kind: optimise
    set:
      - "sheets.exc.params.placement.n_neurons=160"
      - "experiments.1.params.duration_ms=200.0"
      - "sheets.exc.params.recorders=[{{variables: [spikes], neurons: all}}]"
      - "sheets.inh.params.recorders=[{{variables: [spikes], neurons: all}}]"
      - "sheets.exc.params.background_noise={{rate_exc_hz: 200.0, weight_exc_uS: 0.002}}"
      - "sheets.inh.params.background_noise={{rate_exc_hz: 200.0, weight_exc_uS: 0.002}}"
      - "connectors.exc_inh.params.weight_uS=ref('connectors.exc_exc.params.weight_uS')"
      - "plots=[]"
    parameters:
      connectors.exc_exc.params.weight_uS: {{low: 0.004, high: 0.008}}
      connectors.inh_exc.params.weight_uS: {{low: 0.03, high: 0.08}}
    objectives:
      - {{value: Mean(Firing rate), sheet: exc, target: 10.0}}
    sampler: tpe
    seed: 1
    n_trials: 3
    batch_size: 3
    workflow: {EXAMPLES / "vogels_abbott2005_search" / "fit_analyses.yaml"}
    backend: local
    resources: {{workers: 2}}
    """)


def make_real_runs(root: Path) -> dict[str, Path]:
    """Simulate on NEST, at once: ``runs/va_tiny`` (``mozaik run`` of the Vogels & Abbott
    example, :data:`VA_TINY`), ``runs/v1_tiny`` (the V1 example, :data:`V1_TINY`) and
    ``searches/va_fit`` (``mozaik search run`` of :data:`SEARCH_TINY`). Returns the three
    directories by name (``va``, ``v1``, ``search``)."""
    (root / "searches").mkdir(parents=True, exist_ok=True)
    definition = root / "va_fit_tiny.yaml"
    definition.write_text(SEARCH_TINY, encoding="utf-8")
    out = {"va": root / "runs" / "va_tiny", "v1": root / "runs" / "v1_tiny",
           "search": root / "searches" / "va_fit"}

    def run(study: str, sets: Sequence[str], target: Path) -> list[str]:
        return [MOZAIK, "run", study, *[a for s in sets for a in ("--set", s)], "--out",
                str(target), "--progress", "log"]

    commands = {"va": run(str(EXAMPLES / "vogels_abbott2005"), VA_TINY, out["va"]),
                "v1": run(str(EXAMPLES / "v1_pushpull"), V1_TINY, out["v1"]),
                "search": [MOZAIK, "search", "run", str(definition), "--out",
                           str(out["search"])]}
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = {name: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, env=env)
             for name, command in commands.items()}
    failed = []
    for name, proc in procs.items():
        output, _ = proc.communicate(timeout=600)
        if proc.returncode != 0:
            failed.append(f"{' '.join(commands[name])} exited {proc.returncode}:\n"
                          f"{output[-3000:]}")
    definition.unlink()
    assert not failed, "\n\n".join(failed)
    return out


def make_big_run(run_dir: Path, *, n_spikes: int, n_neurons: int = 400,
                 presentations: int = 4, duration_ms: float = 1000.0,
                 study: str = "vogels_abbott2005", seed: int = 0,
                 status: str = "complete") -> Path:
    """A store of one sheet ``exc`` with ``n_spikes`` spikes over ``presentations``
    presentations of ``duration_ms`` each (Poisson neurons, rates spread over the sheet)."""
    rng = np.random.default_rng(seed)
    store = DataStore.create(run_dir, {"simulator": "none", "config": {"name": study}})
    side = math.ceil(math.sqrt(n_neurons))
    grid = np.array([(i % side, i // side) for i in range(n_neurons)], float) * 20.0
    store.write_neurons("exc", np.arange(n_neurons), grid,
                        {"tau_m": np.full(n_neurons, 20.0)})
    per = n_spikes // presentations
    weights = np.linspace(0.2, 1.8, n_neurons)
    weights /= weights.sum()
    for k in range(presentations):
        t0 = k * duration_ms
        neurons = rng.choice(n_neurons, size=per, p=weights).astype(np.int32)
        times = np.sort(t0 + rng.uniform(0.0, duration_ms, size=per))
        stimulus = StimulusIdentity(name="InternalStimulus",
                                    params={"protocol": "Kick", "duration_ms": duration_ms,
                                            "index": k})
        store.write_presentation_arrays(stimulus, 0, {"exc": SheetRecording(
            t_start=t0, t_stop=t0 + duration_ms, spike_neurons=neurons, spike_times=times,
            spike_recorded=np.arange(n_neurons), signals=[])})
    store.update_manifest(status=status)
    store.close()
    return run_dir


def make_v1_run(run_dir: Path) -> Path:
    """A tiny V1-shaped store: four grating orientations, three trials, per-trial rates and an
    orientation preference on a grid of neurons (mozaik-plot's test store), then one
    presentation of a real drifting grating (:data:`V1_GRATING`) in a 2 x 2 deg visual space;
    study ``v1_pushpull``, complete."""
    from plot_helpers import make_plot_store

    store = make_plot_store(run_dir)
    t0 = float(max(store.segment_index["t_stop"].to_pylist()))
    store.write_presentation_arrays(V1_GRATING, 0, {sheet: SheetRecording(
        t_start=t0, t_stop=t0 + 200.0, spike_neurons=np.arange(4, dtype=np.int32),
        spike_times=t0 + 10.0 * np.arange(1.0, 5.0), spike_recorded=np.arange(n), signals=[])
        for sheet, n in (("exc", 16), ("inh", 4))})
    store.update_manifest(config={"name": "v1_pushpull", "description": "tiny V1 store",
                                  "input_space": {"component": "VisualSpace", "params": {
                                      "size_deg": [2.0, 2.0], "pixel_size_deg": 0.1,
                                      "frame_interval_ms": 10.0}}},
                          status="complete")
    store.close()
    return run_dir


#: The drifting grating of :func:`make_v1_run` (mozaik-visual's stimulus).
V1_GRATING = StimulusIdentity("FullfieldDriftingSinusoidalGrating", {
    "duration_ms": 200.0, "orientation_rad": 0.5, "spatial_frequency_cpd": 1.0,
    "temporal_frequency_hz": 5.0, "phase_rad": 0.0, "contrast_pct": 100.0})


def make_search(master: Path, template: Path, grid: Sequence[Sequence[float]],
                names: Sequence[str] = ("connectors.exc_exc.params.weight_uS",
                                        "connectors.inh_exc.params.weight_uS"),
                *, runs: int | None = None, failed: Sequence[int] = (),
                trials: bool = False) -> Path:
    """A search master over the product of ``grid`` (one sequence of values per name in
    ``names``); the first ``runs`` points (default all) get a copy of the store ``template``
    as their run directory; their SingleValues (``Mean firing rate [exc]`` = x * 1000 + y *
    100) are in the points' caches. ``trials`` adds an optimising search's trial table."""
    import itertools

    master.mkdir(parents=True)
    (master / "search.yaml").write_text(
        f"name: {master.name}\nstudy: /studies/vogels_abbott2005\nkind: grid\n",
        encoding="utf-8")
    (master / "status").mkdir()
    points = list(itertools.product(*grid))
    runs = len(points) if runs is None else runs
    rows: dict[str, list[Any]] = {c: [] for c in ("point_id", *names, *INDEX_COLUMNS[1:])}
    for i, values in enumerate(points):
        status = "failed" if i in failed else "done"
        run = point_dir(master, i)
        if i < runs and status == "done":
            shutil.copytree(template, run)
        elif status == "done":
            run.mkdir(parents=True)
        rate = values[0] * 1000 + (values[1] * 100 if len(values) > 1 else 0.0)
        cache = master / "status" / f"p{i:05d}.values.json"
        cache.write_text(json.dumps({"stamp": [], "values": [
            {"sheet_name": "exc", "analysis_algorithm": "PopulationMean", "stimulus_id": None,
             "value_name": "Mean firing rate", "value": rate, "value_units": "Hz"},
            {"sheet_name": "inh", "analysis_algorithm": "PopulationMean", "stimulus_id": None,
             "value_name": "Mean firing rate", "value": rate / 2, "value_units": "Hz"}]}),
            encoding="utf-8")
        rows["point_id"].append(i)
        for name, v in zip(names, values, strict=False):
            rows[name].append(float(v))
        rows["status"].append(status)
        rows["run_dir"].append(f"points/p{i:05d}" if status == "done" else "")
        rows["error"].append("boom" if status == "failed" else "")
        rows["log_tail"].append("")
        rows["elapsed_s"].append(1.0)
        rows["exit_code"].append(0 if status == "done" else 1)
        rows["signal"].append(None)
    types = {"point_id": pa.int64(), "elapsed_s": pa.float64(), "exit_code": pa.int64(),
             "signal": pa.string()}
    pq.write_table(pa.table({k: pa.array(v, types.get(k)) for k, v in rows.items()}),
                   master / INDEX_FILE)
    if trials:
        rng = np.random.default_rng(1)
        n = len(points)
        pq.write_table(pa.table({
            "trial": pa.array(range(n), pa.int64()), "state": ["COMPLETE"] * n,
            "status": ["done"] * n, "objective_0": rng.uniform(0, 10, n)}),
            master / "trials.parquet")
    return master


class Served:
    """The explorer of ``root`` served on a free port of 127.0.0.1 from a thread; a context
    manager (``with Served(root) as served:``) that stops the server on exit."""

    def __init__(self, root: Path, token: str = "") -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner = web.AppRunner(make_app(root, token=token), access_log=None)

        async def start() -> int:
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            return int(self.runner.addresses[0][1])

        self.port = asyncio.run_coroutine_threadsafe(start(), self.loop).result(30)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
