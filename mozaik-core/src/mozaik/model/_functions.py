"""Connector functions: per-pair values the modular connector combines in its expressions.

A connector function maps a :class:`PairBlock` (source and target index arrays that broadcast
against each other, plus the two sheets) to an array of values of the block's shape. Functions
must use only element-wise, broadcasting NumPy operations: the modular connector calls them both
on a (targets x all sources) grid and on flat lists of connected pairs.
"""

from __future__ import annotations

import abc
import functools
from typing import TYPE_CHECKING, Any, Generic

import attrs
import numpy as np
from typing_extensions import TypeVar

from mozaik.config import Distribution, positive

if TYPE_CHECKING:
    from mozaik.model._sheet import Sheet

__all__ = [
    "Constant",
    "ConstantParams",
    "ConnectorFunction",
    "ExponentialDistance",
    "ExponentialDistanceParams",
    "GaussianDistance",
    "GaussianDistanceParams",
    "HyperbolicDistance",
    "HyperbolicDistanceParams",
    "LinearDistance",
    "LinearDistanceParams",
    "PairBlock",
    "RandomValue",
    "RandomValueParams",
]

_P = TypeVar("_P", covariant=True, default=object)


class PairBlock:
    """A set of (source, target) neuron pairs of two sheets.

    Parameters
    ----------
    source, target : Sheet
    source_indices, target_indices : ndarray of int
        Indices that broadcast against each other: shapes (1, n_source) and (m, 1) for a block of
        m targets against every source, or (k,) and (k,) for a list of k pairs.
    rng : pyNN.random.NumpyRNG
        The connector's random stream (for functions that draw values).
    """

    def __init__(self, source: Sheet, target: Sheet, source_indices: np.ndarray,
                 target_indices: np.ndarray, rng: Any) -> None:
        self.source = source
        self.target = target
        self.source_indices = source_indices
        self.target_indices = target_indices
        self.rng = rng

    @property
    def shape(self) -> tuple[int, ...]:
        return np.broadcast_shapes(self.source_indices.shape, self.target_indices.shape)

    @functools.cached_property
    def displacement_um(self) -> tuple[np.ndarray, np.ndarray]:
        """(dx, dy) from target to source, um."""
        s = self.source.positions_um
        t = self.target.positions_um
        dx = s[self.source_indices, 0] - t[self.target_indices, 0]
        dy = s[self.source_indices, 1] - t[self.target_indices, 1]
        return dx, dy

    @functools.cached_property
    def squared_distances_um2(self) -> np.ndarray:
        """Squared distance between source and target, um^2 (computed once per block)."""
        s = self.source.positions_um
        t = self.target.positions_um
        dx = s[self.source_indices, 0] - t[self.target_indices, 0]
        dy = s[self.source_indices, 1] - t[self.target_indices, 1]
        np.multiply(dx, dx, out=dx)
        np.multiply(dy, dy, out=dy)
        np.add(dx, dy, out=dx)
        return np.asarray(dx)

    @functools.cached_property
    def distances_um(self) -> np.ndarray:
        """Euclidean distance between source and target, um (computed once per block)."""
        return np.asarray(np.sqrt(self.squared_distances_um2))


class ConnectorFunction(abc.ABC, Generic[_P]):
    """Base of connector functions: ``function(pairs) -> values`` of shape ``pairs.shape``
    (or broadcastable to it).

    Subclasses take their parameter object in ``__init__`` (the registered factory is called as
    ``factory(params)``) and implement :meth:`__call__`; they name their parameters class as
    the type argument, ``class Gaussian(ConnectorFunction[GaussianParams])``.
    """

    params: _P

    def __init__(self, params: _P) -> None:
        self.params = params

    @abc.abstractmethod
    def __call__(self, pairs: PairBlock) -> np.ndarray:
        """The value for every (source, target) pair of ``pairs``, broadcasting only."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


@attrs.frozen(kw_only=True)
class ConstantParams:
    """``Constant``: the same value for every pair.

    Parameters
    ----------
    value : float
        The value of every (source, target) pair.
    """

    value: float = 1.0


class Constant(ConnectorFunction[ConstantParams]):
    """``value`` for every pair."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        return np.full(pairs.shape, self.params.value)


