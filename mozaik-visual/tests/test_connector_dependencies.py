"""The V1 connectors declare their annotation dependencies (issue 18): push-pull lateral
connectors declared before the Gabor afferents that give their sheet receptive fields build the
same network as in the dependency order."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from mozaik.model import CONNECTOR_FUNCTIONS, CONNECTORS, build_model
from mozaik.plugin import SheetAnnotations, get_registry
from mozaik.study import load_study
from mozaik_visual.cortex import GABOR_ANNOTATIONS

AFFERENT = """\
  aff:
    component: GaborAfferentConnector
    source: X_ON
    target: exc
    params: {off_sheet: X_OFF, num_samples: 10, size_deg: 0.15, frequency_cpd: 2.0,
             aspect_ratio: 1.0, extent_sigma: 2.0,
             weight_uS: 0.001, delay_ms: 1.0}
"""
LATERAL = """\
  lateral:
    component: ModularSamplingConnector
    source: exc
    target: exc
    params:
      weight_functions: {f1: {component: V1PushPull, params: {}}}
      weight_expression: f1
      base_weight_uS: 0.001
      num_samples: 5
"""


def _study(connectors: str) -> str:
    return textwrap.dedent("""\
        name: order
        simulator: {backend: nest, seed: 7}
        input_space: {component: VisualSpace, params: {size_deg: [2.0, 2.0]}}
        sensory_input:
          component: RetinaLGN
          params: {size_deg: [1.5, 1.5], n_cells: 64}
        sheets:
          exc:
            component: CorticalSheet
            params:
              cell: {model: IF_cond_exp}
              placement: {size_um: [300.0, 300.0], n_neurons: 12}
              magnification_factor_um_per_deg: 1000.0
        connectors:
        """) + connectors


def test_the_records_declare_what_gabor_sets_and_push_pull_reads() -> None:
    registry = get_registry()
    gabor = registry[CONNECTORS]["GaborAfferentConnector"].spec
    assert gabor.provides_annotations == SheetAnnotations(
        target=tuple(GABOR_ANNOTATIONS.values()))
    reads = registry[CONNECTOR_FUNCTIONS]["V1PushPull"].spec.requires_annotations
    assert set(reads.source) == set(reads.target) == {"gabor_orientation_rad",
                                                       "gabor_phase_rad"}


def _connections(text: str, tmp_path: Path, name: str) -> tuple[list[str], np.ndarray]:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    model = build_model(load_study(path))
    pairs = np.asarray(model.projections["lateral"].projection.get(["weight"], format="list"))
    return list(model.projections), pairs


@pytest.mark.nest
def test_lateral_declared_first_builds_the_network_of_the_dependency_order(
        tmp_path: Path) -> None:
    order, first = _connections(_study(LATERAL + AFFERENT), tmp_path, "lateral_first")
    assert order == ["aff", "lateral"]
    again, second = _connections(_study(AFFERENT + LATERAL), tmp_path, "afferent_first")
    assert again == ["aff", "lateral"]
    assert len(first) > 0
    np.testing.assert_array_equal(first, second)
