"""The kill-and-resume machinery: every shipped study, interrupted anywhere, resumes to the store
of an uninterrupted run (the matrix: ``test_kill_and_resume.py`` for the shipped examples,
``test_kill_and_resume_kinds.py`` for the other kinds of study).

For each study (the Vogels & Abbott example, the V1 push-pull example and its figure study,
the LGN study with its current-driven and with its linear-nonlinear-Poisson output, the
tonotopy plugin's example, one point of the V&A search and an optogenetic intensity sweep, whose
per-neuron injected currents are stored), shrunk to seconds, one reference
run (module-scoped, shared by the study's kill points), then for each kill point a run that a
real signal stops, resumed with ``mozaik run RUN_DIR``; spikes, analog signals, neuron tables,
the segment index and analysis results (and the ``injected_current`` records of a perturbation)
must equal the reference's exactly.

The kill points are made deterministic by a driver process that registers a tiny plugin before
calling the ``mozaik`` CLI (the same entry point users run):

- ``sigkill-after-first``: SIGKILL from ``mozaik_after_presentation`` of the first presentation
  (its recordings are committed when the hook is called);
- ``sigkill-during-analyses``: SIGKILL right after the first analysis stored its results, before
  the workflow records the step;
- ``sigint-mid-presentation`` and ``sigterm-mid-presentation``: the stimulus of the second
  presentation is run in two halves (NEST gives the same result as one run), and the signal is
  sent between them, so it arrives with the presentation half simulated. Whether the process
  dies at once or stops gracefully, the resume must complete to an equal store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pytest
from mozaik.datastore import DataStore
from mozaik.testing import stored_spikes
from v1_sizes import V1_TINY

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MOZAIK = str(Path(sys.executable).with_name("mozaik"))
TIMEOUT_S = 180.0

#: The driver: registers the kill point's plugin, then runs the mozaik CLI with argv[2:].
DRIVER = textwrap.dedent("""\
    import os
    import signal
    import sys

    import mozaik.controller._steps as controller_run
    import mozaik.workflow._workflow as workflow
    from mozaik.cli import main
    from mozaik.plugin import get_plugin_manager, hookimpl

    MODE = sys.argv[1]
    SIGNALS = {"sigint-mid-presentation": signal.SIGINT,
               "sigterm-mid-presentation": signal.SIGTERM}


    class KillPoint:
        MOZAIK_HOOK_API = (2, 0)
        armed = False

        @hookimpl
        def mozaik_before_presentation(self, run_dir, stimulus, trial, index, total):
            KillPoint.armed = MODE in SIGNALS and index == 1

        @hookimpl
        def mozaik_after_presentation(self, run_dir, stimulus, trial, wall_time_s):
            if MODE == "sigkill-after-first":
                os.kill(os.getpid(), signal.SIGKILL)


    run_chunked = controller_run._run_chunked


    def split_run(state, duration_ms, bar, label):
        if not KillPoint.armed:
            return run_chunked(state, duration_ms, bar, label)
        KillPoint.armed = False
        step = state.study.simulator.time_step
        half = round(duration_ms / 2.0 / step) * step
        run_chunked(state, half, bar, label)
        os.kill(os.getpid(), SIGNALS[MODE])
        return run_chunked(state, duration_ms - half, bar, label)


    run_analysis = workflow._run_analysis


    def killing_analysis(step, view, store):
        ids = run_analysis(step, view, store)
        if MODE == "sigkill-during-analyses":
            os.kill(os.getpid(), signal.SIGKILL)
        return ids


    def run_search_point(argv):
        # `search run FILE --out MASTER`: the point runs here, as a search's child process
        # runs it (children are other processes, which this driver's patches do not reach)
        from pathlib import Path

        from mozaik.search import load_search, run_point, save_definition

        search, master = load_search(argv[2]), Path(argv[argv.index("--out") + 1])
        save_definition(search, master)
        return 0 if run_point(master, 0, search) == "done" else 1


    if __name__ == "__main__":
        # a foreground command (a shell that started the tests in the background ignores
        # SIGINT, and a run keeps a signal its caller ignores)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        controller_run._run_chunked = split_run
        workflow._run_analysis = killing_analysis
        get_plugin_manager().register(KillPoint(), "kill_point")
        argv = sys.argv[2:]
        sys.exit(run_search_point(argv) if argv[0] == "search" else main(argv))
    """)

KILL_POINTS = ["sigkill-after-first", "sigkill-during-analyses", "sigint-mid-presentation",
               "sigterm-mid-presentation"]

#: Studies that are a variant of another and repeat only the kill points where they differ:
#: the LGN's poisson output (the ``lgn`` study's own kill points cover the rest) draws its
#: spikes per presentation, so a presentation replayed after a kill and one whose second half
#: ran after a stop must draw what the uninterrupted run drew; the analyses and the other
#: signal are the ``lgn`` study's.
VARIANT_KILL_POINTS = {"lgn-poisson": ["sigkill-after-first", "sigint-mid-presentation"]}


def kill_points(study: str) -> list[str]:
    """The kill points ``study`` is interrupted at."""
    return VARIANT_KILL_POINTS.get(study, KILL_POINTS)


def matrix(studies: list[str]) -> list[tuple[str, str]]:
    """Every (study, kill point) pair of ``studies``, the parameters of a matrix file."""
    return [(study, kill) for study in studies for kill in kill_points(study)]


@attrs.frozen
class Case:
    """A study as the test runs it: ``mozaik run TARGET --set ...`` (or a one-point search)."""

    target: str
    overrides: tuple[str, ...] = ()
    search: bool = False

    def command(self, out: Path) -> list[str]:
        if self.search:
            return ["search", "run", self.target, "--out", str(out)]
        sets = [item for o in self.overrides for item in ("--set", o)]
        return ["run", self.target, *sets, "--out", str(out), "--progress", "log"]

    def run_dir(self, out: Path) -> Path:
        return out / "points" / "p00000" if self.search else out


#: No figures anywhere (plots are not part of the comparison and cost seconds per process).
NO_PLOTS = ("plots=[]",)

VOGELS_ABBOTT = Case(str(EXAMPLES / "vogels_abbott2005"), (
    "sheets.exc.params.placement.n_neurons=200",
    "experiments.1.params.duration_ms=200.0",
    "experiments.1.params.num_trials=2",
    *NO_PLOTS))

#: The V1 model at a few seconds: 64 + 16 V1 cells, 10 x 10 LGN cells per sheet on a coarser
#: visual space, receptive fields reaching 1.5 sigma (the LGN covers less), 2 orientations of
#: 70 ms after 28 ms blanks.
V1 = Case(str(EXAMPLES / "v1_pushpull"), (
    *V1_TINY,
    *NO_PLOTS))

#: The V1 example's figure study (the seed's Figures 4 and 5) on the same tiny V1: every
#: experiment (two orientations, grating disks, contrasts) at 70 ms x 1 trial, two sizes and two
#: contrasts, with its analyses (FiringRate, TrialAveragedFiringRate, SizeTuning,
#: ContrastResponse).
V1_FIGURES = Case(str(EXAMPLES / "v1_pushpull" / "figures.yaml"), (
    *[o for o in V1.overrides if not o.startswith("experiments.")],
    *[f"experiments.{k}.params.{key}" for k in range(4)
      for key in ("num_trials=1", "duration_ms=70.0")],
    "experiments.2.params.radii_deg=[0.2,1.0]",
    "experiments.3.params.contrasts_pct=[20.0,100.0]"))

#: The LGN study of tests/test_lgn_study_e2e.py, shorter.
LGN_STUDY = textwrap.dedent("""\
    name: lgn_alone
    simulator: {backend: nest, time_step: 0.1, seed: 4}
    controller: {null_stimulus_period: 50.0}
    input_space:
      component: VisualSpace
      params: {size_deg: [2.0, 2.0], frame_interval_ms: 10.0, background_luminance_cd_m2: 50.0}
    sensory_input:
      component: RetinaLGN
      params:
        size_deg: [1.0, 1.0]
        n_cells: 25
        recorders: [{variables: [spikes], neurons: all},
                    {variables: [v], neurons: {random_n: 3}, interval_ms: 1.0}]
    experiments:
      - component: MeasureFlatLuminanceSensitivity
        params: {duration_ms: 100.0, luminances_cd_m2: [100.0, 0.0]}
      - component: MeasureTemporalFrequencyTuning
        params: {duration_ms: 200.0, spatial_frequency_cpd: 0.5, temporal_frequencies_hz: [8.0]}
    analyses:
      - {component: TrialAveragedFiringRate, params: {}}
      - component: ModulationRatio
        params: {temporal_frequency_parameter: temporal_frequency_hz, start_ms: 50.0}
    """)

#: The tonotopy example with two analyses (it declares none: "during analyses" needs some).
TONOTOPY = Case(str(EXAMPLES / "mozaik-tonotopy" / "examples" / "study.yaml"), (
    "experiments.0.params.duration_ms=100.0",
    "analyses=[{component: TrialAveragedFiringRate, params: {}}, "
    "{component: CVISI, params: {}}]"))

#: One point of the V&A search, in one process (workers: 1), the example's own workflow.
SEARCH = textwrap.dedent(f"""\
    name: va_point
    study: {EXAMPLES / "vogels_abbott2005"}
    kind: grid
    set:
      - "sheets.exc.params.placement.n_neurons=200"
      - "experiments.1.params.duration_ms=200.0"
      - "experiments.1.params.num_trials=2"
      - "connectors.exc_inh.params.weight_uS=ref('connectors.exc_exc.params.weight_uS')"
    parameters:
      connectors.exc_exc.params.weight_uS: [0.006]
    workflow: {EXAMPLES / "vogels_abbott2005_search" / "analyses.yaml"}
    backend: local
    resources: {{workers: 1}}
    """)


#: A perturbation study: light pulses on a spot of a small sheet, half of it transfected, at
#: three irradiances (one dark); mozaik-visual's optogenetics through core's per-neuron current
#: injection, whose currents the store keeps as the sheet's ``injected_current``.
OPTOGENETICS = textwrap.dedent("""\
    name: optogenetics_small
    simulator: {backend: nest, seed: 5}
    controller: {null_stimulus_period: 30.0}
    sheets:
      v1:
        component: Sheet
        params:
          cell: {model: IF_cond_exp, params: {v_rest: -65.0, v_thresh: -55.0, tau_refrac: 2.0}}
          placement: {kind: grid, size_um: [400.0, 400.0], n_neurons: 64}
          recorders: [{variables: [spikes], neurons: all},
                      {variables: [v], neurons: {random_n: 3}, interval_ms: 1.0}]
          background_noise: {rate_exc_hz: 1000.0, weight_exc_uS: 0.002, rate_inh_hz: 250.0,
                             weight_inh_uS: 0.004}
    experiments:
      - component: OptogeneticIntensitySweep
        params:
          sheet: v1
          depth_um: 150.0
          duration_ms: 100.0
          transfected_fraction: 0.5
          sources: {spacing_um: 50.0, extent_um: [400.0, 400.0], emitter_radius_um: 20.0}
          opsin: {max_current_nA: 2.0}
          pattern: {kind: spot, centres_um: [[0.0, 0.0]], radius_um: 100.0}
          timing: {onset_ms: 10.0, duration_ms: 80.0, pulse_frequency_hz: 20.0,
                   pulse_width_ms: 10.0}
          irradiances_mW_per_mm2: [2.0, 20.0, 0.0]
    analyses:
      - {component: TrialAveragedFiringRate, params: {}}
      - {component: CVISI, params: {}}
    """)


def _case(name: str, folder: Path) -> Case:
    if name in ("lgn", "lgn-poisson"):
        (folder / "lgn.yaml").write_text(LGN_STUDY)
        # the LNP output: spike sources (no v to record), spikes drawn per presentation
        poisson = ("sensory_input.params.output=poisson",
                   "sensory_input.params.recorders=[{variables: [spikes], neurons: all}]")
        return Case(str(folder / "lgn.yaml"), poisson if name == "lgn-poisson" else ())
    if name == "search-point":
        (folder / "search.yaml").write_text(SEARCH)
        return Case(str(folder / "search.yaml"), search=True)
    if name == "optogenetics":
        (folder / "optogenetics.yaml").write_text(OPTOGENETICS)
        return Case(str(folder / "optogenetics.yaml"))
    return {"vogels_abbott": VOGELS_ABBOTT, "v1_pushpull": V1, "v1_figures": V1_FIGURES,
            "tonotopy": TONOTOPY}[name]


#: The studies that inject per-neuron currents: their stores must hold ``injected_current``.
INJECTING = {"optogenetics"}


def _mozaik(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MOZAIK, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=TIMEOUT_S)


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))} failed ({result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


@attrs.frozen
class Interrupted:
    """A run stopped at a kill point, as found before it was resumed, and its resume."""

    run_dir: Path
    killed: subprocess.CompletedProcess[str]
    stored: list[Any]
    status: str
    resumed: subprocess.CompletedProcess[str]


@attrs.frozen
class Outcome:
    """A study's uninterrupted run and its interrupted-and-resumed runs, by kill point."""

    reference: subprocess.CompletedProcess[str]
    reference_dir: Path
    runs: dict[str, Interrupted]


