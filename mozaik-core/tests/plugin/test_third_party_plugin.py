"""A lab's plugin distribution, written against the public API alone, works end to end.

``tests/data/mozaik-barrels`` is a real distribution (pyproject with a ``mozaik`` entry point)
registering one component of every kind. It is installed for these tests by putting its
package and a dist-info built from its pyproject on ``sys.path`` (``PYTHONPATH`` for
subprocesses); nothing imports it by hand. It passes the contract suites, runs a study on NEST,
and its results and stimuli read back in a fresh process.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from mozaik.plugin import ADS_KIND, COMPONENT_KINDS, PluginManager, Registry, get_registry
from mozaik.testing import (
    AnalysisContract,
    ComponentContract,
    ConnectorContract,
    ExperimentContract,
    ExporterContract,
    InputSpaceContract,
    PlotContract,
    PluginDistributionContract,
    SearchPlotContract,
    SheetContract,
    StimulusContract,
    tiny_store,  # noqa: F401 - fixture
    use_plugin_manager,
)

DIST = Path(__file__).parents[1] / "data" / "mozaik-barrels"
STUDY = Path(__file__).parents[1] / "data" / "barrels_study.yaml"


def install(site: Path) -> Path:
    """Install the distribution into ``site`` the way an installer lays it out."""
    project = tomllib.loads((DIST / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    shutil.copytree(DIST / "src" / "mozaik_barrels", site / "mozaik_barrels")
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    points = "".join(f"{k} = {v}\n" for k, v in project["entry-points"]["mozaik"].items())
    (info / "entry_points.txt").write_text(f"[mozaik]\n{points}")
    (info / "top_level.txt").write_text("mozaik_barrels\n")
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = install(tmp_path_factory.mktemp("site"))
    sys.path.insert(0, str(path))
    try:
        yield path
    finally:
        sys.path.remove(str(path))
        for module in [m for m in sys.modules if m.split(".")[0] == "mozaik_barrels"]:
            del sys.modules[module]


@pytest.fixture(autouse=True)
def _installed(site: Path) -> Iterator[None]:
    with use_plugin_manager(PluginManager(autoload=True)):
        yield


class _Installed:
    def registry(self) -> Registry:
        return get_registry()


# -- discovery and contract suites ----------------------------------------------------------

EVERY_KIND = {
    "input_spaces": ["WhiskerSpace"], "sensory_inputs": ["WhiskerPad"],
    "sheets": ["BarrelSheet"], "connectors": ["WhiskerToBarrel"],
    "connector_functions": ["SameBarrel"], "stimuli": ["WhiskerDeflection"],
    "experiments": ["DeflectWhiskers"], "analyses": ["BarrelRate"], "plots": ["BarrelMapPlot"],
    "search_plots": ["BarrelSearchPlot"], "backends": ["QuietBackend"],
    "exporters": ["barrel_csv"],
}


class TestDistribution(PluginDistributionContract):
    distribution = "mozaik-barrels"
    entry_point = "barrels"
    provides = {**EVERY_KIND, ADS_KIND: ["BarrelMap"]}


def test_one_component_of_every_kind() -> None:
    assert set(EVERY_KIND) == set(COMPONENT_KINDS)


def test_written_against_the_public_api_alone() -> None:
    for path in (DIST / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if name.split(".")[0] == "mozaik":
                    assert not any(p.startswith("_") for p in name.split(".")), \
                        f"{path.name} imports the private module {name}"


CELL = {"model": "IF_cond_exp"}


class TestBarrelSheet(_Installed, SheetContract):
    name = "BarrelSheet"
    example_params = {"n_barrels": 4, "neurons_per_barrel": 5, "cell": CELL,
                      "recorders": [{"variables": ["spikes"], "neurons": "all"}]}


class TestWhiskerToBarrel(_Installed, ConnectorContract):
    name = "WhiskerToBarrel"
    example_params = {"weight_uS": 0.01, "delay_ms": 1.0}
    sheet_params = {**ConnectorContract.sheet_params, "annotations": {"barrel": 0.0}}


class TestSameBarrel(_Installed, ComponentContract):
    kind = "connector_functions"
    name = "SameBarrel"
    example_params = {"inside": 1.0, "outside": 0.5}


class TestBarrelSpikesCsv(_Installed, ExporterContract):
    name = "barrel_csv"

    def count_spikes(self, path: Path) -> int:
        return len(path.read_text().splitlines()) - 1  # the header


class TestWhiskerPad(_Installed, ComponentContract):
    kind = "sensory_inputs"
    name = "WhiskerPad"
    example_params = {"populations": ["whiskers"]}


class TestQuietBackend(_Installed, ComponentContract):
    kind = "backends"
    name = "QuietBackend"


class TestWhiskerDeflection(_Installed, StimulusContract):
    name = "WhiskerDeflection"
    example_params = {"whisker": 1, "duration_ms": 30.0}


class TestDeflectWhiskers(_Installed, ExperimentContract):
    name = "DeflectWhiskers"
    example_params = {"whiskers": [0, 1], "duration_ms": 20.0, "num_trials": 2}


class TestWhiskerSpace(_Installed, InputSpaceContract):
    name = "WhiskerSpace"
    example_params = {"n_whiskers": 3}


TINY = {"sheet": "exc", "annotation": "orientation_preference"}


class TestBarrelRate(_Installed, AnalysisContract):
    name = "BarrelRate"
    example_params = TINY


class TestBarrelMapPlot(_Installed, PlotContract):
    name = "BarrelMapPlot"
    example_params = TINY
    analyses = (("BarrelRate", TINY),)


class TestBarrelSearchPlot(_Installed, SearchPlotContract):
    name = "BarrelSearchPlot"
    example_params = {"value_name": "Mean(Firing rate)", "sheet": "inh"}


# -- a study on NEST, read back in fresh processes ------------------------------------------

RUN = """
import sys
from pathlib import Path
from mozaik.study import load_study
from mozaik.plugin import get_registry
from mozaik.backends import BACKENDS
study = load_study(sys.argv[1])
backend = get_registry()[BACKENDS]["QuietBackend"]
summary = backend.factory(backend.config_cls()).run(study, Path(sys.argv[2]))
print("presented", summary.presented)
"""

READ = """
import json, sys
from mozaik.config import structure
from mozaik.datastore import DataStore
from mozaik.plugin import get_registry
from mozaik.stimulus import STIMULI, unflatten_params
imported_before = "mozaik_barrels" in sys.modules
with DataStore.open(sys.argv[1]) as store:
    view = store.full_view()
    stimuli = view.stimuli()
    rebuilt = []
    for sid in stimuli:
        component = get_registry()[STIMULI][sid.name]
        stimulus = component.factory(structure(unflatten_params(dict(sid.params)),
                                               component.config_cls))
        rebuilt.append(stimulus.identity() == sid)
    results = view.analysis_results()
    print(json.dumps({
        "imported_before": imported_before,
        "stimuli": sorted(s.name for s in stimuli),
        "rebuilt": rebuilt,
        "results": [[type(r).__module__, type(r).__name__, r.stimulus_id.params["whisker"],
                     r.values.tolist()] for r in results],
        "figures": sorted(p.name for p in (store.root / "figures").iterdir()),
        "spikes": len(view.spike_arrays("barrels").times),
    }))
