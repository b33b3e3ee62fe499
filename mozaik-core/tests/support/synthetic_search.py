"""A search backend that "runs" a point by storing SingleValues computed from its parameters
(no simulation): the optimiser's loop is tested in milliseconds a point.

``x`` sets the excitatory rate (Hz) and ``y`` the CV of ISI; ``x < 0`` fails the point (a
refused parameter) and ``x > 90`` records a runaway, as the search records a failed point.
``KILL_AT`` (an environment variable) SIGKILLs this process when asked to run that point, after
the batch's earlier points ran: a driver killed mid-batch.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from pathlib import Path

import quantities as pq
from mozaik.ads import SingleValue
from mozaik.datastore import DataStore
from mozaik.search import Search, SearchOptions, point_dir, write_status

X = "connectors.exc_inh.params.weight_uS"
Y = "connectors.exc_inh.params.delay_ms"


class SyntheticBackend:
    """Runs points by storing ``Mean(Firing rate)`` and ``Mean(CV ISI)`` of sheet exc."""

    def __init__(self) -> None:
        self.ran: list[int] = []

    def run_search(self, search: Search, master_dir: Path, point_ids: Sequence[int],
                   options: SearchOptions | None = None) -> dict[int, str]:
        out = {}
        for i in point_ids:
            if os.environ.get("KILL_AT") == str(i):
                os.kill(os.getpid(), signal.SIGKILL)
            self.ran.append(i)
            point = search.points[i]
            x, y = float(point[X]), float(point.get(Y, 1.0))
            if x < 0:
                write_status(master_dir, i, "failed", error="ConfigError: weight_uS < 0")
                out[i] = "failed"
                continue
            if x > 90:
                write_status(master_dir, i, "failed",
                             error="runaway: exc fired at 900 Hz (limit 300 Hz)")
                out[i] = "failed"
                continue
            with DataStore.create(point_dir(master_dir, i), {"config": {"name": "x"}}) as st:
                st.add_analysis_result(SingleValue(
                    analysis_algorithm="PopulationMean", sheet_name="exc", value=x,
                    value_name="Mean(Firing rate)", value_units=pq.Hz))
                st.add_analysis_result(SingleValue(
                    analysis_algorithm="PopulationMean", sheet_name="exc", value=y,
                    value_name="Mean(CV ISI)", value_units=pq.dimensionless))
            write_status(master_dir, i, "done")
            out[i] = "done"
        return out
