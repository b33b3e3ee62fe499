"""Connections made by NEST itself: synapse specifications and NEST's own connection rules.

Two routes bypass PyNN's per-connection work on NEST: connections computed as arrays
(``project_arrays``: one ``nest.Connect`` on arrays) and connectors with ``native_rng: true``
(:func:`native_projection`: one ``nest.Connect`` with NEST's ``pairwise_bernoulli``,
``fixed_indegree`` or ``fixed_outdegree`` rule on the two populations). Both build the synapse
specification with :func:`nest_synapse_spec` and record the projection's sources for PyNN
without asking NEST for the status of every new connection (``GetConnections(...).sources()``
needs more than 24 GiB for the 6.4 million connections of one projection at 100,000 neurons).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from mozaik._errors import ConfigError, SimulationError
from mozaik.config import Distribution

if TYPE_CHECKING:
    from mozaik.model._connector_params import ProjectionParams
    from mozaik.model._connectors import Connector

__all__ = ["delegating_connector_class", "native_projection", "nest_synapse_spec",
           "own_synapse_model", "project", "target_tau_psc"]


@functools.cache
def delegating_connector_class() -> type:
    """A PyNN connector class whose ``connect(projection)`` hands the projection to a maker
    (any object with a ``connect(projection)`` method)."""
    from pyNN.connectors import Connector as PyNNConnectorBase

    class DelegatingConnector(PyNNConnectorBase):  # type: ignore[misc]
        """PyNN connector handing the projection to Mozaik's connection maker."""

        def __init__(self, maker: Any) -> None:
            super().__init__()
            self.maker = maker

        def connect(self, projection: Any) -> None:
            self.maker.connect(projection)

    return DelegatingConnector


def project(connector: Connector, maker: Any) -> Any:
    """``sim.Projection`` of ``connector``'s sheets whose connections ``maker`` makes; any
    failure other than Mozaik's own errors becomes a SimulationError naming the connector."""
    sim = connector.model.sim
    receptor = connector.receptor
    try:
        return sim.Projection(connector.source.population, connector.target.population,
                              delegating_connector_class()(maker), connector.synapse_type(),
                              receptor_type=receptor, label=connector.name)
    except (ConfigError, SimulationError):
        raise
    except Exception as exc:
        msg = (f"connector {connector.name!r} ({connector.source.name!r} -> "
               f"{connector.target.name!r}) failed: {type(exc).__name__}: {exc}")
        raise SimulationError(msg) from exc


def nest_synapse_spec(projection: Any, weights_uS: np.ndarray,
                      delays_ms: np.ndarray) -> dict[str, Any]:
    """The NEST synapse specification of ``projection`` for the given connections.

    Parameters
    ----------
    projection : pyNN.nest.Projection
    weights_uS : ndarray, uS (nA for current-based cells)
        Positive weights, one per connection (or a single one for a connection rule).
    delays_ms : ndarray, ms

    Returns
    -------
    dict
        ``synapse_model`` (the projection's own model, :func:`own_synapse_model`; or PyNN's
        model and ``synapse_label`` where it cannot have one), ``weight`` in NEST's units
        and sign (inhibition negative, for conductances too), ``delay``, and ``receptor_type``
        for cell types with their own receptors. Tsodyks-Markram parameters are in the synapse
        model's defaults already (PyNN sets them); ``tau_psc`` comes from
        :func:`target_tau_psc`.
    """
    from pyNN.parameters import ParameterSpace

    n = len(weights_uS)
    synapse = projection.synapse_type
    space = ParameterSpace({"weight": weights_uS, "delay": delays_ms}, synapse.get_schema(),
                           shape=(n,))
    native = synapse.translate(space)
    native.evaluate()
    weights = np.broadcast_to(np.asarray(native["weight"], dtype=float), (n,)).copy()
    delays = np.broadcast_to(np.asarray(native["delay"], dtype=float), (n,)).copy()
    receptor = projection.receptor_type
    celltype = projection.post.celltype
    syn: dict[str, Any] = {"synapse_model": own_synapse_model(projection)}
    if syn["synapse_model"] is None:  # no model of its own: PyNN's model and label
        syn = {"synapse_model": projection.nest_synapse_model,
               "synapse_label": projection.nest_synapse_label}
    if not celltype.standard_receptor_type:
        syn["receptor_type"] = celltype.get_receptor_type(receptor)
    elif receptor == "inhibitory":
        weights = -weights  # NEST: inhibition is a negative weight (conductance or current)
    syn["weight"] = weights
    syn["delay"] = delays
    return syn