def _interrupt_and_resume(name: str, kill: str, folder: Path) -> Interrupted:
    case = _case(name, folder)
    driver = folder / "driver.py"
    driver.write_text(DRIVER)
    killed = subprocess.run([sys.executable, str(driver), kill, *case.command(folder / "out")],
                            capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT_S)
    run_dir = case.run_dir(folder / "out")
    with DataStore.open(run_dir) as store:
        stored, status = store.presentations(), str(store.manifest["status"])
    return Interrupted(run_dir, killed, stored, status,
                       _mozaik("run", str(run_dir), "--progress", "log"))


def _reference(name: str, folder: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    case = _case(name, folder)
    return _mozaik(*case.command(folder / "out")), case.run_dir(folder / "out")


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Outcome]:
    """Each study's runs, made on first use: the reference and the four interrupted-and-resumed
    runs at once, as many at a time as the machine has cores (each process is mostly one core:
    NEST runs one thread), so the matrix takes about half its serial time on two cores."""
    made: dict[str, Outcome] = {}

    def outcome(name: str) -> Outcome:
        if name not in made:
            folders = {k: tmp_path_factory.mktemp(f"{name}-{k}")
                       for k in ["reference", *kill_points(name)]}
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                reference = pool.submit(_reference, name, folders["reference"])
                runs = {k: pool.submit(_interrupt_and_resume, name, k, folders[k])
                        for k in kill_points(name)}
                made[name] = Outcome(*reference.result(),
                                     {k: f.result() for k, f in runs.items()})
        return made[name]

    return outcome


