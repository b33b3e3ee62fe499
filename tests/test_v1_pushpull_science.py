"""Science, end to end on NEST: the CI size of ``examples/v1_pushpull`` is orientation tuned.

One ``mozaik run`` of the example at its CI size (see the example's README: V1 2000 x 2000 um,
8 orientations, 2 trials of 490 ms, one NEST thread), with the study's own ``analyses:``
(mozaik-analysis FiringRate and TrialAveragedFiringRate, then PeriodicTuningPreference along
``orientation_rad`` of the trial averages, selected by its ``query:``); its tuning figure has
error bars over the 2 trials. The measured preference of each cell is compared with the Gabor
orientation the afferent connector assigned it (the ``gabor_orientation_rad`` annotation):

* circular correlation (Fisher-Lee, on doubled angles since orientation has period pi)
  between measured and assigned orientation;
* share of responsive cells (trial-averaged rate >= 2 Hz at some orientation) whose measured
  preference lies within 20 degrees of the assigned one (chance: 40/180 = 22%);
* the same agreement with the stimulus labels shuffled (each cell's responses permuted over
  the orientations, seeded): the share within 20 degrees falls to chance, and the measured
  share must be at least twice the shuffled one;
* selectivity above a shuffled-label control: each cell's presentations get the stimulus
  labels in a random order (its own per cell; 200 seeded shuffles), the selectivity is
  recomputed, and the measured mean selectivity of the responsive cells must exceed every
  shuffle's (a permutation test, p < 1/200) and be at least 1.3x their mean.

Measured at the CI size (seed 2013, 2026-12-03; the whole module 173 s on the loaded 2-core
machine): excitatory circular correlation 0.67, 78% within 20 deg (shuffled 25%), mean
selectivity 0.241 against 0.163 for shuffled labels (max 0.178), ratio 1.48; inhibitory 0.76,
84% (33%), 0.172 against 0.108 (max 0.124), ratio 1.59. At the example size (3 trials of
980 ms) the ratios are 2.04 and 2.25 (see the example's README). The shuffled control is not
zero: with one trial it is the selectivity of the permuted tuning curve, with few spikes
Poisson noise, so the ratio grows with orientations and trials (6 orientations x 1 trial gave
1.06 and 1.17 for the same model).

Inhibitory cells (more samples from a broader pool, stronger recurrent drive) must be tuned
too, more broadly: lower selectivity than excitatory cells. Last, the preferences are
recomputed from the stored spikes with numpy only and match the stored analysis results.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mozaik.datastore import DataStore
from mozaik.stimulus import StimulusIdentity

pytestmark = [pytest.mark.nest]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "v1_pushpull"
MOZAIK = [str(Path(sys.executable).with_name("mozaik"))]

#: The CI size (also in the example's README).
CI = [
    "sheets.V1_Exc_L4.params.placement.size_um=[2000.0,2000.0]",
    "experiments.0.params.num_orientations=8",
    "experiments.0.params.num_trials=2",
    "experiments.0.params.duration_ms=490.0",
    "simulator.threads=1",
]
RESPONSIVE_HZ = 2.0
WITHIN_DEG = 20.0
#: What is asserted, per sheet: (minimum circular correlation, minimum share within 20 deg,
#: minimum ratio of that share to the share with shuffled stimulus labels). Measured at the
#: CI size (seed 2013, 2026-12-03): excitatory 0.67, 78% (shuffled 25%); inhibitory 0.76, 84%
#: (shuffled 33%).
CRITERIA = {"V1_Exc_L4": (0.35, 0.45, 2.0), "V1_Inh_L4": (0.2, 0.35, 1.5)}
#: Minimum ratio of the mean selectivity of responsive cells to its mean over SHUFFLES seeded
#: shuffles of the stimulus labels. Measured at the CI size (seed 2013, 2026-12-03): excitatory
#: 0.241 / 0.163 = 1.48, inhibitory 0.172 / 0.108 = 1.59.
SELECTIVITY = {"V1_Exc_L4": 1.3, "V1_Inh_L4": 1.3}
SHUFFLES = 200


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("v1") / "run"
    overrides = [item for o in CI for item in ("--set", o)]
    result = subprocess.run([*MOZAIK, "run", str(EXAMPLE), *overrides, "--out", str(out),
                             "--progress", "log"], capture_output=True, text=True,
                            timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _stored(store: DataStore, sheet: str, value_name: str) -> tuple[np.ndarray, np.ndarray]:
    found = store.full_view().get_analysis_result(sheet_name=sheet, value_name=value_name)
    assert len(found) == 1, f"{value_name} of {sheet}: {len(found)} results"
    return np.asarray(found[0].ids), np.asarray(found[0].values, dtype=float)


def _presentations(store: DataStore, sheet: str) -> tuple[np.ndarray, np.ndarray]:
    """(orientation of each presentation (p,), its rates (p, n) in Hz) from the stored spikes."""
    view = store.full_view()
    rows = [r for r in view.segment_index.to_pylist()
            if r["sheet_name"] == sheet and not r["is_null"]]
    n = len(view.neuron_ids(sheet))
    spikes = view.spike_arrays(sheet)
    labels, rates = [], []
    for row in rows:
        mask = spikes.segment_id == row["segment_id"]
        counts = np.bincount(spikes.neuron[mask], minlength=n).astype(float)
        seconds = (row["t_stop"] - row["t_start"]) / 1000.0
        labels.append(float(StimulusIdentity.from_string(row["stimulus_id"]).params[
            "orientation_rad"]))
        rates.append(counts / seconds)
    return np.array(labels), np.array(rates)


def _trial_average(labels: np.ndarray, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(orientations (m,), trial-averaged rates (m, n)) of per-presentation rates."""
    orientations = np.unique(labels)
    return orientations, np.array([rates[labels == o].mean(axis=0) for o in orientations])


