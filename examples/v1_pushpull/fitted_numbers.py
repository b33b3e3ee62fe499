"""Print the fitted numbers of a run of ``figures.yaml`` as Markdown tables.

    python examples/v1_pushpull/fitted_numbers.py RUN_DIR [NEURON ...]

For the neurons of Figure 5 (by default those of the run's size-tuning plot) and for
all excitatory cells responsive to the gratings (trial-averaged rate >= 2 Hz at some size and
some contrast): the size of peak response (SizeTuning "Preferred size", a radius in deg; the
seed's x axis is the diameter, twice it), the suppression index, the peak rate, and the
Naka-Rushton c50 (ContrastResponse, in % contrast), exponent and maximum. Every number is read
from the run's stored analysis results; nothing is recomputed here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from mozaik.datastore import DataStore

__all__ = ["fitted", "main"]

SHEET = "V1_Exc_L4"
#: (analysis, value name, column heading, format) of each fitted number.
VALUES = (
    ("SizeTuning", "Preferred size", "peak size (radius, deg)", "{:.2f}"),
    ("SizeTuning", "Suppression index", "suppression index", "{:.2f}"),
    ("SizeTuning", "Maximum response", "peak rate (Hz)", "{:.1f}"),
    ("ContrastResponse", "c50", "c50 (%)", "{:.0f}"),
    ("ContrastResponse", "Naka-Rushton exponent", "exponent n", "{:.1f}"),
    ("ContrastResponse", "Naka-Rushton maximum", "r_max (Hz)", "{:.1f}"),
)
RESPONSIVE_HZ = 2.0


def fitted(run_dir: Path) -> dict[str, np.ndarray]:
    """Column heading -> value per excitatory cell (sheet index order), plus ``responsive``."""
    out: dict[str, np.ndarray] = {}
    with DataStore.open(run_dir) as store:
        view = store.full_view()
        n = len(view.neuron_ids(SHEET))
        for analysis, value_name, heading, _ in VALUES:
            (result,) = view.get_analysis_result(analysis_algorithm=analysis,
                                                 value_name=value_name, sheet_name=SHEET)
            values = np.full(n, np.nan)
            values[np.asarray(result.ids)] = np.asarray(result.values, dtype=float)
            out[heading] = values
        rates = view.get_analysis_result(analysis_algorithm="TrialAveragedFiringRate",
                                         sheet_name=SHEET)
        peak = {"DriftingGratingDisk": np.zeros(n), "FullfieldDriftingSinusoidalGrating":
                np.zeros(n)}
        for r in rates:
            if r.stimulus_id is not None and r.stimulus_id.name in peak:
                row = peak[r.stimulus_id.name]
                ids = np.asarray(r.ids)
                row[ids] = np.maximum(row[ids], np.asarray(r.values, dtype=float))
    out["responsive"] = np.logical_and(*[v >= RESPONSIVE_HZ for v in peak.values()])
    return out


def _figure_neurons(run_dir: Path) -> list[int]:
    """The neurons of the run's first TuningCurvePlot (its resolved configuration)."""
    with DataStore.open(run_dir) as store:
        plots = store.manifest["config"]["plots"]
    return [int(i) for i in next(p["params"]["neurons"] for p in plots
                                 if p["component"] == "TuningCurvePlot")]


def main(argv: list[str]) -> str:
    """The Markdown tables for ``argv`` (RUN_DIR [NEURON ...])."""
    run_dir = Path(argv[0])
    neurons = [int(a) for a in argv[1:]] or _figure_neurons(run_dir)
    values = fitted(run_dir)
    headings = [h for _, _, h, _ in VALUES]
    formats = dict(zip(headings, [f for *_, f in VALUES], strict=True))
    lines = ["| neuron | " + " | ".join(headings) + " |",
             "|---" * (len(headings) + 1) + "|"]
    for i in neurons:
        cells = [formats[h].format(values[h][i]) for h in headings]
        lines.append(f"| {i} | " + " | ".join(cells) + " |")
    live = values["responsive"]
    lines += ["", f"Responsive excitatory cells ({int(live.sum())} of {len(live)}): median "
              "(quartiles) of each number over the cells where it is defined", "",
              "| " + " | ".join(headings) + " |", "|---" * len(headings) + "|"]
    cells = []
    for h in headings:
        v = values[h][live]
        v = v[np.isfinite(v)]
        q = np.percentile(v, [25, 50, 75]) if len(v) else [np.nan] * 3
        f = formats[h]
        cells.append(f"{f.format(q[1])} ({f.format(q[0])}-{f.format(q[2])}), n={len(v)}")
    lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(main(sys.argv[1:]))
