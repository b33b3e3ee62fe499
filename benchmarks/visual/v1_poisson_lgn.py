"""The V1 example's orientation tuning with the LGN's two outputs, at the CI size.

Runs ``examples/v1_pushpull`` through ``mozaik run`` at the CI size of
``tests/test_v1_pushpull_science.py`` twice, with ``sensory_input.params.output`` ``current``
(the default) and ``poisson`` (plus any ``--set`` given here, e.g. afferent weights), and prints
for each V1 sheet what that test asserts, computed with the test's own functions: circular
correlation of measured and assigned orientation, share within 20 deg (and with shuffled
labels), mean selectivity of responsive cells against shuffled labels, and the LGN's and V1's
mean rates.

Run: ``.venv/bin/python benchmarks/visual/v1_poisson_lgn.py [--outputs current poisson]
[--set PATH=VALUE ...] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from mozaik.datastore import DataStore

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import test_v1_pushpull_science as science  # noqa: E402


def measure(run_dir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with DataStore.open(run_dir) as store:
        for sheet in sorted(science.CRITERIA):
            ids, preference = science._stored(store, sheet, "orientation_rad preference")
            _, selectivity = science._stored(store, sheet, "orientation_rad selectivity")
            assigned = store.full_view().neuron_annotations(sheet)["gabor_orientation_rad"][ids]
            labels, per_presentation = science._presentations(store, sheet)
            orientations, rates = science._trial_average(labels, per_presentation)
            responsive = rates[:, ids].max(axis=0) >= science.RESPONSIVE_HZ
            corr = science._circular_correlation(preference[responsive], assigned[responsive])
            within = science._difference_deg(preference, assigned)[responsive]
            share = float((within <= science.WITHIN_DEG).mean())
            rng = np.random.default_rng(0)
            order = np.argsort(rng.uniform(size=rates[:, ids].shape), axis=0)
            control_pref, _ = science._vector_average(
                orientations, np.take_along_axis(rates[:, ids], order, axis=0))
            control = float((science._difference_deg(control_pref, assigned)[responsive]
                             <= science.WITHIN_DEG).mean())
            measured = float(np.nanmean(selectivity[responsive]))
            shuffled = science._shuffled_selectivity(
                labels, per_presentation[:, ids][:, responsive], science.SHUFFLES)
            out[sheet] = {"responsive": float(responsive.mean()), "circular_correlation": corr,
                          "share_within_20deg": share, "share_shuffled": control,
                          "selectivity": measured, "selectivity_shuffled_mean":
                          float(shuffled.mean()), "selectivity_shuffled_max":
                          float(shuffled.max()), "mean_rate_hz": float(rates.mean())}
        for sheet in ("X_ON", "X_OFF"):
            _, lgn_rates = science._rates(store, sheet)
            out[sheet] = {"mean_rate_hz": float(lgn_rates.mean())}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", nargs="+", default=["current", "poisson"])
    parser.add_argument("--set", action="append", default=[], dest="overrides")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results: dict[str, Any] = {"load_average_before": os.getloadavg(),
                               "overrides": args.overrides}
    mozaik = str(Path(sys.executable).with_name("mozaik"))
    with tempfile.TemporaryDirectory() as tmp:
        for output in args.outputs:
            sets = [*science.CI, f"sensory_input.params.output={output}"]
            if output == "poisson":
                sets += args.overrides
            run_dir = Path(tmp) / output
            start = time.perf_counter()
            done = subprocess.run([mozaik, "run", str(science.EXAMPLE),
                                   *[x for s in sets for x in ("--set", s)], "--out",
                                   str(run_dir), "--progress", "off"], capture_output=True,
                                  text=True, cwd=ROOT, check=False)
            if done.returncode:
                sys.exit(f"{output}: mozaik run failed\n{done.stderr[-3000:]}")
            results[output] = {"wall_s": time.perf_counter() - start, **measure(run_dir)}
            print(output, json.dumps(results[output], indent=1), flush=True)
    results["load_average_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
