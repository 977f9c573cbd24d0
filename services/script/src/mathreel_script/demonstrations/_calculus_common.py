"""Helpers the calculus and statistics demonstrations share: the functions they may graph, axes that fit a graph."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

import sympy

from mathreel_scenelang.storyboard import Scene, TransformEquation
from mathreel_script.latex import format_number

X = sympy.Symbol("x")

FunctionName = Literal["square", "cube", "cubic", "sine", "cosine", "exp", "log", "sqrt", "reciprocal"]
FUNCTIONS: dict[str, sympy.Expr] = {
    "square": X**2,
    "cube": X**3,
    "cubic": X**3 / 4 - X,
    "sine": sympy.sin(X),
    "cosine": sympy.cos(X),
    "exp": sympy.exp(X),
    "log": sympy.log(X),
    "sqrt": sympy.sqrt(X),
    "reciprocal": 1 / X,
}
# Where each function is defined (and small enough to draw).
DOMAINS: dict[str, tuple[float, float]] = {
    "square": (-3, 3),
    "cube": (-2, 2.2),
    "cubic": (-3, 3),
    "sine": (-4, 4),
    "cosine": (-4, 4),
    "exp": (-3, 2),
    "log": (0.2, 6),
    "sqrt": (0, 6),
    "reciprocal": (0.25, 5),
}


def num(value: float | sympy.Expr) -> str:
    """A value as narrated and shown: an integer, or at most three decimals."""
    return format_number(float(value))


def tex(expr: sympy.Expr) -> str:
    """SymPy's LaTeX, with ``\\log`` written ``\\ln`` as a course writes the natural logarithm."""
    return str(sympy.latex(expr)).replace("\\log", "\\ln")


def plot_expr(expr: sympy.Expr) -> str:
    """``expr`` in the plain arithmetic a ``plot`` accepts (``x**2``, ``exp(x)``, ``sin(x)``)."""
    text = str(expr)
    if "E" in text.replace("exp", ""):
        text = str(expr.subs(sympy.E, sympy.Float(math.e, 8)))
    return text


def nice_step(span: float, ticks: int = 8) -> float:
    """A tick step that puts at most about ``ticks`` ticks on an axis of this span."""
    for step in (
        0.001,
        0.002,
        0.005,
        0.01,
        0.02,
        0.05,
        0.1,
        0.2,
        0.25,
        0.5,
        1,
        2,
        5,
        10,
        20,
        25,
        50,
        100,
        200,
        500,
        1000,
    ):
        if span / step <= ticks:
            return step
    return 2000.0


def fit_range(low: float, high: float, ticks: int = 6) -> tuple[float, float, float]:
    """An axis range ``(min, max, step)`` covering ``[low, high]`` with round ends."""
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    step = nice_step(high - low, ticks)
    lo = math.floor(low / step + 1e-9) * step
    hi = math.ceil(high / step - 1e-9) * step
    return (round(lo, 6), round(hi, 6), step)


def y_range_of(expr: sympy.Expr, low: float, high: float, include_zero: bool = True) -> tuple[float, float, float]:
    """An axis range for the values of ``expr`` over ``[low, high]`` (sampled)."""
    f = sympy.lambdify(X, expr, "math")
    values: list[float] = []
    for i in range(101):
        try:
            value = float(f(low + (high - low) * i / 100))
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        if math.isfinite(value):
            values.append(value)
    if not values:
        raise ValueError("the function has no value to draw on this interval")
    lo, hi = min(values), max(values)
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    return fit_range(lo, hi)


def context_int(candidates: list[int], default: int) -> int:
    """The first whole number the context gives in range, else ``default``."""
    return candidates[0] if candidates else default


def changed(target: str, latex: str, term: str | None = None) -> TransformEquation:
    """Morph equation ``target`` into ``latex``, highlighting ``term`` only where it stands alone exactly once
    (never the "4" inside "x^2 - 4" together with the answer 4)."""
    marks: list[str] = []
    if term and len(term) <= 60:
        alone = re.compile(rf"(?<![\d.]){re.escape(term)}(?![\d.])")
        if len(alone.findall(latex)) == 1:
            marks = [term]
    return TransformEquation(target=target, latex=latex, highlight=marks)


_NEGATIVE = re.compile(r"(?<![\w.)])-\s?(?=\d)")
_Build = TypeVar("_Build", bound=Callable[..., list[Scene]])


def say_negatives(text: str) -> str:
    """Narration with a negative number read as "minus 1" rather than left to the voice to guess at "-1"."""
    return _NEGATIVE.sub("minus ", text)


def voiced(build: _Build) -> _Build:
    """Have a demonstration's narration say its negative numbers in words (the screen keeps the digits)."""

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> list[Scene]:
        scenes: list[Scene] = build(*args, **kwargs)
        return [
            scene.model_copy(
                update={
                    "beats": [
                        beat.model_copy(update={"narration": say_negatives(beat.narration)}) for beat in scene.beats
                    ]
                }
            )
            for scene in scenes
        ]

    return cast(_Build, wrapper)
