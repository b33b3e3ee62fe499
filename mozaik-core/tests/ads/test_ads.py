from __future__ import annotations

import neo
import numpy as np
import pyarrow as pa
import pyarrow.parquet as parquet
import pytest
import quantities as pq
from datastore_helpers import grating
from mozaik._errors import AnalysisDataStructureError, DuplicateResultError
from mozaik.ads import (
    AnalogSignal,
    AnalogSignalList,
    AnalysisDataStructure,
    ConductanceSignalList,
    Connections,
    PerNeuronPairValue,
    PerNeuronValue,
    SingleValue,
    ads_class,
)
from mozaik.datastore import DataStore, param_filter_query
from mozaik.plugin import PluginManager
from mozaik.testing import make_plugin


def _sig(units: str, n: int = 20, t0: float = 5.0) -> neo.AnalogSignal:
    return neo.AnalogSignal(
        np.linspace(0, 1, n)[:, None],
        units=units,
        sampling_period=1 * pq.ms,
        t_start=t0 * pq.ms,
        name="psth",
    )


def _all_types() -> list[AnalysisDataStructure]:
    sid = grating(0.5, 0)
    return [
        SingleValue(
            analysis_algorithm="A", value=2.5, value_name="mean", value_units=pq.Hz, period=None
        ),
        PerNeuronValue(
            analysis_algorithm="A",
            sheet_name="S",
            stimulus_id=sid,
            values=[1.0, 2.0],
            ids=[3, 4],
            value_name="orientation",
            value_units=pq.rad,
            period=np.pi,
        ),
        PerNeuronPairValue(
            analysis_algorithm="A",
            sheet_name="S",
            values=np.eye(3),
            ids=[0, 1, 2],
            value_name="corr",
            value_units=pq.dimensionless,
        ),
        AnalogSignal(analysis_algorithm="A", signal=_sig("Hz"), y_axis_name="PSTH"),
        AnalogSignalList(
            analysis_algorithm="A",
            neuron=None,
            signals=[_sig("mV"), _sig("mV", 30)],
            ids=[1, 2],
            y_axis_name="Vm",
        ),
        ConductanceSignalList(
            analysis_algorithm="A", e_con=[_sig("nS")], i_con=[_sig("nS")], ids=[7]
        ),
        Connections(
            analysis_algorithm="A",
            proj_name="P",
            source_name="S",
            target_name="T",
            source_index=[0, 1],
            target_index=[1, 0],
            weights=[0.1, 0.2],
            delays=[1.0, 2.0],
            weight_units=pq.uS,
            delay_units=pq.ms,
        ),
    ]


def test_every_ads_type_round_trips_through_the_store(tmp_path) -> None:
    store = DataStore.create(tmp_path / "r")
    originals = _all_types()
    for ads in originals:
        store.add_analysis_result(ads)
    store.close()
    loaded = DataStore.open(tmp_path / "r").analysis_results()
    assert [type(a) for a in loaded] == [type(a) for a in originals]
    for a, b in zip(originals, loaded, strict=True):
        assert a.key() == b.key() and a.parameters() == b.parameters()
        for name in type(a).data_names():
            x, y = getattr(a, name), getattr(b, name)
            if isinstance(x, list):
                assert len(x) == len(y)
                for s, t in zip(x, y, strict=True):
                    np.testing.assert_array_equal(s.magnitude, t.magnitude)
                    assert s.units == t.units and s.t_start == t.t_start
                    assert s.sampling_period == t.sampling_period
            elif isinstance(x, neo.AnalogSignal):
                np.testing.assert_array_equal(x.magnitude, y.magnitude)
                assert x.units == y.units
            else:
                np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
                assert np.asarray(x).dtype == np.asarray(y).dtype
    pnv = loaded[1]
    assert pnv.value_units == pq.rad and pnv.period == pytest.approx(np.pi)
    np.testing.assert_array_equal(pnv.get_value_by_id([4, 3]), [2.0, 1.0])
    assert loaded[3].y_axis_units == pq.Hz


def test_missing_units_is_a_clear_error() -> None:
    with pytest.raises(AnalysisDataStructureError, match="'value_units' is missing"):
        PerNeuronValue(analysis_algorithm="A", values=[1.0], ids=[0], value_name="rate")
    with pytest.raises(AnalysisDataStructureError, match="'weight_units' is missing"):
        Connections(
            analysis_algorithm="A",
            proj_name="P",
            source_name="S",
            target_name="T",
            source_index=[0],
            target_index=[0],
            weights=[1.0],
            delays=[1.0],
            delay_units=pq.ms,
        )
    with pytest.raises(AnalysisDataStructureError, match="cannot be parsed"):
        SingleValue(
            analysis_algorithm="A", value=1.0, value_name="x", value_units="furlongs per fortnight"
        )
    with pytest.raises(AnalysisDataStructureError, match="not a conductance"):
        ConductanceSignalList(
            analysis_algorithm="A", e_con=[_sig("mV")], i_con=[_sig("mV")], ids=[0]
        )


def test_shape_checks() -> None:
    with pytest.raises(AnalysisDataStructureError, match="equal lengths"):
        PerNeuronValue(
            analysis_algorithm="A", values=[1.0, 2.0], ids=[0], value_name="r", value_units=pq.Hz
        )
    with pytest.raises(AnalysisDataStructureError, match=r"expected \(2, 2\)"):
        PerNeuronPairValue(
            analysis_algorithm="A",
            values=np.eye(3),
            ids=[0, 1],
            value_name="c",
            value_units=pq.dimensionless,
        )


