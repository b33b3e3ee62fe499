"""The workflow contract suites: core's built-ins pass them, toy components show they can fail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import numpy as np
import pytest
import quantities as pq
from mozaik import AnalysisError
from mozaik.ads import AnalysisDataStructure, PerNeuronValue, data, parameter, units_parameter
from mozaik.analysis import Analysis
from mozaik.datastore import DataStore, DataStoreView, param_filter_query
from mozaik.model import InputSpace
from mozaik.plot import Plot
from mozaik.plugin import ComponentSpec, PluginManager, Registry, get_registry
from mozaik.stimulus import Stimulus
from mozaik.testing import (
    TINY_STORE,
    AnalysisContract,
    ExperimentContract,
    InputSpaceContract,
    PlotContract,
    StimulusContract,
    make_plugin,
    tiny_store,  # noqa: F401 - fixture
    use_plugin_manager,
)

# -- core's built-ins -----------------------------------------------------------------------


class TestNullStimulus(StimulusContract):
    name = "Null"
    example_params = {"duration_ms": 20.0, "before": "InternalStimulus()"}


class TestInternalStimulus(StimulusContract):
    name = "InternalStimulus"
    example_params = {"duration_ms": 50.0, "protocol": "NoStimulation",
                      "direct_stimulation": {"rate_hz": 10.0}}


@attrs.frozen(kw_only=True)
class FlashParams:
    duration_ms: float
    intensity: float = 1.0


class Flash(Stimulus):
    name = "FunctionFlash"
    __slots__ = ()


def make_flash(params: FlashParams, /) -> Stimulus:
    """A stimulus factory that is a plain function following ``StimulusFactory``
    (``factory(params)``, no trial argument)."""
    return Flash(params)


def flash_manager() -> PluginManager:
    manager = PluginManager(autoload=False)
    plugin = make_plugin("flashes", stimuli=[ComponentSpec(
        name="FunctionFlash", config_cls=FlashParams, factory=make_flash, summary="a flash")])
    manager.register(plugin, "flashes", distribution="mozaik-flashes", version="0.1")
    return manager


class TestFunctionFactoryStimulus(StimulusContract):
    """Reading a stored presentation back calls the factory as the protocol says."""

    name = "FunctionFlash"
    example_params = {"duration_ms": 20.0, "intensity": 0.5}

    def registry(self) -> Registry:
        return flash_manager().registry


class TestNoStimulation(ExperimentContract):
    name = "NoStimulation"
    example_params = {"duration_ms": 30.0, "num_trials": 2}


class TestPoissonNetworkKick(ExperimentContract):
    name = "PoissonNetworkKick"
    example_params = {"duration_ms": 30.0, "drive_period_ms": 10.0, "sheets": ["exc"],
                      "rate_hz": 200.0, "weight_uS": 0.01}


class TestCurrentInjection(ExperimentContract):
    name = "CurrentInjection"
    example_params = {"sheet": "exc", "cells": [0, 3], "amplitudes_nA": [0.2, 0.4],
                      "duration_ms": 30.0, "onset_ms": 5.0, "step_duration_ms": 10.0}


# -- toy components of a plugin that only core is installed for -------------------------------


@attrs.frozen(kw_only=True)
class CountParams:
    sheet: str = "exc"


@attrs.define(kw_only=True, eq=False, slots=False, repr=False)
class ToyHistogram(AnalysisDataStructure):
    """Spike counts binned over neurons."""

    counts: np.ndarray = data("array")
    value_name: str = parameter()
    value_units: pq.Quantity = units_parameter()


class ToySpikeCount(Analysis[CountParams]):

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        sheet = self.params.sheet
        view = param_filter_query(view, sheet_name=sheet)
        if sheet not in view.sheets() or not view.n_segments:
            msg = f"ToySpikeCount: no recordings of sheet {sheet!r} in the view"
            raise AnalysisError(msg)
        spikes = view.spike_arrays(sheet)
        n = len(view.neuron_ids(sheet))
        counts = np.bincount(spikes.neuron, minlength=n).astype(float)
        return [PerNeuronValue(analysis_algorithm="ToySpikeCount", sheet_name=sheet,
                               values=counts, ids=np.arange(n), value_name="Spike count",
                               value_units=pq.dimensionless),
                ToyHistogram(analysis_algorithm="ToySpikeCount", sheet_name=sheet,
                             counts=np.histogram(counts, bins=4)[0], value_name="Spike count",
                             value_units=pq.dimensionless)]


class ToyTable(Plot):
    def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
        rows = [r for r in view.analysis_results() if isinstance(r, PerNeuronValue)]
        if not rows:
            return []
        out = path.with_suffix(".csv")
        out.write_text("".join(f"{r.value_name},{np.mean(r.values)}\n" for r in rows))
        return [out]


@attrs.frozen(kw_only=True)
class SpaceParams:
    width_deg: float = 10.0


class ToySpace(InputSpace[SpaceParams]):

    def describe(self) -> dict[str, bool | int | float | str]:
        return {"width_deg": self.params.width_deg}


def toy_manager() -> PluginManager:
    manager = PluginManager(autoload=False)
    plugin = make_plugin(
        "toys",
        analyses=[ComponentSpec(name="ToySpikeCount", config_cls=CountParams,
                                factory=ToySpikeCount, summary="spikes per neuron")],
        plots=[ComponentSpec(name="ToyTable", config_cls=CountParams, factory=ToyTable,
                             summary="mean of each per-neuron value")],
        input_spaces=[ComponentSpec(name="ToySpace", config_cls=SpaceParams, factory=ToySpace,
                                    summary="a toy space")],
        analysis_data_structures=[ToyHistogram])
    manager.register(plugin, "toys", distribution="mozaik-toys", version="0.1")
    return manager


@pytest.fixture(autouse=True)
def _toys() -> Iterator[None]:
    with use_plugin_manager(toy_manager()):
        yield


class _Toys:
    def registry(self) -> Registry:
        return get_registry()


class TestToySpikeCount(_Toys, AnalysisContract):
    name = "ToySpikeCount"
    example_params = {"sheet": "exc"}


class TestToyTable(_Toys, PlotContract):
    name = "ToyTable"
    example_params = {"sheet": "exc"}


class TestToySpace(_Toys, InputSpaceContract):
    name = "ToySpace"
    example_params = {"width_deg": 4.0}


# -- the suites fail components that break the contract ----------------------------------------


def test_tiny_store_holds_what_it_says(tiny_store: DataStore) -> None:  # noqa: F811
    view = tiny_store.full_view()
    assert view.sheets() == sorted(TINY_STORE.sheets)
    assert {s.name for s in view.stimuli()} == {"TinyGrating", "TinyFlash"}
    assert len(view.presentations()) == TINY_STORE.presentations
    assert len(view.neuron_ids("exc")) == TINY_STORE.sheets["exc"]
    assert len(view.spike_arrays("exc").times) > 0
    gratings = param_filter_query(view, st_name="TinyGrating")
    assert gratings.analog_arrays("exc", "v").values.shape == (4 * 3, 200)
    assert tiny_store.n_analysis_results == 2


class StoresItself(ToySpikeCount):
    store: DataStore | None = None

    def run(self, view: DataStoreView) -> Sequence[AnalysisDataStructure]:
        results = super().run(view)
        for result in results:
            view.store.add_analysis_result(result, replace=True)
        return results


def test_an_analysis_that_stores_its_results_fails(tiny_store: DataStore) -> None:  # noqa: F811
    class Suite(TestToySpikeCount):
        def build(self) -> Analysis:
            return StoresItself(self.params())

    with pytest.raises(AssertionError, match="never stores"):
        Suite().test_returns_results_without_storing_them(tiny_store)


def test_an_unregistered_result_class_fails(tiny_store: DataStore) -> None:  # noqa: F811
    class Suite(TestToySpikeCount):
        def registry(self) -> Registry:
            manager = PluginManager(autoload=False)
            manager.register(make_plugin("toys", analyses=[
                ComponentSpec(name="ToySpikeCount", config_cls=CountParams,
                              factory=ToySpikeCount)]), "toys")
            return manager.registry

    with pytest.raises(AssertionError, match="mozaik_analysis_data_structures"):
        Suite().test_result_classes_are_registered(tiny_store)


def test_a_plot_that_draws_on_an_empty_store_fails(tmp_path: Path) -> None:
    class Always(ToyTable):
        def draw(self, view: DataStoreView, path: Path) -> Sequence[Path]:
            path.write_text("empty")
            return [path]

    class Suite(TestToyTable):
        def build(self) -> Plot:
            return Always(self.params())

    with pytest.raises(AssertionError):
        Suite().test_nothing_to_draw_is_an_empty_result(tmp_path)


def test_mock_limits_are_checked_by_name() -> None:
    class Suite(TestNoStimulation):
        mock_cannot = {"present": "pretend mock cannot run NoStimulation"}

    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        Suite().test_present()
