"""Run one analysis on a store and print what it returned (for ``bench_stream.py``).

Each analysis runs in its own process so its peak memory is its own. Only names public in
mozaik-analysis before and after issue 25 are used, so the same script measures the current
checkout and a reference checkout (``--reference-python``).

Usage: python stream_one.py RUN_DIR LABEL
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from typing import Any

import numpy as np
from mozaik.datastore import DataStore

#: PSTH keeps one signal per neuron: restricted, as its documentation advises on large sheets.
PSTH_NEURONS = tuple(range(1000))


def analyses() -> dict[str, Any]:
    """Label -> analysis, every shipped analysis that applies to a spikes-only store."""
    import mozaik_analysis as ma

    return {
        "FiringRate": ma.FiringRate(ma.FiringRateParams()),
        "TrialAveragedFiringRate": ma.TrialAveragedFiringRate(
            ma.TrialAveragedFiringRateParams()),
        "PSTH": ma.PSTH(ma.PSTHParams(bin_ms=10.0, neurons=PSTH_NEURONS)),
        # its results are one neo.AnalogSignal per neuron and stimulus: fewer of them
        "PSTH(100 neurons)": ma.PSTH(ma.PSTHParams(bin_ms=10.0, neurons=PSTH_NEURONS[:100])),
        "CVISI": ma.CVISI(ma.CVISIParams()),
        "FanoFactor": ma.FanoFactor(ma.FanoFactorParams()),
        "FanoFactor(window_ms=100)": ma.FanoFactor(ma.FanoFactorParams(window_ms=100.0)),
        "SpikeCountCorrelation": ma.SpikeCountCorrelation(ma.SpikeCountCorrelationParams()),
        "ModulationRatio": ma.ModulationRatio(ma.ModulationRatioParams()),
        "NeuronAnnotations": ma.NeuronAnnotations(ma.NeuronAnnotationsParams()),
        # on the stored TrialAveragedFiringRate results (bench_stream stores them first)
        "PopulationMean": ma.PopulationMean(ma.PopulationMeanParams()),
        "PeriodicTuningPreference": ma.PeriodicTuningPreference(
            ma.PeriodicTuningPreferenceParams()),
        "TuningWidth": ma.TuningWidth(ma.TuningWidthParams()),
    }


def digest(results: list[Any]) -> str:
    """A digest of the numbers of the results (equal digests: equal results)."""
    h = hashlib.sha256()
    for r in results:
        for field in ("values", "ids", "value"):
            if hasattr(r, field):
                h.update(np.ascontiguousarray(np.asarray(getattr(r, field),
                                                         np.float64)).tobytes())
        for s in getattr(r, "signals", ()):
            h.update(np.ascontiguousarray(np.asarray(s.magnitude, np.float64)).tobytes())
    return h.hexdigest()


def main() -> None:
    run, label = sys.argv[1], sys.argv[2]
    analysis = analyses()[label]
    t = time.perf_counter()
    with DataStore.open(run) as store:
        results = list(analysis.run(store))
    elapsed = time.perf_counter() - t
    print(json.dumps({"label": label, "results": len(results), "run_s": elapsed,
                      "digest": digest(results), "vmhwm_bytes": peak_rss()}))


def peak_rss() -> int:
    """This process's peak resident set size since it started (``VmHWM``, bytes).

    Not ``ru_maxrss``: Linux carries that over an ``exec`` from the process that forked, so a
    child of a large benchmark process would report the parent's size.
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


if __name__ == "__main__":
    main()
