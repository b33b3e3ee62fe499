"""DataStore.remove_analysis_results and the workflow provenance columns of the ADS index."""

from __future__ import annotations

from pathlib import Path

import pytest
import quantities as pq
from mozaik._errors import DataStoreError
from mozaik.ads import SingleValue
from mozaik.datastore import DataStore, check_store, param_filter_query


def _value(name: str) -> SingleValue:
    return SingleValue(analysis_algorithm="A", value=1.0, value_name=name,
                       value_units=pq.dimensionless)


def test_removed_results_are_gone_after_reopening_with_their_payloads(tmp_path: Path) -> None:
    store = DataStore.create(tmp_path / "run")
    ids = [store.add_analysis_result(_value(n), provenance={"workflow_step": "analyses/A"})
           for n in ("a", "b", "c")]
    assert store.remove_analysis_results([ids[1], 999]) == 1
    assert store.remove_analysis_results([]) == 0
    assert [r.value_name for r in store.analysis_results()] == ["a", "c"]
    store.add_analysis_result(_value("b"))  # its key is free again
    store.close()
    reopened = DataStore.open(tmp_path / "run")
    assert sorted(r.value_name for r in reopened.analysis_results()) == ["a", "b", "c"]
    assert not (tmp_path / "run" / "ads" / "payloads" / f"a{ids[1]:08d}.parquet").exists()
    assert check_store(tmp_path / "run") == []
    step = param_filter_query(reopened, workflow_step="analyses/A")
    assert sorted(r.value_name for r in step.analysis_results()) == ["a", "c"]


def test_only_the_workflow_columns_are_accepted_as_provenance(tmp_path: Path) -> None:
    store = DataStore.create(tmp_path / "run")
    with pytest.raises(DataStoreError, match="provenance column 'owner' is not one of"):
        store.add_analysis_result(_value("a"), provenance={"owner": "me"})
    store.close()
