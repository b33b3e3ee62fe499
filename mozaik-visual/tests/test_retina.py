"""The retina/LGN filter: vectorised equals per cell, state carries over, trials reuse it."""

from __future__ import annotations

import numpy as np
import pytest
from mozaik import ConfigError
from mozaik.config import SimulatorConfig
from mozaik.model import Model
from mozaik.stimulus import NullStimulus, NullStimulusParams
from mozaik_visual.retina import (
    GainControlParams,
    LinearFilter,
    ReceptiveFieldParams,
    RetinaLGN,
    RetinaLGNParams,
    TemporalKernelParams,
    per_cell_reference,
    temporal_kernel,
)
from mozaik_visual.space import VisualSpace, VisualSpaceParams
from mozaik_visual.stimuli import FullfieldDriftingSinusoidalGrating, GratingParams

SPACE = VisualSpace(VisualSpaceParams(size_deg=(6.0, 6.0), pixel_size_deg=0.1))
GRATING = FullfieldDriftingSinusoidalGrating(GratingParams(duration_ms=200.0, contrast_pct=50.0))


def _lgn(**params: object) -> RetinaLGN:
    model = Model(SimulatorConfig(backend="mock", seed=2), name="lgn")
    model.input_space = SPACE
    values = {"noise_std_nA": 0.0, **params}
    return RetinaLGN("lgn", RetinaLGNParams(**values), model)  # type: ignore[arg-type]


def test_vectorised_filter_equals_the_per_cell_loop() -> None:
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(15, 45, size=40), rng.integers(15, 45, size=40)
    rf = ReceptiveFieldParams()
    f = LinearFilter(rows, cols, rf, TemporalKernelParams(), GainControlParams(c50=0.0),
                     pixel_size_deg=0.1, frame_interval_ms=10.0)
    contrast = (SPACE.render(GRATING) - 50.0) / 50.0
    fast = f.temporal_step(f.spatial(contrast))
    slow = per_cell_reference(contrast, SPACE.x_deg[rows, cols], SPACE.y_deg[rows, cols],
                              SPACE.x_deg, SPACE.y_deg, rf, temporal_kernel(
                                  TemporalKernelParams(), 10.0))
    np.testing.assert_allclose(fast, slow, atol=2e-3 * np.abs(slow).max())


def test_response_carries_over_into_the_blank() -> None:
    lgn = _lgn(n_cells=9, size_deg=(1.0, 1.0))
    lgn.present(GRATING, 0.0)
    lgn.present(NullStimulus(NullStimulusParams(duration_ms=100.0)), 200.0)
    blank = lgn.drives["X_ON"].last["amplitudes_nA"]
    # the first blank frames still carry the grating's response, which then decays to the bias
    assert np.abs(blank[:, 0] - lgn.params.bias_nA).max() > 0.05
    assert np.abs(blank[:, -1] - lgn.params.bias_nA).max() < np.abs(
        blank[:, 0] - lgn.params.bias_nA).max()
    lgn.reset()
    lgn.present(NullStimulus(NullStimulusParams(duration_ms=100.0)), 300.0)
    np.testing.assert_allclose(lgn.drives["X_ON"].last["amplitudes_nA"], 0.7, atol=1e-6)
    fresh = _lgn(n_cells=9, size_deg=(1.0, 1.0))
    fresh.present(NullStimulus(NullStimulusParams(duration_ms=100.0)), 0.0)
    np.testing.assert_allclose(fresh.drives["X_ON"].last["amplitudes_nA"], 0.7, atol=1e-6)


def test_trials_reuse_the_filtered_signal_on_and_off_are_opposite() -> None:
    lgn = _lgn(n_cells=16, size_deg=(2.0, 2.0), gain_control=GainControlParams(c50=0.0))
    for trial in range(3):
        lgn.present(GRATING.with_trial(trial), trial * 200.0)
    assert lgn.n_filtered == 1 and lgn.n_cached == 2
    on = lgn.drives["X_ON"].last["amplitudes_nA"] - lgn.params.bias_nA
    off = lgn.drives["X_OFF"].last["amplitudes_nA"] - lgn.params.bias_nA
    np.testing.assert_allclose(on, -off, atol=1e-5)
    assert lgn.drives["X_ON"].last["times_ms"][0] == 400.0
    assert lgn.sheets["X_ON"].annotations["polarity"][0] == "ON"


def test_every_trial_draws_fresh_noise_around_the_same_signal() -> None:
    lgn = _lgn(n_cells=4, size_deg=(1.0, 1.0), noise_std_nA=0.5, noise_dt_ms=1.0)
    quiet = _lgn(n_cells=4, size_deg=(1.0, 1.0))
    runs = []
    for trial in range(2):
        for layer in (lgn, quiet):
            layer.reset()
            layer.present(GRATING.with_trial(trial), 0.0)
        runs.append(lgn.drives["X_ON"].last["amplitudes_nA"])
    signal = quiet.drives["X_ON"].last["amplitudes_nA"]
    assert runs[0].shape == (4, 200)  # 1 ms noise steps over 200 ms
    assert not np.allclose(runs[0], runs[1])
    noise = np.concatenate([runs[0] - signal, runs[1] - signal])
    assert noise.std() == pytest.approx(0.5, rel=0.1) and abs(noise.mean()) < 0.05
    assert lgn.n_filtered == 1


def test_gain_control_compresses_high_contrast() -> None:
    def peak(contrast: float, c50: float) -> float:
        lgn = _lgn(n_cells=4, size_deg=(1.0, 1.0), gain_control=GainControlParams(c50=c50))
        stim = FullfieldDriftingSinusoidalGrating(GratingParams(
            duration_ms=500.0, contrast_pct=contrast, spatial_frequency_cpd=0.5))
        lgn.present(stim, 0.0)
        return float(np.abs(lgn.drives["X_ON"].last["amplitudes_nA"] - 0.7).max())

    linear = peak(100.0, 0.0) / peak(10.0, 0.0)
    controlled = peak(100.0, 0.1) / peak(10.0, 0.1)
    assert linear == pytest.approx(10.0, rel=1e-3) and controlled < 0.8 * linear


def test_lgn_outside_the_field_and_without_visual_space() -> None:
    with pytest.raises(ConfigError, match="size_deg.*outside the visual field"):
        _lgn(size_deg=(8.0, 8.0))
    model = Model(SimulatorConfig(backend="mock", seed=2), name="lgn")
    with pytest.raises(ConfigError, match="VisualSpace"):
        RetinaLGN("lgn", RetinaLGNParams(), model)
