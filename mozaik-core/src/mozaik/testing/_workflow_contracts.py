"""Contract suites for stimuli, experiments, analyses, plots and input spaces.

A plugin subclasses the suite of each component it registers and gives one valid parameter
tree; the suite builds the component the way core does and checks what core relies on::

    class TestSpikeCount(AnalysisContract):
        name = "SpikeCount"
        example_params = {"sheet": "exc"}

Analysis and plot suites run against the :func:`~mozaik.testing.tiny_store` fixture (see
:data:`~mozaik.testing.TINY_STORE` for what it holds); experiment suites build a small model on
PyNN's mock backend, so no suite needs NEST.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from mozaik._errors import AnalysisError
from mozaik.ads import AnalysisDataStructure, ads_class
from mozaik.analysis import ANALYSES, Analysis
from mozaik.config import structure
from mozaik.datastore import DataStore, DataStoreView, SheetRecording
from mozaik.experiments import Experiment
from mozaik.model import InputSpace, SheetParams
from mozaik.plot import Plot
from mozaik.stimulus import (
    STIMULI,
    Frames,
    InternalStimulus,
    InternalStimulusParams,
    Stimulus,
    StimulusIdentity,
    stimulus_from_identity,
)
from mozaik.study import WorkflowEntry
from mozaik.testing._contracts import ComponentContract
from mozaik.testing._model_contracts import _ModelContract
from mozaik.workflow import MANIFEST_FIELD, run_workflow

__all__ = [
    "AnalysisContract",
    "ExperimentContract",
    "InputSpaceContract",
    "PlotContract",
    "StimulusContract",
]


def records_of(store: DataStore) -> dict[str, Any]:
    """The workflow's step records in the manifest of ``store``."""
    return dict(store.manifest.get(MANIFEST_FIELD) or {})


def _duration_ms(stimulus: Stimulus) -> float:
    return float(stimulus.duration_ms)


class StimulusContract(ComponentContract):
    """Contract of a registered stimulus: a value identified by its name and parameters."""

    kind: ClassVar[str] = "stimuli"

    def build(self, trial: int = 0) -> Stimulus:
        stimulus = self.component().factory(self.params())
        assert isinstance(stimulus, Stimulus), (
            f"the factory of {self.name!r} returned {type(stimulus).__name__}, not a Stimulus")
        return stimulus.with_trial(trial) if trial else stimulus

    def test_name_is_the_registered_name(self) -> None:
        stimulus = self.build()
        assert type(stimulus).name == self.name, (
            f"{type(stimulus).__name__}.name is {type(stimulus).name!r} but it is registered "
            f"as {self.name!r}; stored identities would not find it again")

    def test_duration_is_positive_ms(self) -> None:
        duration = _duration_ms(self.build())
        assert isinstance(duration, float) and math.isfinite(duration) and duration > 0

    def test_identity_round_trips_as_text(self) -> None:
        identity = self.build().identity()
        assert identity.name == self.name
        assert StimulusIdentity.from_string(identity.to_string()) == identity

    def test_equal_parameters_equal_stimulus(self) -> None:
        first, again = self.build(), self.build()
        assert first == again and hash(first) == hash(again)

    def test_trial_is_not_part_of_the_identity(self) -> None:
        first, later = self.build(), self.build(trial=3)
        assert later.trial == 3 and later.identity() == first.identity()

    def test_stored_stimulus_is_read_back(self, tmp_path: Path) -> None:
        """A presentation stored in a datastore turns back into the same stimulus (as reading
        a stored run does: identity and trial from the store, the factory from the registry)."""
        stimulus = self.build(trial=2)
        duration = _duration_ms(stimulus)
        store = DataStore.create(tmp_path / "stored", {"simulator": "none",
                                                       "config": {"name": "contract"}})
        store.write_neurons("exc", np.arange(1, 3), np.zeros((2, 2)), {})
        store.write_presentation_arrays(stimulus.identity(), stimulus.trial, {
            "exc": SheetRecording(t_start=0.0, t_stop=duration, spike_neurons=np.array([1]),
                                  spike_times=np.array([duration / 2]),
                                  spike_recorded=np.arange(2), signals=[])})
        store.close()
        reader = DataStore.open(tmp_path / "stored")
        try:
            [(identity, trial)] = reader.full_view().presentations()
        finally:
            reader.close()
        restored = stimulus_from_identity(identity, self.registry(), trial=trial)
        assert type(restored) is type(stimulus) and restored == stimulus, (
            f"stored {stimulus!r} was read back as {restored!r}")


