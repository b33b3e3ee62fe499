"""Property-based fuzzing of the configuration loader and the expression evaluator: whatever the
input, loading ends in a tree or in a ConfigError, never in another exception (issue 8 part 1).

Bounded (a fixed number of examples, each with a deadline) so that it takes a few seconds.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mozaik import ConfigError
from mozaik.config import load_config

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
