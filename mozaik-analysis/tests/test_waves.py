"""Travelling waves and generalized phase on synthetic phase maps: a planted plane wave of known
speed and direction (with noise) is recovered within 5% and 5 degrees; spatially white noise
gives no wave above chance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mozaik_analysis import band_pass, electrode_grid, fit_plane_waves, generalized_phase
from scipy.signal import hilbert

FS_HZ = 1000.0


def planted(rng, speed_m_per_s: float, direction_deg: float, freq_hz: float = 10.0,
            noise: float = 0.3, duration_s: float = 2.0):
    """LFP on a 10 x 10 array at 400 um: cos(omega t - k . x) plus white noise (relative to
    the unit amplitude)."""
    positions = electrode_grid((10, 10), 400.0, (0.0, 0.0))
    t = np.arange(int(duration_s * FS_HZ)) / FS_HZ
    omega = 2 * np.pi * freq_hz  # rad/s
    k_norm = omega / (speed_m_per_s * 1e6)  # rad/um (speed in um/s)
    theta = math.radians(direction_deg)
    k = k_norm * np.array([math.cos(theta), math.sin(theta)])
    lfp = np.cos(omega * t[:, None] - positions @ k)
    return positions, lfp + noise * rng.standard_normal(lfp.shape)


@pytest.mark.parametrize(("speed", "direction"), [(0.3, 30.0), (0.1, -120.0), (0.5, 200.0)])
def test_planted_plane_wave_is_recovered(rng, speed, direction):
    positions, lfp = planted(rng, speed, direction)
    phase = generalized_phase(lfp, FS_HZ)
    waves = fit_plane_waves(phase[200:-200], positions, 1000.0 / FS_HZ)
    assert waves.fraction > 0.95
    assert waves.median_speed_m_per_s == pytest.approx(speed, rel=0.05)
    error = math.degrees(np.angle(np.exp(1j * (waves.mean_direction_rad
                                                - math.radians(direction)))))
    assert abs(error) < 5.0


def test_spatially_white_noise_has_no_wave_above_chance(rng):
    positions = electrode_grid((10, 10), 400.0, (0.0, 0.0))
    lfp = rng.standard_normal((2000, 100))
    phase = generalized_phase(lfp, FS_HZ)
    waves = fit_plane_waves(phase[200:-200], positions, 1000.0 / FS_HZ)
    # the chance level is the 99th percentile of shuffled fits: about 1% of samples pass
    assert waves.fraction < 0.05


def test_generalized_phase_follows_a_sine_and_mends_negative_frequencies():
    t = np.arange(2000) / FS_HZ
    x = np.sin(2 * np.pi * 10 * t)
    phase = generalized_phase(x[:, None], FS_HZ)[:, 0]
    expected = np.angle(np.exp(1j * (2 * np.pi * 10 * t - np.pi / 2)))
    err = np.angle(np.exp(1j * (phase - expected)))[300:-300]
    assert np.max(np.abs(err)) < 0.1
    # a brief reversal (a wave riding on a slower one) gives no backward phase
    y = x + 0.9 * np.sin(2 * np.pi * 33 * t)
    raw = np.unwrap(np.angle(hilbert(band_pass(y[:, None], FS_HZ, (5.0, 40.0)), axis=0))[:, 0])
    assert np.any(np.diff(raw[200:-200]) < 0)  # the plain analytic phase runs backwards
    unwrapped = np.unwrap(generalized_phase(y[:, None], FS_HZ)[:, 0])
    assert np.all(np.diff(unwrapped[200:-200]) >= -1e-9)


@pytest.mark.parametrize("positions", [[(0.0, 0.0), (400.0, 0.0)],
                                       [(0.0, 0.0), (400.0, 0.0), (800.0, 0.0)]])
def test_a_plane_needs_three_electrodes_off_one_line(positions):
    with pytest.raises(ValueError, match="at least 3 electrodes not on one line"):
        fit_plane_waves(np.zeros((10, len(positions))), np.array(positions), 1.0)