class ExperimentContract(_ModelContract):
    """Contract of a registered experiment, built on a small model on PyNN's mock backend.

    Class attributes to set besides ``name`` and ``example_params``
    ----------------------------------------------------------------
    sheets : mapping of str to mapping
        Sheets of the model, name to parameters of the built-in ``Sheet``.
    mock_cannot : mapping of str to str
        Steps PyNN's mock backend cannot run for this experiment, each with the reason:
        ``{"present": "mock has no DCSource.set_parameters"}``. The suite then checks that the
        step does fail on mock (and fails itself once mock can do it: remove the entry then).
    """

    kind: ClassVar[str] = "experiments"
    sheets: ClassVar[Mapping[str, Mapping[str, Any]]] = {
        "exc": {"cell": {"model": "IF_cond_exp"},
                "placement": {"kind": "grid", "size_um": [200.0, 200.0], "n_neurons": 16},
                "recorders": [{"variables": ["spikes"], "neurons": "all"}]},
    }
    mock_cannot: ClassVar[Mapping[str, str]] = {}

    def build(self, seed: int = 1) -> Experiment:
        model = self.model(seed)
        for sheet, params in self.sheets.items():
            model.create_sheet(sheet, structure(dict(params), SheetParams, path=sheet))
        experiment = self.component().factory(self.params(), model)
        assert isinstance(experiment, Experiment), (
            f"the factory of {self.name!r} returned {type(experiment).__name__}, "
            "not an Experiment")
        return experiment

    def _on_mock(self, step: str, action: Callable[[], None]) -> None:
        if step not in self.mock_cannot:
            action()
            return
        with pytest.raises(Exception):  # noqa: B017 - any failure is the limitation
            action()

    def test_stimuli_are_registered_stimuli(self) -> None:
        stimuli = self.build().stimuli()
        assert stimuli, "an experiment presents at least one stimulus"
        registered = self.registry()[STIMULI]
        for stimulus in stimuli:
            assert isinstance(stimulus, Stimulus)
            assert type(stimulus).name in registered, (
                f"stimulus {type(stimulus).name!r} is not registered by any plugin")
            assert _duration_ms(stimulus) > 0 and stimulus.trial >= 0
        keys = [(s.identity(), s.trial) for s in stimuli]
        assert len(set(keys)) == len(keys), "every (stimulus, trial) is presented once"

    def test_same_seed_same_stimuli(self) -> None:
        assert self.build(seed=4).stimuli() == self.build(seed=4).stimuli()

    def test_present(self) -> None:
        experiment = self.build()

        def present() -> None:
            model = experiment.model
            for stimulus in experiment.stimuli():
                experiment.prepare(stimulus, model.time)
                model.run(_duration_ms(stimulus))
                experiment.finish(stimulus)

        self._on_mock("present", present)

    def test_injected_currents_are_what_was_armed(self) -> None:
        """Per-neuron currents an experiment reports (and the controller stores) name cells of
        a sheet of the model, one finite row per cell, inside the presented window."""
        experiment = self.build()
        if "present" in self.mock_cannot:
            return  # the mock backend cannot present this experiment (see test_present)
        model = experiment.model
        for stimulus in experiment.stimuli():
            t_start = model.time
            experiment.prepare(stimulus, t_start)
            model.run(_duration_ms(stimulus))
            experiment.finish(stimulus)
            for current in experiment.injected_currents():
                where = f"{self.name}: injected current into sheet {current.sheet!r}"
                assert current.sheet in model.sheets, f"{where}: no such sheet"
                size = len(model.sheets[current.sheet].population)
                cells = np.asarray(current.cells)
                assert cells.ndim == 1 and ((cells >= 0) & (cells < size)).all(), (
                    f"{where}: cells {cells.tolist()} lie outside the sheet (0..{size - 1})")
                assert len(np.unique(cells)) == len(cells), f"{where}: repeated cells"
                values = np.asarray(current.values_nA)
                assert values.ndim == 2 and values.shape[0] == len(cells), (
                    f"{where}: values of shape {values.shape}, not (cells, samples)")
                assert np.isfinite(values).all(), f"{where}: non-finite values"
                assert current.dt_ms > 0 and current.t_start_ms == t_start, (
                    f"{where}: starts at {current.t_start_ms} ms, not at the window's "
                    f"{t_start} ms")
                assert values.shape[1] * current.dt_ms <= _duration_ms(stimulus) + 1e-9, (
                    f"{where}: lasts longer than the stimulus")
                signal = current.as_analogsignal()
                assert signal.shape == values.T.shape


