"""End to end on NEST: a small Vogels & Abbott (2005) network through the ``mozaik`` CLI.

One reference run, then: its activity sustains itself after the kick; the analyses the
example declares find the asynchronous irregular state in the stored results, and a second
``mozaik analyse`` skips them all; the same seed gives the
same spikes; a ``mozaik run`` killed with SIGKILL mid-run leaves the presentations it finished
in a readable store and completes to exactly the reference's spikes; ``mozaik analyse`` runs
analyses on the stored run without simulating (or importing NEST).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from mozaik.datastore import DataStore
from mozaik.testing import assert_same_spikes

pytestmark = [pytest.mark.nest]  # deselect with -m "not nest" where NEST is absent

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "vogels_abbott2005"
#: The ``mozaik`` script of the environment running the tests.
MOZAIK = [str(Path(sys.executable).with_name("mozaik"))]

#: The example at 500 neurons. Small networks need a larger in-degree share than 2% to keep
#: going, and somewhat stronger excitation; the kick and the protocol are the example's. The
#: spontaneous period is split into 4 trials of 500 ms so that a run has 5 presentations.
SMALL = [
    "sheets.exc.params.placement.n_neurons=400",
    *(f"connectors.{c}.params.probability=0.05"
      for c in ("exc_exc", "exc_inh", "inh_exc", "inh_inh")),
    "connectors.exc_exc.params.weight_uS=0.006",
    "connectors.exc_inh.params.weight_uS=0.006",
    "experiments.1.params.duration_ms=500.0",
    "experiments.1.params.num_trials=4",
]
PRESENTATIONS = 5
KICK_MS, SPONTANEOUS_MS = 100.0, 2000.0


def _mozaik(*args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*MOZAIK, *args], capture_output=True, text=True, timeout=timeout,
                            cwd=ROOT)
    assert result.returncode == 0, f"mozaik {' '.join(args)} failed:\n{result.stderr}"
    return result


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    overrides = [item for o in SMALL for item in ("--set", o)]
    return _mozaik("run", str(EXAMPLE), *overrides, "--out", str(out), "--progress", "log",
                   *extra)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("e2e") / "reference"
    result = _run(run_dir)
    assert f"{PRESENTATIONS} presentation(s) stored" in result.stdout
    return run_dir


def test_activity_sustains_itself_after_the_kick(reference: Path) -> None:
    with DataStore.open(reference) as store:
        manifest = store.manifest
        view = store.full_view()
        assert len(store.presentations()) == PRESENTATIONS
        for sheet in ("exc", "inh"):
            times = view.spike_arrays(sheet).times
            n = len(view.neuron_ids(sheet))
            counts, _ = np.histogram(times, bins=np.arange(KICK_MS, KICK_MS + SPONTANEOUS_MS
                                                           + 1, 100.0))
            rates = counts / n / 0.1  # Hz
            # every 100 ms of the spontaneous period, long after the 50 ms drive, has spikes
            assert (rates > 1.0).all(), f"{sheet}: rates per 100 ms {rates.round(1)}"
    assert manifest["status"] == "complete"
    assert manifest["provenance"]["simulator"]["backend"] == "nest"
    assert manifest["provenance"]["simulator"]["version"]
    assert "[5/5] stored" in (reference / "mozaik.log").read_text()


#: The asynchronous irregular state as the example's study.yaml and README document it.
RATE_RANGE_HZ = (5.0, 50.0)
MIN_CV_ISI = 0.8
MAX_CORRELATION = 0.05


def _mean(store: DataStore, sheet: str, value_name: str) -> float:
    [result] = store.get_analysis_result(sheet_name=sheet, value_name=f"Mean({value_name})",
                                         st_protocol="NoStimulation")
    return float(result.value)


def test_the_stored_analyses_show_the_asynchronous_irregular_state(reference: Path) -> None:
    with DataStore.open(reference) as store:
        steps = store.manifest["workflow"]
        assert sorted(steps) == ["analyses/CVISI", "analyses/FanoFactor",
                                 "analyses/PopulationMean", "analyses/SpikeCountCorrelation",
                                 "analyses/TrialAveragedFiringRate", "plots/OverviewPlot",
                                 "plots/PerNeuronValuePlot", "plots/PerNeuronValuePlot#2",
                                 "plots/RasterPlot"]
        for sheet in ("exc", "inh"):
            rate = _mean(store, sheet, "Firing rate")
            cv = _mean(store, sheet, "CV of ISI")
            fano = _mean(store, sheet, "Fano factor")
            correlation = _mean(store, sheet, "Spike-count correlation")
            values = f"{sheet}: {rate:.1f} Hz, CV {cv:.2f}, Fano {fano:.2f}, r {correlation:.3f}"
            assert RATE_RANGE_HZ[0] <= rate <= RATE_RANGE_HZ[1], values
            assert cv >= MIN_CV_ISI, values
            assert abs(correlation) < MAX_CORRELATION, values
            assert fano > 0.5, values
            # every result names the stimulus, units and the step (with parameters) behind it
            [rates] = store.get_analysis_result(sheet_name=sheet, value_name="Firing rate")
            assert rates.stimulus_id is not None and rates.stimulus_id.name == "InternalStimulus"
            assert str(rates.value_units.dimensionality) == "Hz"
            assert len(rates.ids) == len(rates.values) == len(store.neuron_ids(sheet))
        rows = store.analysis_index.to_pylist()
        assert all(r["workflow_step"] and r["analysis_params"] for r in rows)


def test_same_seed_gives_identical_spikes(reference: Path, tmp_path: Path) -> None:
    _run(tmp_path / "again")
    assert_same_spikes(reference, tmp_path / "again", n_segments=2 * PRESENTATIONS)


def _stored_lines(log: Path) -> int:
    try:
        return log.read_text().count("] stored ")
    except FileNotFoundError:
        return 0


def test_sigkill_mid_run_then_resume(reference: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "killed"
    overrides = [item for o in SMALL for item in ("--set", o)]
    process = subprocess.Popen([*MOZAIK, "run", str(EXAMPLE), *overrides, "--out",
                                str(run_dir), "--progress", "log"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        deadline = time.monotonic() + 90
        while _stored_lines(run_dir / "mozaik.log") < 2:
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no presentation stored within 90 s"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL

    # the store is readable and holds the finished presentations (in order), not the rest
    with DataStore.open(run_dir) as store:
        stored = store.presentations()
        assert 2 <= len(stored) < PRESENTATIONS
        assert store.manifest["status"] == "running"
    with DataStore.open(reference) as store:
        assert stored == store.presentations()[:len(stored)]

    # resuming completes the run: the stored part is replayed, the rest stored
    result = _mozaik("run", str(run_dir), "--progress", "log")
    assert f"{PRESENTATIONS - len(stored)} presentation(s) stored" in result.stdout
    assert f"{len(stored)} replayed" in result.stdout
    assert_same_spikes(run_dir, reference, n_segments=2 * PRESENTATIONS)
    with DataStore.open(run_dir) as store:
        sessions = store.manifest["sessions"]
    # the killed session is closed out by the one that resumed it, with what it stored
    assert [s["status"] for s in sessions] == ["killed", "complete"]
    assert sessions[0]["presented"] == len(stored) and sessions[0]["finished"] is None


def _in_foreground() -> None:
    """Start a child as a foreground command: its stopping signals at their defaults (a shell
    that started these tests in the background ignores SIGINT, and children inherit that)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def test_sighup_mid_run_stops_cleanly_then_resumes(reference: Path, tmp_path: Path) -> None:
    """SIGHUP (a closed terminal) stops a NEST run like SIGINT and SIGTERM (those are tested
    on fake networks in mozaik-core): loading NEST replaces its handler below Python's."""
    signum = signal.SIGHUP
    run_dir = tmp_path / "stopped"
    overrides = [item for o in SMALL for item in ("--set", o)]
    process = subprocess.Popen([*MOZAIK, "run", str(EXAMPLE), *overrides, "--out",
                                str(run_dir), "--progress", "log"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT, preexec_fn=_in_foreground)
    try:
        deadline = time.monotonic() + 90
        while _stored_lines(run_dir / "mozaik.log") < 2:
            assert process.poll() is None, "the run ended before it could be stopped"
            assert time.monotonic() < deadline, "no presentation stored within 90 s"
            time.sleep(0.02)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 128 + signum, err
    assert f"Interrupted by {signum.name}" in err and f"mozaik run {run_dir}" in err
    with DataStore.open(run_dir) as store:
        stored = len(store.presentations())
        assert store.manifest["status"] == "interrupted"
        [session] = store.manifest["sessions"]
    assert session["signal"] == signum.name and session["presented"] == stored
    assert 2 <= stored < PRESENTATIONS

    result = _mozaik("run", str(run_dir), "--progress", "log")
    assert f"{PRESENTATIONS - stored} presentation(s) stored" in result.stdout
    assert_same_spikes(run_dir, reference, n_segments=2 * PRESENTATIONS)


ANALYSE = textwrap.dedent("""\
    import sys
    import attrs
    import quantities as pq
    from mozaik.ads import SingleValue
    from mozaik.analysis import Analysis
    from mozaik.cli import main
    from mozaik.plugin import ComponentSpec, get_plugin_manager
    from mozaik.testing import register_components

    @attrs.frozen(kw_only=True)
    class CountParams:
        sheet: str = "exc"

    class CountSpikes(Analysis):
        def __init__(self, params):
            self.params = params
        def run(self, view):
            n = len(view.spike_arrays(self.params.sheet).times)
            return [SingleValue(analysis_algorithm="CountSpikes", value=float(n),
                                value_name="spikes", value_units=pq.dimensionless)]

    register_components(get_plugin_manager(), "analyses", ComponentSpec(
        name="CountSpikes", config_cls=CountParams, factory=CountSpikes))
    try:
        main(["analyse", sys.argv[1], sys.argv[2]])
    finally:
        print("NEST imported:", "nest" in sys.modules, "pyNN.nest imported:",
              "pyNN.nest" in sys.modules)
""")


def test_analyse_works_on_the_store_without_simulating(reference: Path, tmp_path: Path) -> None:
    workflow = tmp_path / "workflow.yaml"
    workflow.write_text("analyses:\n  - {component: CountSpikes, params: {sheet: exc}}\n")
    with DataStore.open(reference) as store:
        before = store.segment_index.num_rows
        spikes = len(store.full_view().spike_arrays("exc").times)
    result = subprocess.run([sys.executable, "-c", ANALYSE, str(reference), str(workflow)],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "1 analyses run, 0 plots drawn" in result.stdout
    # the study's own analyses read only the spontaneous period, so they are unchanged and
    # skipped; its 4 plots read every stored result, the new CountSpikes one too: redrawn once
    again = _mozaik("analyse", str(reference))
    assert "0 analyses run, 4 plots drawn, 5 unchanged or empty (skipped)" in again.stdout
    again = _mozaik("analyse", str(reference))
    assert "0 analyses run, 0 plots drawn, 9 unchanged or empty (skipped)" in again.stdout
    assert "NEST imported: False pyNN.nest imported: False" in result.stdout
    with DataStore.open(reference) as store:
        assert store.segment_index.num_rows == before
        [count] = store.get_analysis_result(analysis_algorithm="CountSpikes")
        assert count.value == spikes


def test_the_example_as_shipped_sustains_itself(tmp_path: Path) -> None:
    """The README's demo itself (4,000 neurons, no override): after the 50 ms kick, every
    100 ms of the 1,000 ms spontaneous period has spikes, at rates of an active cortical network
    rather than a silent or saturated one."""
    run_dir = tmp_path / "demo"
    _mozaik("run", str(EXAMPLE), "--out", str(run_dir), "--progress", "off", timeout=300.0)
    with DataStore.open(run_dir) as store:
        view = store.full_view()
        for sheet in ("exc", "inh"):
            times = view.spike_arrays(sheet).times
            n = len(view.neuron_ids(sheet))
            counts, _ = np.histogram(times, bins=np.arange(100.0, 1100.0 + 1, 100.0))
            rates = counts / n / 0.1  # Hz
            assert (rates > 1.0).all(), f"{sheet}: rates per 100 ms {rates.round(1)}"
            assert rates.mean() < 100.0, f"{sheet}: saturated, {rates.round(1)} Hz"
