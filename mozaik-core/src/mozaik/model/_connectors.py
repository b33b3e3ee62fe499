"""Connectors: rules that build a PyNN projection between two sheets.

The wrappers of PyNN's connectors call PyNN exactly as a plain PyNN script would (one
``sim.Projection`` call); Mozaik adds checks, seeds and bookkeeping around that call only.
Connectors that compute their connections in NumPy (the modular connector, ``FromList``) hand
them to :func:`project_arrays`, which creates them with one vectorised NEST call.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, Generic

import numpy as np
from typing_extensions import TypeVar

from mozaik._errors import ConfigError, SimulationError
from mozaik.config import Distribution, evaluate_array, parse_array_expression
from mozaik.model._connector_params import (
    AllToAllParams,
    DistanceDependentParams,
    FixedNumberParams,
    FixedProbabilityParams,
    FromListParams,
    OneToOneParams,
    ProjectionParams,
    SynapseParams,
)
from mozaik.model._native import (
    native_projection,
    nest_synapse_spec,
    project,
    target_tau_psc,
)
from mozaik.model._sheet import Sheet, signed_weight
from mozaik.model._simulator import connection_total

if TYPE_CHECKING:
    from mozaik.model._model import Model

__all__ = [
    "AllToAllConnector",
    "Connector",
    "DistanceDependentProbabilityConnector",
    "FixedNumberPostConnector",
    "FixedNumberPreConnector",
    "FixedProbabilityConnector",
    "FromListConnector",
    "OneToOneConnector",
    "PyNNConnector",
    "project_arrays",
]

_P = TypeVar("_P", covariant=True, default=object)
_Q = TypeVar("_Q")


class Connector(abc.ABC, Generic[_P]):
    """A projection between two sheets; subclasses implement :meth:`build`.

    Parameters
    ----------
    name : str
        The projection's name (its key in ``model.projections``).
    source, target : Sheet
        Presynaptic and postsynaptic sheets.
    params : ProjectionParams (or a subclass)
        Weight, delay, receptor, synapse dynamics and the rule's own parameters; the type
        argument, ``class Nearest(Connector[NearestParams])``.
    model : Model

    Attributes
    ----------
    projection : pyNN Projection or None
        Set by :meth:`connect`.
    rng : pyNN.random.NumpyRNG
        This connector's random stream, derived from the study seed and its name.
    """

    params: _P

    def __init__(self, name: str, source: Sheet, target: Sheet, params: _P,
                 model: Model) -> None:
        self.name = name
        self.source = source
        self.target = target
        self.params = params
        self.model = model
        self.rng = model.rng_for("connector", name)
        self.projection: Any = None
        self._size: int | None = None

    @property
    def receptor(self) -> str:
        """``excitatory`` or ``inhibitory``: the receptor of the target cells the projection
        acts on; ``params.receptor`` (excitatory if the parameters have none). A connector
        that reads it from elsewhere (a SONATA edge population: the signs of its weights)
        overrides this property."""
        return str(getattr(self.params, "receptor", "excitatory"))

    @property
    def path(self) -> str:
        """Dotted path of this connector's parameters in a study file (for messages)."""
        return f"connectors.{self.name}.params"

    def connect(self) -> Any:
        """Build the projection (once) and return it."""
        if self.projection is not None:
            return self.projection
        before = connection_total(self.model.sim)
        projection = self.build()
        after = connection_total(self.model.sim)
        self.projection = projection
        if self._size is None and before is not None and after is not None:
            self._size = after - before
        return projection

    @abc.abstractmethod
    def build(self) -> Any:
        """Create and return the PyNN projection."""

    @classmethod
    def expected_connections(cls: type[Connector[_Q]], params: _Q, n_source: int,
                             n_target: int) -> float | None:
        """Connections a connector with ``params`` is expected to make between sheets of
        ``n_source`` and ``n_target`` neurons, before it is built (for the size check of
        :func:`mozaik.study.estimate_size`).

        None (this default) means the connector cannot tell: the size check then counts every
        pair, ``n_source * n_target``. Subclasses override it with their rule's expectation
        (or an upper bound).
        """
        return None

    def size(self) -> int:
        """Number of connections (counted cheaply at build time when the simulator can)."""
        if self.projection is None:
            return 0
        if self._size is None:
            self._size = len(self.projection)
        return self._size

    def describe(self) -> dict[str, Any]:
        """JSON-able summary: component, source, target, receptor and connection count."""
        return {
            "component": type(self).__name__,
            "source": self.source.name,
            "target": self.target.name,
            "receptor": self.receptor,
            "connections": self.size(),
        }

    # -- helpers for subclasses -----------------------------------------------------------------

    def check_delay(self, delay: Any, where: str = "delay_ms") -> None:
        """Raise ConfigError if a delay (number, array or Distribution) is outside
        [min_delay, max_delay] of the simulator."""
        low = high = None
        if isinstance(delay, Distribution):
            low, high = delay.params.get("low"), delay.params.get("high")
        elif delay is not None:
            array = np.asarray(delay, dtype=float)
            if array.size:
                low, high = float(array.min()), float(array.max())
        min_delay, max_delay = self.model.min_delay, self.model.max_delay
        if low is not None and low < min_delay - 1e-12:
            below_step = " (below the time step)" if low < self.model.time_step else ""
            msg = (f"{self.path}.{where}: connector {self.name!r} has delays down to {low} ms"
                   f"{below_step}, but the simulator's min_delay is {min_delay} ms (time step "
                   f"{self.model.time_step} ms); raise the delay or lower simulator.min_delay")
            raise ConfigError(msg)
        if high is not None and high > max_delay + 1e-12:
            msg = (f"{self.path}.{where}: connector {self.name!r} has delays up to {high} ms, "
                   f"above the simulator's max_delay of {max_delay} ms; raise "
                   "simulator.max_delay")
            raise ConfigError(msg)

    def value(self, value: Any) -> Any:
        """A parameter as PyNN takes it: Distributions draw from this connector's stream."""
        if isinstance(value, Distribution):
            return value.to_pynn(self.rng)
        return value

    def synapse_type(self, weight: Any = None, delay: Any = None) -> Any:
        """The PyNN synapse type for ``params.synapse`` (static or Tsodyks-Markram)."""
        sim = self.model.sim
        synapse: SynapseParams = getattr(self.params, "synapse", SynapseParams())
        kwargs: dict[str, Any] = {}
        if weight is not None:
            kwargs["weight"] = weight
        if delay is not None:
            kwargs["delay"] = delay
        if synapse.model == "tsodyks_markram":
            return sim.TsodyksMarkramSynapse(U=synapse.U, tau_rec=synapse.tau_rec_ms,
                                             tau_facil=synapse.tau_facil_ms, **kwargs)
        return sim.StaticSynapse(**kwargs)

    def weight_for_pynn(self, weight: Any) -> Any:
        """Sign the (positive) weight as PyNN wants it for this receptor and target."""
        receptor = self.receptor
        if isinstance(weight, Distribution) and receptor == "inhibitory" and not getattr(
                self.target.population, "conductance_based", True):
            msg = (f"{self.path}.weight_uS: a distribution of inhibitory weights onto "
                   f"current-based cells is not supported; give a constant weight")
            raise ConfigError(msg)
        return signed_weight(self.value(weight), receptor, self.target.population)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.name!r}, {self.source.name!r} -> "
                f"{self.target.name!r})")


