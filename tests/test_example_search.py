"""The shipped parameter search (examples/vogels_abbott2005_search) ties related weights through
refs; its study declares mozaik-analysis's analyses and mozaik-plot's plots, so this runs where
every distribution is installed."""

from __future__ import annotations

from pathlib import Path

from mozaik.search import load_search
from mozaik.study import load_study


def test_the_example_search_ties_weights_through_refs() -> None:
    root = Path(__file__).resolve().parents[1]
    search = load_search(root / "examples" / "vogels_abbott2005_search" / "search.yaml")
    assert search.name == "va_weights" and len(search.points) == 4
    for i, point in enumerate(search.points):
        study = load_study(search.study, search.overrides(i))
        c = {name: entry.params.weight_uS for name, entry in study.connectors.items()}
        assert c["exc_exc"] == c["exc_inh"] == point["connectors.exc_exc.params.weight_uS"]
        assert c["inh_exc"] == c["inh_inh"] == point["connectors.inh_exc.params.weight_uS"]
        assert study.sheets["inh"].params.placement.n_neurons == 40
