"""Parameters as a configuration file gives them, and views with nothing but silence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from analysis_helpers import StoreBuilder, stimulus
from mozaik import ConfigError
from mozaik.config import structure
from mozaik_analysis import (
    CVISI,
    PSTH,
    CVISIParams,
    FanoFactor,
    FanoFactorParams,
    NeuronAnnotationsParams,
    PeriodicTuningPreferenceParams,
    PSTHParams,
    SpikeCountCorrelation,
    SpikeCountCorrelationParams,
    TrialAveragedFiringRate,
    TrialAveragedFiringRateParams,
)


def test_parameters_structure_from_a_config_tree():
    p = structure({"sheet_names": ["exc"], "bin_ms": 5.0, "neurons": [3, 1], "stop_ms": None,
                   "tags": ["a", "b"]}, PSTHParams, path="analyses[0].params")
    assert p == PSTHParams(sheet_names=("exc",), bin_ms=5.0, neurons=(3, 1), tags=("a", "b"))
    q = structure({"units": {"orientation_preference": "rad"},
                   "periods": {"orientation_preference": math.pi}}, NeuronAnnotationsParams)
    assert q.units == {"orientation_preference": "rad"}
    r = structure({"parameter": "direction", "period": 2 * math.pi},
                  PeriodicTuningPreferenceParams)
    assert r.period == 2 * math.pi and r.value_name == "Firing rate"


@pytest.mark.parametrize(("bad", "where"), [
    ({"bin_ms": -1.0}, "params.bin_ms: bin_ms must be > 0, got -1.0"),
    ({"stop_ms": 0.0}, "params.stop_ms: stop_ms must be > 0, got 0.0"),
    ({"max_pairs": 0}, "params.max_pairs: max_pairs must be >= 1, got 0"),
    ({"start_ms": 10.0, "stop_ms": 5.0}, "params: .*start_ms")])
def test_bad_parameters_are_config_errors(bad, where):
    # a field's validator names the field's dotted path, a check across fields the class's
    with pytest.raises(ConfigError, match=f"analyses\\[0\\].{where}"):
        structure(bad, SpikeCountCorrelationParams, path="analyses[0].params")


def test_a_silent_sheet_gives_zeros_and_nans_never_a_crash(tmp_path):
    b = StoreBuilder(tmp_path / "run", {"exc": 4})
    for trial in range(3):
        b.present(stimulus(), trial, 200.0, {})
    (rate,) = TrialAveragedFiringRate(TrialAveragedFiringRateParams()).run(b.store)
    np.testing.assert_array_equal(rate.values, 0.0)
    (psth,) = PSTH(PSTHParams(bin_ms=50.0)).run(b.store)
    assert all((s.magnitude == 0).all() for s in psth.signals)
    (cv,) = CVISI(CVISIParams()).run(b.store)
    (ff,) = FanoFactor(FanoFactorParams()).run(b.store)
    pair, mean = SpikeCountCorrelation(SpikeCountCorrelationParams()).run(b.store)
    assert np.isnan(cv.values).all() and np.isnan(ff.values).all()
    assert np.isnan(pair.values).all() and math.isnan(mean.value)
