"""Curve fits: a von Mises tuning curve (batched over neurons) and the Naka-Rushton function."""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize  # type: ignore[import-untyped]  # no stubs installed

__all__ = ["fit_naka_rushton", "fit_von_mises", "naka_rushton", "solve_steps", "von_mises",
           "von_mises_hwhh"]


def von_mises(theta: np.ndarray, baseline: np.ndarray, amplitude: np.ndarray, mu: np.ndarray,
              kappa: np.ndarray, period: float) -> np.ndarray:
    """``baseline + amplitude * exp(kappa * (cos(2 pi (theta - mu) / period) - 1))``.

    ``theta`` has shape (m,), the parameters shape (n,); the result has shape (m, n).
    """
    w = 2 * np.pi / period
    return np.asarray(baseline + amplitude * np.exp(kappa * (np.cos(w * (theta[:, None] - mu))
                                                             - 1.0)))


def von_mises_hwhh(kappa: np.ndarray, period: float) -> np.ndarray:
    """Half width at half height (above baseline) of :func:`von_mises`, in ``theta`` units.

    NaN where the curve never falls to half its height within the period
    (``kappa < ln 2 / 2``).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        c = 1.0 - math.log(2.0) / np.asarray(kappa, np.float64)
        return np.where(c >= -1.0, np.arccos(np.clip(c, -1.0, 1.0)) * period / (2 * np.pi),
                        np.nan)


def _initial(theta: np.ndarray, y: np.ndarray, period: float) -> np.ndarray:
    base = y.min(axis=0)
    amp = y.max(axis=0) - base
    mu = theta[np.argmax(y, axis=0)]
    with np.errstate(invalid="ignore", divide="ignore"):
        above = ((y - base) > 0.5 * amp).mean(axis=0)
        half = np.clip(above, 1.0 / len(theta), 0.9) * period / 2
        kappa = math.log(2.0) / (1.0 - np.cos(2 * np.pi * half / period))
    return np.vstack([base, amp, mu, np.log(np.clip(kappa, 0.05, 200.0))])


def fit_von_mises(theta: np.ndarray, y: np.ndarray, period: float,
                  iterations: int = 200) -> np.ndarray:
    """Least-squares fit of :func:`von_mises` to every column of ``y`` at once.

    A Levenberg-Marquardt iteration vectorised over neurons (no loop over neurons).

    Parameters
    ----------
    theta : array of shape (m,)
        Parameter values (need not cover the period evenly).
    y : array of shape (m, n)
        One tuning curve per column.

    Returns
    -------
    array of shape (4, n)
        ``baseline, amplitude, mu (in [0, period)), kappa`` per neuron; NaN for flat or
        non-finite curves.
    """
    theta = np.asarray(theta, np.float64)
    y = np.asarray(y, np.float64)
    x = _initial(theta, y, period)
    w = 2 * np.pi / period
    lam = np.full(y.shape[1], 1e-2)

    def residual(p: np.ndarray) -> np.ndarray:
        return np.asarray(von_mises(theta, p[0], p[1], p[2], np.exp(p[3]), period) - y)

    r = residual(x)
    cost = (r ** 2).sum(axis=0)
    for _ in range(iterations):
        kappa = np.exp(x[3])
        d = w * (theta[:, None] - x[2])
        e = np.exp(kappa * (np.cos(d) - 1.0))
        jac = np.stack([np.ones_like(e), e, x[1] * e * kappa * np.sin(d) * w,
                        x[1] * e * (np.cos(d) - 1.0) * kappa], axis=-1)  # (m, n, 4)
        jtj = np.einsum("mnk,mnl->nkl", jac, jac)
        jtr = np.einsum("mnk,mn->nk", jac, r)
        damp = jtj + lam[:, None, None] * (np.eye(4) * jtj.diagonal(axis1=1, axis2=2)[:, None]
                                           + 1e-12 * np.eye(4))
        with np.errstate(invalid="ignore", over="ignore"):
            step = solve_steps(damp, -jtr[..., None])[..., 0].T
            trial = x + np.nan_to_num(step)
            trial[3] = np.clip(trial[3], -6.0, 8.0)
            r_new = residual(trial)
            new_cost = (r_new ** 2).sum(axis=0)
        better = new_cost < cost
        x = np.where(better, trial, x)
        r = np.where(better, r_new, r)
        cost = np.where(better, new_cost, cost)
        lam = np.where(better, lam / 3.0, lam * 3.0)
    out = np.vstack([x[0], x[1], np.mod(x[2], period), np.exp(x[3])])
    flat = ~np.isfinite(y).all(axis=0) | (np.ptp(y, axis=0) == 0)
    out[:, flat] = np.nan
    return out


def solve_steps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.linalg.solve`` of a stack of systems, a singular one giving a zero step.

    A neuron whose steps keep succeeding has its damping divided by 3 each time, down to
    nothing; on a nearly flat curve (``kappa`` near 0, two columns of the Jacobian equal) its
    system is then exactly singular, and one such neuron made ``np.linalg.solve`` fail the
    whole batch (``TuningWidth`` on 40,000 Poisson neurons). A zero step is rejected by the
    iteration (the cost does not fall), which raises that neuron's damping again. The others
    get the same solution as from one batched call (each system is solved on its own).
    """
    try:
        return np.asarray(np.linalg.solve(a, b))
    except np.linalg.LinAlgError:
        if len(a) == 1:
            return np.zeros_like(b)
        half = len(a) // 2  # find the singular ones by halving: few solves for a few of them
        return np.concatenate([solve_steps(a[:half], b[:half]), solve_steps(a[half:], b[half:])])


def naka_rushton(c: np.ndarray, r_max: float, c50: float, n: float) -> np.ndarray:
    """Naka-Rushton contrast response ``r_max * c**n / (c**n + c50**n)``."""
    cn = np.power(np.maximum(c, 0.0), n)
    return np.asarray(r_max * cn / (cn + c50 ** n))


def fit_naka_rushton(contrast: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fit :func:`naka_rushton` to each column of ``y`` (m contrasts x n neurons).

    Uses ``scipy.optimize.least_squares`` per neuron with bounds ``r_max >= 0``,
    ``c50`` within (0, 10 x the largest contrast] and ``0.1 <= n <= 20``.

    Returns
    -------
    array of shape (3, n)
        ``r_max, c50, n`` per neuron; NaN for curves that are flat or fewer than 3 points.
    """
    c = np.asarray(contrast, np.float64)
    y = np.asarray(y, np.float64)
    out = np.full((3, y.shape[1]), np.nan)
    top = float(c.max()) if len(c) else 0.0
    if len(c) < 3 or top <= 0:
        return out
    for j in range(y.shape[1]):
        col = y[:, j]
        if not np.isfinite(col).all() or np.ptp(col) == 0:
            continue
        half = col.max() / 2
        c50 = float(c[np.argmax(col >= half)]) or top / 2

        def resid(p: np.ndarray, col: np.ndarray = col) -> np.ndarray:
            return np.asarray(naka_rushton(c, p[0], p[1], p[2]) - col)

        x0 = np.clip([max(col.max(), 1e-9), max(c50, top * 1e-3), 2.0],
                     [0.0, top * 1e-4, 0.1], [np.inf, top * 10, 20.0])
        fit = optimize.least_squares(resid, x0, bounds=([0.0, top * 1e-4, 0.1],
                                                        [np.inf, top * 10, 20.0]))
        out[:, j] = fit.x
    return out
