"""Receptive fields of X cells and the vectorised linear filtering of luminance frames.

Spatial: a centre-surround difference of Gaussians, the same for every cell of a sheet, applied
to the Weber contrast of every frame by FFT convolution, then sampled at each cell's position.
Temporal: a biphasic kernel (difference of two gamma functions, the form Cai, DeAngelis and
Freeman 1997 fitted to cat LGN X cells) convolved along time with a history buffer, so the
response carries over from one presentation (or blank) to the next.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

__all__ = [
    "GainControlParams",
    "LinearFilter",
    "ReceptiveFieldParams",
    "TemporalKernelParams",
    "dog_kernel",
    "per_cell_reference",
    "temporal_kernel",
]


@attrs.frozen(kw_only=True)
class ReceptiveFieldParams:
    """Spatial receptive field: difference of Gaussians.

    Parameters
    ----------
    centre_sigma_deg, surround_sigma_deg : float, deg
        Standard deviations of the centre and surround Gaussians.
    surround_weight : float
        Integral of the surround relative to the centre's (0: no surround, 1: balanced).
    """

    centre_sigma_deg: float = 0.15
    surround_sigma_deg: float = 0.6
    surround_weight: float = 0.8

    def __attrs_post_init__(self) -> None:
        if not 0 < self.centre_sigma_deg < self.surround_sigma_deg:
            msg = (f"receptive_field: need 0 < centre_sigma_deg ({self.centre_sigma_deg}) < "
                   f"surround_sigma_deg ({self.surround_sigma_deg})")
            raise ValueError(msg)
        if not 0 <= self.surround_weight <= 1.5:
            msg = f"receptive_field.surround_weight must be in [0, 1.5], got {self.surround_weight}"
            raise ValueError(msg)


@attrs.frozen(kw_only=True)
class TemporalKernelParams:
    """Biphasic temporal kernel: gamma(t; tau_1, n_1) - undershoot * gamma(t; tau_2, n_2).

    ``gamma(t; tau, n) = t^n exp(-t/tau) / (tau^(n+1) n!)`` integrates to 1 (ms^-1).

    Parameters
    ----------
    tau_1_ms, tau_2_ms : float, ms
        Time constants of the positive and negative lobes.
    n_1, n_2 : int
        Orders of the two gamma functions.
    undershoot : float
        Integral of the negative lobe relative to the positive one (1: fully transient).
    length_ms : float, ms
        Support of the kernel (the history the filter keeps).
    """

    tau_1_ms: float = 8.0
    n_1: int = 3
    tau_2_ms: float = 16.0
    n_2: int = 3
    undershoot: float = 0.8
    length_ms: float = 300.0


@attrs.frozen(kw_only=True)
class GainControlParams:
    """Contrast gain control: the linear response divided by ``1 + c / c50``.

    ``c`` is the local contrast each cell sees, the root of an exponential running average
    (time constant ``tau_ms``, ms) of its squared linear response; ``c50 <= 0`` disables it.
    """

    c50: float = 0.3
    tau_ms: float = 100.0


def dog_kernel(rf: ReceptiveFieldParams, pixel_size_deg: float) -> np.ndarray:
    """The DoG on the pixel grid, (k, k) with k odd, support 3 surround sigmas; centre sums to 1."""
    half = max(1, math.ceil(3 * rf.surround_sigma_deg / pixel_size_deg))
    axis = np.arange(-half, half + 1) * pixel_size_deg
    r2 = axis[None, :] ** 2 + axis[:, None] ** 2
    centre = np.exp(-r2 / (2 * rf.centre_sigma_deg ** 2))
    surround = np.exp(-r2 / (2 * rf.surround_sigma_deg ** 2))
    return (centre / centre.sum() - rf.surround_weight * surround / surround.sum()).astype(
        np.float32)


def temporal_kernel(p: TemporalKernelParams, frame_interval_ms: float) -> np.ndarray:
    """The kernel sampled at frame onsets times the frame interval (its sum ~ the integral)."""
    t = (np.arange(max(1, math.ceil(p.length_ms / frame_interval_ms))) + 0.5) * frame_interval_ms

    def gamma(tau: float, n: int) -> np.ndarray:
        return (t / tau) ** n * np.exp(-t / tau) / (tau * math.factorial(n))

    return ((gamma(p.tau_1_ms, p.n_1) - p.undershoot * gamma(p.tau_2_ms, p.n_2))
            * frame_interval_ms).astype(np.float32)


class LinearFilter:
    """Spatio-temporal filter of all cells of an LGN, with state across presentations.

    Parameters
    ----------
    rows, cols : ndarray of int
        Pixel of each cell's receptive-field centre.
    rf : ReceptiveFieldParams
    kernel : TemporalKernelParams
    gain : GainControlParams
    pixel_size_deg, frame_interval_ms : float
    """

    def __init__(self, rows: np.ndarray, cols: np.ndarray, rf: ReceptiveFieldParams,
                 kernel: TemporalKernelParams, gain: GainControlParams, *,
                 pixel_size_deg: float, frame_interval_ms: float) -> None:
        self.rows, self.cols = np.asarray(rows), np.asarray(cols)
        self.spatial_kernel = dog_kernel(rf, pixel_size_deg)
        self.temporal = temporal_kernel(kernel, frame_interval_ms)
        self.gain = gain
        self._alpha = 1 - math.exp(-frame_interval_ms / gain.tau_ms) if gain.tau_ms > 0 else 1.0
        n = len(self.rows)
        #: The last len(kernel) - 1 frames of spatial responses (frames, cells).
        self.history = np.zeros((len(self.temporal) - 1, n), dtype=np.float32)
        #: Running mean of the squared linear response (cells,).
        self.contrast_state = np.zeros(n, dtype=np.float64)

    def reset(self) -> None:
        """Forget the history: as if only the background had ever been shown."""
        self.history[:] = 0
        self.contrast_state[:] = 0

    def spatial(self, contrast: np.ndarray) -> np.ndarray:
        """Spatial responses (frames, cells) to Weber-contrast frames (frames, rows, cols)."""
        from scipy import signal  # here, not at import: registering the plugin stays cheap

        first = contrast[:1]
        if np.all(contrast == first):
            # a constant scene (blank, flat luminance): filter one frame
            one = signal.fftconvolve(first, self.spatial_kernel[None], mode="same", axes=(1, 2))
            sampled = one[0, self.rows, self.cols].astype(np.float32)
            return np.broadcast_to(sampled, (len(contrast), len(sampled))).copy()
        filtered = signal.fftconvolve(contrast, self.spatial_kernel[None], mode="same",
                                      axes=(1, 2))
        return filtered[:, self.rows, self.cols].astype(np.float32)

    def temporal_step(self, spatial: np.ndarray) -> np.ndarray:
        """Filtered, gain-controlled responses (frames, cells); advances the filter's state."""
        from scipy import signal

        full = np.concatenate([self.history, spatial], axis=0)
        linear = signal.fftconvolve(full, self.temporal[:, None], mode="valid", axes=0)
        self.history = full[len(full) - len(self.history):] if len(self.history) else self.history
        if self.gain.c50 <= 0:
            return linear.astype(np.float32)
        a = self._alpha
        zi = ((1 - a) * self.contrast_state)[None]
        running, zf = signal.lfilter([a], [1, a - 1], linear.astype(np.float64) ** 2, axis=0,
                                     zi=zi)
        self.contrast_state = zf[0]
        return (linear / (1 + np.sqrt(running) / self.gain.c50)).astype(np.float32)


def per_cell_reference(contrast: np.ndarray, x_deg: np.ndarray, y_deg: np.ndarray,
                       pixel_x_deg: np.ndarray, pixel_y_deg: np.ndarray,
                       rf: ReceptiveFieldParams, kernel: np.ndarray) -> np.ndarray:
    """The same linear filtering done cell by cell in a Python loop (the original's approach).

    Builds each cell's own DoG over the frame, takes its dot product with every frame, and
    convolves the result with the temporal kernel. For tests and the benchmark only.
    """
    out = np.empty((contrast.shape[0], len(x_deg)), dtype=np.float32)
    frames = contrast.reshape(contrast.shape[0], -1)
    for i in range(len(x_deg)):
        r2 = (pixel_x_deg - x_deg[i]) ** 2 + (pixel_y_deg - y_deg[i]) ** 2
        centre = np.exp(-r2 / (2 * rf.centre_sigma_deg ** 2))
        surround = np.exp(-r2 / (2 * rf.surround_sigma_deg ** 2))
        field = centre / centre.sum() - rf.surround_weight * surround / surround.sum()
        response = frames @ field.ravel()
        out[:, i] = np.convolve(response, kernel)[: len(response)]
    return out
