"""Straight lines and linear equations: a line drawn from its slope and intercept; the slope of the line through two
points, as rise over run; an equation solved step by step."""

from __future__ import annotations

from fractions import Fraction

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Indicate,
    PlotFunction,
    Scene,
    ShowAxes,
    ShowEquation,
    ShowPoint,
    ShowSegment,
    WriteStep,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._calculus_common import fit_range, voiced
from mathreel_script.demonstrations._request import points
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import format_number as num
from mathreel_script.latex import parse_plain, spoken
from mathreel_script.safe_math import UnsafeExpression, check_size


class LineParams(Params):
    slope: int = Field(default=2, ge=-5, le=5)
    intercept: int = Field(default=1, ge=-5, le=5)


@demonstration("slope_intercept_line", LineParams)
def slope_intercept_line(params: LineParams, facts: ContextFacts) -> list[Scene]:
    """A line y = m x + b: start at the intercept, then each step of 1 to the right rises by the slope."""
    given = dict(facts.assignments)
    m = int(given.get("m", params.slope)) if -5 <= given.get("m", params.slope) <= 5 else params.slope
    b = int(given.get("b", params.intercept)) if -5 <= given.get("b", params.intercept) <= 5 else params.intercept
    if m == 0:
        m = params.slope
    x = sympy.Symbol("x")
    line = m * x + b
    y_at_1 = int(line.subs(x, 1))
    top = max(abs(b), abs(y_at_1), abs(int(line.subs(x, 2)))) + 1
    draft = (
        SceneDraft("line", "explanation", "Slope and intercept")
        .beat(
            f"Here is the line y equals {m} x plus {b}." if b >= 0 else f"Here is the line y equals {m} x minus {-b}.",
            ShowEquation(id="rule", latex=f"y = {sympy.latex(line)}", region="top"),
            ShowAxes(id="ax", x_range=(-3, 3, 1), y_range=(-top, top, 1), region="center"),
            PlotFunction(id="graph", axes="ax", expression=str(line), color="yellow"),
        )
        .beat(
            f"At x equals 0 it crosses the y axis at {b}, the intercept.",
            ShowPoint(id="start", at=(0, b), label=f"(0, {b})", color="green", axes="ax"),
        )
        .beat(
            f"Step 1 to the right, and the line rises by {m}, the slope, to {y_at_1}."
            if m > 0
            else f"Step 1 to the right, and the line falls by {-m}, the slope is {m}, down to {y_at_1}.",
            ShowSegment(id="run", start=(0, b), end=(1, b), label="1", color="blue", axes="ax"),
            ShowSegment(id="rise", start=(1, b), end=(1, y_at_1), label=num(m), color="red", axes="ax"),
            ShowPoint(id="next", at=(1, y_at_1), label=f"(1, {y_at_1})", color="green", axes="ax"),
        )
        .beat(
            "Every step of 1 changes y by the same amount: that is what makes it a straight line.",
            Indicate(target="graph"),
        )
    )
    return [draft.build()]


class TwoPointLineParams(Params):
    x1: int = Field(default=1, ge=-20, le=20)
    y1: int = Field(default=3, ge=-20, le=20)
    x2: int = Field(default=5, ge=-20, le=20)
    y2: int = Field(default=11, ge=-20, le=20)


# Points a request gives further out than this are not drawn on one grid.
_MAX_COORDINATE = 50


def _frac(value: Fraction) -> str:
    """A fraction as LaTeX: ``3``, ``\\frac{9}{4}``, ``-\\frac{1}{2}``."""
    return str(sympy.latex(sympy.Rational(value.numerator, value.denominator)))


def _said(value: Fraction) -> str:
    """A fraction as said: "3", "9 over 4", "-1 over 2" (the voice reads the minus)."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator} over {value.denominator}"


def _pair(point: tuple[Fraction, Fraction]) -> str:
    return f"({num(float(point[0]))}, {num(float(point[1]))})"


def two_points_in(facts: ContextFacts, params: TwoPointLineParams) -> tuple[tuple[Fraction, Fraction], ...]:
    """The first two points the request writes, "(1, 2) and (4, 11)", when they are two and near enough to draw;
    else the parameters' points."""
    found = points(facts)
    if len(found) >= 2 and all(abs(c) <= _MAX_COORDINATE for point in found[:2] for c in point):
        return (found[0], found[1])
    return ((Fraction(params.x1), Fraction(params.y1)), (Fraction(params.x2), Fraction(params.y2)))