def test_duplicate_names_both_and_replace_works(tmp_path) -> None:
    store = DataStore.create(tmp_path / "r")
    first = PerNeuronValue(
        analysis_algorithm="Rate",
        sheet_name="S",
        values=[1.0],
        ids=[0],
        value_name="r",
        value_units=pq.Hz,
    )
    again = PerNeuronValue(
        analysis_algorithm="Rate",
        sheet_name="S",
        values=[9.0],
        ids=[0],
        value_name="r",
        value_units=pq.Hz,
    )
    aid = store.add_analysis_result(first)
    with pytest.raises(DuplicateResultError) as info:
        store.add_analysis_result(again)
    text = str(info.value)
    assert (
        "new PerNeuronValue(" in text
        and f"stored result #{aid}" in text
        and '"sheet_name": "S"' in text
    )
    assert "replace=True" in text
    store.add_analysis_result(again, replace=True)
    assert store.n_analysis_results == 1 and store.analysis_results()[0].values[0] == 9.0
    tagged = PerNeuronValue(
        analysis_algorithm="Rate",
        sheet_name="S",
        values=[5.0],
        ids=[0],
        value_name="r",
        value_units=pq.Hz,
        tags=["other"],
    )
    store.add_analysis_result(tagged)  # a different tag makes a different result
    store.close()
    reopened = DataStore.open(tmp_path / "r")
    assert sorted(a.values[0] for a in reopened.analysis_results()) == [5.0, 9.0]
    assert (
        len(list((tmp_path / "r" / "ads" / "payloads").iterdir())) == 2
    )  # replaced payload removed


def test_ads_parameters_are_typed_index_columns(tmp_path) -> None:
    store = DataStore.create(tmp_path / "r")
    for ads in _all_types():
        store.add_analysis_result(ads)
    idx = store.analysis_index
    assert str(idx.schema.field("period").type) == "double"
    assert str(idx.schema.field("neuron").type) == "int64"
    assert param_filter_query(store, st_orientation=0.5).n_analysis_results == 1
    assert param_filter_query(store, y_axis_name="Vm").analysis_results()[0].y_axis_units == pq.mV
    assert param_filter_query(store, identifier="Connections").n_analysis_results == 1


def test_period_is_a_double_column_in_every_run_and_every_row(tmp_path) -> None:
    """Typed from the declaration, not from the values: a run whose results all have no period
    still gets a double column, and two analyses (one circular) of one run agree, also after
    the store is reopened (its index consolidated)."""

    def values(name: str, period: float | None) -> PerNeuronValue:
        return PerNeuronValue(analysis_algorithm=name, values=np.ones(3), ids=np.arange(3),
                              value_name=name, value_units=pq.dimensionless, period=period)

    with DataStore.create(tmp_path / "plain") as store:
        store.add_analysis_result(values("Rate", None))
        store.add_analysis_result(SingleValue(analysis_algorithm="Mean", value=1.0,
                                              value_name="mean", value_units=pq.Hz))
    with DataStore.create(tmp_path / "mixed") as store:
        store.add_analysis_result(values("Rate", None))
        store.add_analysis_result(values("Orientation", np.pi))
        store.add_analysis_result(values("Orientation", 180))
    for run, periods in (("plain", [None, None]), ("mixed", [None, np.pi, 180.0])):
        with DataStore.open(tmp_path / run) as store:
            index = store.analysis_index
            assert index.schema.field("period").type == pa.float64(), run
            assert index.schema.field("sheet_name").type == pa.string(), run
            assert index.sort_by("ads_id")["period"].to_pylist() == periods
        for file in (tmp_path / run / "ads").rglob("*.parquet"):
            if "payloads" not in file.parts:
                schema = parquet.read_schema(file)
                assert schema.field("period").type == pa.float64(), file


def test_unknown_identifier_names_the_fix() -> None:
    with pytest.raises(AnalysisDataStructureError, match="install the plugin that defines it"):
        ads_class("NoSuchADS", PluginManager(autoload=False).registry)


def _histogram_class() -> type[AnalysisDataStructure]:
    import attrs
    from mozaik.ads import data, parameter, units_parameter

    @attrs.define(kw_only=True, eq=False, slots=False, repr=False)
    class Histogram(AnalysisDataStructure):
        counts: np.ndarray = data("array")
        bin_edges: np.ndarray = data("array")
        value_name: str = parameter()
        value_units: pq.Quantity = units_parameter()

    return Histogram


def _histogram(cls: type[AnalysisDataStructure]) -> AnalysisDataStructure:
    return cls(analysis_algorithm="H", counts=np.array([1, 2], np.int32),
               bin_edges=[0.0, 1.0, 2.0], value_name="isi", value_units=pq.ms)


def test_custom_ads_subclass(tmp_path, plugin_manager: PluginManager) -> None:
    histogram = _histogram_class()
    plugin_manager.register(make_plugin("hist", analysis_data_structures=[histogram]), "hist")
    store = DataStore.create(tmp_path / "r")
    store.add_analysis_result(_histogram(histogram))
    (h,) = store.get_analysis_result(identifier="Histogram")
    assert isinstance(h, histogram) and h.counts.dtype == np.int32 and h.value_units == pq.ms


def test_an_unregistered_ads_class_is_refused_before_it_is_written(tmp_path) -> None:
    store = DataStore.create(tmp_path / "r")
    with pytest.raises(AnalysisDataStructureError) as caught:
        store.add_analysis_result(_histogram(_histogram_class()))
    message = str(caught.value)
    assert "Histogram" in message and "is not registered" in message
    assert "in no installed distribution" in message
    assert "mozaik_analysis_data_structures()" in message
    assert store.get_analysis_result() == []
    assert not any((tmp_path / "r").rglob("a*.parquet"))
