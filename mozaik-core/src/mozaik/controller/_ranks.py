"""What an MPI rank other than 0 does in a run of one network distributed over ranks.

It mirrors rank 0 (``_run.py``) step by step, with the same steps (``_steps.py``), meeting
it at the same barriers:

1. rank 0 checks the run directory (and recovers what a crash left): barrier; this rank looks
   at it (a complete run: nothing to do); barrier;
2. it builds the same network and plans the same presentations; barrier (rank 0 has created
   the store and written the neurons);
3. it presents every stimulus with rank 0, writing its own neurons' recordings as its part of
   each presentation (:meth:`mozaik.datastore.DataStore.open_part`); barrier (rank 0 then
   merges the parts and runs the analyses and plots alone).

It writes no log file and no manifest: rank 0 does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mozaik.controller._provenance import check_simulator
from mozaik.controller._rundir import open_existing
from mozaik.controller._state import Ranks, RunState, RunSummary
from mozaik.controller._steps import (
    already_complete,
    build_and_plan,
    connection_results,
    present_all,
)
from mozaik.datastore import DataStore
from mozaik.plugin import PluginManager
from mozaik.study import Study

if TYPE_CHECKING:
    from mozaik.model import Model

__all__ = ["run_part"]


def run_part(study: Study, run_dir: Path, ranks: Ranks, *, model: Model | None,
             replay: bool | None, plugin_manager: PluginManager,
             build_model: Callable[[Study], Model] | None) -> RunSummary:
    """Run rank ``ranks.rank`` (> 0) of ``study``; see the module docs."""
    total_start = time.perf_counter()
    if model is None:
        check_simulator(study.simulator.backend)
    state = RunState(study=study, run_dir=run_dir, pm=plugin_manager,
                     logger=logging.getLogger(f"mozaik.controller.rank{ranks.rank}"),
                     mode="off", replay=replay, ranks=ranks)
    owns_model = model is None
    ranks.barrier()  # rank 0 has checked and recovered the run directory
    try:
        existing = open_existing(run_dir, study, mode="r")
        ranks.barrier()  # every rank has looked; rank 0 may now empty and create it
        if already_complete(state, existing):
            return state.summary(time.perf_counter() - total_start)
        if existing is not None:
            existing.store.close()
        start = time.perf_counter()
        build_and_plan(state, model, build_model)
        connection_results(state)  # collective: rank 0 stores them
        state.build_s = time.perf_counter() - start
        ranks.barrier()  # rank 0 has created the store and written the neurons
        state.store = DataStore.open_part(run_dir, ranks.rank, ranks.size,
                                          registry=study.registry)
        present_all(state)
        ranks.barrier()  # every part is written: rank 0 merges them
    finally:
        if owns_model and state.model is not None and hasattr(state.model, "end"):
            state.model.end()
    return state.summary(time.perf_counter() - total_start)