# -- what must be equal --------------------------------------------------------------------------

_VOLATILE_SEGMENT_COLUMNS = {"segment_id", "presentation_id", "spikes_file", "spikes_row_group",
                             "spikes_row_groups", "analog_file", "analog_row_group",
                             "analog_row_groups"}


def _segment_key(row: dict[str, Any]) -> tuple[str, int, bool, str]:
    return (row["stimulus_id"], row["trial"], row["is_null"], row["sheet_name"])


def _segments(store: DataStore) -> dict[tuple[str, int, bool, str], dict[str, Any]]:
    rows = store.segment_index.to_pylist()
    keys = [_segment_key(r) for r in rows]
    assert len(set(keys)) == len(keys), f"a segment is stored twice: {sorted(keys)}"
    return {k: {c: v for c, v in r.items() if c not in _VOLATILE_SEGMENT_COLUMNS}
            for k, r in zip(keys, rows, strict=True)}


def _analog(store: DataStore) -> dict[tuple[Any, ...], np.ndarray]:
    out: dict[tuple[Any, ...], np.ndarray] = {}
    table = store.segment_index
    for i, row in enumerate(table.to_pylist()):
        if not row["analog_file"]:
            continue
        payload = store.reader.read_payload(
            table.slice(i, 1), "analog", ["neuron", "variable", "units", "t_start",
                                          "sampling_period", "values"])
        for cell in payload.to_pylist():
            key = (*_segment_key(row), cell["variable"], cell["neuron"], cell["units"],
                   cell["t_start"], cell["sampling_period"])
            out[key] = np.asarray(cell["values"])
    return out


