"""Arithmetic on user text that cannot explode: a size check first, then floats, never arbitrary precision.

SymPy evaluates exactly: ``9^9^9^9`` would be computed digit by digit until memory runs out. Everything the planner
computes from a context goes through ``check_size`` (refusing towers of powers, huge integers, factorials and long
expressions) and is then evaluated with floats through ``math``, where an overflow is an error, not a hang.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import sympy

MAX_NODES = 60
MAX_EXPONENT = 64
MAX_INTEGER_DIGITS = 9


class UnsafeExpression(ValueError):
    """The expression is too large or too costly to evaluate."""


def check_size(expr: sympy.Basic) -> None:
    """Refuse what could make arithmetic explode: long expressions, towers of powers, huge numbers, factorials."""
    nodes = 0
    for node in sympy.preorder_traversal(expr):
        nodes += 1
        if nodes > MAX_NODES:
            raise UnsafeExpression("the expression is too long")
        if isinstance(node, sympy.Integer) and len(str(abs(int(node)))) > MAX_INTEGER_DIGITS:
            raise UnsafeExpression("a number in the expression is too large")
        if isinstance(node, sympy.Pow):
            exponent = node.exp
            if any(isinstance(inner, sympy.Pow) for inner in sympy.preorder_traversal(exponent)):
                raise UnsafeExpression("powers of powers are not evaluated")
            if exponent.is_Number and abs(float(exponent)) > MAX_EXPONENT:
                raise UnsafeExpression("an exponent is too large")
        if isinstance(node, sympy.factorial | sympy.gamma):
            raise UnsafeExpression("factorials are not evaluated")


def numeric(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> Callable[..., float]:
    """``expr`` as a float function of ``variables``; raises ``UnsafeExpression`` on what it will not evaluate."""
    check_size(expr)
    function = sympy.lambdify(list(variables), expr, modules="math")

    def evaluate(*values: float) -> float:
        try:
            value = float(function(*values))
        except (ArithmeticError, ValueError, TypeError):
            return math.nan
        return value if math.isfinite(value) else math.nan

    return evaluate