@attrs.frozen(kw_only=True)
class RandomValueParams:
    """``RandomValue``: an independent draw per pair.

    Parameters
    ----------
    distribution : Distribution
        What each pair's value is drawn from, with the connector's random stream, e.g.
        ``{distribution: uniform, low: 0.5, high: 1.5}``.
    """

    distribution: Distribution


class RandomValue(ConnectorFunction[RandomValueParams]):
    """An independent value per pair, drawn from ``params.distribution`` with the connector's
    random stream."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        shape = pairs.shape
        n = int(np.prod(shape))
        return np.asarray(self.params.distribution.to_pynn(pairs.rng).next(n),
                          dtype=float).reshape(shape)


@attrs.frozen(kw_only=True)
class GaussianDistanceParams:
    """``GaussianDistance``: ``peak * exp(-d^2 / (2 sigma_um^2))``, d in um.

    Parameters
    ----------
    sigma_um : float, um
        Standard deviation of the Gaussian in cortical distance.
    peak : float
        Value at distance 0.
    """

    sigma_um: float = attrs.field(validator=positive)
    peak: float = 1.0


class GaussianDistance(ConnectorFunction[GaussianDistanceParams]):
    """Gaussian fall-off with distance: ``peak * exp(-d**2 / (2 * sigma_um**2))``."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        scale = -1.0 / (2.0 * self.params.sigma_um ** 2)
        return self.params.peak * np.exp(pairs.squared_distances_um2 * scale)


@attrs.frozen(kw_only=True)
class ExponentialDistanceParams:
    """``ExponentialDistance``: ``peak * exp(-d / length_um)``, d in um.

    Parameters
    ----------
    length_um : float, um
        Length constant: the value falls by a factor e every ``length_um``.
    peak : float
        Value at distance 0.
    """

    length_um: float = attrs.field(validator=positive)
    peak: float = 1.0


class ExponentialDistance(ConnectorFunction[ExponentialDistanceParams]):
    """Exponential fall-off with distance: ``peak * exp(-d / length_um)``."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        return self.params.peak * np.exp(-pairs.distances_um / self.params.length_um)


@attrs.frozen(kw_only=True)
class LinearDistanceParams:
    """``LinearDistance``: ``offset + slope_per_um * d`` (e.g. a delay growing with distance:
    ``offset`` in ms, ``slope_per_um`` = 1 / conduction velocity in ms/um).

    Parameters
    ----------
    offset : float
        Value at distance 0.
    slope_per_um : float, 1/um
        Change of the value per um of cortical distance.
    """

    offset: float = 0.0
    slope_per_um: float = 0.0


class LinearDistance(ConnectorFunction[LinearDistanceParams]):
    """Linear in distance: ``offset + slope_per_um * d``."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        return self.params.offset + self.params.slope_per_um * pairs.distances_um


@attrs.frozen(kw_only=True)
class HyperbolicDistanceParams:
    """``HyperbolicDistance``: ``peak * exp(-alpha_per_um * (sqrt(theta_um^2 + d^2) - theta_um))``.

    Flat (Gaussian-like) within about ``theta_um`` of the target, exponential with rate
    ``alpha_per_um`` further away; 1 at d = 0 when ``peak`` is 1.

    Parameters
    ----------
    theta_um : float, um
        Distance up to which the fall-off is flat.
    alpha_per_um : float, 1/um
        Rate of the exponential fall-off beyond ``theta_um``.
    peak : float
        Value at distance 0.
    """

    theta_um: float = attrs.field(validator=positive)
    alpha_per_um: float = attrs.field(validator=positive)
    peak: float = 1.0


class HyperbolicDistance(ConnectorFunction[HyperbolicDistanceParams]):
    """Hyperbolic fall-off: ``peak * exp(-alpha * (sqrt(theta**2 + d**2) - theta))``."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        theta = self.params.theta_um
        arc = np.sqrt(pairs.squared_distances_um2 + theta * theta)
        arc -= theta
        arc *= -self.params.alpha_per_um
        return self.params.peak * np.exp(arc, out=arc)