class AnalysisContract(ComponentContract):
    """Contract of a registered analysis, run on the tiny store.

    ``example_params`` must fit the tiny store's contents (:data:`mozaik.testing.TINY_STORE`:
    sheets ``exc`` and ``inh``, stimuli ``TinyGrating`` and ``TinyFlash``).
    """

    kind: ClassVar[str] = "analyses"

    def build(self) -> Analysis:
        analysis = self.component().factory(self.params())
        assert isinstance(analysis, Analysis), (
            f"the factory of {self.name!r} returned {type(analysis).__name__}, not an Analysis")
        return analysis

    def test_returns_results_without_storing_them(self, tiny_store: DataStore) -> None:
        before = tiny_store.n_analysis_results
        results = list(self.build().run(tiny_store.full_view()))
        assert results, "the tiny store holds what the analysis needs: it must find something"
        assert tiny_store.n_analysis_results == before, "run() returns results, never stores"
        for result in results:
            assert isinstance(result, AnalysisDataStructure)
            assert result.analysis_algorithm == self.name

    def test_result_classes_are_registered(self, tiny_store: DataStore) -> None:
        table = self.registry().analysis_data_structures(AnalysisDataStructure)
        for result in self.build().run(tiny_store.full_view()):
            assert result.identifier in table, (
                f"{result.identifier} is not registered; return it from "
                "mozaik_analysis_data_structures() so stored results open in any process")
            assert ads_class(result.identifier, self.registry()) is type(result)

    def test_results_round_trip_through_the_store(self, tiny_store: DataStore) -> None:
        results = self.build().run(tiny_store.full_view())
        for result in results:
            tiny_store.add_analysis_result(result, replace=True)
        tiny_store.close()
        stored = {r.key(): r for r in DataStore.open(tiny_store.root).analysis_results()}
        for result in results:
            assert result.key() in stored
            assert type(stored[result.key()]) is type(result)

    def test_rerun_replaces_results(self, tiny_store: DataStore) -> None:
        for _ in range(2):
            for result in self.build().run(tiny_store.full_view()):
                tiny_store.add_analysis_result(result, replace=True)
        once = len(self.build().run(tiny_store.full_view()))
        assert tiny_store.n_analysis_results == 2 + once  # the tiny store's own two results

    def test_empty_view_is_an_analysis_error(self, tmp_path: Path) -> None:
        store = DataStore.create(tmp_path / "empty")
        with pytest.raises(AnalysisError) as info:
            self.build().run(store.full_view())
        assert self.name in str(info.value), "the error names the analysis"


