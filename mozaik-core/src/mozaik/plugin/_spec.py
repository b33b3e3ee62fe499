# mypy: disable-error-code="empty-body"
"""Hook specifications of Mozaik: the whole contract between core and its plugins.

A plugin is a module (or object) with functions decorated by :data:`hookimpl` whose names are
the names below. It is published through the ``mozaik`` entry-point group::

    [project.entry-points.mozaik]
    somelab = "mozaik_somelab._plugin"

and declares the hook API it was written for, ``MOZAIK_HOOK_API = (2, 0)``, which core checks
when the plugin registers (the major number must match, the minor must not exceed core's).

Registration hooks take no arguments and return an iterable of
:class:`~mozaik.plugin.ComponentSpec`, parametrised by the component's parameters class and
the kind's factory protocol, which lives with the kind
(``ComponentSpec[BarrelParams, mozaik.model.SheetFactory[BarrelParams]]``...). Results of all
plugins are concatenated; two plugins registering one name for one kind is an error naming both
distributions. A plugin function whose name starts with ``mozaik_`` but is no hook below is an
error naming the closest hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from mozaik.plugin._types import ComponentKind, ComponentSpec

if TYPE_CHECKING:
    import click

# What every registration hook returns. The factory protocol of each kind lives with the kind
# (``mozaik.model.SheetFactory``...), above this ground floor; a plugin annotates its own hook
# with its parameters class and the kind's protocol, ``ComponentSpec[P, SheetFactory[P]]``
Specs = Iterable[ComponentSpec[Any, Callable[..., object]]]

__all__ = ["HOOK_API_VERSION", "PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "mozaik"

#: Version of the hook API below: bump the minor for additions, the major for breaking changes.
HOOK_API_VERSION: tuple[int, int] = (2, 1)

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# ------------------------------------------------------------------------------------------------
# Component registration
# ------------------------------------------------------------------------------------------------


@hookspec
def mozaik_input_spaces() -> Specs:
    """Register input spaces: the sensory world stimuli are drawn into (e.g. visual space).

    Factory: :class:`mozaik.model.InputSpaceFactory`, ``factory(params) -> InputSpace``
    (:class:`mozaik.model.InputSpace`). Results of all plugins are
    concatenated.

    Example::

        @hookimpl
        def mozaik_input_spaces():
            return [ComponentSpec(name="VisualSpace", config_cls=VisualSpaceParams,
                                  factory=VisualSpace, summary="2D visual field in degrees")]
    """


@hookspec
def mozaik_sensory_inputs() -> Specs:
    """Register sensory input layers that turn an input space into spikes (e.g. retina/LGN).

    Factory: :class:`mozaik.model.SensoryInputFactory`, ``factory(name, params, model) ->
    SensoryInput`` (:class:`mozaik.model.SensoryInput`). Results are
    concatenated.

    Example::

        @hookimpl
        def mozaik_sensory_inputs():
            return [ComponentSpec(name="SpatioTemporalRetina", config_cls=RetinaParams,
                                  factory=Retina, summary="LGN ON/OFF cells")]
    """


@hookspec
def mozaik_sheets() -> Specs:
    """Register sheets: populations of neurons laid out in 2D cortical space.

    Factory: :class:`mozaik.model.SheetFactory`, ``factory(name, params, model) -> Sheet``
    (:class:`mozaik.model.Sheet`). Results are concatenated.

    Example::

        @hookimpl
        def mozaik_sheets():
            return [ComponentSpec(name="Sheet", config_cls=SheetParams, factory=Sheet,
                                  summary="neurons placed uniformly in a rectangle")]
    """


@hookspec
def mozaik_connectors() -> Specs:
    """Register connectors: rules that build a projection between two sheets.

    Factory: :class:`mozaik.model.ConnectorFactory`, ``factory(name, source, target, params,
    model) -> Connector`` (:class:`mozaik.model.Connector`).
    Results are concatenated.

    Example::

        @hookimpl
        def mozaik_connectors():
            return [ComponentSpec(name="FixedProbability", config_cls=FixedProbabilityParams,
                                  factory=FixedProbability, summary="Bernoulli(p) per pair")]
    """


@hookspec
def mozaik_connector_functions() -> Specs:
    """Register connector functions used by the modular connector's weight/delay expressions.

    Factory: :class:`mozaik.model.ConnectorFunctionFactory`, ``factory(params) ->
    ConnectorFunction`` (:class:`mozaik.model.ConnectorFunction`), a callable that maps
    vectorised (source, target) index arrays to a value array. Results are concatenated.

    Example::

        @hookimpl
        def mozaik_connector_functions():
            return [ComponentSpec(name="GaussianDistance", config_cls=GaussianParams,
                                  factory=GaussianDistance, summary="exp(-d^2/2 sigma^2)")]
    """


@hookspec
def mozaik_stimuli() -> Specs:
    """Register stimulus classes. A stimulus is identified by this name plus its parameters.

    Factory: :class:`mozaik.stimulus.StimulusFactory`, ``factory(params) -> Stimulus``
    (:class:`mozaik.stimulus.Stimulus`; the class's ``name`` is the registered name).
    Results are concatenated.

    Example::

        @hookimpl
        def mozaik_stimuli():
            return [ComponentSpec(name="FullfieldDriftingSinusoidalGrating",
                                  config_cls=GratingParams, factory=Grating)]
    """


@hookspec
def mozaik_experiments() -> Specs:
    """Register experiments: protocols that produce a list of stimuli to present.

    Factory: :class:`mozaik.experiments.ExperimentFactory`, ``factory(params, model) ->
    Experiment`` (:class:`mozaik.experiments.Experiment`). Results are concatenated.

    Example::

        @hookimpl
        def mozaik_experiments():
            return [ComponentSpec(name="NoStimulation", config_cls=NoStimulationParams,
                                  factory=NoStimulation, summary="spontaneous activity")]
    """


@hookspec
def mozaik_analyses() -> Specs:
    """Register analyses: they read a datastore view and return analysis data structures.

    Factory: :class:`mozaik.analysis.AnalysisFactory`, ``factory(params) -> Analysis``
    (:class:`mozaik.analysis.Analysis`); ``analysis.run(view)`` returns the results, which the
    workflow stores (replacing equal ones). Register the result classes with
    :func:`mozaik_analysis_data_structures`.
    Results are concatenated.

    Example::

        @hookimpl
        def mozaik_analyses():
            return [ComponentSpec(name="FiringRate", config_cls=FiringRateParams,
                                  factory=FiringRate, summary="mean rate per neuron (Hz)")]
    """


@hookspec
def mozaik_plots() -> Specs:
    """Register plots: figures drawn from a datastore view.

    Factory: :class:`mozaik.plot.PlotFactory`, ``factory(params) -> Plot``
    (:class:`mozaik.plot.Plot`); ``plot.draw(view, path)`` returns the files written. Results are
    concatenated.

    Example::

        @hookimpl
        def mozaik_plots():
            return [ComponentSpec(name="RasterPlot", config_cls=RasterParams,
                                  factory=RasterPlot, summary="spike raster per sheet")]
    """


@hookspec
def mozaik_search_plots() -> Specs:
    """Register search plots: figures of a whole parameter search, from its collated table.

    Factory: :class:`mozaik.plot.SearchPlotFactory`, ``factory(params) -> SearchPlot``
    (:class:`mozaik.plot.SearchPlot`); ``plot.draw(table, parameters, path)`` returns the files
    written. A search file declares them under ``plots:``; ``mozaik search plot MASTER`` draws
    them into ``MASTER/figures/``. Results are concatenated.

    Example::

        @hookimpl
        def mozaik_search_plots():
            return [ComponentSpec(name="RateOverWeight", config_cls=RateOverWeightParams,
                                  factory=RateOverWeight, summary="mean rate per point")]
    """


@hookspec
def mozaik_backends() -> Specs:
    """Register execution backends that run one study or a parameter sweep (local, Slurm, MPI).

    Factory: :class:`mozaik.backends.BackendFactory`, ``factory(params) -> Backend``
    (``mozaik.backends.Backend``); ``backend.run(study, run_dir, RunOptions(...))``.
    Results are concatenated.

    Example::

        @hookimpl
        def mozaik_backends():
            return [ComponentSpec(name="slurm", config_cls=SlurmParams, factory=SlurmBackend)]
    """


@hookspec
def mozaik_exporters() -> Specs:
    """Register exporters: file formats a run (or a view of one) is written to.

    Factory: :class:`mozaik.export.ExporterFactory`, ``factory(params) -> Exporter``
    (:class:`mozaik.export.Exporter`); ``exporter.export(view, path, overwrite=False)``
    writes the file. The registered name is the format ``mozaik export RUN --format NAME``
    takes. Results are concatenated.

    Example::

        @hookimpl
        def mozaik_exporters():
            return [ComponentSpec(name="nix", config_cls=NixParams, factory=NixExporter,
                                  summary="neo NIX file (one data array per spike train)")]
    """


@hookspec
def mozaik_analysis_data_structures() -> Iterable[type]:
    """Register analysis data structure (ADS) classes: the result types of analyses.

    The datastore stores a result under its class name; when a store is read, the class is
    looked up here, so a run holding a plugin's results opens in any process where the plugin
    is installed, without importing it by hand. Results are concatenated; two classes with one
    name are an error naming both distributions. Register every ADS class your analyses
    return.

    Example::

        @hookimpl
        def mozaik_analysis_data_structures():
            from mozaik_somelab._ads import BarrelMap
            return [BarrelMap]
    """


@hookspec(firstresult=True)
def mozaik_component_kind(name: str) -> ComponentKind[Callable[..., object]] | None:
    """The key of the component kind ``name`` (one of ``COMPONENT_KINDS``), or None.

    Core's built-in plugin answers for every kind, importing the package that defines the
    kind (``mozaik.model`` for ``sheets``...) only when the kind's table is first built, which
    imports it anyway. The registry uses the key to check, when it builds the table, that
    every class registered as a factory of the kind subclasses the kind's base class (so
    ``mozaik config check`` and ``mozaik plugins`` report a plugin written against an older
    API). The first non-None result is used; plugins need not implement it.

    Example::

        @hookimpl
        def mozaik_component_kind(name):
            from mozaik.model import SHEETS

            return SHEETS if name == "sheets" else None
    """


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------


@hookspec
def mozaik_cli_commands() -> Iterable[click.Command]:
    """Add subcommands to the ``mozaik`` command line.

    Results are concatenated; a command whose name is already taken is an error naming both
    distributions.

    Example::

        @hookimpl
        def mozaik_cli_commands():
            @click.command("sweep")
            def sweep(): ...
            return [sweep]
    """


# ------------------------------------------------------------------------------------------------
# Run lifecycle (notifications: return values are ignored, every implementation is called)
# ------------------------------------------------------------------------------------------------


@hookspec
def mozaik_run_started(run_dir: Path, config: Mapping[str, Any]) -> None:
    """Called once the network is built, before the first stimulus is presented.

    ``config`` is the fully resolved configuration tree.

    Example::

        @hookimpl
        def mozaik_run_started(run_dir, config):
            print("starting", config["name"], "in", run_dir)
    """


@hookspec
def mozaik_before_presentation(run_dir: Path, stimulus: str, trial: int, index: int,
                               total: int) -> None:
    """Called before each stimulus presentation; ``stimulus`` is the identity string.

    ``index`` counts from 0 over the presentations still to run, ``total`` is their number.

    Example::

        @hookimpl
        def mozaik_before_presentation(run_dir, stimulus, trial, index, total):
            log.info("presenting %d/%d", index + 1, total)
    """


@hookspec
def mozaik_after_presentation(run_dir: Path, stimulus: str, trial: int,
                              wall_time_s: float) -> None:
    """Called after a presentation's recordings are safely in the datastore.

    Example::

        @hookimpl
        def mozaik_after_presentation(run_dir, stimulus, trial, wall_time_s):
            stats.append(wall_time_s)
    """


@hookspec
def mozaik_run_finished(run_dir: Path, store: object) -> None:
    """Called after all presentations, analyses and plots of a run; ``store`` is the DataStore.

    Example::

        @hookimpl
        def mozaik_run_finished(run_dir, store):
            notify_slack(f"{run_dir} done")
    """
