from __future__ import annotations

import attrs
import mozaik_analysis
import pytest
from mozaik.analysis import Analysis
from mozaik.testing import ComponentContract, PluginDistributionContract
from mozaik_analysis._plugin import SUMMARIES


class TestDiscovery(PluginDistributionContract):
    distribution = "mozaik-analysis"
    entry_point = "analysis"
    provides = {"analyses": list(SUMMARIES)}


@pytest.mark.parametrize("name", list(SUMMARIES))
class TestEveryAnalysis(ComponentContract):
    kind = "analyses"

    @pytest.fixture(autouse=True)
    def _name(self, name: str) -> None:
        self.name = name

    def test_is_an_analysis_whose_name_matches(self, name: str) -> None:
        cls = self.component().factory
        assert issubclass(cls, Analysis) and cls.name == name
        params = self.component().config_cls()
        assert cls(params).params is params
        assert cls.run.__doc__ is not None or cls.__doc__

    def test_parameters_have_units_in_their_names(self) -> None:
        for field in attrs.fields(self.component().config_cls):
            if field.type in ("float", "float | None"):
                assert field.name.endswith(("_ms", "_hz")) or field.name == "period", field.name


def test_every_registered_analysis_is_public() -> None:
    for name in SUMMARIES:
        assert name in mozaik_analysis.__all__ and f"{name}Params" in mozaik_analysis.__all__
