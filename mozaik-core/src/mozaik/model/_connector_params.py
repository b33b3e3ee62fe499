"""Parameter classes of the built-in connectors and their synapses (a study's connector ``params``).

Frozen attrs classes structured by :func:`mozaik.config.structure`; checks that need no simulator
(probabilities, receptors, synapse models) run here, so a bad file fails when it is loaded, with
the dotted path of the bad value.
"""

from __future__ import annotations

from typing import Any

import attrs

from mozaik.config import (
    Distribution,
    ParameterError,
    non_negative,
    parse_array_expression,
    positive,
    probability,
)

__all__ = [
    "AllToAllParams",
    "DistanceDependentParams",
    "FixedNumberParams",
    "FixedProbabilityParams",
    "FromListParams",
    "OneToOneParams",
    "ProjectionParams",
    "SynapseParams",
]

RECEPTORS: tuple[str, ...] = ("excitatory", "inhibitory")
SYNAPSE_MODELS: tuple[str, ...] = ("static", "tsodyks_markram")


# ------------------------------------------------------------------------------------------------
# Connectors
# ------------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SynapseParams:
    """Synapse dynamics.

    Parameters
    ----------
    model : str
        ``static`` or ``tsodyks_markram`` (short-term depression/facilitation).
    U : float
        Tsodyks-Markram utilisation of synaptic efficacy (0..1).
    tau_rec_ms : float, ms
        Tsodyks-Markram recovery time constant (depression).
    tau_facil_ms : float, ms
        Tsodyks-Markram facilitation time constant (0: none).
    """

    model: str = "static"
    U: float = attrs.field(default=0.5, validator=probability)
    tau_rec_ms: float = attrs.field(default=100.0, validator=positive)
    tau_facil_ms: float = attrs.field(default=0.0, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.model not in SYNAPSE_MODELS:
            msg = (f"unknown synapse model {self.model!r}; use one of: "
                   f"{', '.join(SYNAPSE_MODELS)}")
            raise ValueError(msg)


def _receptor(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in RECEPTORS:
        msg = f"receptor must be 'excitatory' or 'inhibitory', got {value!r}"
        raise ParameterError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class ProjectionParams:
    """What every built-in connector takes.

    Parameters
    ----------
    weight_uS : float or Distribution, uS (nA for current-based cells)
        Synaptic weight; positive (the receptor gives inhibition its sign).
    delay_ms : float or Distribution, ms
        Synaptic delay; at least the simulator's min_delay.
    receptor : str
        ``excitatory`` or ``inhibitory``.
    synapse : SynapseParams
        ``{model: static}`` or ``{model: tsodyks_markram, U: 0.5, tau_rec_ms: 800.0}``.
    """

    weight_uS: float | Distribution = attrs.field(default=0.0, validator=non_negative)
    delay_ms: float | Distribution = attrs.field(default=1.0, validator=non_negative)
    receptor: str = attrs.field(default="excitatory", validator=_receptor)
    synapse: SynapseParams = attrs.field(factory=SynapseParams)


@attrs.frozen(kw_only=True)
class AllToAllParams(ProjectionParams):
    """``AllToAllConnector``: every source neuron to every target neuron.

    Parameters
    ----------
    allow_self_connections : bool
        Whether a neuron connects to itself (a sheet projecting onto itself).
    """

    allow_self_connections: bool = True


@attrs.frozen(kw_only=True)
class OneToOneParams(ProjectionParams):
    """``OneToOneConnector``: neuron i to neuron i (sheets of equal size)."""


@attrs.frozen(kw_only=True)
class FixedProbabilityParams(ProjectionParams):
    """``FixedProbabilityConnector``: each pair connected with ``probability``.

    ``native_rng: true`` lets NEST draw the connections with its ``pairwise_bernoulli`` rule
    in one ``nest.Connect`` (much faster for big sheets; still reproducible from the study
    seed, but a different draw than the NumPy one). NEST only (a ConfigError on other
    backends), with a constant ``weight_uS`` and ``delay_ms``.

    Parameters
    ----------
    probability : float
        Probability (0..1) that a (source, target) pair is connected.
    allow_self_connections : bool
        Whether a neuron may connect to itself (a sheet projecting onto itself).
    native_rng : bool
        On NEST, draw the connections with NEST's ``pairwise_bernoulli`` rule (see above).
    """

    probability: float = attrs.field(validator=probability)
    allow_self_connections: bool = True
    native_rng: bool = False


@attrs.frozen(kw_only=True)
class FixedNumberParams(ProjectionParams):
    """``FixedNumberPreConnector`` / ``FixedNumberPostConnector``: ``n`` sources per target
    (pre) or ``n`` targets per source (post).

    Parameters
    ----------
    n : int
        Connections per target (pre) or per source (post).
    allow_self_connections : bool
        Whether a neuron may connect to itself (a sheet projecting onto itself).
    with_replacement : bool
        Whether one pair may be drawn more than once (several connections between two cells).
    native_rng : bool
        On NEST, let NEST draw the connections with its ``fixed_indegree`` (pre) or
        ``fixed_outdegree`` (post) rule in one ``nest.Connect``: seconds instead of hours for
        100,000 neurons, reproducible from the study seed, a different draw than the NumPy
        one. NEST only (a ConfigError on other backends), with a constant ``weight_uS`` and
        ``delay_ms``.
    """

    n: int = attrs.field(validator=positive)
    allow_self_connections: bool = True
    with_replacement: bool = False
    native_rng: bool = False


@attrs.frozen(kw_only=True)
class DistanceDependentParams(ProjectionParams):
    """``DistanceDependentProbabilityConnector``: probability a function of distance ``d`` (um).

    Parameters
    ----------
    probability : str
        A safe expression in ``d`` (um), e.g. ``0.3 * exp(-d / 150)`` or ``0.1 * (d < 200)``;
        functions: exp, sqrt, abs, log, minimum, maximum, where, ...
    allow_self_connections : bool
        Whether a neuron may connect to itself (a sheet projecting onto itself).
    """

    probability: str
    allow_self_connections: bool = True

    def __attrs_post_init__(self) -> None:
        parse_array_expression(self.probability, ["d"])


@attrs.frozen(kw_only=True)
class FromListParams(ProjectionParams):
    """``FromListConnector``: explicit connections.

    Parameters
    ----------
    connections : list of rows
        Rows ``[source_index, target_index]`` (weight and delay from ``weight_uS`` and
        ``delay_ms``) or ``[source_index, target_index, weight_uS, delay_ms]``, all of one
        width.
    """

    connections: tuple[tuple[float, ...], ...]

    def __attrs_post_init__(self) -> None:
        widths = {len(row) for row in self.connections}
        if not widths <= {2, 4} or len(widths) > 1:
            msg = ("each row of connections must be [source, target] or [source, target, "
                   f"weight_uS, delay_ms], all of one width; got row widths {sorted(widths)}")
            raise ValueError(msg)
