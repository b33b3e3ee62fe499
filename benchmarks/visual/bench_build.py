"""Build benchmark of examples/v1_pushpull: time per connector at three sizes, and the Gabor
afferent connector's sampling against a plain numpy reference (a loop over target cells with
``Generator.choice``) of the same distribution.

    uv run python benchmarks/visual/bench_build.py [ci example seed]

Prints a JSON line per size; the figures are in README.md (build part).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from pathlib import Path

import numpy as np
from mozaik.model import build_model
from mozaik.study import load_study
from mozaik_visual.cortex import GABOR_ANNOTATIONS, gabor, sample_afferents, visual_positions_deg

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "v1_pushpull"
SIZES = {
    "ci": ["sheets.V1_Exc_L4.params.placement.size_um=[2000.0,2000.0]"],
    "example": [],
    # the seed: V1 5000 x 5000 um (1 x 1 deg), receptive fields to 3 sigma, LGN 6.2 deg
    "seed": ["sheets.V1_Exc_L4.params.placement.size_um=[5000.0,5000.0]",
             "connectors.V1AffConnection.params.extent_sigma=3.0",
             "connectors.V1AffInhConnection.params.extent_sigma=3.0",
             "sensory_input.params.size_deg=[6.2,6.2]",
             "sensory_input.params.n_cells=1681"],
}
COMMON = ["simulator.threads=1"]
LINE = re.compile(r"connector '(?P<name>[^']+)': (?P<n>\d+) connections in (?P<s>[\d.]+) s")


class _Times(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, tuple[int, float]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        found = LINE.search(record.getMessage())
        if found:
            self.rows[found["name"]] = (int(found["n"]), float(found["s"]))


def reference_sampling(lgn: np.ndarray, sign: np.ndarray, centres: np.ndarray,
                       fields: dict[str, np.ndarray], num_samples: int, extent: float,
                       rng: np.random.Generator) -> tuple[int, float]:
    """The same sampling one target at a time: (connections, ON share of the weight)."""
    connections, on_weight, total = 0, 0.0, 0.0
    for i in range(len(centres)):
        values = gabor(lgn[:, 0] - centres[i, 0], lgn[:, 1] - centres[i, 1],
                       *(fields[key][i] for key in GABOR_ANNOTATIONS), extent_sigma=extent)
        weights = np.maximum(values * sign, 0.0)
        if weights.sum() == 0:
            continue
        drawn = rng.choice(len(lgn), size=num_samples, p=weights / weights.sum())
        cells, counts = np.unique(drawn, return_counts=True)
        connections += len(cells)
        on_weight += counts[sign[cells] > 0].sum()
        total += counts.sum()
    return connections, on_weight / total


def vectorised_sampling(lgn: np.ndarray, sign: np.ndarray, centres: np.ndarray,
                        fields: dict[str, np.ndarray], num_samples: int, extent: float,
                        rng: np.random.Generator) -> tuple[int, float]:
    """What GaborAfferentConnector computes (without the simulator call)."""
    f = {key: fields[key][:, None] for key in GABOR_ANNOTATIONS}
    values = gabor(lgn[None, :, 0] - centres[:, 0, None], lgn[None, :, 1] - centres[:, 1, None],
                   f["orientation_rad"], f["phase_rad"], f["frequency_cpd"], f["size_deg"],
                   f["aspect_ratio"], extent_sigma=extent)
    weights = np.maximum(values * sign, 0.0)
    _, columns, counts = sample_afferents(weights, num_samples,
                                          rng.uniform(size=(len(centres), num_samples)))
    return len(columns), float(counts[sign[columns] > 0].sum() / counts.sum())


def measure(size: str) -> dict[str, object]:
    handler = _Times()
    logging.getLogger("mozaik.model").addHandler(handler)
    logging.getLogger("mozaik.model").setLevel(logging.INFO)
    study = load_study(EXAMPLE, [*SIZES[size], *COMMON])
    start = time.perf_counter()
    model = build_model(study)
    build_s = time.perf_counter() - start
    logging.getLogger("mozaik.model").removeHandler(handler)
    on, off = model.sheets["X_ON"], model.sheets["X_OFF"]
    target = model.sheets["V1_Exc_L4"]
    params = model.projections["V1AffConnection"].params
    lgn = np.vstack([visual_positions_deg(on), visual_positions_deg(off)])
    sign = np.concatenate([np.ones(on.size), -np.ones(off.size)])
    centres = visual_positions_deg(target)
    fields = {key: target.annotations[a] for key, a in GABOR_ANNOTATIONS.items()}
    out: dict[str, object] = {"size": size, "neurons": {n: s.size for n, s in model.sheets.items()},
                              "build_s": round(build_s, 2), "connectors": handler.rows}
    for label, fn in (("vectorised", vectorised_sampling), ("reference_loop", reference_sampling)):
        start = time.perf_counter()
        n, share = fn(lgn, sign, centres, fields, params.num_samples, params.extent_sigma,
                      np.random.default_rng(1))
        out[label] = {"s": round(time.perf_counter() - start, 3), "connections": n,
                      "on_share": round(share, 3)}
    model.end()
    return out


if __name__ == "__main__":
    for size in sys.argv[1:] or ["ci", "example", "seed"]:
        print(json.dumps(measure(size)), flush=True)
