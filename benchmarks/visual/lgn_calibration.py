"""Calibrating the LGN's ``poisson`` output against its ``current`` output on NEST.

The same LGN (2 x 400 X cells, 20 x 20 grids over 2 x 2 deg, the default filter) is shown a
blank and full-field drifting gratings, first as today's current-driven IF cells
(``output: current``, the default cells, bias and noise), then as linear-nonlinear-Poisson
spike sources (``output: poisson``). For each sheet and stimulus the script measures the mean
rate (Hz, after a 200 ms onset) and the cells' modulation at the grating's temporal frequency
(each cell's F1 amplitude in Hz, root-mean-square over the cells, with the Poisson noise's bias
removed) from the recorded spikes.

The calibration: the spontaneous rate is the IF cells' rate on the blank; the gain (Hz per unit
of filtered contrast) is the one whose expected rates (the rectified rates themselves, no
sampling noise) give the IF cells' F1 on the calibration grating (0.8 cpd, 2 Hz, 100%: the V1
example's), found by bisection. The other gratings check it.

Run: ``.venv/bin/python benchmarks/visual/lgn_calibration.py [--json out.json]``
(``--spontaneous-hz`` and ``--gain-hz`` skip the fit and check given values).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from mozaik.config import SimulatorConfig
from mozaik.model import Model, RecorderParams
from mozaik.stimulus import NullStimulus, NullStimulusParams, Stimulus
from mozaik_visual.retina import RetinaLGN, RetinaLGNParams
from mozaik_visual.space import VisualSpace, VisualSpaceParams
from mozaik_visual.stimuli import FullfieldDriftingSinusoidalGrating, GratingParams

ONSET_MS = 200.0
DURATION_MS = 2000.0
#: (label, spatial frequency cpd, temporal frequency Hz, contrast %); the first calibrates.
GRATINGS = [("0.8cpd 2Hz 100%", 0.8, 2.0, 100.0), ("0.8cpd 2Hz 25%", 0.8, 2.0, 25.0),
            ("0.5cpd 8Hz 100%", 0.5, 8.0, 100.0)]


def _grating(sf: float, tf: float, contrast: float) -> Stimulus:
    return FullfieldDriftingSinusoidalGrating(GratingParams(
        duration_ms=DURATION_MS, spatial_frequency_cpd=sf, temporal_frequency_hz=tf,
        contrast_pct=contrast))


def _stats(trains: list[np.ndarray], tf: float | None) -> dict[str, float]:
    """Mean rate (Hz) and each cell's F1 (Hz), root-mean-square over cells, unbiased: for a
    cell's ``n`` spikes at phases ``p``, ``|sum exp(i p)|^2 - n`` estimates the squared
    modulation without the ``n`` that Poisson noise adds on average."""
    seconds = (DURATION_MS - ONSET_MS) / 1000.0
    kept = [t[t >= ONSET_MS] for t in trains]
    mean = sum(len(t) for t in kept) / len(kept) / seconds
    if not tf:
        return {"mean_hz": float(mean), "f1_hz": 0.0}
    power = [abs(np.exp(-2j * np.pi * tf * t / 1000.0).sum()) ** 2 - len(t) for t in kept]
    f1 = 2 / seconds * np.sqrt(max(float(np.mean(power)), 0.0))
    return {"mean_hz": float(mean), "f1_hz": float(f1)}


def measure(output: str, spontaneous_hz: float = 0.0, gain_hz: float = 0.0
            ) -> tuple[dict[str, Any], RetinaLGN, dict[str, np.ndarray]]:
    """Rates and F1 per stimulus and sheet; the LGN; the filtered responses per stimulus."""
    model = Model(SimulatorConfig(backend="nest", seed=11, time_step=0.1), name="calibration")
    model.input_space = VisualSpace(VisualSpaceParams(size_deg=(6.0, 6.0), pixel_size_deg=0.1))
    extra = ({"spontaneous_rate_hz": spontaneous_hz, "gain_hz": gain_hz}
             if output == "poisson" else {})
    lgn = RetinaLGN("lgn", RetinaLGNParams(
        n_cells=400, size_deg=(2.0, 2.0), output=output,  # type: ignore[arg-type]
        recorders=(RecorderParams(variables=("spikes",), neurons="all"),), **extra), model)
    model.sensory_input = lgn
    for sheet in lgn.sheets.values():
        model.add_sheet(sheet)
    stimuli: list[tuple[str, Stimulus, float | None]] = [
        ("blank", NullStimulus(NullStimulusParams(duration_ms=DURATION_MS)), None)]
    stimuli += [(label, _grating(sf, tf, c), tf) for label, sf, tf, c in GRATINGS]
    out: dict[str, Any] = {}
    responses = {}
    for label, stimulus, tf in stimuli:
        lgn.present(NullStimulus(NullStimulusParams(duration_ms=300.0)), model.time)
        model.run(300.0)
        model.collect()
        start = model.time
        # the filtered signal, on a copy of the filter (its state is what present() starts from)
        responses[label] = copy.deepcopy(lgn.filter).temporal_step(lgn.spatial_response(stimulus))
        lgn.present(stimulus, start)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.run(DURATION_MS)
            segments = model.collect()
        out[label] = {name: _stats([np.asarray(t.magnitude) - start for t in seg.spiketrains],
                                   tf) for name, seg in segments.items()}
    model.sim.end()
    return out, lgn, responses


def expected_f1(lgn: RetinaLGN, response: np.ndarray, tf: float, spontaneous: float,
                gain: float, frame_ms: float) -> float:
    """Each cell's F1 (Hz) of the LNP's expected rates, root-mean-square over all cells."""
    t = (np.arange(response.shape[0]) + 0.5) * frame_ms
    keep = t >= ONSET_MS
    phase = np.exp(-2j * np.pi * tf * t[keep] / 1000.0)
    n = lgn.params.n_cells
    signs = np.concatenate([np.ones(n), -np.ones(n)])
    rate = np.maximum(spontaneous + signs * gain * response[keep].astype(np.float64), 0.0)
    f1 = 2 * np.abs((rate * phase[:, None]).mean(axis=0))
    return float(np.sqrt(np.mean(f1 ** 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spontaneous-hz", type=float, default=None)
    parser.add_argument("--gain-hz", type=float, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    load_before = os.getloadavg()
    current, lgn, responses = measure("current")
    spontaneous = (args.spontaneous_hz if args.spontaneous_hz is not None else
                   float(np.mean([v["mean_hz"] for v in current["blank"].values()])))
    label, _, tf, _ = GRATINGS[0]
    target = float(np.mean([v["f1_hz"] for v in current[label].values()]))
    frame_ms = lgn.space.params.frame_interval_ms
    if args.gain_hz is not None:
        gain = args.gain_hz
    else:
        low, high = 0.0, 10000.0
        for _ in range(60):
            mid = (low + high) / 2
            if expected_f1(lgn, responses[label], tf, spontaneous, mid, frame_ms) < target:
                low = mid
            else:
                high = mid
        gain = (low + high) / 2
    poisson, _, _ = measure("poisson", spontaneous, gain)
    print(f"spontaneous_rate_hz = {spontaneous:.2f}, gain_hz = {gain:.1f} "
          f"(target F1 {target:.2f} Hz on {label})")
    print(f"{'stimulus':<18} {'sheet':<6} {'current mean':>13} {'poisson mean':>13} "
          f"{'current F1':>11} {'poisson F1':>11}")
    for stimulus in current:
        for sheet in current[stimulus]:
            c, p = current[stimulus][sheet], poisson[stimulus][sheet]
            print(f"{stimulus:<18} {sheet:<6} {c['mean_hz']:>13.2f} {p['mean_hz']:>13.2f} "
                  f"{c['f1_hz']:>11.2f} {p['f1_hz']:>11.2f}")
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    if args.json:
        args.json.write_text(json.dumps({
            "spontaneous_rate_hz": spontaneous, "gain_hz": gain, "current": current,
            "poisson": poisson, "load_average_before": load_before,
            "load_average_after": load_after}, indent=1))


if __name__ == "__main__":
    main()
