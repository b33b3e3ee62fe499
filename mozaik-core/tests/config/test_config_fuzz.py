"""Property-based fuzzing of the configuration loader, the expression evaluator and study
validation: whatever the input, loading ends in a tree (a study) or in a ConfigError, never in
another exception (issue 8 part 1, issue 18: random edits of a shipped study).

Bounded (a fixed number of examples, each with a deadline) so that it takes a few seconds.
"""

from __future__ import annotations

import contextlib
import copy
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mozaik import ConfigError
from mozaik.config import ConfigTree, apply_overrides, get_path, load_config, load_tree, resolve

FUZZ = settings(max_examples=200, deadline=1000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

# Characters that mean something to YAML, to the expression grammar and to include paths.
YAML_ALPHABET = st.sampled_from([
    *"abcxyz019 -:.,[]{}&*!|>'\"#%@`?<=+/\\()~\t\n",
    "!include ", "!expr ", "ref('", "<<: ", "*a", "&a ", "---", "...", "\u00b2", "\u0660",
    ".nan", ".inf", "2001-02-30", "!!binary ", "!!python/name:os.system", "/etc/passwd",
    "../", "\ufeff", "1e308", "10**", "0x", "0o"])


def load_text(text: str, overrides: tuple[str, ...] = ()) -> None:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "study.yaml"
        file.write_text(text, encoding="utf-8", errors="surrogatepass")
        (Path(folder) / "part.yaml").write_text("k: 1\nl: [1, 2]\n")
        with contextlib.suppress(ConfigError):
            load_config(file, overrides)


LINES = st.lists(st.tuples(
    st.sampled_from(["", "  ", "    ", "- ", "  - "]),
    st.sampled_from(["a: ", "b: ", "<<: ", "1: ", "? ", "", "- ", "a.b: ", "'x': "]),
    st.lists(YAML_ALPHABET, min_size=0, max_size=5).map("".join),
).map("".join), max_size=12).map("\n".join)


# Well-formed mappings of odd scalars, so that values reach the constructors.
SCALARS = st.lists(st.lists(YAML_ALPHABET, min_size=1, max_size=3).map("".join),
                   max_size=6).map(lambda values: "".join(
                       f"k{i}: {value}\n" for i, value in enumerate(values)))


@FUZZ
@given(st.one_of(st.lists(YAML_ALPHABET, max_size=60).map("".join), LINES, SCALARS))
def test_loader_never_raises_anything_but_config_error(text: str) -> None:
    load_text(text)


def _expressions() -> st.SearchStrategy[str]:
    leaves = st.one_of(
        st.integers(min_value=-10**6, max_value=10**6).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.sampled_from(["pi", "e", "nan", "ref('x')", "ref('y')", "ref('s')", "ref('m')",
                         "ref('nope')", "ref('z')", "1e308", "0", "-0.0", "9" * 30]),
    )

    def combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "//", "%", "**"]),
                           children).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        unary = st.tuples(st.sampled_from(["-", "+"]), children).map("".join)
        call = st.tuples(
            st.sampled_from(["abs", "ceil", "cos", "exp", "floor", "int", "log", "log10", "max",
                             "min", "round", "sin", "sqrt", "tan", "open", "ref"]),
            st.lists(children, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})")
        return st.one_of(binary, unary, call)

    return st.recursive(leaves, combine, max_leaves=12)


@FUZZ
@given(_expressions(), st.booleans())
def test_evaluator_never_raises_anything_but_config_error(expr: str, as_override: bool) -> None:
    base = "x: 3\ny: -2.5\ns: text\nm: {k: 1}\nz: .nan\n"
    if as_override:
        load_text(base + "v: 0\n", (f"v={expr}" if "ref(" in expr else f"v=!expr {expr}",))
    else:
        load_text(base + f"v: !expr {expr}\nw: {yaml.safe_dump(expr).strip()}\n")


@FUZZ
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=6), children, max_size=4)),
    max_leaves=25))
def test_any_yaml_document_loads_or_is_a_config_error(document: object) -> None:
    load_text(yaml.safe_dump({"top": document, "again": document}))


# ------------------------------------------------------------------------------------------------
# Random edits of a shipped study, validated as ``mozaik config check`` validates (issue 18)
# ------------------------------------------------------------------------------------------------

# No deadline (the machine is shared): max_examples bounds the time
STUDY_FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.too_slow,
                                             HealthCheck.function_scoped_fixture])

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

