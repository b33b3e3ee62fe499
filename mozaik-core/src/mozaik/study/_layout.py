"""The study layout: which sections a study file and a workflow file have, and what each holds.

Layout of a study file (every section but ``name`` and ``sheets`` optional)::

    name: vogels_abbott2005
    description: ...
    simulator: {backend: nest, time_step: 0.1, min_delay: 0.1, max_delay: 10.0,
                threads: 1, seed: 42}
    controller: {null_stimulus_period: 100.0, reset: false}
    backend: {component: LocalBackend, params: {...}}          # how the study is run
    input_space: {component: VisualSpace, params: {...}}      # from a plugin
    sensory_input: {component: Retina, params: {...}}
    sheets:
      exc: {component: Sheet, params: {...}}
    connectors:
      exc_exc: {component: FixedProbabilityConnector, source: exc, target: exc, params: {...}}
    experiments:
      - {component: PoissonNetworkKick, params: {...}}
    analyses:
      - {component: FiringRate, params: {...}}
      - {component: PopulationMean, params: {...},
         query: {analysis_algorithm: FiringRate, sheet_name: exc}}   # narrows its input view
    plots:
      - {component: RasterPlot, params: {...}}

An ``analyses``/``plots`` entry may have a ``query:``: ``param_filter_query`` keywords (ADS
parameters by name, stimulus parameters with ``st_``, a list meaning any of its values) that
narrow the view the analysis or plot is given (:class:`WorkflowEntry`).

A workflow file (``mozaik analyse RUN WORKFLOW``) has the :data:`WORKFLOW_SECTIONS` only; a
whole study file is accepted as a workflow file too (its other sections are ignored).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, cast

import attrs

from mozaik._errors import PluginError
from mozaik.config import ConfigTree, ControllerConfig, SimulatorConfig
from mozaik.plugin import ComponentKind, RegisteredComponent, Registry

__all__ = [
    "SECTIONS",
    "STUDY_SECTIONS",
    "WORKFLOW_SECTIONS",
    "ComponentEntry",
    "ConnectorEntry",
    "Entry",
    "Section",
    "Study",
    "WorkflowEntry",
]


@attrs.frozen
class Section:
    """One section of a study file.

    Attributes
    ----------
    name : str
        The key in the file.
    shape : str
        ``text`` (a string), ``settings`` (a parameter class: ``simulator``, ``controller``),
        ``component`` (one ``{component, params}`` entry), ``named`` (a mapping of names to
        entries) or ``list`` (a list of entries).
    kind : str or None
        Registry kind the entries' components are looked up in.
    required : bool
        Whether a study must have it.
    """

    name: str
    shape: str
    kind: str | None = None
    required: bool = False


#: Every section of a study file, in the order a study is validated. THE list: nothing else in
#: Mozaik enumerates the sections.
SECTIONS: tuple[Section, ...] = (
    Section("name", "text", required=True),
    Section("description", "text"),
    Section("simulator", "settings"),
    Section("controller", "settings"),
    Section("backend", "component", "backends"),
    Section("input_space", "component", "input_spaces"),
    Section("sensory_input", "component", "sensory_inputs"),
    Section("sheets", "named", "sheets", required=True),
    Section("connectors", "named", "connectors"),
    Section("experiments", "list", "experiments"),
    Section("analyses", "list", "analyses"),
    Section("plots", "list", "plots"),
)

#: Names of the sections of a study file.
STUDY_SECTIONS: tuple[str, ...] = tuple(section.name for section in SECTIONS)

#: Names of the sections of a workflow file: what runs on a stored run without simulating.
WORKFLOW_SECTIONS: tuple[str, ...] = ("analyses", "plots")


P = TypeVar("P", covariant=True)
F = TypeVar("F", bound=Callable[..., object], covariant=True)
G = TypeVar("G", bound=Callable[..., object])


@attrs.frozen(kw_only=True)
class ComponentEntry(Generic[P, F]):
    """One component declared in a study: its registered name, structured parameters and where.

    Generic in the parameters class ``P`` and the factory type ``F``: a study holds entries of
    every kind (``Entry``); :meth:`of` types one by its kind's key, so
    ``entry.of(SHEETS).factory(name, entry.params, model)`` is checked against
    ``SheetFactory``.
    """

    name: str
    registered: RegisteredComponent[P, F]
    params: P
    path: str

    @property
    def factory(self) -> F:
        """The registered factory (its signature is the kind's protocol)."""
        return self.registered.factory

    def of(self, kind: ComponentKind[G]) -> ComponentEntry[P, G]:
        """This entry typed as a component of ``kind``.

        Raises
        ------
        PluginError
            If the entry was looked up as another kind (a bug in the caller).
        """
        if self.registered.kind != kind.name:
            msg = (f"{self.path}: {self.name!r} is a {self.registered.kind} component, not one "
                   f"of {kind.name}")
            raise PluginError(msg)
        return cast("ComponentEntry[P, G]", self)


#: A study's entry of any kind (its parameters class and factory known at run time only; type
#: it with ``entry.of(KIND)``).
Entry = ComponentEntry[Any, Callable[..., object]]


@attrs.frozen(kw_only=True)
class ConnectorEntry(ComponentEntry[P, F]):
    """A connector entry: also names its source and target sheets."""

    source: str
    target: str


@attrs.frozen(kw_only=True)
class WorkflowEntry(ComponentEntry[P, F]):
    """An ``analyses``/``plots`` entry: also the query narrowing its input view.

    Attributes
    ----------
    query : mapping of str to scalar or list of scalars
        Keywords of :func:`mozaik.datastore.param_filter_query` (e.g. ``{"sheet_name": "exc",
        "st_name": "InternalStimulus"}``); empty: the whole view.
    """

    query: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Study:
    """A fully loaded and validated study (see :data:`SECTIONS`).

    Attributes
    ----------
    backend : ComponentEntry or None
        The ``backend:`` section (kind ``backends``); None means the default, local backend.
    registry : Registry
        The registry the study was validated against: building its model, planning its
        presentations, restoring stored stimuli and choosing its backend use it (not the
        process-wide one), so two studies loaded with two plugin sets live side by side.
    """

    name: str
    description: str
    simulator: SimulatorConfig
    controller: ControllerConfig
    backend: Entry | None = None
    input_space: Entry | None
    sensory_input: Entry | None
    sheets: Mapping[str, Entry]
    connectors: Mapping[str, ConnectorEntry[Any, Callable[..., object]]]
    experiments: tuple[Entry, ...]
    analyses: tuple[Entry, ...]
    plots: tuple[Entry, ...]
    tree: ConfigTree = attrs.field(repr=False)
    registry: Registry = attrs.field(repr=False, eq=False)

    @property
    def resolved(self) -> dict[str, Any]:
        """The fully resolved configuration tree (JSON-able), as stored in a run's manifest."""
        return self.tree.data
