"""Safe arithmetic expressions in configuration values.

An expression is parsed with :mod:`ast` and walked by hand: only numbers, ``ref('dotted.path')``,
``+ - * / // % **``, unary minus and a whitelist of math functions and constants are accepted.
Nothing is ever passed to ``eval``.

Hostile input is bounded: an expression has at most :data:`MAX_EXPRESSION_CHARS` characters and
:data:`MAX_EXPRESSION_DEPTH` levels of nesting, integer results at most :data:`MAX_INTEGER_BITS`
bits (a power is refused before it is computed if its result would be larger), and every result
must be a finite real number. Every failure is an :class:`ExpressionError` naming the expression.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

__all__ = [
    "ARRAY_FUNCTIONS",
    "FUNCTIONS",
    "MAX_EXPRESSION_CHARS",
    "MAX_EXPRESSION_DEPTH",
    "MAX_INTEGER_BITS",
    "Expr",
    "ExpressionError",
    "evaluate",
    "evaluate_array",
    "expression_names",
    "parse_array_expression",
    "parse_expression",
]

#: Longest expression text accepted, in characters.
MAX_EXPRESSION_CHARS = 10_000
#: Deepest nesting of an expression's syntax tree (a sum of n terms nests n levels).
MAX_EXPRESSION_DEPTH = 200
#: Largest integer an expression may compute, in bits (2**1024 is just above the float range).
MAX_INTEGER_BITS = 1024
#: Largest number of decimal digits ``round`` may be asked for (either sign).
_MAX_ROUND_DIGITS = 400


def _round(value: float, ndigits: int | None = None) -> float:
    if ndigits is not None and not -_MAX_ROUND_DIGITS <= ndigits <= _MAX_ROUND_DIGITS:
        msg = f"round() takes at most {_MAX_ROUND_DIGITS} digits either way, got {ndigits!r}"
        raise ValueError(msg)
    return round(value) if ndigits is None else round(value, ndigits)


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
    "round": _round,
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
    ast.Pow: lambda a, b: _power(a, b),
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


def _power(base: Any, exponent: Any) -> Any:
    """``base ** exponent``, refusing integer results above :data:`MAX_INTEGER_BITS` before
    computing them."""
    if (isinstance(base, int) and isinstance(exponent, int) and exponent > 0
            and abs(base) > 1):
        bits = exponent * math.log2(abs(base))
        if bits > MAX_INTEGER_BITS:
            msg = (f"the power {_short(base)} ** {_short(exponent)} would be an integer of about "
                   f"{bits:.3g} bits, above the limit of {MAX_INTEGER_BITS} bits "
                   "(MAX_INTEGER_BITS); write the base as a float (e.g. 10.0 ** 400) to compute "
                   "in floating point")
            raise ExpressionError(msg)
    return operator.pow(base, exponent)


#: Longest expression a message shows whole; a longer one is cut, its references listed whole.
SHOWN_EXPRESSION_CHARS = 200
_REF_CALL = re.compile(r"ref\(\s*(['\"])(.*?)\1\s*\)")


def shown_expression(text: str) -> str:
    """``text`` for a message: whole up to :data:`SHOWN_EXPRESSION_CHARS` characters, else cut
    with every ``ref()`` path it names listed whole (the path is what a user needs to see)."""
    if len(text) <= SHOWN_EXPRESSION_CHARS:
        return repr(text)
    refs = list(dict.fromkeys(m.group(2) for m in _REF_CALL.finditer(text)))
    named = f"; it refers to {', '.join(refs)}" if refs else ""
    return f"{text[:60]!r}... ({len(text)} characters{named})"


def _short(value: Any) -> str:
    text = repr(value)
    unit = "characters" if isinstance(value, str) else "digits"
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]} ({len(text)} {unit})"


def _check_depth(tree: ast.AST, text: str) -> None:
    """Refuse syntax trees nested deeper than :data:`MAX_EXPRESSION_DEPTH` (without recursing)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            msg = (f"expression {_short(text)} nests more than {MAX_EXPRESSION_DEPTH} levels deep "
                   f"(MAX_EXPRESSION_DEPTH; a sum of n terms nests n levels); split it into "
                   "several values joined with ref()")
            raise ExpressionError(msg)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _parse(text: str, grammar: _Grammar) -> Expr:
    text = str(text)
    if len(text) > MAX_EXPRESSION_CHARS:
        msg = (f"expression {_short(text)} has {len(text)} characters, above the limit of "
               f"{MAX_EXPRESSION_CHARS} (MAX_EXPRESSION_CHARS)")
        raise ExpressionError(msg)
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal": an error follows
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        msg = f"cannot parse expression {_short(text)}: {exc.msg}"
        raise ExpressionError(msg) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        reason = str(exc) or type(exc).__name__
        msg = (f"cannot parse expression {_short(text)}: {reason} (it nests too deeply or a "
               "literal is too long)")
        raise ExpressionError(msg) from None
    _check_depth(tree, text)

    def bad(what: str) -> ExpressionError:
        return ExpressionError(f"{what} is not allowed in expression {text!r}; allowed are "
                               f"{grammar.describe()}")

    def check(node: ast.AST) -> None:
        if isinstance(node, ast.Expression):
            check(node.body)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise bad(f"the literal {_short(node.value)}")
            if isinstance(node.value, int) and node.value.bit_length() > MAX_INTEGER_BITS:
                msg = (f"the literal {_short(node.value)} in expression {_short(text)} is above "
                       f"the limit of {MAX_INTEGER_BITS} bits (MAX_INTEGER_BITS)")
                raise ExpressionError(msg)
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
    operands of arithmetic (a type and size check, also applied to every result) and
    comparison results."""

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
            return operand(call(fname, [operand(walk(a)) for a in node.args]))
        if isinstance(node, ast.UnaryOp):
            return operand(_UNARY[type(node.op)](operand(walk(node.operand))))
        if isinstance(node, ast.Compare):
            left, right = operand(walk(node.left)), operand(walk(node.comparators[0]))
            return compare(_COMPARE[type(node.ops[0])](left, right))
        if isinstance(node, ast.BinOp):
            left, right = operand(walk(node.left)), operand(walk(node.right))
            return operand(_BINARY[type(node.op)](left, right))
        raise ExpressionError(f"unexpected syntax in {expr.text!r}")  # validated already

    try:
        return walk(expr.tree)
    except (ZeroDivisionError, OverflowError, ValueError, TypeError) as exc:
        if isinstance(exc, ExpressionError):
            raise
        reason = ("the result overflows the floating-point range (about 1.8e308)"
                  if isinstance(exc, OverflowError) else str(exc))
        msg = f"cannot compute {shown_expression(expr.text)}: {reason}"
        raise ExpressionError(msg) from None
    except RecursionError:
        msg = (f"cannot compute {shown_expression(expr.text)}: its references nest too deeply; "
               "shorten the chain of ref()s")
        raise ExpressionError(msg) from None


def _calling(expr: Expr, table: Callable[[str], Callable[..., Any]]
             ) -> Callable[[str, list[Any]], Any]:
    """A ``call`` callback for :func:`_walk` turning any failure into an ExpressionError
    naming the call and the expression."""

    def call(fname: str, args: list[Any]) -> Any:
        try:
            return table(fname)(*args)
        except (ValueError, TypeError, OverflowError, ZeroDivisionError, ArithmeticError) as exc:
            shown = ", ".join(_short(a) for a in args)
            msg = f"{fname}({shown}) failed in expression {shown_expression(expr.text)}: {exc}"
            raise ExpressionError(msg) from None

    return call


class NotANumberError(ExpressionError):
    """An expression does arithmetic on a value that is not a number.

    Attributes
    ----------
    value : Any
        The operand, so that the loader can blame the value a ``ref()`` brought in (where it was
        written) rather than every expression that uses it.
    """

    def __init__(self, message: str, value: Any) -> None:
        super().__init__(message)
        self.value = value


def parse_expression(text: str) -> Expr:
    """Parse and validate a configuration expression; raises :class:`ExpressionError`."""
    return _parse(text, _CONFIG_GRAMMAR)


def evaluate(expr: Expr, lookup: Callable[[str], Any]) -> Any:
    """Compute ``expr``; ``lookup(path)`` returns the (resolved) value a ``ref`` points at.

    A lone ``ref(...)`` returns the referenced value as it is (which may be a string or a
    mapping); arithmetic needs numbers.
    """

    def number(value: Any) -> float | int:
        if isinstance(value, complex):
            msg = (f"expression {shown_expression(expr.text)} gives the complex number {value!r}; "
                   "configuration values are real numbers")
            raise ExpressionError(msg)
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = (f"expression {shown_expression(expr.text)} does arithmetic on {_short(value)} "
                   f"({type(value).__name__}); only numbers can be combined")
            raise NotANumberError(msg, value)
        if isinstance(value, float) and not math.isfinite(value):
            msg = (f"expression {shown_expression(expr.text)} gives {value!r}; expressions "
                   "must give finite numbers")
            raise ExpressionError(msg)
        if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
            msg = (f"expression {shown_expression(expr.text)} gives an integer of "
                   f"{value.bit_length()} bits, above the limit of {MAX_INTEGER_BITS} bits "
                   "(MAX_INTEGER_BITS)")
            raise ExpressionError(msg)
        return value

    return _walk(expr, name=CONSTANTS.__getitem__, call=_calling(expr, FUNCTIONS.__getitem__),
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
        return _walk(expr, name=name, call=_calling(expr, lambda f: getattr(np, f)),
                     ref=name, operand=_bounded_int,
                     compare=lambda r: np.asarray(r, dtype=float))


def expression_names(expr: Expr) -> set[str]:
    """The plain names an expression uses (e.g. ``{'f1', 'f2'}`` for ``'f1 * f2'``)."""
    return {node.id for node in ast.walk(expr.tree) if isinstance(node, ast.Name)}


def _bounded_int(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
        msg = (f"an integer of {value.bit_length()} bits is above the limit of "
               f"{MAX_INTEGER_BITS} bits (MAX_INTEGER_BITS)")
        raise ExpressionError(msg)
    return value


_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