def _neurons(store: DataStore) -> dict[str, pa.Table]:
    return {sheet: store.reader.neurons(sheet) for sheet in store.sheets()}


def _results(store: DataStore) -> list[tuple[str, str | None, list[dict[str, Any]]]]:
    rows = store.analysis_index.to_pylist()
    results = store.full_view().analysis_results()
    by_id = {r["ads_id"]: r.get("workflow_step") for r in rows}
    stored = sorted(zip(sorted(by_id), results, strict=True), key=lambda t: t[0])
    out = [(ads.key(), by_id[i], ads.payload_table().to_pylist()) for i, ads in stored]
    return sorted(out, key=lambda t: (t[0], str(t[1])))


def assert_same_store(run_dir: Path, reference: Path) -> None:
    """Spikes, analog signals, neuron tables, segment index and analysis results are equal."""
    spikes, expected = stored_spikes(run_dir), stored_spikes(reference)
    assert spikes.keys() == expected.keys(), f"segments differ: {spikes.keys() ^ expected.keys()}"
    assert any(a.shape[1] for a in expected.values()), "the reference run has no spike at all"
    for key, pairs in expected.items():
        np.testing.assert_array_equal(spikes[key], pairs, err_msg=f"spikes of {key}")
    with DataStore.open(run_dir) as store, DataStore.open(reference) as ref:
        assert store.manifest["status"] == "complete"
        assert _segments(store) == _segments(ref)
        analog, analog_ref = _analog(store), _analog(ref)
        assert analog.keys() == analog_ref.keys()
        for key, values in analog_ref.items():
            np.testing.assert_array_equal(analog[key], values, err_msg=f"analog {key}")
        neurons, neurons_ref = _neurons(store), _neurons(ref)
        assert neurons.keys() == neurons_ref.keys()
        for sheet, table in neurons_ref.items():
            assert neurons[sheet].equals(table), f"neuron table of {sheet} differs"
        results, results_ref = _results(store), _results(ref)
        assert results_ref, "the reference run stored no analysis result"
        assert [r[:2] for r in results] == [r[:2] for r in results_ref]
        np.testing.assert_equal(results, results_ref)  # NaN (a silent neuron's CV) equals NaN
        steps = set(store.manifest["workflow"])
        assert steps == set(ref.manifest["workflow"])


