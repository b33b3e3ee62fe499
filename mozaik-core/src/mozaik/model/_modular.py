"""The modular connector: named connector functions combined by safe expressions.

For each block of target neurons the weight expression (e.g. ``f1 * f2``) is evaluated on a
(targets x all sources) NumPy array, connections are drawn from it with the connector's random
stream, delays are evaluated on the drawn pairs only, and everything is created at the end with
one vectorised simulator call. Memory is bounded by the block size, not by the sheet sizes.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np
from typing_extensions import TypeVar

from mozaik._errors import ConfigError
from mozaik.config import (
    ComponentRef,
    Expr,
    ExpressionError,
    ParameterError,
    evaluate_array,
    expression_names,
    non_negative,
    parse_array_expression,
    structure,
)
from mozaik.model._connector_params import SynapseParams, _receptor
from mozaik.model._connectors import Connector, project_arrays
from mozaik.model._functions import ConnectorFunction, PairBlock
from mozaik.model._kinds import CONNECTOR_FUNCTIONS

if TYPE_CHECKING:
    from mozaik.model._model import Model
    from mozaik.model._sheet import Sheet

__all__ = [
    "FunctionEntry",
    "ModularBernoulliConnector",
    "ModularBernoulliParams",
    "ModularConnector",
    "ModularParams",
    "ModularSamplingConnector",
    "ModularSamplingParams",
]

#: Elements of one (targets x sources) block; bounds memory to a few arrays of 16 MB.
BLOCK_ELEMENTS = 2**21


@attrs.frozen(kw_only=True)
class FunctionEntry(ComponentRef):
    """One named connector function: ``{component: GaussianDistance, params: {sigma_um: 200}}``.

    A :class:`mozaik.config.ComponentRef` of kind ``connector_functions``: the study is
    validated with the function's parameters structured (``mozaik config check`` reports a bad
    one with its file and line); the connector structures them again when it is built.
    """

    KIND: ClassVar[str] = "connector_functions"


def _expression_text(field: str, value: Any) -> str:
    """The text of the expression parameter ``field`` (an attrs converter's body)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        msg = f"an expression must be a string such as 'f1 * f2' or a number, got {value!r}"
        raise ParameterError(field, msg)
    if isinstance(value, float) and not math.isfinite(value):
        msg = f"an expression must give finite values (inf and nan are not allowed), got {value!r}"
        raise ParameterError(field, msg)
    return str(value)


def _weight_expression(value: Any) -> str:
    return _expression_text("weight_expression", value)


def _delay_expression(value: Any) -> str:
    return _expression_text("delay_expression", value)


@attrs.frozen(kw_only=True)
class ModularParams:
    """Parameters shared by the modular connectors.

    Parameters
    ----------
    weight_functions : mapping of name to FunctionEntry
        Connector functions usable by name in ``weight_expression``.
    delay_functions : mapping of name to FunctionEntry
        Connector functions usable by name in ``delay_expression``.
    weight_expression : str
        Safe expression over the weight functions, e.g. ``f1 * f2``: a connection probability
        (Bernoulli) or relative weight (sampling) per pair; must be >= 0.
    delay_expression : str or float, ms
        Safe expression over the delay functions, e.g. ``2`` or ``0.5 + d1``.
    base_weight_uS : float, uS (nA for current-based cells)
        Weight of one connection (positive; the receptor gives inhibition its sign).
    receptor : str
        ``excitatory`` or ``inhibitory``.
    synapse : SynapseParams
        Static or Tsodyks-Markram dynamics.
    allow_self_connections : bool
        Whether a neuron may connect to itself when source and target are one sheet.
    """

    weight_functions: Mapping[str, FunctionEntry] = attrs.field(factory=dict)
    delay_functions: Mapping[str, FunctionEntry] = attrs.field(factory=dict)
    weight_expression: Any = attrs.field(default="1", converter=_weight_expression)
    delay_expression: Any = attrs.field(default="1", converter=_delay_expression)
    base_weight_uS: float = attrs.field(validator=non_negative)
    receptor: str = attrs.field(default="excitatory", validator=_receptor)
    synapse: SynapseParams = attrs.field(factory=SynapseParams)
    allow_self_connections: bool = True

    def __attrs_post_init__(self) -> None:
        for label, functions in (("weight_functions", self.weight_functions),
                                 ("delay_functions", self.delay_functions)):
            for key in functions:
                if not key.isidentifier():
                    msg = (f"{label}: name {key!r} cannot be used in an expression; use a name "
                           "such as f1 or distance")
                    raise ValueError(msg)
        parse_array_expression(self.weight_expression, self.weight_functions)
        parse_array_expression(self.delay_expression, self.delay_functions)


@attrs.frozen(kw_only=True)
class ModularSamplingParams(ModularParams):
    """``ModularSamplingConnector``: ``num_samples`` sources drawn per target neuron.

    Each target draws ``num_samples`` sources with replacement, with probability proportional to
    the weight expression; a source drawn k times makes one connection of weight
    ``k * base_weight_uS``.

    Parameters
    ----------
    num_samples : int
        Sources drawn per target neuron (with replacement).
    """

    num_samples: int = attrs.field(validator=non_negative)


@attrs.frozen(kw_only=True)
class ModularBernoulliParams(ModularParams):
    """``ModularBernoulliConnector``: each pair connected with probability given by the weight
    expression (values above 1 count as 1), weight ``base_weight_uS``."""


_MP = TypeVar("_MP", bound=ModularParams, covariant=True, default=ModularParams)


class ModularConnector(Connector[_MP]):
    """Base of the modular connectors: evaluates the expressions block by block.

    Subclasses implement :meth:`draw`, which turns one block of weight-expression values into
    connections.
    """

    def __init__(self, name: str, source: Sheet, target: Sheet, params: _MP,
                 model: Model) -> None:
        super().__init__(name, source, target, params, model)
        self.weight_functions = self._functions("weight_functions", params.weight_functions)
        self.delay_functions = self._functions("delay_functions", params.delay_functions)
        self.weight_expr = self._parse("weight_expression", params.weight_expression,
                                       self.weight_functions)
        self.delay_expr = self._parse("delay_expression", params.delay_expression,
                                      self.delay_functions)

    def _functions(self, label: str, entries: Mapping[str, FunctionEntry]
                   ) -> dict[str, ConnectorFunction]:
        table = self.model.registry[CONNECTOR_FUNCTIONS]
        out = {}
        for key, entry in entries.items():
            path = f"{self.path}.{label}.{key}"
            try:
                registered = table[entry.component]
            except KeyError as exc:
                msg = f"{path}.component: {exc}"
                raise ConfigError(msg) from None
            params: Any = structure(dict(entry.params), registered.config_cls,
                                    path=f"{path}.params")
            out[key] = registered.built(registered.factory(params), ConnectorFunction)
        return out

    def _parse(self, label: str, text: str, names: Mapping[str, Any]) -> Expr:
        try:
            return parse_array_expression(text, names)
        except ExpressionError as exc:
            msg = f"{self.path}.{label}: {exc}"
            raise ConfigError(msg) from None

    def _evaluate(self, label: str, expr: Expr, functions: Mapping[str, ConnectorFunction],
                  pairs: PairBlock) -> np.ndarray:
        used = expression_names(expr)
        values = {key: fn(pairs) for key, fn in functions.items() if key in used}
        try:
            result = evaluate_array(expr, values)
        except ExpressionError as exc:
            msg = f"{self.path}.{label}: {exc}"
            raise ConfigError(msg) from None
        result = np.asarray(result, dtype=float)
        if result.shape != pairs.shape or not result.flags.writeable:
            result = np.broadcast_to(result, pairs.shape).copy()
        return result

    @abc.abstractmethod
    def draw(self, values: np.ndarray, targets: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Connections of one block: (source indices, target indices, weights in uS).

        ``values`` has shape (len(targets), n_source).
        """

    def build(self) -> Any:
        n_source, n_target = self.source.size, self.target.size
        block = max(1, BLOCK_ELEMENTS // max(1, n_source))
        all_sources = np.arange(n_source)[None, :]
        same_sheet = self.source is self.target
        pres, posts, weights = [], [], []
        for start in range(0, n_target, block):
            targets = np.arange(start, min(start + block, n_target))
            pairs = PairBlock(self.source, self.target, all_sources, targets[:, None], self.rng)
            values = self._evaluate("weight_expression", self.weight_expr,
                                    self.weight_functions, pairs)
            if not np.all(np.isfinite(values)) or values.min(initial=0.0) < 0:
                bad = values[~np.isfinite(values) | (values < 0)][0]
                msg = (f"{self.path}.weight_expression: {self.params.weight_expression!r} gave "
                       f"{bad} for connector {self.name!r}; it must give finite values >= 0")
                raise ConfigError(msg)
            if same_sheet and not self.params.allow_self_connections:
                values[np.arange(len(targets)), targets] = 0.0
            pre, post, weight = self.draw(values, targets)
            pres.append(pre)
            posts.append(post)
            weights.append(weight)
        pre = np.concatenate(pres) if pres else np.empty(0, dtype=np.int64)
        post = np.concatenate(posts) if posts else np.empty(0, dtype=np.int64)
        weight = np.concatenate(weights) if weights else np.empty(0)
        pairs = PairBlock(self.source, self.target, pre, post, self.rng)
        delays = self._evaluate("delay_expression", self.delay_expr, self.delay_functions,
                                pairs)
        self.check_delay(delays, "delay_expression")
        self._size = len(pre)
        return project_arrays(self, pre, post, weight, delays)

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["weight_expression"] = self.params.weight_expression
        out["delay_expression"] = self.params.delay_expression
        return out


class ModularBernoulliConnector(ModularConnector[ModularBernoulliParams]):
    """Each pair connects with probability ``min(1, weight_expression)``, weight
    ``base_weight_uS`` (``ModularBernoulliParams``)."""

    @classmethod
    def expected_connections(cls, params: ModularBernoulliParams, n_source: int,
                             n_target: int) -> float | None:
        # a constant probability gives the expectation; functions of the pair are only known
        # once the sheets are built (None: every pair is counted)
        try:
            probability = float(params.weight_expression)
        except ValueError:
            return None
        return min(1.0, max(0.0, probability)) * n_source * n_target

    def draw(self, values: np.ndarray, targets: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        uniform = np.asarray(self.rng.next(values.size, "uniform", {"low": 0.0, "high": 1.0}),
                             dtype=float).reshape(values.shape)
        rows, sources = np.nonzero(uniform < values)
        weights = np.full(len(sources), self.params.base_weight_uS)
        return sources.astype(np.int64), targets[rows].astype(np.int64), weights


class ModularSamplingConnector(ModularConnector[ModularSamplingParams]):
    """Each target draws ``num_samples`` sources with probability proportional to the weight
    expression; repeated draws add up into one connection's weight
    (``ModularSamplingParams``)."""

    @classmethod
    def expected_connections(cls, params: ModularSamplingParams, n_source: int,
                             n_target: int) -> float | None:
        # at most num_samples per target (repeated draws merge into one connection)
        return float(params.num_samples) * n_target if n_source else 0.0

    def draw(self, values: np.ndarray, targets: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m, n_source = values.shape
        k = self.params.num_samples
        empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
        if k == 0 or n_source == 0:
            return empty
        cumulative = np.cumsum(values, axis=1)
        totals = cumulative[:, -1].copy()
        live = totals > 0
        totals[~live] = 1.0
        # Inverse-CDF sampling for all rows at once: shift row r's normalised CDF and its
        # uniforms by r, so one searchsorted on the flattened array serves every row.
        rows = np.arange(m, dtype=float)[:, None]
        cdf = (cumulative / totals[:, None] + rows).ravel()
        uniform = np.asarray(self.rng.next(m * k, "uniform", {"low": 0.0, "high": 1.0}),
                             dtype=float).reshape(m, k)
        positions = np.searchsorted(cdf, (uniform + rows).ravel(), side="right")
        positions = np.minimum(positions, m * n_source - 1)
        row_of = positions // n_source
        keep = live[row_of]
        keys, counts = np.unique(positions[keep], return_counts=True)
        sources = keys % n_source
        weights = counts * self.params.base_weight_uS
        return sources.astype(np.int64), targets[keys // n_source].astype(np.int64), weights
