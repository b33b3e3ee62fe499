"""Connectors are built after the connectors setting the neuron annotations they read
(declared on their registration records), in declaration order otherwise (issue 18)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

import numpy as np
import pytest
from mozaik import ConfigError
from mozaik.model import (
    ConnectorFunction,
    FixedProbabilityConnector,
    FixedProbabilityParams,
    PairBlock,
    build_model,
)
from mozaik.plugin import ComponentSpec, PluginManager, SheetAnnotations, hookimpl
from mozaik.study import load_study

from .conftest import CELL


class TagConnector(FixedProbabilityConnector):
    """Sets the annotation ``tag`` (the neuron index) on its target when built."""

    def build(self) -> Any:
        self.target.annotate("tag", np.arange(self.target.size, dtype=float))
        return super().build()


class TagReader(FixedProbabilityConnector):
    """Reads ``tag`` of its target and sets ``mark`` on its source (for a cycle)."""

    def build(self) -> Any:
        _ = self.target.annotations["tag"]  # fails without the annotation
        self.source.annotate("mark", 1.0)
        return super().build()


class TagSimilarity(ConnectorFunction[object]):
    """1 where source and target tags are equal: reads ``tag`` on both sheets."""

    def __call__(self, pairs: PairBlock) -> np.ndarray:
        source = pairs.source.annotations["tag"][pairs.source_indices]
        target = pairs.target.annotations["tag"][pairs.target_indices]
        return np.asarray(np.where(source == target, 1.0, 0.1))


class _TagPlugin:
    MOZAIK_HOOK_API = (2, 0)

    @hookimpl
    def mozaik_connectors(self) -> Iterable[ComponentSpec]:
        return [
            ComponentSpec(name="TagConnector", config_cls=FixedProbabilityParams,
                          factory=TagConnector,
                          provides_annotations=SheetAnnotations(target=("tag",))),
            ComponentSpec(name="MarkingTagReader", config_cls=FixedProbabilityParams,
                          factory=TagReader,
                          requires_annotations=SheetAnnotations(target=("tag",)),
                          provides_annotations=SheetAnnotations(source=("mark",))),
            ComponentSpec(name="TagByMark", config_cls=FixedProbabilityParams,
                          factory=TagConnector,
                          requires_annotations=SheetAnnotations(source=("mark",)),
                          provides_annotations=SheetAnnotations(target=("tag",))),
        ]

    @hookimpl
    def mozaik_connector_functions(self) -> Iterable[ComponentSpec]:
        return [ComponentSpec(name="TagSimilarity", config_cls=dict, factory=TagSimilarity,
                              requires_annotations=SheetAnnotations(source=("tag",),
                                                                    target=("tag",)))]


def _sheet(n: int, annotations: str = "{}") -> str:
    return (f"{{component: Sheet, params: {{cell: {{model: IF_cond_exp, params: {CELL}}}, "
            f"placement: {{kind: grid, size_um: [100.0, 100.0], n_neurons: {n}}}, "
            f"annotations: {annotations}}}}}")


LATERAL = """\
    lateral:
      component: ModularSamplingConnector
      source: a
      target: a
      params:
        weight_functions: {f1: {component: TagSimilarity, params: {}}}
        weight_expression: f1
        base_weight_uS: 0.001
        num_samples: 3
"""

TAGGER = """\
    tagger: {component: TagConnector, source: b, target: a,
             params: {probability: 0.2, weight_uS: 0.001}}
"""

PLAIN = """\
    zeta: {component: FixedProbabilityConnector, source: b, target: b,
           params: {probability: 0.2, weight_uS: 0.001}}
