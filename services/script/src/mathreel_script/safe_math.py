"""The planner's arithmetic on user formulas: structure checked first, values computed within bounds.

``bounded_math`` bounds an expression's size and every value it computes. Before SymPy itself touches a user
formula (expanding it, reading it as a polynomial), ``check_size`` also refuses what SymPy would evaluate exactly
and at any cost: towers of powers, large exponents, huge integers and factorials. ``numeric`` turns a formula into a
float function for graphs: a value out of range is a gap in the curve, never a hang.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import sympy

from mathreel_script import bounded_math
from mathreel_shared.isolation import InputTooComplex

MAX_EXPONENT = 64
MAX_INTEGER_DIGITS = 9

UnsafeExpression = InputTooComplex
"""What ``check_size`` raises: the formula is too large or too costly to work with."""


def check_size(expr: sympy.Basic) -> None:
    """Refuse what could make exact arithmetic explode: long or deep expressions, towers of powers, large exponents,
    huge integers and factorials."""
    bounded_math.check_size(expr)
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Integer) and len(str(abs(int(node)))) > MAX_INTEGER_DIGITS:
            raise UnsafeExpression("a number in the formula is too large")
        if isinstance(node, sympy.Pow):
            exponent = node.exp
            if any(isinstance(inner, sympy.Pow) for inner in sympy.preorder_traversal(exponent)):
                raise UnsafeExpression("powers of powers are not computed from user text")
            if exponent.is_Number and abs(float(exponent)) > MAX_EXPONENT:
                raise UnsafeExpression("an exponent in the formula is too large")
        if isinstance(node, sympy.factorial | sympy.gamma):
            raise UnsafeExpression("factorials are not computed from user text")


def numeric(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> Callable[..., float]:
    """``expr`` as a float function of ``variables``: NaN where it is undefined, complex or out of range."""
    check_size(expr)

    def evaluate(*values: float) -> float:
        try:
            value = bounded_math.evaluate(expr, dict(zip(variables, values, strict=True)))
        except (InputTooComplex, ValueError, ZeroDivisionError, OverflowError):
            return math.nan
        if abs(value.imag) > 1e-9 * max(1.0, abs(value.real)) or not math.isfinite(value.real):
            return math.nan
        return value.real

    return evaluate