class PlotContract(ComponentContract):
    """Contract of a registered plot, drawn from the tiny store.

    ``example_params`` must fit the tiny store's contents (:data:`mozaik.testing.TINY_STORE`).

    Class attributes to set besides ``name`` and ``example_params``
    ----------------------------------------------------------------
    analyses : sequence of (name, params)
        Registered analyses whose results the plot draws; they run on the tiny store first,
        their results stored as the workflow stores them.
    """

    kind: ClassVar[str] = "plots"
    analyses: ClassVar[Sequence[tuple[str, Mapping[str, Any]]]] = ()

    def view(self, store: DataStore) -> DataStoreView:
        """The store's full view after running :attr:`analyses` on it."""
        for name, params in self.analyses:
            component = self.registry()[ANALYSES][name]
            analysis = component.factory(structure(dict(params), component.config_cls,
                                                   path=f"analyses.{name}.params"))
            for result in analysis.run(store.full_view()):
                store.add_analysis_result(result, replace=True)
        return store.full_view()

    def build(self) -> Plot:
        plot = self.component().factory(self.params())
        assert isinstance(plot, Plot), (
            f"the factory of {self.name!r} returned {type(plot).__name__}, not a Plot")
        return plot

    def test_draws_files(self, tiny_store: DataStore, tmp_path: Path) -> None:
        path = tmp_path / "figures" / f"01_{self.name}.png"
        path.parent.mkdir()
        files = [Path(f) for f in self.build().draw(self.view(tiny_store), path)]
        assert files, "the tiny store holds what the plot needs: it must draw something"
        for file in files:
            assert file.is_file() and file.stat().st_size > 0, f"{file} was not written"
            assert file.parent == path.parent, "a plot writes next to the path it is given"

    def test_nothing_to_draw_is_an_empty_result(self, tmp_path: Path) -> None:
        store = DataStore.create(tmp_path / "empty")
        path = tmp_path / "figures" / f"01_{self.name}.png"
        path.parent.mkdir()
        assert list(self.build().draw(store.full_view(), path)) == []
        assert not any(path.parent.iterdir()), "nothing drawable: no file written"


    def test_workflow_records_files_relative_to_a_relative_run_dir(
            self, tiny_store: DataStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Drawn by the workflow in a run directory named relative to the current directory
        (as ``mozaik run`` names ``runs/<name>``): the manifest records every file relative to
        the run directory, and running the workflow again, from there or from elsewhere,
        finds the files and draws nothing."""
        self.view(tiny_store)  # the analyses' results, stored outside the workflow
        root = tiny_store.root
        tiny_store.close()
        monkeypatch.chdir(root.parent.parent)
        relative = Path(root.parent.name) / root.name
        entry = WorkflowEntry(name=self.name, registered=self.component(),
                              params=self.params(), path="plots.0")
        with DataStore.open(relative, mode="a") as store:
            assert run_workflow(store, (), [entry]) == (0, 1), "the plot draws"
            files = records_of(store)[f"plots/{self.name}"]["files"]
        assert files
        for file in files:
            assert not Path(file).is_absolute() and ".." not in Path(file).parts, (
                f"{file!r} is recorded relative to the run directory {relative}")
            assert (root / file).is_file(), f"{file!r} is not a file of the run directory"
        for cwd, run_dir in ((root.parent.parent, relative), (tmp_path, root)):
            monkeypatch.chdir(cwd)
            with DataStore.open(run_dir, mode="a") as store:
                assert run_workflow(store, (), [entry]) == (0, 0), (
                    f"the plot was drawn again from {cwd} although nothing changed")


class InputSpaceContract(ComponentContract):
    """Contract of a registered input space.

    Class attributes to set besides ``name`` and ``example_params``
    ----------------------------------------------------------------
    pictured_stimuli : sequence of (str, mapping)
        Registered stimuli (name, parameter tree) the space pictures: its
        :meth:`~mozaik.model.InputSpace.frames` must answer :class:`~mozaik.stimulus.Frames`
        lasting as long as the stimulus, the same for the same stimulus. Leave empty for a
        space that pictures nothing (the default ``frames`` answers None).
    """

    kind: ClassVar[str] = "input_spaces"
    pictured_stimuli: ClassVar[Sequence[tuple[str, Mapping[str, Any]]]] = ()

    def build(self) -> InputSpace:
        space = self.component().factory(self.params())
        assert isinstance(space, InputSpace), (
            f"the factory of {self.name!r} returned {type(space).__name__}, not an InputSpace")
        return space

    def test_describes_itself_with_scalars(self) -> None:
        description = self.build().describe()
        assert isinstance(description, dict)
        for key, value in description.items():
            assert isinstance(key, str) and isinstance(value, bool | int | float | str)

    def test_same_parameters_same_description(self) -> None:
        assert self.build().describe() == self.build().describe()

    def test_frames_of_a_stimulus_without_sensory_content_are_none(self) -> None:
        """Core's ``InternalStimulus`` (no sensory input) is pictured by no space: None, not
        an error, so a viewer can ask any space about any stored stimulus."""
        stimulus = InternalStimulus(InternalStimulusParams(duration_ms=50.0))
        assert self.build().frames(stimulus) is None, (
            f"{self.name}.frames(InternalStimulus) must answer None (nothing to picture)")

    def test_pictured_stimuli_have_frames_as_long_as_the_stimulus(self) -> None:
        registry = self.registry()
        space = self.build()
        for name, tree in self.pictured_stimuli:
            spec = registry[STIMULI][name]
            stimulus = spec.factory(structure(dict(tree), spec.config_cls, path="params"))
            frames = space.frames(stimulus)
            assert isinstance(frames, Frames), (
                f"{self.name}.frames({name}) answered {frames!r}, not Frames")
            assert math.isclose(frames.duration_ms, _duration_ms(stimulus), rel_tol=1e-9), (
                f"{self.name}.frames({name}): {frames.n_frames} frames of "
                f"{frames.frame_interval_ms} ms last {frames.duration_ms} ms, but the stimulus "
                f"lasts {_duration_ms(stimulus)} ms")
            again = space.frames(stimulus)
            assert isinstance(again, Frames) and np.array_equal(
                frames.values, again.values, equal_nan=True), (
                f"{self.name}.frames({name}) differs between two calls")
