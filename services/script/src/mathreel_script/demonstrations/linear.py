"""Straight lines and linear equations: a line drawn from its slope and intercept; an equation solved step by step."""

from __future__ import annotations

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