#: YAML values of every shape: the wrong type where a name, a number or a section belongs.
YAML_VALUES = st.one_of(
    st.sampled_from(["~", "[Sheet]", "abc", "{a: 1}", "1", "0", "-1", "1.5", "true", "[]", "{}",
                     "[1, 2]", "[[1]]", ".nan", ".inf", "-.inf", "''", "{component: Sheet}",
                     "{component: [Sheet]}", "{component: ~}", "{distribution: normal}",
                     "{distribution: normal, mu: .nan, sigma: 1.0}", "1e400", "100000",
                     "ref('name')", "ref('sheets')", "ref('nope') * 2", "[~, ~]", "!expr 1/0",
                     "{component: Sheet, params: []}", "-0.0", "1e308 * 10", "2**40"]),
    st.lists(YAML_ALPHABET, max_size=8).map("".join),
)


def tree_paths(data: object, prefix: str = "") -> list[str]:
    """Every dotted path of a loaded tree (mappings and lists)."""
    out: list[str] = []
    items = (data.items() if isinstance(data, dict) else
             enumerate(data) if isinstance(data, list) else ())
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        out.append(path)
        out.extend(tree_paths(value, path))
    return out


def study_edits(paths: list[str]) -> st.SearchStrategy[list[str]]:
    """Lists of ``--set`` items: a random value at an existing path (or one level below it), or
    a random string."""
    at_path = st.tuples(st.sampled_from(paths), st.sampled_from(["", ".x", ".params", ".0"]),
                        YAML_VALUES).map(lambda t: f"{t[0]}{t[1]}={t[2]}")
    anything = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
                       max_size=30)
    return st.lists(st.one_of(at_path, anything), min_size=1, max_size=3)


def check_edited(base: ConfigTree, items: list[str], drop: list[str]) -> None:
    """Validate ``base`` with keys removed and ``items`` set, as ``config check`` does; any
    exception but a ConfigError fails the test."""
    from mozaik.study import check_size, estimate_size, study_from_tree

    data = copy.deepcopy(base.data)
    for path in drop:
        parent, _, leaf = path.rpartition(".")
        node = get_path(data, parent) if parent else data
        if isinstance(node, dict):
            node.pop(leaf, None)
    tree = ConfigTree(data=data, sources=dict(base.sources), root=base.root)
    with contextlib.suppress(ConfigError):
        study = study_from_tree(resolve(apply_overrides(tree, items)))
        check_size(estimate_size(study), memory_bytes=2**40)


def core_study() -> ConfigTree:
    """The Vogels & Abbott example without its plugins' sections (core's components only)."""
    tree = load_tree(EXAMPLES / "vogels_abbott2005" / "study.yaml")
    data = {k: v for k, v in tree.data.items() if k not in ("analyses", "plots")}
    return ConfigTree(data=data, sources=tree.sources, root=tree.root)


CORE_STUDY = core_study()
CORE_PATHS = tree_paths(CORE_STUDY.data)


@STUDY_FUZZ
@given(study_edits(CORE_PATHS), st.lists(st.sampled_from(CORE_PATHS), max_size=2))
def test_edited_core_study_validates_or_is_a_config_error(items: list[str],
                                                          drop: list[str]) -> None:
    check_edited(CORE_STUDY, items, drop)


@pytest.mark.parametrize("item", [
    "connectors.exc_exc.component=~", "sheets.exc.component=[Sheet]", "simulator=abc",
    "controller=[1]", "sheets.inh.params=[Sheet]", "connectors.exc_exc.params=abc",
    "connectors.exc_exc.source=[exc]", "connectors.exc_exc.target=~",
    "experiments.0.component={a: 1}", "experiments.0.params=1", "sheets.exc.params.cell=abc",
    "sheets.inh.params.placement=[1]", "description=[1]", "simulator=[]",
    "sheets.exc.component=1",
])
def test_wrong_kind_of_value_is_a_config_error(item: str) -> None:
    """The kinds of value that gave tracebacks (a name or a section that is not a string or a
    mapping): each is one ConfigError naming the command line and the dotted path."""
    from mozaik.study import study_from_tree

    path = item.partition("=")[0]
    with pytest.raises(ConfigError) as info:
        study_from_tree(resolve(apply_overrides(CORE_STUDY, [item])))
    assert f"--set {item}" in str(info.value)
    assert path in str(info.value)
