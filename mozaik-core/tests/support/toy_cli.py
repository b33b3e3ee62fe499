"""``python toy_cli.py ARGS``: the ``mozaik`` CLI with the toy components of the workflow tests
and fake networks, for tests that need a real process to signal or kill.

Environment (all optional): ``TOY_SLOW_S`` sleep this long (s) in every ``model.run``;
``TOY_KILL_ON_RUN`` SIGKILL this process at that ``model.run`` (0-based);
``TOY_KILL_IN_BUILD`` SIGKILL it while building; ``TOY_BUILD_WAIT`` wait while building until
this file exists; ``TOY_BUILT`` write this file once a network is built.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mozaik.model
from mozaik.cli import main
from mozaik.plugin import ComponentSpec, get_plugin_manager
from mozaik.study import Study
from mozaik.testing import register_components
from workflow_helpers import (
    FakeModel,
    ToyAnalysis,
    ToyAnalysisParams,
    ToyPlot,
    ToyPlotParams,
    ToySheetParams,
    toy_sheet,
)


class SlowModel(FakeModel):
    def run(self, duration: float) -> None:
        if os.environ.get("TOY_KILL_ON_RUN") == str(len(self.run_log)):
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(float(os.environ.get("TOY_SLOW_S", "0")))
        super().run(duration)


def build(study: Study, registry: object = None) -> FakeModel:
    wait = os.environ.get("TOY_BUILD_WAIT")
    while wait and not Path(wait).exists():
        time.sleep(0.01)
    if os.environ.get("TOY_KILL_IN_BUILD"):
        os.kill(os.getpid(), signal.SIGKILL)
    model = SlowModel(study)
    if built := os.environ.get("TOY_BUILT"):
        Path(built).write_text("built")
    return model


manager = get_plugin_manager()
register_components(manager, "sheets", ComponentSpec(
    name="ToySheet", config_cls=ToySheetParams, factory=toy_sheet))
register_components(manager, "analyses", ComponentSpec(
    name="ToyAnalysis", config_cls=ToyAnalysisParams, factory=ToyAnalysis),
    name="toy_analysis", distribution="mozaik-toy-analysis")
register_components(manager, "plots", ComponentSpec(
    name="ToyPlot", config_cls=ToyPlotParams, factory=ToyPlot),
    name="toy_plot", distribution="mozaik-toy-plot")
mozaik.model.build_model = build  # type: ignore[assignment]
main(sys.argv[1:])
