"""Safe arithmetic expressions in configuration values.

An expression is parsed with :mod:`ast` and walked by hand: only numbers, ``ref('dotted.path')``,
``+ - * / // % **``, unary minus and a whitelist of math functions and constants are accepted.
Nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

__all__ = [
    "ARRAY_FUNCTIONS",
    "FUNCTIONS",
    "Expr",
    "ExpressionError",
    "evaluate",
    "evaluate_array",
    "parse_array_expression",
    "parse_expression",
]

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


@attrs.frozen
class _Grammar:
    """What one kind of expression may contain."""

    names: frozenset[str]
    functions: frozenset[str]
    allow_ref: bool
    allow_compare: bool

    def describe(self) -> str:
        parts = ["numbers"]
        if self.allow_ref:
            parts.append("ref('dotted.path')")
        if self.names:
            parts.append(f"the names {sorted(self.names)}")
        parts.append(f"constants {sorted(CONSTANTS)}, + - * / // % **")
        if self.allow_compare:
            parts.append("comparisons (< <= > >=)")
        parts.append(f"functions {sorted(self.functions)}")
        return ", ".join(parts)


_CONFIG_GRAMMAR = _Grammar(names=frozenset(), functions=frozenset(FUNCTIONS), allow_ref=True,
                           allow_compare=False)


def _parse(text: str, grammar: _Grammar) -> Expr:
    try:
        tree = ast.parse(str(text).strip(), mode="eval")
    except SyntaxError as exc:
        msg = f"cannot parse expression {text!r}: {exc.msg}"
        raise ExpressionError(msg) from None

    def bad(what: str) -> ExpressionError:
        return ExpressionError(f"{what} is not allowed in expression {text!r}; allowed are "
                               f"{grammar.describe()}")

    def check(node: ast.AST) -> None:
        if isinstance(node, ast.Expression):
            check(node.body)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise bad(f"the literal {node.value!r}")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise bad(f"the operator {type(node.op).__name__}")
            check(node.left)
            check(node.right)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise bad(f"the operator {type(node.op).__name__}")
            check(node.operand)
        elif isinstance(node, ast.Compare) and grammar.allow_compare:
            if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
                raise bad("a chained or unsupported comparison")
            check(node.left)
            check(node.comparators[0])
        elif isinstance(node, ast.Name):
            if node.id not in grammar.names and node.id not in CONSTANTS:
                raise bad(f"the name {node.id!r}")
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise bad("calling anything but a plain function name")
            if node.keywords:
                raise bad("a keyword argument")
            if node.func.id == "ref" and grammar.allow_ref:
                if len(node.args) != 1 or not (isinstance(node.args[0], ast.Constant)
                                               and isinstance(node.args[0].value, str)):
                    msg = f"ref() takes one quoted dotted path, e.g. ref('a.b.c'), in {text!r}"
                    raise ExpressionError(msg)
                return
            if node.func.id not in grammar.functions:
                raise bad(f"the function {node.func.id!r}")
            for arg in node.args:
                check(arg)
        else:
            raise bad(f"the syntax {type(node).__name__}")

    check(tree)
    return Expr(str(text), tree)


def _walk(expr: Expr, *, name: Callable[[str], Any], call: Callable[[str, list[Any]], Any],
          ref: Callable[[str], Any], operand: Callable[[Any], Any],
          compare: Callable[[Any], Any]) -> Any:
    """Compute a validated expression; the callbacks give the meaning of names, calls, refs,
    operands of arithmetic (a type check) and comparison results."""

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return name(node.id)
        if isinstance(node, ast.Call):
            fname = node.func.id  # type: ignore[attr-defined]
            if fname == "ref":
                return ref(node.args[0].value)  # type: ignore[attr-defined]
            return call(fname, [operand(walk(a)) for a in node.args])
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](operand(walk(node.operand)))
        if isinstance(node, ast.Compare):
            left, right = operand(walk(node.left)), operand(walk(node.comparators[0]))
            return compare(_COMPARE[type(node.ops[0])](left, right))
        if isinstance(node, ast.BinOp):
            left, right = operand(walk(node.left)), operand(walk(node.right))
            return _BINARY[type(node.op)](left, right)
        raise ExpressionError(f"unexpected syntax in {expr.text!r}")  # validated already

    try:
        return walk(expr.tree)
    except (ZeroDivisionError, OverflowError) as exc:
        msg = f"cannot compute {expr.text!r}: {exc}"
        raise ExpressionError(msg) from None


def parse_expression(text: str) -> Expr:
    """Parse and validate a configuration expression; raises :class:`ExpressionError`."""
    return _parse(text, _CONFIG_GRAMMAR)


def evaluate(expr: Expr, lookup: Callable[[str], Any]) -> Any:
    """Compute ``expr``; ``lookup(path)`` returns the (resolved) value a ``ref`` points at.

    A lone ``ref(...)`` returns the referenced value as it is (which may be a string or a
    mapping); arithmetic needs numbers.
    """

    def number(value: Any) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = (f"expression {expr.text!r} does arithmetic on {value!r} "
                   f"({type(value).__name__}); only numbers can be combined")
            raise ExpressionError(msg)
        return value

    return _walk(expr, name=CONSTANTS.__getitem__, call=lambda f, args: FUNCTIONS[f](*args),
                 ref=lookup, operand=number, compare=float)


# ------------------------------------------------------------------------------------------------
# Array expressions: named arrays instead of ref(), numpy functions (used by the modular connector)
# ------------------------------------------------------------------------------------------------

#: Functions allowed in array expressions; each maps element-wise over numpy arrays.
ARRAY_FUNCTIONS: tuple[str, ...] = (
    "abs", "cos", "exp", "log", "log10", "maximum", "minimum", "sin", "sqrt", "tan", "where",
)


def parse_array_expression(text: str, names: Iterable[str]) -> Expr:
    """Parse an expression over named arrays, e.g. ``'f1 * f2'`` or ``'0.5 + d1 / 300'``.

    Allowed: numbers, the given ``names``, constants ``pi`` and ``e``, ``+ - * / // % **``,
    comparisons (``d1 < 100``) and the functions in :data:`ARRAY_FUNCTIONS`. ``ref()`` is not
    allowed (references are resolved when the file is loaded). Raises :class:`ExpressionError`.
    """
    grammar = _Grammar(names=frozenset(names), functions=frozenset(ARRAY_FUNCTIONS),
                       allow_ref=False, allow_compare=True)
    return _parse(text, grammar)


def evaluate_array(expr: Expr, values: Mapping[str, Any]) -> Any:
    """Compute an expression from :func:`parse_array_expression` element-wise with numpy.

    ``values`` maps each name to a number or a numpy array; arrays broadcast as in numpy.
    Comparisons give 0.0/1.0.
    """
    import numpy as np

    def name(key: str) -> Any:
        if key in values:
            return values[key]
        if key in CONSTANTS:
            return CONSTANTS[key]
        msg = f"expression {expr.text!r} uses {key!r}, which has no value"
        raise ExpressionError(msg)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _walk(expr, name=name, call=lambda f, args: getattr(np, f)(*args),
                     ref=name, operand=lambda v: v,
                     compare=lambda r: np.asarray(r, dtype=float))


_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