# NEST's own fields of a synapse model's defaults, never copied onto another model
_MODEL_FIELDS = frozenset({"synapse_model", "synapse_modelid", "sizeof", "num_connections"})


def own_synapse_model(projection: Any) -> str | None:
    """Give ``projection`` a NEST synapse model of its own and return the model's name.

    PyNN makes connections with the labelled variant of a synapse model
    (``static_synapse_lbl``) and tells projections apart by a label on each connection. That
    costs twice: a labelled connection is larger (40 bytes against 32 for ``static_synapse``:
    160 MB more for the 20 million connections of 100,000 cells with 200 inputs each), and a
    label given in the ``Connect`` call makes NEST set it connection by connection, off its
    fast path (30% longer for the 3.2 million connections of 20,000 cells with 160 inputs
    each). A model of the projection's own tells its connections apart without a label: it is
    a copy of the unlabelled model with the common parameters PyNN set on the labelled one.
    The projection's ``nest_synapse_model`` becomes the copy and its ``nest_synapse_label``
    None, so PyNN's queries (by model, and by label when there is one) find exactly its
    connections. The copy also keeps the projection's common synapse parameters apart from
    other projections of the same PyNN model.

    Returns None, changing nothing, when NEST holds its maximum number of synapse models or
    has no unlabelled variant of the model: the caller connects with PyNN's model and label.
    """
    import nest

    base, label = str(projection.nest_synapse_model), projection.nest_synapse_label
    if label is None:  # made already (connections added in several calls)
        return base
    plain = base.removesuffix("_lbl")
    if plain == base or plain not in nest.synapse_models:
        return None
    name = f"{plain}_mozaik{label}"
    if name not in nest.synapse_models:
        reference = nest.GetDefaults(plain)  # and the parameters PyNN set on the labelled one:
        params = {key: value for key, value in nest.GetDefaults(base).items()
                  if key in reference and key not in _MODEL_FIELDS
                  and not _same(value, reference[key])}
        try:
            nest.CopyModel(plain, name, params)
        except nest.NESTError:
            return None
    projection.nest_synapse_model = name
    projection.nest_synapse_label = None
    return name


def _same(first: Any, second: Any) -> bool:
    return bool(np.array_equal(np.asarray(first, dtype=object), np.asarray(second, dtype=object)))


def target_tau_psc(projection: Any) -> np.ndarray | None:
    """Per-target ``tau_psc`` (ms) a Tsodyks-Markram synapse needs (the receptor's synaptic
    time constant of each target cell), or None for other synapse models."""
    if "tsodyks" not in projection.nest_synapse_model:
        return None
    receptor = projection.receptor_type
    celltype = projection.post.celltype
    tau_name = "tau_syn_I" if receptor == "inhibitory" else "tau_syn_E"
    native_tau = celltype.translations[tau_name]["translated_name"]
    return np.atleast_1d(np.asarray(projection.post.node_collection.get(native_tau),
                                    dtype=float))


def native_projection(connector: Connector[ProjectionParams], rule: dict[str, Any]) -> Any:
    """``connector``'s projection made by one ``nest.Connect`` with NEST's rule ``rule``
    (e.g. ``{"rule": "fixed_indegree", "indegree": 160, ...}``), drawn by NEST's own random
    generator (seeded from the study seed).

    Raises
    ------
    ConfigError
        The backend is not NEST, or the weight or delay is a distribution (NEST's rules take
        constants here): the message names ``<connector path>.native_rng`` and the fix.
    """
    params = connector.params
    backend = connector.model.sim.__name__.removeprefix("pyNN.")
    if backend != "nest":
        msg = (f"{connector.path}.native_rng: connector {connector.name!r} asks NEST to draw "
               f"its connections, but the simulator backend is {backend!r}; set native_rng: "
               "false (PyNN then draws them with the connector's NumPy stream) or "
               "simulator.backend: nest")
        raise ConfigError(msg)
    _constant(connector, "weight_uS", params.weight_uS)
    connector.check_delay(_constant(connector, "delay_ms", params.delay_ms))
    return project(connector, _NativeRule(connector, rule))