def check_resumed(study: str, kill: str, outcome: Outcome) -> None:
    """The ``kill`` run of ``study`` was interrupted where it should be, and its resume equals
    the uninterrupted run's store."""
    _ok(outcome.reference)
    run = outcome.runs[kill]
    log = f"{run.killed.stdout[-2000:]}\n{run.killed.stderr[-2000:]}"
    if kill.startswith("sigkill"):
        assert run.killed.returncode == -signal.SIGKILL, log
    assert run.status != "complete", f"the {kill} run was not interrupted:\n{log}"
    with DataStore.open(outcome.reference_dir) as ref:
        planned = ref.presentations()
    assert run.stored == planned[:len(run.stored)], "stored out of order"
    if kill == "sigkill-during-analyses":
        assert run.stored == planned
    elif kill == "sigkill-after-first":
        assert len(run.stored) == 1, f"{len(run.stored)} of {len(planned)} stored:\n{log}"
    else:
        # the signal came with the second presentation half simulated: the process died or
        # stopped at once (the first stored), or stopped gracefully once it was complete
        assert len(run.stored) in (1, 2), f"{len(run.stored)} of {len(planned)} stored:\n{log}"
    _ok(run.resumed)
    assert_same_store(run.run_dir, outcome.reference_dir)
    if study in INJECTING:  # compared above with every analog signal; here: it is there
        with DataStore.open(run.run_dir) as store:
            injected = {k for k in _analog(store) if k[4] == "injected_current"}
        stimuli = {k[0] for k in injected}
        assert len(stimuli) == len(planned), f"injected currents of {sorted(stimuli)}"
