"""The controller shows every presentation and every blank to the model's sensory input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mozaik.controller import run_study
from mozaik.stimulus import Stimulus
from mozaik.study import Study
from workflow_helpers import FakeModel


class RecordingSensoryInput:
    """Stands in for a retina: records what it is shown, when, and the resets."""

    def __init__(self, model: FakeModel) -> None:
        self.model = model
        self.shown: list[tuple[str, float, float, float]] = []
        self.resets = 0

    def present(self, stimulus: Stimulus, t_start_ms: float) -> None:
        # (name, start, duration, model time when told): told before the model runs it
        self.shown.append((type(stimulus).name, t_start_ms, stimulus.duration_ms,
                           self.model.time))

    def reset(self) -> None:
        self.resets += 1


def _run(study: Study, run_dir: Path) -> tuple[FakeModel, RecordingSensoryInput]:
    made: list[Any] = []

    def build(s: Study) -> FakeModel:
        model = FakeModel(s)
        model.sensory_input = RecordingSensoryInput(model)  # type: ignore[attr-defined]
        made.append(model)
        return model

    run_study(study, run_dir, progress="off", build_model=build)
    return made[0], made[0].sensory_input


def test_blanks_and_presentations_are_shown_in_order(toy_study: Callable[..., Study],
                                                     tmp_path: Path) -> None:
    model, sensory = _run(toy_study(), tmp_path / "run")
    names = [s[0] for s in sensory.shown]
    assert names == ["Null", "InternalStimulus"] * 3
    # each is shown at its own start, before the model runs it, and the timeline is contiguous
    starts = [s[1] for s in sensory.shown]
    assert [s[1] for s in sensory.shown] == [s[3] for s in sensory.shown]
    ends = [s[1] + s[2] for s in sensory.shown]
    assert starts[1:] == ends[:-1] and ends[-1] == model.time
    assert [s[2] for s in sensory.shown] == [50.0, 100.0, 50.0, 100.0, 50.0, 200.0]
    assert sensory.resets == 0


def test_a_network_reset_resets_the_sensory_input(toy_study: Callable[..., Study],
                                                   tmp_path: Path) -> None:
    _, sensory = _run(toy_study("controller.reset=true"), tmp_path / "run")
    assert [s[0] for s in sensory.shown] == ["InternalStimulus"] * 3
    assert sensory.resets == 2


def test_a_sensory_input_alone_makes_a_study(tmp_path: Path) -> None:
    import attrs
    import pytest
    from mozaik import ConfigError
    from mozaik.model import SensoryInput
    from mozaik.plugin import ComponentSpec, PluginManager
    from mozaik.study import load_study
    from mozaik.testing import register_components

    @attrs.frozen(kw_only=True)
    class EyeParams:
        populations: tuple[str, ...] = ("retina",)

    class Eye(SensoryInput):
        def present(self, stimulus: Stimulus, t_start_ms: float) -> None:
            return None

    manager = PluginManager(autoload=False)
    register_components(manager, "sensory_inputs",
                        ComponentSpec(name="Eye", config_cls=EyeParams, factory=Eye))
    text = ("name: eye\nsimulator: {backend: mock}\nsensory_input: {component: Eye}\n"
            "experiments:\n  - {component: NoStimulation, params: {duration_ms: 10.0}}\n")
    (tmp_path / "with.yaml").write_text(text)
    study = load_study(tmp_path / "with.yaml", registry=manager.registry)
    assert study.sheets == {} and study.sensory_input is not None
    (tmp_path / "without.yaml").write_text(text.replace("sensory_input: {component: Eye}\n", ""))
    with pytest.raises(ConfigError, match="a study needs at least one of sheets"):
        load_study(tmp_path / "without.yaml", registry=manager.registry)