_PP = TypeVar("_PP", bound=ProjectionParams, covariant=True, default=ProjectionParams)


class PyNNConnector(Connector[_PP]):
    """Base of the wrappers around one PyNN connector class: subclasses give
    :meth:`pynn_connector`."""

    @abc.abstractmethod
    def pynn_connector(self) -> Any:
        """The PyNN connector object this component wraps."""

    def build(self) -> Any:
        params = self.params
        self.check_delay(params.delay_ms)
        sim = self.model.sim
        synapse = self.synapse_type(self.weight_for_pynn(params.weight_uS),
                                    self.value(params.delay_ms))
        connector = self.pynn_connector()
        try:
            return sim.Projection(self.source.population, self.target.population, connector,
                                  synapse, receptor_type=self.receptor, label=self.name)
        except Exception as exc:
            msg = (f"connector {self.name!r} ({type(self).__name__}, {self.source.name!r} -> "
                   f"{self.target.name!r}) failed: {type(exc).__name__}: {exc}")
            raise SimulationError(msg) from exc


class AllToAllConnector(PyNNConnector[AllToAllParams]):
    """Every source neuron to every target neuron (``AllToAllParams``)."""

    @classmethod
    def expected_connections(cls, params: AllToAllParams, n_source: int,
                             n_target: int) -> float | None:
        return float(n_source) * float(n_target)

    def pynn_connector(self) -> Any:
        return self.model.sim.AllToAllConnector(
            allow_self_connections=self.params.allow_self_connections)