@demonstration("slope_two_points", TwoPointLineParams)
@voiced
def slope_two_points(params: TwoPointLineParams, facts: ContextFacts) -> list[Scene]:
    """The slope of the line through two points: the run across and the rise up drawn between them, the slope as
    rise over run, then the line itself, y = m x + b, through both points."""
    p, q = two_points_in(facts, params)
    if p == q:
        raise ValueError("the two points must differ")
    if p[0] > q[0]:
        p, q = q, p
    run, rise = q[0] - p[0], q[1] - p[1]
    xs, ys = [float(p[0]), float(q[0]), 0.0], [float(p[1]), float(q[1]), 0.0]
    pad_x, pad_y = max(1.0, (max(xs) - min(xs)) / 6), max(1.0, (max(ys) - min(ys)) / 6)
    x_axis = fit_range(min(xs) - pad_x, max(xs) + pad_x)
    y_axis = fit_range(min(ys) - pad_y, max(ys) + pad_y)
    pf, qf = (float(p[0]), float(p[1])), (float(q[0]), float(q[1]))
    corner = (float(q[0]), float(p[1]))
    draft = SceneDraft("slope", "example", "Slope from two points").beat(
        f"Take the points {num(float(p[0]))}, {num(float(p[1]))} and {num(float(q[0]))}, {num(float(q[1]))}.",
        ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, region="center"),
        ShowPoint(id="p", axes="ax", at=pf, label=_pair(p), color="yellow"),
        ShowPoint(id="q", axes="ax", at=qf, label=_pair(q), color="yellow"),
    )
    if run == 0:
        draft.beat(
            f"Both have x equal to {num(float(p[0]))}: the run is 0, so the line is vertical and its slope is "
            "undefined.",
            ShowSegment(id="rise", axes="ax", start=pf, end=qf, color="red"),
            ShowEquation(id="m", latex=f"x = {num(float(p[0]))}", region="top"),
        )
        return [draft.build()]
    slope = rise / run
    intercept = p[1] - slope * p[0]
    if q[1] != slope * q[0] + intercept:
        raise ValueError("slope check failed")
    x = sympy.Symbol("x")
    line = sympy.Rational(slope.numerator, slope.denominator) * x + sympy.Rational(
        intercept.numerator, intercept.denominator
    )
    up = "up" if rise >= 0 else "down"
    # Written as y = m x + b, slope first, as the lesson reads it: "-\\frac{3}{2} x + \\frac{1}{2}".
    line_latex = (f"{_frac(slope)} x" if slope not in (0, 1, -1) else {1: "x", -1: "-x", 0: ""}[int(slope)]) + (
        ""
        if intercept == 0
        else f" {'+' if intercept > 0 else '-'} {_frac(abs(intercept))}"
        if slope
        else _frac(intercept)
    )
    line_latex = line_latex.strip() or "0"
    draft.beat(
        f"Going across from the first point to the second, x goes from {num(float(p[0]))} to {num(float(q[0]))}: "
        f"the run is {_said(run)}.",
        ShowSegment(id="run", axes="ax", start=pf, end=corner, label=_frac(run), dashed=True, color="blue"),
    ).beat(
        f"Then {up} to it, y goes from {num(float(p[1]))} to {num(float(q[1]))}: the rise is {_said(rise)}.",
        ShowSegment(id="rise", axes="ax", start=corner, end=qf, label=_frac(rise), dashed=True, color="green"),
    ).beat(
        f"The slope is rise over run: {_said(rise)} over {_said(run)}, which is {_said(slope)}.",
        ShowEquation(
            id="m",
            latex=f"m = \\frac{{{num(float(q[1]))} - {_paren(p[1])}}}{{{num(float(q[0]))} - {_paren(p[0])}}} "
            f"= \\frac{{{_frac(rise)}}}{{{_frac(run)}}} = {_frac(slope)}",
            region="top",
        ),
    )
    if slope == 0:
        meaning = "The rise is 0: the line is level, its slope is 0."
    else:
        step = "rises" if slope > 0 else "falls"
        meaning = (
            f"So every step of 1 to the right {step} by {_said(abs(slope))}; the line crosses the y axis at "
            f"{_said(intercept)}, so it is y equals {spoken(line_latex)}."
        )
    draft.beat(
        meaning,
        PlotFunction(id="line", axes="ax", expression=str(line), color="red"),
        ShowPoint(id="b", axes="ax", at=(0.0, float(intercept)), label=_frac(intercept), color="orange"),
        ShowEquation(id="answer", latex=f"y = {line_latex}", region="bottom", color="yellow"),
    )
    return [draft.build()]


def _paren(value: Fraction) -> str:
    """A number subtracted: in brackets when it is negative, ``4 - (-1)``."""
    text = num(float(value))
    return f"({text})" if value < 0 else text


MINUS = "\u2212"  # the minus sign, in a note's plain text


class LinearEquationParams(Params):
    a: int = Field(default=3, ge=2, le=12)
    b: int = Field(default=5, ge=-30, le=30)
    c: int = Field(default=20, ge=-60, le=60)


