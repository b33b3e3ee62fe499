"""A built projection's connections as a ``Connections`` analysis data structure."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import quantities as pq

from mozaik._errors import SimulationError
from mozaik.ads import Connections

if TYPE_CHECKING:
    from mozaik.model._connectors import Connector

__all__ = ["connections_ads"]


def connections_ads(connector: Connector) -> Connections:
    """The connections of ``connector``'s built projection, ready to store.

    ``store.add_analysis_result(connections_ads(c), replace=True)`` keeps them in a run, where
    plots (e.g. mozaik-plot's ``ConnectivityPlot``) and ``mozaik report`` read them.

    Returns
    -------
    Connections
        ``proj_name`` the connector's name, sheet indices of source and target, weights in uS
        (nA for current-based target cells; absolute values, the receptor gives the sign) and
        delays in ms; ``analysis_algorithm`` is ``"connections_ads"``.

    Raises
    ------
    SimulationError
        If the connector has not built its projection yet (``model.connect(connector)``).
    """
    projection = connector.projection
    if projection is None:
        msg = (f"connector {connector.name!r} has no projection yet: build it with "
               "model.connect(connector) before storing its connections")
        raise SimulationError(msg)
    rows = np.asarray(projection.get(["weight", "delay"], format="list", with_address=True),
                      dtype=float).reshape(-1, 4)
    celltype = connector.target.population.celltype
    units = pq.uS if getattr(celltype, "conductance_based", True) else pq.nA
    return Connections(
        analysis_algorithm="connections_ads", proj_name=connector.name,
        source_name=connector.source.name, target_name=connector.target.name,
        source_index=rows[:, 0].astype(np.int64), target_index=rows[:, 1].astype(np.int64),
        weights=np.abs(rows[:, 2]), delays=rows[:, 3], weight_units=units, delay_units=pq.ms)