def _constant(connector: Connector[ProjectionParams], name: str,
              value: float | Distribution) -> float:
    if isinstance(value, Distribution):
        msg = (f"{connector.path}.{name}: with native_rng: true the {name} must be a "
               "constant (NEST's connection rule gives every connection the same value); "
               "give a number or set native_rng: false")
        raise ConfigError(msg)
    return float(value)


class _NativeRule:
    """Makes a projection with one ``nest.Connect`` and a NEST connection rule."""

    def __init__(self, connector: Connector[ProjectionParams], rule: dict[str, Any]) -> None:
        self.owner = connector
        self.rule = rule

    def connect(self, projection: Any) -> None:
        import nest

        params = self.owner.params
        weight = _constant(self.owner, "weight_uS", params.weight_uS)
        delay = _constant(self.owner, "delay_ms", params.delay_ms)
        syn = nest_synapse_spec(projection, np.array([weight]), np.array([delay]))
        syn["weight"], syn["delay"] = float(syn["weight"][0]), float(syn["delay"][0])
        tau = target_tau_psc(projection)
        if tau is not None:
            if np.ptp(tau) > 0:
                msg = (f"{self.owner.path}.native_rng: Tsodyks-Markram synapses made by NEST's "
                       f"rule need one synaptic time constant for all cells of sheet "
                       f"{self.owner.target.name!r} (they range {tau.min()}-{tau.max()} ms); "
                       "give the sheet a constant tau_syn or set native_rng: false")
                raise ConfigError(msg)
            syn["tau_psc"] = float(tau[0])
        try:
            nest.Connect(projection.pre.node_collection, projection.post.node_collection,
                         dict(self.rule), syn)
        except nest.NESTError as exc:
            msg = (f"connector {self.owner.name!r}: NEST refused the rule {self.rule}: {exc}")
            raise SimulationError(msg) from exc
        # Every presynaptic cell is recorded as a source: PyNN uses the set only to narrow its
        # connection queries (they also filter by this projection's own synapse model, so they
        # stay exact), and asking NEST which cells did connect costs a status dict per connection.
        projection._sources.update(np.asarray(projection.pre.all_cells, dtype=np.int64).tolist())
        # PyNN asks for the synapse model's common properties only when it sets parameters;
        # it is not done here because any ``GetConnections`` before the first run makes NEST
        # build its connection infrastructure (sort every connection, fill the target tables)
        # then, and again at ``Simulate`` after each later ``Connect``: one extra build per
        # projection (0.3 s for 2 million connections, seconds at 100,000 neurons).
        projection._identify_common_synapse_properties = functools.partial(
            _identify_common_properties, projection)
        projection._connections = None
        projection._simulator.state.stale_connection_cache = True


def _identify_common_properties(projection: Any) -> None:
    # PyNN finds the synapse model's common (not per-connection) properties from a connection
    # of the first source in ``_sources``, which may have none here; take one of the first
    # sources that have a connection instead (NEST looks up a few sources' connections only).
    import nest

    pre = projection.pre.node_collection
    for start in range(0, len(pre), 64):
        sample = nest.GetConnections(source=pre[start:min(start + 64, len(pre))],
                                     synapse_model=projection.nest_synapse_model,
                                     synapse_label=projection.nest_synapse_label)
        if len(sample):
            local = sample[:1].get().keys()
            projection._common_synapse_property_names = [
                name for name in nest.GetDefaults(projection.nest_synapse_model)
                if name not in local]
            return
    projection._common_synapse_property_names = []  # no connection: nothing to set
