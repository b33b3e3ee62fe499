"""Two plugin sets in one process: a study keeps the registry it was loaded with, and building,
planning, running, reading the store back and choosing a backend all use that one, never the
process-wide registry."""

from __future__ import annotations

import textwrap
from pathlib import Path

import attrs
from mozaik.backends import LocalBackend, study_backend
from mozaik.controller import run_study, study_from_run_dir
from mozaik.datastore import DataStore
from mozaik.experiments import Experiment
from mozaik.model import Model, Sheet, SheetParams, build_model
from mozaik.plugin import ComponentSpec, PluginManager
from mozaik.stimulus import Stimulus, stimulus_from_identity
from mozaik.study import load_study
from mozaik.testing import make_plugin, use_plugin_manager


@attrs.frozen(kw_only=True)
class FlashParams:
    duration_ms: float


class WideFlash(Stimulus):
    name = "LabFlash"
    __slots__ = ()


class NarrowFlash(Stimulus):
    name = "LabFlash"
    __slots__ = ()


@attrs.frozen(kw_only=True)
class FlashesParams:
    duration_ms: float = 10.0


def _lab_manager(neurons: int, flash: type[Stimulus]) -> PluginManager:
    """Core's built-ins plus a plugin registering ``LabSheet`` (``neurons`` neurons whatever
    the file says), the stimulus ``LabFlash`` (class ``flash``) and ``LabFlashes`` (two)."""

    def lab_sheet(name: str, params: SheetParams, model: Model) -> Sheet:
        placement = attrs.evolve(params.placement, n_neurons=neurons)
        return Sheet(name, attrs.evolve(params, placement=placement), model)

    class LabFlashes(Experiment):
        def stimuli(self) -> list[Stimulus]:
            params = FlashParams(duration_ms=self.params.duration_ms)
            return [flash(params, trial=t) for t in range(2)]

    manager = PluginManager(autoload=False)
    plugin = make_plugin(
        "lab",
        sheets=[ComponentSpec(name="LabSheet", config_cls=SheetParams, factory=lab_sheet)],
        stimuli=[ComponentSpec(name="LabFlash", config_cls=FlashParams, factory=flash)],
        experiments=[ComponentSpec(name="LabFlashes", config_cls=FlashesParams,
                                   factory=LabFlashes)])
    manager.register(plugin, "lab", distribution=f"mozaik-lab-{neurons}", version="1.0")
    return manager


STUDY = textwrap.dedent("""\
    name: lab
    simulator: {backend: mock, time_step: 0.1, seed: 3}
    controller: {null_stimulus_period: 5.0}
    sheets:
      exc:
        component: LabSheet
        params:
          cell: {model: IF_cond_exp}
          placement: {kind: grid, size_um: [100.0, 100.0], n_neurons: 1}
          recorders: [{variables: [spikes], neurons: all}]
    experiments: [{component: LabFlashes, params: {duration_ms: 10.0}}]
    """)


def test_two_plugin_sets_side_by_side(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    wide, narrow = _lab_manager(4, WideFlash), _lab_manager(9, NarrowFlash)
    # the process-wide registry knows neither plugin: anything falling back to it fails
    with use_plugin_manager(PluginManager(autoload=False)):
        studies = [load_study(path, registry=m.registry) for m in (wide, narrow)]
        assert [s.registry for s in studies] == [wide.registry, narrow.registry]
        models = [build_model(s) for s in studies]
        assert [len(m.sheets["exc"].population) for m in models] == [4, 9]
        for model in models:
            model.end()
        for study in studies:
            assert isinstance(study_backend(study), LocalBackend)
        runs = [tmp_path / "wide", tmp_path / "narrow"]
        for study, run_dir, manager in zip(studies, runs, (wide, narrow), strict=True):
            summary = run_study(study, run_dir, progress="off", plugin_manager=manager)
            assert summary.presented == 2
        # each run directory reads back with its own plugin set
        for run_dir, manager, flash, n in zip(runs, (wide, narrow), (WideFlash, NarrowFlash),
                                              (4, 9), strict=True):
            with DataStore.open(run_dir, registry=manager.registry) as store:
                restored = [stimulus_from_identity(identity, store.registry, trial=trial)
                            for identity, trial in store.full_view().presentations()]
                assert [type(s) for s in restored] == [flash, flash]
                assert [s.trial for s in restored] == [0, 1]
                assert len(store.neuron_ids("exc")) == n
            again = study_from_run_dir(run_dir, registry=manager.registry)
            assert again.registry is manager.registry
