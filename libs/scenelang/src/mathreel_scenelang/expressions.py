"""Safe evaluation of the ``plot`` action's function of x.

Expressions are untrusted text, so they are never given to ``eval``: simpleeval walks the syntax tree itself and
only knows the arithmetic operators, the names and the functions listed here.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

import simpleeval

# The functions an expression may call, and the constants it may name besides x.
FUNCTIONS: dict[str, Callable[..., float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "arcsin": math.asin,
    "arccos": math.acos,
    "arctan": math.atan,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "exp": math.exp,
    "log": math.log,
    "ln": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sqrt": math.sqrt,
    "abs": abs,
    "Abs": abs,  # SymPy's spelling, as str() of a SymPy expression writes it
    "floor": math.floor,
    "ceil": math.ceil,
    "sign": lambda v: math.copysign(1.0, v) if v else 0.0,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_OPERATORS: dict[type[ast.AST], Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: simpleeval.safe_power,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
# Arithmetic that fails at one x (a pole, a log of a negative) leaves a gap in the graph rather than failing it.
_POINT_ERRORS = (ArithmeticError, ValueError, TypeError, simpleeval.NumberTooHigh)


class ExpressionError(ValueError):
    """The expression is not a plain arithmetic expression in x."""


def compile_expression(src: str) -> Callable[[float], float]:
    """Parse ``src`` once and return f(x); f returns NaN where the expression is undefined.

    ``^`` is read as a power, as people write it. Raises :class:`ExpressionError` for anything that is not
    arithmetic over x, pi, e and the whitelisted functions.
    """
    text = src.strip().replace("^", "**")
    if not text:
        raise ExpressionError("empty expression")
    evaluator = simpleeval.SimpleEval(operators=_OPERATORS, functions=FUNCTIONS, names={})
    try:
        tree = evaluator.parse(text)
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse expression {src!r}") from exc
    _check_tree(tree, src)
    names: dict[str, float] = dict(CONSTANTS)
    evaluator.names = names

    def f(x: float) -> float:
        names["x"] = x
        try:
            value = evaluator.eval(text, previously_parsed=tree)
        except _POINT_ERRORS:
            return math.nan
        if isinstance(value, complex) or not isinstance(value, int | float):
            return math.nan
        return float(value)

    return f


def _check_tree(tree: ast.AST, src: str) -> None:
    """Refuse names and calls up front, so a bad expression fails before any rendering starts."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id != "x" and node.id not in CONSTANTS and node.id not in FUNCTIONS:
            raise ExpressionError(f"unknown name '{node.id}' in {src!r}")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise ExpressionError(f"only {', '.join(sorted(FUNCTIONS))} may be called in {src!r}")
            if node.keywords or len(node.args) != 1:
                raise ExpressionError(f"functions take exactly one argument in {src!r}")
        if isinstance(node, ast.BinOp | ast.UnaryOp) and type(node.op) not in _OPERATORS:
            raise ExpressionError(f"operator not allowed in {src!r}")
        if isinstance(node, ast.Compare | ast.BoolOp | ast.IfExp | ast.Attribute | ast.Subscript | ast.Lambda):
            raise ExpressionError(f"only arithmetic is allowed in {src!r}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise ExpressionError(f"only numbers are allowed as constants in {src!r}")
