"""Memory NEST takes per neuron and per connection through Mozaik: the numbers behind
``mozaik.study.NEST_BYTES_PER_NEURON`` and ``NEST_BYTES_PER_CONNECTION``.

Builds one sheet of IF_cond_exp cells recording spikes (and optionally one connector onto it),
runs 1 ms and prints the growth of the resident set size (VmRSS, Linux) per neuron and per
connection at each step. One process per measurement, so that nothing is shared::

    python nest_memory.py neurons 50000                 # per neuron: creation and first run
    python nest_memory.py static 50000 100              # + 100 connections per neuron (NEST rule)
    python nest_memory.py tsodyks_markram 50000 100     # the same with Tsodyks-Markram synapses
    python nest_memory.py pynn 10000 300                # PyNN's FixedProbabilityConnector

Subtract the neurons' share (``neurons`` with the same size) from the first-run growth of a
connector measurement to get its bytes per connection.
"""

from __future__ import annotations

import sys
from pathlib import Path


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def main(mode: str, n: int, k: int = 0) -> None:
    from mozaik.config import SimulatorConfig
    from mozaik.model import (
        FixedNumberParams,
        FixedProbabilityParams,
        Model,
        PlacementParams,
        RecorderParams,
        SheetParams,
        SynapseParams,
    )

    model = Model(SimulatorConfig(backend="nest", seed=1), name="memory")
    start = rss_bytes()
    model.create_sheet("exc", SheetParams(placement=PlacementParams(n_neurons=n),
                                          recorders=(RecorderParams(variables=["spikes"]),)))
    created = rss_bytes()
    print(f"process after setup: {start / 1e6:.0f} MB; {n} neurons: "
          f"{(created - start) / n:.0f} B each when created")
    if mode == "neurons":
        model.run(1.0)
        print(f"first run: {(rss_bytes() - created) / n:.0f} B more per neuron")
        return
    if mode == "pynn":
        params: object = FixedProbabilityParams(probability=k / n, weight_uS=0.001,
                                                delay_ms=1.0)
        component = "FixedProbabilityConnector"
    else:
        params = FixedNumberParams(n=k, weight_uS=0.001, delay_ms=1.0, native_rng=True,
                                   synapse=SynapseParams(model=mode))
        component = "FixedNumberPreConnector"
    connector = model.create_connector("c", "exc", "exc", params, component=component)
    m = connector.size()
    built = rss_bytes()
    model.run(1.0)
    ran = rss_bytes()
    print(f"{m} connections: {(built - created) / m:.1f} B each when built; after the first "
          f"run {(ran - created) / m:.1f} B per connection, neurons' share included")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