class OneToOneConnector(PyNNConnector[OneToOneParams]):
    """Source neuron i to target neuron i (``OneToOneParams``); sheets must be equally large."""

    @classmethod
    def expected_connections(cls, params: OneToOneParams, n_source: int,
                             n_target: int) -> float | None:
        return float(min(n_source, n_target))

    def pynn_connector(self) -> Any:
        if self.source.size != self.target.size:
            msg = (f"connector {self.name!r}: OneToOneConnector needs sheets of equal size; "
                   f"{self.source.name!r} has {self.source.size} neurons, {self.target.name!r} "
                   f"has {self.target.size}")
            raise ConfigError(msg)
        return self.model.sim.OneToOneConnector()


class FixedProbabilityConnector(PyNNConnector[FixedProbabilityParams]):
    """Each pair connected independently with a fixed probability (``FixedProbabilityParams``);
    ``native_rng: true`` on NEST: NEST's ``pairwise_bernoulli`` rule in one ``nest.Connect``."""

    @classmethod
    def expected_connections(cls, params: FixedProbabilityParams, n_source: int,
                             n_target: int) -> float | None:
        return float(params.probability) * n_source * n_target

    def build(self) -> Any:
        if not self.params.native_rng:
            return super().build()
        return native_projection(self, {
            "rule": "pairwise_bernoulli", "p": self.params.probability,
            "allow_autapses": self.params.allow_self_connections, "allow_multapses": False})

    def pynn_connector(self) -> Any:
        return self.model.sim.FixedProbabilityConnector(
            self.params.probability, allow_self_connections=self.params.allow_self_connections,
            rng=self.rng)


class _FixedNumberConnector(PyNNConnector[FixedNumberParams]):
    """``n`` connections per target (``fixed_indegree``) or per source (``fixed_outdegree``)."""

    params: FixedNumberParams
    NEST_RULE: str
    PYNN_CLASS: str

    def build(self) -> Any:
        params = self.params
        sources = self.source if self.NEST_RULE == "fixed_indegree" else self.target
        # onto its own sheet without self-connections, a cell has one candidate fewer (NEST's
        # rule would otherwise search for the missing one forever)
        self_excluded = self.source is self.target and not params.allow_self_connections
        available = sources.size - (1 if self_excluded else 0)
        if not params.with_replacement and params.n > available:
            others = " other" if self_excluded else ""
            fix = ("lower n, set allow_self_connections: true or with_replacement: true"
                   if self_excluded else "lower n or set with_replacement: true")
            msg = (f"{self.path}.n: connector {self.name!r} asks for {params.n} distinct"
                   f"{others} {'sources' if sources is self.source else 'targets'} per cell, "
                   f"but sheet {sources.name!r} has {sources.size} neurons, so {available} "
                   f"are available; {fix}")
            raise ConfigError(msg)
        if not params.native_rng:
            return super().build()
        degree = "indegree" if self.NEST_RULE == "fixed_indegree" else "outdegree"
        return native_projection(self, {
            "rule": self.NEST_RULE, degree: params.n,
            "allow_autapses": params.allow_self_connections,
            "allow_multapses": params.with_replacement})

    def pynn_connector(self) -> Any:
        return getattr(self.model.sim, self.PYNN_CLASS)(
            self.params.n, allow_self_connections=self.params.allow_self_connections,
            with_replacement=self.params.with_replacement, rng=self.rng)


