"""The base classes are generic in their parameters, backends take typed option records and
lifecycle calls are typed methods: mypy --strict catches a misspelled parameter field, a wrong
option and a wrong lifecycle argument in a plugin's code (with ``params: Any`` it caught none).

One mypy run over a small plugin-like module (a few seconds with a fresh cache); every line
marked ``# E: <code>`` must give that error and no other line may give one.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN = textwrap.dedent('''\
    from __future__ import annotations

    from collections.abc import Sequence
    from pathlib import Path

    import attrs
    import numpy as np

    from mozaik.ads import AnalysisDataStructure
    from mozaik.analysis import Analysis
    from mozaik.backends import Backend, LocalBackend, RunOptions
    from mozaik.controller import RunSummary
    from mozaik.search import SearchOptions
    from mozaik.datastore import DataStoreView
    from mozaik.experiments import Experiment
    from mozaik.model import (
        Connector,
        ConnectorFunction,
        InputSpace,
        PairBlock,
        SensoryInput,
        Sheet,
        SheetParams,
    )
    from mozaik.plot import Plot, SearchPlot
    from mozaik.plugin import PluginManager
    from mozaik.search import Search
    from mozaik.stimulus import Stimulus
    from mozaik.study import Study


    @attrs.frozen(kw_only=True)
    class Params:
        duration_ms: float
        sheet: str


    class Rate(Analysis[Params]):
        def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
            print(self.params.sheet, self.params.sheets)  # E: attr-defined
            return []


    class Raster(Plot[Params]):
        def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
            print(self.params.sheet, self.params.sheets)  # E: attr-defined
            return []


    class Tone(Stimulus[Params]):
        name = "Tone"

        def loudness(self) -> None:
            print(self.params.sheets)  # E: attr-defined


    class Sweep(Experiment[Params]):
        def stimuli(self) -> list[Stimulus]:
            return [Tone(self.params)] * int(self.params.duration_s)  # E: attr-defined


    class Space(InputSpace[Params]):
        def describe(self) -> dict[str, bool | int | float | str]:
            return {"sheet": self.params.sheets}  # E: attr-defined


    class Ear(SensoryInput[Params]):
        def present(self, stimulus: Stimulus, t_start_ms: float) -> None:
            print(self.params.sheets)  # E: attr-defined

        def reset(self) -> None:
            pass

        def describe(self) -> dict[str, bool | int | float | str]:
            return {}


    class Near(Connector[Params]):
        def build(self) -> object:
            return self.params.sheets  # E: attr-defined


    class Flat(ConnectorFunction[Params]):
        def __call__(self, pairs: PairBlock) -> np.ndarray:
            print(self.params.sheets)  # E: attr-defined
            return np.zeros(1)


    class Cortex(Sheet[SheetParams]):
        def describe_cells(self) -> str:
            return str(self.sheet_params.cells)  # E: attr-defined


    class Tones(Stimulus[object]):  # E: type-var
        name = "Tones"


    class Cluster(Backend[Params]):
        def run(self, study: Study, run_dir: Path,
                options: RunOptions | None = None) -> RunSummary:
            print(self.params.sheets)  # E: attr-defined
            return LocalBackend().run(study, run_dir, options)


    def callers(study: Study, search: Search, pm: PluginManager) -> None:
        LocalBackend().run(study, Path("run"), progress="off")  # E: call-arg
        LocalBackend().run(study, Path("r"), RunOptions(dry_run=True))  # E: call-arg
        LocalBackend().run_search(search, Path("m"), [0], SearchOptions(dry_run=True))
        LocalBackend().run_search(search, Path("m"), [0], dry_run=True)  # E: call-arg
        pm.notify("run_started", run_dir=Path("run"), config={})  # E: attr-defined
        pm.run_started(run_dir=Path("run"), config={})
        pm.before_presentation(run_dir=Path("run"), stimulus="s", trial=0, index=0)  # E: call-arg
        pm.after_presentation(run_dir=Path(), stimulus="s", trial=0, wall_time_s="1")  # E: arg-type
        pm.run_finished(run_dir=Path("run"), store=None)
        Near.expected_connections(Params(duration_ms=1.0, sheet="exc"), 10, 10)
        Near.expected_connections("exc", 10, 10)  # E: arg-type
    ''')

_ERROR = re.compile(r"^plugin\.py:(\d+): error: .*\[([\w-]+)\]$")


def test_mypy_checks_params_options_and_lifecycle_of_plugins(tmp_path: Path) -> None:
    (tmp_path / "plugin.py").write_text(PLUGIN)
    expected = {(n, m.group(1)) for n, line in enumerate(PLUGIN.splitlines(), start=1)
                if (m := re.search(r"# E: ([\w-]+)$", line))}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes",
         "--cache-dir", str(tmp_path / "cache"), "plugin.py"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False)
    found = {(int(m.group(1)), m.group(2)) for line in done.stdout.splitlines()
             if (m := _ERROR.match(line))}
    assert found == expected, done.stdout + done.stderr
