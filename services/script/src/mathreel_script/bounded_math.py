"""User math evaluated within bounds: its size and the size of every value in it are checked as it is computed.

A context can state ``9^9^9^9 = 5``: parsing it is cheap, evaluating it with SymPy is not (mpmath and GMP would
work on a number with hundreds of millions of digits, holding the interpreter). ``evaluate`` never hands user math
to ``evalf``: it bounds the expression's node count and nesting, then computes it bottom-up in double-precision
complex arithmetic, where every operation costs the same whatever its operands, and refuses the first intermediate
value beyond ``10^MAX_DECIMAL_EXPONENT``. The planner only checks that a stated computation holds to the digits it
is written with, which doubles carry with room to spare. What is refused raises
:class:`~mathreel_shared.isolation.InputTooComplex`.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable, Mapping

import sympy

from mathreel_shared.isolation import InputTooComplex

MAX_NODES = 80
MAX_DEPTH = 12
# No intermediate value above 10^100 in magnitude: a worked example on screen never needs one.
MAX_DECIMAL_EXPONENT = 100
_MAX_MAGNITUDE = 10.0**MAX_DECIMAL_EXPONENT

_FUNCTIONS: dict[type[sympy.Basic], Callable[[complex], complex]] = {
    sympy.exp: cmath.exp,
    sympy.log: cmath.log,
    sympy.sin: cmath.sin,
    sympy.cos: cmath.cos,
    sympy.tan: cmath.tan,
}
_CONSTANTS: dict[sympy.Basic, complex] = {sympy.pi: math.pi, sympy.E: math.e}


def evaluate(expr: sympy.Basic, values: Mapping[sympy.Symbol, float] | None = None) -> complex:
    """The value of ``expr``, its symbols taken from ``values``.

    Raises ``InputTooComplex`` for an expression with too many parts, nested too deep, with a value beyond the
    bound or a function it does not know; ``ValueError`` for a symbol without a value; ``ZeroDivisionError`` for a
    division by zero.
    """
    check_size(expr)
    return _value(expr, dict(values or {}))


def check_size(expr: sympy.Basic) -> None:
    """Raise ``InputTooComplex`` unless ``expr`` has at most ``MAX_NODES`` parts nested ``MAX_DEPTH`` deep."""
    nodes = 0
    level = [expr]
    for depth in range(1, MAX_DEPTH + 2):
        if depth > MAX_DEPTH:
            raise InputTooComplex(f"the formula is nested more than {MAX_DEPTH} levels deep")
        nodes += len(level)
        if nodes > MAX_NODES:
            raise InputTooComplex(f"the formula has more than {MAX_NODES} parts")
        level = [arg for node in level for arg in node.args]
        if not level:
            return


def _value(expr: sympy.Basic, values: Mapping[sympy.Symbol, float]) -> complex:
    if isinstance(expr, sympy.Number):
        result = complex(float(expr))
    elif isinstance(expr, sympy.Symbol):
        if expr not in values:
            raise ValueError(f"no value for {expr.name}")
        result = complex(values[expr])
    elif expr in _CONSTANTS:
        result = _CONSTANTS[expr]
    elif expr is sympy.I:
        result = 1j
    elif isinstance(expr, sympy.Add):
        result = sum((_value(arg, values) for arg in expr.args), complex(0))
    elif isinstance(expr, sympy.Mul):
        result = complex(1)
        for arg in expr.args:
            result *= _value(arg, values)
            _bounded(result)
    elif isinstance(expr, sympy.Pow):
        result = _power(_value(expr.base, values), _value(expr.exp, values))
    elif type(expr) in _FUNCTIONS:
        (argument,) = expr.args
        try:
            result = _FUNCTIONS[type(expr)](_value(argument, values))
        except (OverflowError, ValueError) as exc:
            raise InputTooComplex(f"{type(expr).__name__} is out of range here") from exc
    else:
        raise InputTooComplex(f"{type(expr).__name__} is not computed from user text")
    return _bounded(result)


def _power(base: complex, exponent: complex) -> complex:
    if exponent == 0:
        return complex(1)
    if base == 0:
        if exponent.real <= 0:
            raise ZeroDivisionError("zero to a power that is not positive")
        return complex(0)
    # |b^e| = exp(Re(e ln b) ): refuse before computing what would be out of range.
    if (exponent * cmath.log(base)).real > MAX_DECIMAL_EXPONENT * math.log(10):
        raise InputTooComplex(f"a power in the formula is beyond 10^{MAX_DECIMAL_EXPONENT}")
    if base.imag == 0 and exponent.imag == 0 and (base.real > 0 or exponent.real.is_integer()):
        try:
            return complex(base.real**exponent.real)
        except (OverflowError, ZeroDivisionError) as exc:
            raise InputTooComplex("a power in the formula is out of range") from exc
    return complex(base**exponent)


def _bounded(value: complex) -> complex:
    if not (cmath.isfinite(value) and abs(value) <= _MAX_MAGNITUDE):
        raise InputTooComplex(f"a value in the formula is beyond 10^{MAX_DECIMAL_EXPONENT}")
    return value