class FixedNumberPreConnector(_FixedNumberConnector):
    """Each target neuron receives ``n`` connections from random sources
    (``FixedNumberParams``); ``native_rng: true`` on NEST: NEST's ``fixed_indegree`` rule."""

    NEST_RULE = "fixed_indegree"
    PYNN_CLASS = "FixedNumberPreConnector"

    @classmethod
    def expected_connections(cls, params: FixedNumberParams, n_source: int,
                             n_target: int) -> float | None:
        return float(params.n) * n_target


class FixedNumberPostConnector(_FixedNumberConnector):
    """Each source neuron projects to ``n`` random targets (``FixedNumberParams``);
    ``native_rng: true`` on NEST: NEST's ``fixed_outdegree`` rule."""

    NEST_RULE = "fixed_outdegree"
    PYNN_CLASS = "FixedNumberPostConnector"

    @classmethod
    def expected_connections(cls, params: FixedNumberParams, n_source: int,
                             n_target: int) -> float | None:
        return float(params.n) * n_source


class DistanceDependentProbabilityConnector(PyNNConnector[DistanceDependentParams]):
    """Connection probability a safe expression of distance ``d`` in um between sheet
    positions (``DistanceDependentParams``); evaluated by PyNN one target at a time."""

    @classmethod
    def expected_connections(cls, params: DistanceDependentParams, n_source: int,
                             n_target: int) -> float | None:
        # The sheets' geometry is not known before they are built: bound the expectation by
        # the expression's largest probability over distances from 0 to 10 cm
        d = np.linspace(0.0, 1e5, 2001)
        values = np.asarray(evaluate_array(parse_array_expression(params.probability, ["d"]),
                                           {"d": d}), dtype=float) * np.ones_like(d)
        peak = float(np.clip(np.nanmax(values), 0.0, 1.0)) if values.size else 1.0
        return peak * n_source * n_target

    def pynn_connector(self) -> Any:
        from pyNN.connectors import IndexBasedExpression

        expr = parse_array_expression(self.params.probability, ["d"])
        source, target = self.source.positions_um, self.target.positions_um

        class DistanceProbability(IndexBasedExpression):  # type: ignore[misc]
            # PyNN's own DistanceDependentProbabilityConnector runs its expression text as Python;
            # an index-based expression lets PyNN's loop call our safe evaluator instead.
            def __call__(self, i: Any, j: Any) -> np.ndarray:
                delta = source[np.asarray(i)] - target[np.asarray(j)]
                d = np.hypot(delta[..., 0], delta[..., 1])
                probability = np.asarray(evaluate_array(expr, {"d": d}), dtype=float)
                return np.asarray(probability * np.ones_like(d))

        return self.model.sim.IndexBasedProbabilityConnector(
            DistanceProbability(), allow_self_connections=self.params.allow_self_connections,
            rng=self.rng)


