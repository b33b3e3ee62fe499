"""Contract suite of search plots, drawn from a small collated search table.

::

    class TestRateOverWeight(SearchPlotContract):
        name = "RateOverWeight"
        example_params = {"value_name": "Mean(Firing rate)"}

``example_params`` must fit :func:`make_search_table` (see :data:`SEARCH_TABLE_PARAMETERS`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pyarrow as pa

from mozaik.plot import SearchPlot
from mozaik.search import COLLATED_COLUMNS
from mozaik.testing._contracts import ComponentContract

__all__ = ["SEARCH_TABLE_PARAMETERS", "SearchPlotContract", "make_search_table"]

#: The varied parameters of :func:`make_search_table`: a 3 x 2 grid of weights (uS).
SEARCH_TABLE_PARAMETERS: tuple[str, str] = ("connectors.exc_exc.params.weight_uS",
                                            "connectors.inh_exc.params.weight_uS")

_STIMULUS = json.dumps({"name": "InternalStimulus",
                        "params": {"direct_stimulation": {}, "duration_ms": 200.0,
                                   "protocol": "NoStimulation"}}, sort_keys=True)


def make_search_table(rows: bool = True) -> pa.Table:
    """A collated search table (the shape :func:`mozaik.search.collate_search` writes).

    Six points (a 3 x 2 grid over :data:`SEARCH_TABLE_PARAMETERS`), each with the
    ``PopulationMean`` SingleValues ``Mean(Firing rate)`` (Hz) and ``Mean(CV of ISI)``
    (dimensionless) of the sheets ``exc`` and ``inh`` for one ``InternalStimulus`` (protocol
    ``NoStimulation``). ``rows=False``: the same columns, no rows (no point finished).
    """
    records = []
    exc_weights, inh_weights = (0.002, 0.004, 0.006), (0.03, 0.06)
    for i, (w_exc, w_inh) in enumerate((e, h) for e in exc_weights for h in inh_weights):
        for sheet in ("exc", "inh"):
            rate = 1000.0 * w_exc / w_inh + (2.0 if sheet == "inh" else 0.0)
            for name, value, units in (("Mean(Firing rate)", rate, "Hz"),
                                       ("Mean(CV of ISI)", 0.5 + 10.0 * w_exc, "dimensionless")):
                records.append({"point_id": i, SEARCH_TABLE_PARAMETERS[0]: w_exc,
                                SEARCH_TABLE_PARAMETERS[1]: w_inh, "sheet_name": sheet,
                                "analysis_algorithm": "PopulationMean",
                                "stimulus_id": _STIMULUS, "value_name": name,
                                "value": value, "value_units": units})
    if not rows:
        records = []
    columns = [COLLATED_COLUMNS[0], *SEARCH_TABLE_PARAMETERS, *COLLATED_COLUMNS[1:]]
    types = {"point_id": pa.int64(), "value": pa.float64(),
             **dict.fromkeys(SEARCH_TABLE_PARAMETERS, pa.float64())}
    return pa.table({c: pa.array([r[c] for r in records], types.get(c, pa.string()))
                     for c in columns})


class SearchPlotContract(ComponentContract):
    """Contract of a registered search plot, drawn from :func:`make_search_table`.

    ``example_params`` must fit that table (values, sheets, parameters it holds).
    """

    kind: ClassVar[str] = "search_plots"

    def build(self) -> SearchPlot:
        plot = self.component().factory(self.params())
        assert isinstance(plot, SearchPlot), (
            f"the factory of {self.name!r} returned {type(plot).__name__}, not a "
            "mozaik.plot.SearchPlot")
        return plot

    def _path(self, tmp_path: Path) -> Path:
        path = tmp_path / "figures" / f"00_{self.name}.png"
        path.parent.mkdir()
        return path

    def test_draws_files_next_to_the_path(self, tmp_path: Path) -> None:
        path = self._path(tmp_path)
        files = [Path(f) for f in self.build().draw(make_search_table(),
                                                    SEARCH_TABLE_PARAMETERS, path)]
        assert files, "the example table holds what the plot needs: it must draw something"
        for file in files:
            assert file.is_file() and file.stat().st_size > 0, f"{file} was not written"
            assert file.parent == path.parent, "a search plot writes next to the path given"

    def test_no_finished_point_is_an_empty_result(self, tmp_path: Path) -> None:
        path = self._path(tmp_path)
        empty = make_search_table(rows=False)
        assert list(self.build().draw(empty, SEARCH_TABLE_PARAMETERS, path)) == []
        assert not any(path.parent.iterdir()), "nothing drawable: no file written"
