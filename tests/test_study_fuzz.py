"""Random edits of the shipped studies, with their plugins (issue 18): validated as ``mozaik
config check`` validates them (every section, every component's parameters, the size estimate),
each edit ends in a study or in one ConfigError, never in another exception.

Bounded by hypothesis settings (a fixed number of derandomised examples) so that both studies
take a few seconds each.
"""

from __future__ import annotations

import contextlib
import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mozaik import ConfigError
from mozaik.config import ConfigTree, apply_overrides, get_path, load_tree, resolve
from mozaik.study import check_size, estimate_size, study_from_tree

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# No deadline: the machine is shared, and max_examples bounds the time
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

#: Values of every kind where names, numbers and sections belong.
VALUES = st.one_of(
    st.sampled_from(["~", "[Sheet]", "abc", "{a: 1}", "1", "0", "-1", "1.5", "true", "[]", "{}",
                     "[1, 2]", "[[1]]", ".nan", ".inf", "-.inf", "''", "{component: Sheet}",
                     "{component: [X]}", "{distribution: uniform, low: .nan, high: 1.0}",
                     "100000", "1e9", "ref('name')", "ref('sheets')", "[~, ~]", "-0.0",
                     "{component: CorticalSheet, params: []}", "V1_Exc_L4", "X_ON"]),
    st.text(alphabet=st.sampled_from([*"ab019 -:.,[]{}'\"~!*&|>"]), max_size=10),
)


def _paths(data: object, prefix: str = "") -> list[str]:
    out: list[str] = []
    items = (data.items() if isinstance(data, dict) else
             enumerate(data) if isinstance(data, list) else ())
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        out.append(path)
        out.extend(_paths(value, path))
    return out


def _check(base: ConfigTree, items: list[str], drop: list[str]) -> None:
    data = copy.deepcopy(base.data)
    for path in drop:
        parent, _, leaf = path.rpartition(".")
        with contextlib.suppress(KeyError):
            node = get_path(data, parent) if parent else data
            if isinstance(node, dict):
                node.pop(leaf, None)
    tree = ConfigTree(data=data, sources=dict(base.sources), root=base.root)
    with contextlib.suppress(ConfigError):
        study = study_from_tree(resolve(apply_overrides(tree, items)))
        check_size(estimate_size(study), memory_bytes=2**40, cores=2)


def _edits(paths: list[str]) -> st.SearchStrategy[tuple[list[str], list[str]]]:
    at_path = st.tuples(st.sampled_from(paths), st.sampled_from(["", ".x", ".params", ".0"]),
                        VALUES).map(lambda t: f"{t[0]}{t[1]}={t[2]}")
    anything = st.text(max_size=40)  # a random --set string
    items = st.lists(st.one_of(at_path, at_path, anything), min_size=1, max_size=3)
    return st.tuples(items, st.lists(st.sampled_from(paths), max_size=2))


@pytest.mark.parametrize("example", ["vogels_abbott2005", "v1_pushpull"])
def test_edited_shipped_study_validates_or_is_a_config_error(example: str) -> None:
    base = load_tree(EXAMPLES / example / "study.yaml")
    paths = _paths(base.data)
    estimate_size(study_from_tree(resolve(base)))  # load the plugins outside the examples

    @FUZZ
    @given(_edits(paths))
    def edited(edit: tuple[list[str], list[str]]) -> None:
        _check(base, *edit)

    edited()


def test_shipped_studies_are_estimated_without_bounds() -> None:
    """Every connector of the shipped studies tells its expected size (no every-pair bound), and
    every sheet and population its neurons."""
    for example in ("vogels_abbott2005", "v1_pushpull"):
        estimate = estimate_size(study_from_tree(resolve(load_tree(EXAMPLES / example))))
        assert None not in estimate.neurons.values(), (example, estimate.neurons)
        assert not [c.name for c in estimate.connectors if c.upper_bound], example
    va = estimate_size(study_from_tree(resolve(load_tree(EXAMPLES / "vogels_abbott2005"))))
    assert va.total_neurons == 4000
    # every cell gets 64 excitatory and 16 inhibitory inputs on average
    assert va.total_connections == pytest.approx(4000 * 80)
