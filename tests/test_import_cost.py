"""Loading every plugin stays cheap: no matplotlib or scipy until a component needs them.

Every ``mozaik`` command builds the registry, which imports every installed plugin. The
overhead benchmark (``benchmarks/overhead``) counts these imports against Mozaik: before the
plugins' packages exported their names lazily, a ``mozaik run`` of a network without any
figure imported matplotlib.pyplot, scipy.optimize and scipy.signal (about 2 s of CPU here).
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("matplotlib", "scipy.optimize", "scipy.signal", "scipy.stats")

PROBE = """
import json, sys
from mozaik.cli import cli
from mozaik.plugin import get_plugin_manager
manager = get_plugin_manager()
names = [p.distribution for p in manager.plugins()]
registry = manager.registry
for kind in ("sheets", "connectors", "connector_functions", "stimuli", "experiments",
             "input_spaces", "sensory_inputs", "backends"):
    registry.kind(kind)
manager.cli_commands()
before = sorted(m for m in sys.modules if m.startswith(HEAVY))
registry.kind("plots")["RasterPlot"].factory
registry.kind("analyses")["PeriodicTuningPreference"].factory
import mozaik_plot, mozaik_analysis
mozaik_plot.RasterPlot, mozaik_analysis.von_mises
after = sorted(m for m in sys.modules if m.startswith(HEAVY))
print(json.dumps({"plugins": names, "before": before, "after": after}))
"""


def test_registering_plugins_imports_no_matplotlib_or_scipy() -> None:
    code = f"HEAVY = {HEAVY!r}\n{PROBE}"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"mozaik-visual", "mozaik-analysis", "mozaik-plot", "mozaik-hpc"} <= set(
        found["plugins"])
    assert found["before"] == []
    # and the probe does see them once a plot and an analysis are used
    assert "matplotlib" in found["after"] and "scipy.optimize" in found["after"]