def _rates(store: DataStore, sheet: str) -> tuple[np.ndarray, np.ndarray]:
    """(orientations (m,), trial-averaged rates (m, n) in Hz) from the stored spikes."""
    return _trial_average(*_presentations(store, sheet))


def _shuffled_selectivity(labels: np.ndarray, rates: np.ndarray, n_shuffles: int
                          ) -> np.ndarray:
    """Mean selectivity of the cells (columns of ``rates``) for each of ``n_shuffles`` seeded
    shuffles of the stimulus labels: each cell's presentations get the labels in its own
    random order (with one trial, a permutation of its tuning curve)."""
    rng = np.random.default_rng(0)
    out = np.empty(n_shuffles)
    for k in range(n_shuffles):
        order = np.argsort(rng.uniform(size=rates.shape), axis=0)
        shuffled = np.take_along_axis(rates, order, axis=0)
        orientations, averaged = _trial_average(labels, shuffled)
        out[k] = np.nanmean(_vector_average(orientations, averaged)[1])
    return out


def _vector_average(orientations: np.ndarray, rates: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    z = (rates * np.exp(2j * orientations)[:, None]).sum(axis=0)
    total = rates.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        selectivity = np.abs(z) / total
    return np.mod(np.angle(z) / 2.0, np.pi), selectivity


def _circular_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Fisher-Lee (1983) circular correlation of two orientation samples (period pi, so on
    doubled angles): rotation invariant and defined for uniform samples, 1 for identical
    orientations, about 0 for unrelated ones."""
    x, y = 2.0 * a, 2.0 * b
    sx = np.sin(x[:, None] - x[None, :])
    sy = np.sin(y[:, None] - y[None, :])
    return float((sx * sy).sum() / np.sqrt((sx * sx).sum() * (sy * sy).sum()))


def _difference_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.mod(a - b, np.pi)
    return np.degrees(np.minimum(d, np.pi - d))


@pytest.mark.parametrize("sheet", sorted(CRITERIA))
def test_measured_preference_matches_assigned(run_dir: Path, sheet: str) -> None:
    min_corr, min_share, min_ratio = CRITERIA[sheet]
    with DataStore.open(run_dir) as store:
        ids, preference = _stored(store, sheet, "orientation_rad preference")
        _, selectivity = _stored(store, sheet, "orientation_rad selectivity")
        assigned = store.full_view().neuron_annotations(sheet)["gabor_orientation_rad"][ids]
        orientations, rates = _rates(store, sheet)
    responsive = rates[:, ids].max(axis=0) >= RESPONSIVE_HZ
    assert responsive.mean() > 0.5, f"{sheet}: only {responsive.mean():.0%} responsive"
    corr = _circular_correlation(preference[responsive], assigned[responsive])
    share = (_difference_deg(preference, assigned)[responsive] <= WITHIN_DEG).mean()
    rng = np.random.default_rng(0)
    order = np.argsort(rng.uniform(size=rates[:, ids].shape), axis=0)
    shuffled = np.take_along_axis(rates[:, ids], order, axis=0)
    control_preference, _ = _vector_average(orientations, shuffled)
    control = (_difference_deg(control_preference, assigned)[responsive] <= WITHIN_DEG).mean()
    print(f"{sheet}: circular correlation {corr:.2f}, within {WITHIN_DEG:g} deg {share:.0%} "
          f"(shuffled labels {control:.0%}), selectivity {np.nanmean(selectivity[responsive]):.3f}")
    assert corr >= min_corr
    assert share >= min_share
    assert share >= min_ratio * control


@pytest.mark.parametrize("sheet", sorted(SELECTIVITY))
def test_selectivity_is_above_shuffled_labels(run_dir: Path, sheet: str) -> None:
    with DataStore.open(run_dir) as store:
        ids, selectivity = _stored(store, sheet, "orientation_rad selectivity")
        labels, rates = _presentations(store, sheet)
    rates = rates[:, ids]
    responsive = _trial_average(labels, rates)[1].max(axis=0) >= RESPONSIVE_HZ
    measured = float(np.nanmean(selectivity[responsive]))
    control = _shuffled_selectivity(labels, rates[:, responsive], SHUFFLES)
    print(f"{sheet}: mean selectivity {measured:.3f}, shuffled labels {control.mean():.3f} "
          f"(max of {SHUFFLES}: {control.max():.3f}), ratio {measured / control.mean():.2f}")
    # a permutation test (p < 1 / SHUFFLES) and the margin over the shuffles' mean
    assert measured > control.max()
    assert measured >= SELECTIVITY[sheet] * control.mean()


def test_inhibitory_cells_are_more_broadly_tuned(run_dir: Path) -> None:
    with DataStore.open(run_dir) as store:
        exc = np.nanmean(_stored(store, "V1_Exc_L4", "orientation_rad selectivity")[1])
        inh = np.nanmean(_stored(store, "V1_Inh_L4", "orientation_rad selectivity")[1])
    assert inh < exc


@pytest.mark.parametrize("sheet", sorted(CRITERIA))
def test_preferences_recomputed_from_spikes_match_the_store(run_dir: Path, sheet: str) -> None:
    with DataStore.open(run_dir) as store:
        ids, preference = _stored(store, sheet, "orientation_rad preference")
        _, selectivity = _stored(store, sheet, "orientation_rad selectivity")
        orientations, rates = _rates(store, sheet)
    mine, mine_selectivity = _vector_average(orientations, rates[:, ids])
    live = np.isfinite(selectivity)
    np.testing.assert_allclose(mine_selectivity[live], selectivity[live], rtol=1e-9, atol=1e-12)
    # the preference of a flat curve (selectivity ~1e-16) is the angle of rounding noise
    defined = live & (selectivity > 1e-9)
    assert defined.mean() > 0.9
    np.testing.assert_allclose(_difference_deg(mine[defined], preference[defined]), 0.0,
                               atol=1e-6)


def test_tuning_figure_has_error_bars_over_trials(run_dir: Path) -> None:
    """The study stores per-trial rates (FiringRate) beside the trial averages: its tuning
    figure draws the mean and standard deviation over the 2 trials, while the preferences
    above (one result per sheet, ``_stored``) come from the trial averages only."""
    with DataStore.open(run_dir) as store:
        per_trial = store.full_view().get_analysis_result(analysis_algorithm="FiringRate",
                                                          sheet_name="V1_Exc_L4")
    assert len(per_trial) == 8 * 2  # 8 orientations x 2 trials
    sidecars = [json.loads(p.read_text()) for p in sorted((run_dir / "figures").glob("*.json"))]
    tuning = [s for s in sidecars if s["plot"] == "TuningCurvePlot"]
    assert len(tuning) == 1, [s["plot"] for s in sidecars]
    assert "mean and standard deviation over 2 trials" in tuning[0]["caption"], tuning[0]