"""


def _study(connectors: str, a_annotations: str = "{}") -> str:
    return textwrap.dedent(f"""\
        name: order
        simulator: {{backend: mock, seed: 5}}
        sheets:
          a: {_sheet(16, a_annotations)}
          b: {_sheet(9)}
        connectors:
        """) + textwrap.indent(textwrap.dedent(connectors), "  ")


@pytest.fixture
def load_tagged(tmp_path):
    pm = PluginManager(autoload=False)
    pm.register(_TagPlugin(), "tags")
    registry = pm.registry

    def load(text: str):
        path = tmp_path / "study.yaml"
        path.write_text(text)
        study = load_study(path, registry=registry)
        return study, registry

    return load


def test_dependent_connector_declared_first_is_built_after_its_provider(load_tagged) -> None:
    study, registry = load_tagged(_study(PLAIN + LATERAL + TAGGER))
    assert list(study.connectors) == ["zeta", "lateral", "tagger"]
    model = build_model(study, registry=registry)
    assert list(model.projections) == ["zeta", "tagger", "lateral"]
    assert model.projections["lateral"].size() > 0


def test_declaration_order_is_kept_when_it_satisfies_the_dependencies(load_tagged) -> None:
    study, registry = load_tagged(_study(TAGGER + PLAIN + LATERAL))
    model = build_model(study, registry=registry)
    assert list(model.projections) == ["tagger", "zeta", "lateral"]


def test_an_annotation_the_sheet_already_has_needs_no_provider(load_tagged) -> None:
    study, registry = load_tagged(_study(LATERAL + PLAIN, a_annotations="{tag: 1.0}"))
    model = build_model(study, registry=registry)
    assert list(model.projections) == ["lateral", "zeta"]


def test_a_missing_provider_is_refused_naming_connector_annotation_and_sheet(
        load_tagged) -> None:
    study, registry = load_tagged(_study(PLAIN + LATERAL))
    with pytest.raises(ConfigError) as info:
        build_model(study, registry=registry)
    text = str(info.value)
    assert "connector 'lateral' (ModularSamplingConnector)" in text
    assert "'tag' of sheet 'a'" in text
    assert "TagSimilarity (connectors.lateral.params.weight_functions.f1)" in text


def test_a_provider_on_another_sheet_is_named(load_tagged) -> None:
    other = TAGGER.replace("target: a", "target: b")
    study, registry = load_tagged(_study(LATERAL + other))
    with pytest.raises(ConfigError, match="'tagger' sets it on sheet 'b'"):
        build_model(study, registry=registry)


def test_a_cycle_is_refused_naming_both_connectors(load_tagged) -> None:
    # 'reader' reads tag of a (set by 'tagbymark'), which reads mark of b (set by 'reader')
    text = _study("""\
        reader: {component: MarkingTagReader, source: b, target: a,
                 params: {probability: 0.2, weight_uS: 0.001}}
        tagbymark: {component: TagByMark, source: b, target: a,
                    params: {probability: 0.2, weight_uS: 0.001}}
        """)
    study, registry = load_tagged(text)
    with pytest.raises(ConfigError) as info:
        build_model(study, registry=registry)
    message = str(info.value)
    assert "connectors 'reader' and 'tagbymark' need each other's" in message
    assert "'reader' reads 'tag' of sheet 'a', which 'tagbymark' sets" in message
    assert "'tagbymark' reads 'mark' of sheet 'b', which 'reader' sets" in message


def test_sheet_annotations_record_refuses_a_bare_string() -> None:
    with pytest.raises(TypeError, match="'tag'"):
        SheetAnnotations(target="tag")  # type: ignore[arg-type]
    assert SheetAnnotations(source=["x"]).source == ("x",)


def test_a_stored_manifest_keeps_declaration_order_and_the_study_rebuilds(
        load_tagged, tmp_path) -> None:
    # issue 18: the manifest was written with sorted keys, so the study rebuilt from it (resume)
    # had its connectors in alphabetical order
    from mozaik.controller import config_differences, study_from_run_dir
    from mozaik.datastore import DataStore

    study, registry = load_tagged(_study(PLAIN + TAGGER + LATERAL))
    order = ["zeta", "tagger", "lateral"]
    with DataStore.create(tmp_path / "run", manifest={"config": study.resolved}) as store:
        assert store.manifest["key_order"] == "declared"
    text = (tmp_path / "run" / "manifest.json").read_text()
    assert text.index('"zeta"') < text.index('"tagger"') < text.index('"lateral"')
    again = study_from_run_dir(tmp_path / "run", registry)
    assert list(again.connectors) == order
    assert list(build_model(again, registry=registry).projections) == order
    swapped = dict(study.resolved, connectors=dict(reversed(study.resolved["connectors"].items())))
    assert config_differences(study.resolved, swapped) == [
        "connectors: declared in the order zeta, tagger, lateral in the run, lateral, tagger, "
        "zeta now"]
    assert config_differences(study.resolved, swapped, ordered=False) == []
