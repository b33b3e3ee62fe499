"""Presentation planning: which stimuli a study presents, in which order.

Experiments are built on the model (they may create devices and draw cells from it), then
expanded into presentations ``(stimulus, trial)`` in declaration order; a presentation equal to
an earlier one is dropped. Every stimulus must carry the name it is registered under, so that
its stored identity turns back into it (:func:`mozaik.stimulus.stimulus_from_identity`).

The plan is recorded in the run's manifest (:func:`plan_record`) when the run directory is
created. Experiments are deterministic functions of their parameters, the model and the seed
(the Experiment contract), and the manifest's configuration is checked to be the one being run,
so a later session can tell from the manifest and the store alone, without building the
network, whether anything is left to simulate (:func:`missing_from_record`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from mozaik._errors import MozaikError, SimulationError
from mozaik.experiments import EXPERIMENTS, Experiment
from mozaik.stimulus import STIMULI, NullStimulus, NullStimulusParams, Stimulus, StimulusIdentity

if TYPE_CHECKING:
    from mozaik.datastore import DataStore
    from mozaik.model import Model
    from mozaik.plugin import Registry
    from mozaik.study import Study

__all__ = [
    "Presentation",
    "build_experiments",
    "check_stimulus_name",
    "missing_from_record",
    "null_identity",
    "plan_presentations",
    "plan_record",
]

log = logging.getLogger("mozaik.controller")


@attrs.frozen(kw_only=True)
class Presentation:
    """One stimulus presentation of a run.

    Attributes
    ----------
    experiment_index : int
        Position of the experiment in the study's ``experiments`` list.
    experiment : Experiment
        The experiment presenting it (arms its direct stimulation).
    stimulus : Stimulus
        The stimulus, with its trial.
    identity : StimulusIdentity
        ``stimulus.identity()``, computed once.
    """

    experiment_index: int
    experiment: Experiment
    stimulus: Stimulus
    identity: StimulusIdentity

    @property
    def trial(self) -> int:
        return self.stimulus.trial

    @property
    def label(self) -> str:
        protocol = getattr(self.stimulus.params, "protocol", "")
        name = f"{self.identity.name}({protocol})" if protocol else self.identity.name
        return f"{name} trial {self.trial}"


def build_experiments(study: Study, model: Model) -> list[Experiment]:
    """Build every experiment of ``study`` on ``model`` (``factory(params, model)``)."""
    out = []
    for entry in study.experiments:
        try:
            experiment = entry.of(EXPERIMENTS).factory(entry.params, model)
        except MozaikError as exc:
            msg = f"{entry.path} ({entry.name}): {exc}"
            raise type(exc)(msg) from exc
        if not isinstance(experiment, Experiment):
            msg = (f"{entry.path}: the factory of experiment {entry.name!r} "
                   f"({entry.registered.distribution}) returned {type(experiment).__name__}, "
                   "not an Experiment; fix the plugin")
            raise SimulationError(msg)
        out.append(experiment)
    return out


def check_stimulus_name(stimulus: Stimulus, where: str, registry: Registry) -> None:
    """Check that ``stimulus`` carries the name its class is registered under.

    Raises
    ------
    SimulationError
        Naming ``where`` (the experiment), the stimulus's ``name`` and the registered one.
    """
    cls, name = type(stimulus), stimulus.name
    table = registry[STIMULI]
    registered = dict(table.items()).get(name)
    if registered is not None and (registered.factory is cls
                                   or registered.config_cls is type(stimulus.params)):
        return
    owners = [r.name for r in table.values()
              if r.factory is cls or r.config_cls is type(stimulus.params)]
    if owners:
        msg = (f"{where} presents a {cls.__name__} whose name is {name!r}, but it is registered "
               f"as {owners[0]!r}; set {cls.__name__}.name = {owners[0]!r} so its stored "
               "identity turns back into it")
    else:
        msg = (f"{where} presents a {cls.__name__} named {name!r}, which no installed plugin "
               f"registers as a stimulus (registered: {', '.join(table) or 'none'}); register "
               "it through the mozaik_stimuli hook")
    raise SimulationError(msg)


def plan_presentations(experiments: Sequence[Experiment],
                       registry: Registry) -> list[Presentation]:
    """Every presentation of ``experiments`` in order, duplicates (same stimulus and trial)
    dropped; each stimulus's name is checked against ``registry`` (the study's,
    :attr:`mozaik.study.Study.registry`)."""
    seen: set[tuple[StimulusIdentity, int]] = set()
    plan = []
    for index, experiment in enumerate(experiments):
        where = f"experiments.{index} ({type(experiment).__name__})"
        for stimulus in experiment.stimuli():
            if not isinstance(stimulus, Stimulus):
                msg = f"{where}.stimuli() returned {stimulus!r}; it must return Stimulus instances"
                raise SimulationError(msg)
            check_stimulus_name(stimulus, where, registry)
            identity = stimulus.identity()
            key = (identity, stimulus.trial)
            if key in seen:
                log.info("experiments.%d: %s trial %d is presented earlier; not repeated",
                         index, identity.name, stimulus.trial)
                continue
            seen.add(key)
            plan.append(Presentation(experiment_index=index, experiment=experiment,
                                     stimulus=stimulus, identity=identity))
    return plan


def null_identity(presentation: Presentation, period_ms: float) -> StimulusIdentity:
    """Identity of the blank of ``period_ms`` shown before ``presentation``."""
    params = NullStimulusParams(duration_ms=period_ms, before=presentation.identity.to_string())
    return NullStimulus(params, trial=presentation.trial).identity()


def plan_record(plan: Sequence[Presentation]) -> list[dict[str, Any]]:
    """The plan as the manifest keeps it: experiment index, identity string, trial, ms."""
    return [{"experiment": p.experiment_index, "stimulus": p.identity.to_string(),
             "trial": p.trial, "duration_ms": p.stimulus.duration_ms} for p in plan]


def missing_from_record(store: DataStore) -> int | None:
    """How many presentations of the recorded plan are not stored, or None without a record."""
    record = store.manifest.get("plan")
    if not isinstance(record, list):
        return None
    try:
        return sum(not store.has_presentation(StimulusIdentity.from_string(item["stimulus"]),
                                              int(item["trial"])) for item in record)
    except (MozaikError, KeyError, TypeError, ValueError):
        return None  # a damaged record: plan again from the model