"""

UNREADABLE = """
import sys
from mozaik import AnalysisDataStructureError
from mozaik.datastore import DataStore, summarize
with DataStore.open(sys.argv[1]) as store:
    print(summarize(store.full_view()))
    try:
        store.full_view().analysis_results()
    except AnalysisDataStructureError as exc:
        print("ERROR", exc)
"""


def _python(code: str, *args: str, site: Path, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "MOZAIK_DISABLE_PLUGIN_AUTOLOAD"}
    environ.update(env, PYTHONPATH=os.pathsep.join([str(site), environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, env=environ, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.nest
def test_study_on_nest_reads_back_in_a_fresh_process(site: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    assert "presented 4" in _python(RUN, str(STUDY), str(run_dir), site=site)

    found = json.loads(_python(READ, str(run_dir), site=site).splitlines()[-1])
    assert found["imported_before"] is False
    assert found["stimuli"] == ["WhiskerDeflection"] * 4 and all(found["rebuilt"])
    assert found["spikes"] > 0
    results = found["results"]
    assert [(m, n) for m, n, _, _ in results] == [("mozaik_barrels._workflow", "BarrelMap")] * 4
    for _, _, whisker, rates in results:  # the deflected whisker's barrel fires most
        assert max(range(4), key=lambda b: rates[b]) == whisker, results
    assert found["figures"] == ["00_BarrelMapPlot.svg"]

    # without the plugin the store still opens; its results are listed as unreadable
    text = _python(UNREADABLE, str(run_dir), site=site, MOZAIK_BLOCKED_PLUGINS="barrels")
    assert "BarrelMap from BarrelRate" in text
    assert "UNREADABLE: written by mozaik-barrels, which is not installed" in text
    assert "ERROR" in text and "written by mozaik-barrels 0.2.0" in text
    assert "install mozaik-barrels" in text
