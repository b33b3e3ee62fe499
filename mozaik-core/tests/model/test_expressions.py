"""Safe array expressions of the modular and distance-dependent connectors; import hygiene."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from mozaik.config import ExpressionError, evaluate_array, parse_array_expression


def test_array_expression_evaluates_elementwise() -> None:
    expr = parse_array_expression("2 * f1 * f2 + exp(-d / 100) * (d < 150)", ["f1", "f2", "d"])
    f1, f2, d = np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([100.0, 200.0])
    expected = 2 * f1 * f2 + np.exp(-d / 100) * (d < 150)
    assert np.allclose(evaluate_array(expr, {"f1": f1, "f2": f2, "d": d}), expected)
    assert evaluate_array(parse_array_expression("2", []), {}) == 2
    both = parse_array_expression("minimum(a, 1) + where(a > 1, 10, 0)", ["a"])
    assert np.allclose(evaluate_array(both, {"a": np.array([0.5, 3.0])}), [0.5, 11.0])


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "f1.real", "f1[0]", "open('x')", "lambda: 1",
    "ref('a.b')", "'text'", "f1 if f1 else f2", "[f1]", "0 < f1 < 1", "g",
])
def test_array_expression_rejects_everything_else(text: str) -> None:
    with pytest.raises(ExpressionError, match="not allowed|cannot parse|chained"):
        parse_array_expression(text, ["f1", "f2"])


def test_importing_the_model_package_loads_no_simulator() -> None:
    script = ("import sys, mozaik.model; "
              "print(any(m == 'nest' or m.startswith('pyNN') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=60).stdout.strip()
    assert out == "False"