@demonstration("solve_linear_equation", LinearEquationParams)
def solve_linear_equation(params: LinearEquationParams, facts: ContextFacts) -> list[Scene]:
    """Solve a x + b = c step by step, doing the same to both sides, then check the answer by substituting it."""
    params = linear_equation_in(facts) or params
    a, b, c = params.a, params.b, params.c
    x = sympy.Symbol("x")
    (solution,) = sympy.solve(sympy.Eq(a * x + b, c), x)
    left = sympy.latex(a * x + b)
    after_subtract = c - b
    answer = sympy.latex(solution)
    check = a * solution + b
    if check != c:  # the arithmetic below is narrated: it must be right
        raise ValueError("linear equation check failed")
    op = "-" if b > 0 else "+"
    # Each step a new line of working under the last, the = signs aligned, what was done written beside it.
    draft = (
        SceneDraft("solve", "example", "Solve it step by step")
        .beat(
            f"Solve {a} x plus {b} equals {c}." if b >= 0 else f"Solve {a} x minus {-b} equals {c}.",
            ShowEquation(id="eq", latex=f"{left} = {c}", region="top"),
        )
        .beat(
            f"{'Subtract' if b > 0 else 'Add'} {abs(b)} on both sides, "
            f"so the {'plus' if b > 0 else 'minus'} {abs(b)} on the left cancels.",
            WriteStep(
                target="eq",
                latex=f"{left} {op} {abs(b)} = {c} {op} {abs(b)}",
                note=f"{MINUS if b > 0 else '+'} {abs(b)} on both sides",
            ),
        )
        .beat(
            f"That leaves {a} x equals {after_subtract}.",
            WriteStep(target="eq", latex=f"{a}x = {after_subtract}", highlight=[f"{after_subtract}"]),
        )
        .beat(
            f"Divide both sides by {a}.",
            WriteStep(
                target="eq",
                latex=f"\\frac{{{a}x}}{{{a}}} = \\frac{{{after_subtract}}}{{{a}}}",
                note=f"\u00f7 {a} on both sides",
            ),
        )
        .beat(
            f"So x equals {answer}.",
            WriteStep(target="eq", latex=f"x = {answer}", highlight=[answer], box=True),
        )
        .beat(
            f"Check: {a} times {answer}, {'plus' if b >= 0 else 'minus'} {abs(b)}, gives {c} again.",
            WriteStep(
                target="eq",
                latex=f"{a} \\cdot {answer} {'+' if b >= 0 else '-'} {abs(b)} = {c}",
                note="check",
                dim=False,
            ),
        )
    )
    return [draft.build(), _meeting_point(a, b, c, solution)]


def linear_equation_in(facts: ContextFacts) -> LinearEquationParams | None:
    """The first equation of the context of the form a x + b = c that this demonstration can show, if any."""
    x = sympy.Symbol("x")
    for text in facts.plain_formulas:
        sides = parse_plain(text)
        if not sides or len(sides) != 2 or (sides[0] - sides[1]).free_symbols != {x}:
            continue
        left, right = sides
        try:
            check_size(left - right)
        except UnsafeExpression:
            continue
        if right.free_symbols:
            left, right = right, left
        if right.free_symbols or not right.is_Integer:
            continue
        try:
            poly = sympy.Poly(left, x)
        except sympy.PolynomialError:
            continue
        if poly.degree() != 1 or not all(c.is_Integer for c in poly.all_coeffs()):
            continue
        a, b = (int(c) for c in poly.all_coeffs())
        try:
            return LinearEquationParams(a=a, b=b, c=int(right))
        except ValueError:
            return None
    return None


def _nice_step(span: float) -> int:
    """A tick step that puts at most about eight ticks on an axis of this span."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= 8:
            return step
    return 200


def _meeting_point(a: int, b: int, c: int, solution: sympy.Expr) -> Scene:
    """The same equation as two graphs: the line y = a x + b meets the level y = c exactly above the solution."""
    x = sympy.Symbol("x")
    root = float(solution)
    x_step = _nice_step(abs(root) * 2 + 2)
    x_high = max(x_step * 2, int(abs(root) // x_step + 2) * x_step)
    values = [b, c, int(a * x_high + b), int(-a * x_high + b)]
    y_step = _nice_step(max(abs(v) for v in values[:2]) * 2 + 2)
    y_high = (int(max(abs(c), abs(b)) // y_step) + 2) * y_step
    answer = sympy.latex(solution)
    return (
        SceneDraft("graph_view", "explanation", "The same answer on a graph")
        .beat(
            f"Graph the left side, y equals {spoken(sympy.latex(a * x + b))}, as a line.",
            ShowAxes(id="ax", x_range=(-x_high, x_high, x_step), y_range=(-y_high, y_high, y_step), region="center"),
            PlotFunction(
                id="left",
                axes="ax",
                expression=str(a * x + b),
                color="yellow",
                label=f"y = {a}x {'+' if b >= 0 else '-'} {abs(b)}",
            ),
        )
        .beat(
            f"Graph the right side, y equals {c}, as a level line.",
            PlotFunction(id="right", axes="ax", expression=str(c), color="blue", label=f"y = {c}"),
        )
        .beat(
            f"They meet where both sides agree, straight above x equals {answer}.",
            ShowPoint(id="meet", at=(round(root, 3), c), label=f"({answer}, {c})", color="red", axes="ax"),
            ShowSegment(
                id="drop", start=(round(root, 3), c), end=(round(root, 3), 0), color="red", dashed=True, axes="ax"
            ),
        )
    ).build()
