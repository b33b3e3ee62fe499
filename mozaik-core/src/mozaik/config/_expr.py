"""Safe arithmetic expressions in configuration values.

An expression is parsed with :mod:`ast` and walked by hand: only numbers, ``ref('dotted.path')``,
``+ - * / // % **``, unary minus and a whitelist of math functions and constants are accepted.
Nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["FUNCTIONS", "Expr", "ExpressionError", "evaluate", "parse_expression"]

FUNCTIONS: dict[str, Callable[..., float]] = {
    "abs": abs,
    "ceil": math.ceil,
    "cos": math.cos,
    "exp": math.exp,
    "floor": math.floor,
    "int": int,
    "log": math.log,
    "log10": math.log10,
    "max": max,
    "min": min,
    "round": round,
    "sin": math.sin,
    "sqrt": math.sqrt,
    "tan": math.tan,
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


class ExpressionError(ValueError):
    """An expression uses something outside the whitelist or cannot be computed."""


@attrs.frozen
class Expr:
    """An unevaluated expression found in a configuration file.

    Parameters
    ----------
    text : str
        The expression as written, e.g. ``ref('sheets.exc.params.sx') * 2``.
    tree : ast.Expression
        Its validated syntax tree.
    """

    text: str
    tree: ast.Expression = attrs.field(eq=False, repr=False)

    def refs(self) -> list[str]:
        """Dotted paths this expression refers to, in order of appearance."""
        return [
            node.args[0].value  # type: ignore[attr-defined]
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "ref"
        ]


def _allowed() -> str:
    return (f"numbers, ref('dotted.path'), + - * / // % **, constants {sorted(CONSTANTS)} and "
            f"functions {sorted(FUNCTIONS)}")


def _validate(node: ast.AST, text: str) -> None:
    def bad(what: str) -> ExpressionError:
        return ExpressionError(f"{what} is not allowed in expression {text!r}; allowed are "
                               f"{_allowed()}")

    if isinstance(node, ast.Expression):
        _validate(node.body, text)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise bad(f"the literal {node.value!r}")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise bad(f"the operator {type(node.op).__name__}")
        _validate(node.left, text)
        _validate(node.right, text)
    elif isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            raise bad(f"the operator {type(node.op).__name__}")
        _validate(node.operand, text)
    elif isinstance(node, ast.Name):
        if node.id not in CONSTANTS:
            raise bad(f"the name {node.id!r}")
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise bad("calling anything but a plain function name")
        if node.keywords:
            raise bad("a keyword argument")
        if node.func.id == "ref":
            if len(node.args) != 1 or not (isinstance(node.args[0], ast.Constant)
                                           and isinstance(node.args[0].value, str)):
                msg = f"ref() takes one quoted dotted path, e.g. ref('a.b.c'), in {text!r}"
                raise ExpressionError(msg)
            return
        if node.func.id not in FUNCTIONS:
            raise bad(f"the function {node.func.id!r}")
        for arg in node.args:
            _validate(arg, text)
    else:
        raise bad(f"the syntax {type(node).__name__}")


def parse_expression(text: str) -> Expr:
    """Parse and validate ``text``; raises :class:`ExpressionError` if anything is off."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        msg = f"cannot parse expression {text!r}: {exc.msg}"
        raise ExpressionError(msg) from None
    _validate(tree, text)
    return Expr(text, tree)


def evaluate(expr: Expr, lookup: Callable[[str], Any]) -> Any:
    """Compute ``expr``; ``lookup(path)`` returns the (resolved) value a ``ref`` points at.

    A lone ``ref(...)`` returns the referenced value as it is (which may be a string or a
    mapping); arithmetic needs numbers.
    """

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return CONSTANTS[node.id]
        if isinstance(node, ast.Call):
            name = node.func.id  # type: ignore[attr-defined]
            if name == "ref":
                return lookup(node.args[0].value)  # type: ignore[attr-defined]
            return FUNCTIONS[name](*(number(walk(a)) for a in node.args))
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](number(walk(node.operand)))
        if isinstance(node, ast.BinOp):
            left, right = number(walk(node.left)), number(walk(node.right))
            try:
                return _BINARY[type(node.op)](left, right)
            except (ZeroDivisionError, OverflowError) as exc:
                msg = f"cannot compute {expr.text!r}: {exc}"
                raise ExpressionError(msg) from None
        raise ExpressionError(f"unexpected syntax in {expr.text!r}")  # validated already

    def number(value: Any) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = (f"expression {expr.text!r} does arithmetic on {value!r} "
                   f"({type(value).__name__}); only numbers can be combined")
            raise ExpressionError(msg)
        return value

    return walk(expr.tree)