class FromListConnector(Connector[FromListParams]):
    """Explicit connections ``[[source, target], ...]`` or ``[[source, target, weight_uS,
    delay_ms], ...]`` (``FromListParams``), created with one vectorised call."""

    @classmethod
    def expected_connections(cls, params: FromListParams, n_source: int,
                             n_target: int) -> float | None:
        return float(len(params.connections))

    def build(self) -> Any:
        params = self.params
        rows = np.asarray(params.connections, dtype=float).reshape(len(params.connections), -1)
        n = len(rows)
        pre = rows[:, 0].astype(np.int64) if n else np.empty(0, dtype=np.int64)
        post = rows[:, 1].astype(np.int64) if n else np.empty(0, dtype=np.int64)
        for label, idx, sheet in (("source", pre, self.source), ("target", post, self.target)):
            if n and (idx.min() < 0 or idx.max() >= sheet.size):
                msg = (f"{self.path}.connections: a {label} index ({int(idx.max())}) is out of "
                       f"range; sheet {sheet.name!r} has {sheet.size} neurons (0.."
                       f"{sheet.size - 1})")
                raise ConfigError(msg)
        if n and rows.shape[1] == 4:
            weights, delays = rows[:, 2], rows[:, 3]
        else:
            weights = _draw_pairs(params.weight_uS, n, self.rng)
            delays = _draw_pairs(params.delay_ms, n, self.rng)
        if np.any(weights < 0):
            msg = (f"{self.path}.connections: weights must be >= 0 (the receptor gives "
                   "inhibition its sign)")
            raise ConfigError(msg)
        self.check_delay(delays, "connections" if rows.shape[-1] == 4 else "delay_ms")
        self._size = n
        return project_arrays(self, pre, post, weights, delays)


def _draw_pairs(value: Any, n: int, rng: Any) -> np.ndarray:
    if isinstance(value, Distribution):
        return np.asarray(value.to_pynn(rng).next(n), dtype=float).reshape(n)
    return np.full(n, float(value))


class _ArrayConnector:
    """Makes connections already computed as index/weight/delay arrays."""

    def __init__(self, connector: Connector, pre: np.ndarray, post: np.ndarray,
                 weights_uS: np.ndarray, delays_ms: np.ndarray) -> None:
        self.owner = connector
        self.pre, self.post = pre, post
        self.weights, self.delays = weights_uS, delays_ms

    def connect(self, projection: Any) -> None:
        if hasattr(projection, "nest_synapse_model") and hasattr(projection, "_sources"):
            self._nest_connect(projection)
            return
        from pyNN.connectors import FromListConnector as PyNNFromList

        receptor = self.owner.receptor
        weights = signed_weight(self.weights, receptor, projection.post)
        table = np.column_stack([self.pre, self.post, weights, self.delays])
        PyNNFromList(table, column_names=("weight", "delay")).connect(projection)

    def _nest_connect(self, projection: Any) -> None:
        # One nest.Connect on arrays (NEST's connect_arrays) instead of PyNN's loop over
        # targets: 40x faster for a million connections.
        import nest

        if len(self.pre) == 0:
            return
        syn = nest_synapse_spec(projection, self.weights, self.delays)
        tau = target_tau_psc(projection)
        if tau is not None:
            syn["tau_psc"] = tau[self.post]
        pre_ids = np.asarray(projection.pre.all_cells, dtype=np.int64)[self.pre]
        post_ids = np.asarray(projection.post.all_cells, dtype=np.int64)[self.post]
        try:
            nest.Connect(pre_ids, post_ids, "one_to_one", syn)
        except nest.NESTError as exc:
            msg = (f"connector {self.owner.name!r}: NEST refused the connections: {exc}")
            raise SimulationError(msg) from exc
        projection._sources.update(np.unique(pre_ids).tolist())
        projection._connections = None
        projection._simulator.state.stale_connection_cache = True


def project_arrays(connector: Connector, pre: np.ndarray, post: np.ndarray,
                   weights_uS: np.ndarray, delays_ms: np.ndarray) -> Any:
    """Create ``connector``'s projection from computed connections.

    Parameters
    ----------
    pre, post : ndarray of int
        Source and target indices (0..size-1) of each connection.
    weights_uS : ndarray, uS (nA for current-based cells)
        Positive weights; ``connector.receptor`` gives inhibition its sign.
    delays_ms : ndarray, ms

    With NEST, the connections are made by one vectorised ``nest.Connect`` on arrays; other
    backends go through PyNN's ``FromListConnector``.
    """
    maker = _ArrayConnector(connector, np.asarray(pre, dtype=np.int64),
                            np.asarray(post, dtype=np.int64),
                            np.asarray(weights_uS, dtype=float), np.asarray(delays_ms, dtype=float))
    return project(connector, maker)
