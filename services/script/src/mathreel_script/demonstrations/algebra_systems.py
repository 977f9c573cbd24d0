"""Equations side by side: two lines meeting at the solution of a system, an inequality solved onto a number line,
and sequences whose terms grow by a fixed step or a fixed factor."""

from __future__ import annotations

import math
from typing import Literal

import sympy
from pydantic import Field, model_validator

from mathreel_scenelang.storyboard import (
    PlotFunction,
    Remove,
    Scene,
    ShowAxes,
    ShowEquation,
    ShowPoint,
    ShowSegment,
    ShowTable,
    TransformEquation,
    WriteStep,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations.algebra_quadratics import X, axis, tex
from mathreel_script.demonstrations.arithmetic_numbers import said
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.equation_steps import solve_inequality
from mathreel_script.latex import parse_plain, spoken
from mathreel_script.safe_math import UnsafeExpression, check_size

Y = sympy.Symbol("y")


def _line_tex(a: int, b: int, c: int) -> str:
    return f"{sympy.latex(a * X + b * Y)} = {c}"


# --- a system of two equations ------------------------------------------------------------------------------------
class SystemParams(Params):
    a1: int = Field(default=1, ge=-9, le=9)
    b1: int = Field(default=1, ge=-9, le=9)
    c1: int = Field(default=5, ge=-40, le=40)
    a2: int = Field(default=2, ge=-9, le=9)
    b2: int = Field(default=-1, ge=-9, le=9)
    c2: int = Field(default=1, ge=-40, le=40)

    @model_validator(mode="after")
    def _one_solution(self) -> SystemParams:
        if self.b1 == 0 or self.b2 == 0 or self.a1 * self.b2 == self.a2 * self.b1:
            raise ValueError("two non-vertical lines that are not parallel")
        return self


@demonstration("system_two_lines", SystemParams)
def system_two_lines(params: SystemParams, facts: ContextFacts) -> list[Scene]:
    """Two linear equations in x and y as two lines: eliminate y by adding multiples of the equations, solve for x,
    substitute back for y, and see the answer as the point where the lines cross."""
    a1, b1, c1, a2, b2, c2 = params.a1, params.b1, params.c1, params.a2, params.b2, params.c2
    solution = sympy.solve([a1 * X + b1 * Y - c1, a2 * X + b2 * Y - c2], [X, Y], dict=True)[0]
    x0, y0 = solution[X], solution[Y]
    if a1 * x0 + b1 * y0 != c1 or a2 * x0 + b2 * y0 != c2:
        raise ValueError("system check failed")
    g = math.gcd(b1, b2)
    m1, m2 = b2 // g, -b1 // g  # multiply so the y terms cancel
    if m1 < 0:
        m1, m2 = -m1, -m2
    ax_sum, c_sum = m1 * a1 + m2 * a2, m1 * c1 + m2 * c2
    first, second = _line_tex(a1, b1, c1), _line_tex(a2, b2, c2)
    x_axis = axis([float(x0) - 4, float(x0) + 4])
    y_axis = axis([float(y0) - 4, float(y0) + 4])
    line1 = (c1 - a1 * X) / b1
    line2 = (c2 - a2 * X) / b2
    line_colors: tuple[Literal["blue"], Literal["green"]] = ("blue", "green")
    draft = SceneDraft("system", "example", "Two equations, one point").beat(
        f"Solve {spoken(first)} and {spoken(second)} together. Each equation alone is a line of points.",
        ShowEquation(id="e1", latex=first, region="top_left", color=line_colors[0]),
        ShowEquation(id="e2", latex=second, region="top_left", color=line_colors[1]),
        ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, region="right"),
        PlotFunction(id="l1", axes="ax", expression=str(line1), color=line_colors[0]),
        PlotFunction(id="l2", axes="ax", expression=str(line2), color=line_colors[1]),
    )
    if (m1, m2) == (1, 1):
        draft.beat("The y terms are opposites already, so adding the equations cancels them.")
    else:
        draft.beat(
            f"Multiply the first by {said(m1)} and the second by {said(m2)}, so the y terms cancel when we add.",
            TransformEquation(target="e1", latex=_line_tex(m1 * a1, m1 * b1, m1 * c1)),
            TransformEquation(target="e2", latex=_line_tex(m2 * a2, m2 * b2, m2 * c2)),
            ShowEquation(id="times", latex=f"\\times ({m1}),\\; \\times ({m2})", region="bottom_left"),
        )
    # The working goes on under the second equation, as on a board: the sum, x, then y.
    draft.beat(
        f"Adding gives {said(ax_sum)} x equals {said(c_sum)}, so x is {spoken(tex(x0))}.",
        WriteStep(target="e2", latex=f"{ax_sum}x = {c_sum}", note="add them"),
        WriteStep(target="e2", latex=f"x = {tex(x0)}", note=f"\u00f7 {ax_sum}", box=True),
    )
    draft.beat(
        f"Put x back into the first equation: y is {spoken(tex(y0))}.",
        WriteStep(target="e2", latex=f"y = {tex(y0)}", note="put x back", box=True, dim=False),
    )
    draft.beat(
        f"That is the one point on both lines: {spoken(tex(x0))}, {spoken(tex(y0))}.",
        ShowPoint(id="meet", at=(float(x0), float(y0)), axes="ax", label=f"({tex(x0)}, {tex(y0)})", color="red"),
        ShowSegment(id="drop_x", start=(float(x0), float(y0)), end=(float(x0), 0), dashed=True, axes="ax"),
        ShowSegment(id="drop_y", start=(float(x0), float(y0)), end=(0, float(y0)), dashed=True, axes="ax"),
    )
    return [draft.build()]


# --- an inequality on a number line -------------------------------------------------------------------------------
class InequalityParams(Params):
    a: int = Field(default=-2, ge=-9, le=9)
    b: int = Field(default=3, ge=-30, le=30)
    c: int = Field(default=-5, ge=-30, le=30)
    relation: Literal["<", "<=", ">", ">="] = "<"

    @model_validator(mode="after")
    def _coefficient(self) -> InequalityParams:
        if self.a == 0:
            raise ValueError("a is not 0")
        return self


def inequality_in(facts: ContextFacts) -> InequalityParams | None:
    """The first inequality of the context of the form a x + b compared with a whole number c, if it fits."""
    for left, relation, right in facts.inequalities:
        sides = parse_plain(f"{left} = {right}")
        if not sides or len(sides) != 2 or sides[0].free_symbols != {X} or sides[1].free_symbols:
            continue
        try:
            check_size(sides[0])
            poly = sympy.Poly(sympy.expand(sides[0]), X)
        except (UnsafeExpression, sympy.PolynomialError):
            continue
        if poly.degree() != 1 or not sides[1].is_Integer or not all(c.is_Integer for c in poly.all_coeffs()):
            continue
        a, b = (int(c) for c in poly.all_coeffs())
        try:
            return InequalityParams(a=a, b=b, c=int(sides[1]), relation=relation)  # type: ignore[arg-type]
        except ValueError:
            return None
    return None


@demonstration("inequality_number_line", InequalityParams)
def inequality_number_line(params: InequalityParams, facts: ContextFacts) -> list[Scene]:
    """Solve a x + b compared with c like an equation, except that dividing by a negative number turns the sign
    around; the solution is a ray on the number line, checked with a test point. The context's own inequality is
    solved when it has one of this form. The working is the one every lesson uses (``equation_steps``)."""
    params = inequality_in(facts) or params
    # Kept as written, a x before b: the working starts from the inequality the lesson states.
    left = sympy.Add(params.a * X, params.b, evaluate=False) if params.b else params.a * X
    found = solve_inequality(left, params.relation, sympy.Integer(params.c), X, "inequality")
    if not found:
        raise ValueError("the inequality is not linear in x")
    return found


# --- sequences -----------------------------------------------------------------------------------------------
class SequenceParams(Params):
    first: int = Field(default=3, ge=-20, le=100)
    step: int = Field(default=4, ge=-10, le=10, description="The common difference, or the common ratio")
    kind: Literal["arithmetic", "geometric"] = "arithmetic"
    terms: int = Field(default=6, ge=4, le=8)
    show_sum: bool = True

    @model_validator(mode="after")
    def _grows(self) -> SequenceParams:
        if self.step == 0 or (self.kind == "geometric" and self.step in (0, 1)):
            raise ValueError("the step changes the terms")
        return self


@demonstration("sequence_terms", SequenceParams)
def sequence_terms(params: SequenceParams, facts: ContextFacts) -> list[Scene]:
    """A sequence term by term: add the same difference (points on a line) or multiply by the same ratio (points on an
    exponential curve); the formula for the n-th term, and the sum of the first terms."""
    first, step, n_terms = params.first, params.step, params.terms
    given = dict(facts.assignments)
    if -20 <= given.get("a", 1000) <= 100 and given["a"] == int(given["a"]):
        first = int(given["a"])
    n = sympy.Symbol("n", integer=True, positive=True)
    arithmetic = params.kind == "arithmetic"
    general = first + (n - 1) * step if arithmetic else first * sympy.Integer(step) ** (n - 1)
    terms = [general.subs(n, k) for k in range(1, n_terms + 1)]
    for k in range(1, n_terms):
        if (terms[k] - terms[k - 1] != step) if arithmetic else (terms[k] != terms[k - 1] * step):
            raise ValueError("sequence check failed")
    total = sum(terms)
    closed = (
        sympy.Rational(n_terms, 2) * (terms[0] + terms[-1])
        if arithmetic
        else first * (sympy.Integer(step) ** n_terms - 1) / (step - 1)
    )
    if closed != total:
        raise ValueError("sum formula check failed")
    word = "add" if arithmetic else "multiply by"
    op = "+" if arithmetic else "\\cdot"
    formula = (
        f"a_n = {first} {'+' if step > 0 else '-'} {abs(step)}(n - 1)"
        if arithmetic
        else f"a_n = {first} \\cdot {'(' + str(step) + ')' if step < 0 else step}^{{n - 1}}"
    )
    rows = [[str(k), str(t)] for k, t in enumerate(terms, start=1)]
    x_axis = (0.0, float(n_terms), 1.0)
    y_axis = axis([float(t) for t in terms])
    draft = (
        SceneDraft("sequence", "explanation", f"An {params.kind} sequence" if arithmetic else "A geometric sequence")
        .beat(
            f"Start at {said(first)} and {word} {said(step)} each time: " + ", ".join(said(t) for t in terms[:4]) + ".",
            ShowTable(id="t1", header=["n", "term"], rows=rows[:4], region="left"),
            ShowEquation(id="rule", latex=f"a_{{n+1}} = a_n {op} {step}".replace("+ -", "- "), region="top"),
        )
        .beat(
            "Plot term n above n.",
            ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, x_label="n", y_label="a_n", region="right"),
            *[ShowPoint(id=f"p{k}", at=(k + 1, float(t)), axes="ax", color="yellow") for k, t in enumerate(terms[:4])],
        )
        .beat(
            f"And on: {', '.join(said(t) for t in terms[4:])}. "
            + ("The points climb in equal steps, along a straight line." if arithmetic and step > 0 else "")
            + ("The points fall in equal steps, along a straight line." if arithmetic and step < 0 else "")
            + ("The steps themselves keep growing." if not arithmetic and abs(step) > 1 else ""),
            Remove(targets=["t1"]),
            ShowTable(id="t2", header=["n", "term"], rows=rows, region="left"),
            *[
                ShowPoint(id=f"p{k}", at=(k + 1, float(t)), axes="ax", color="yellow")
                for k, t in enumerate(terms)
                if k >= 4
            ],
        )
        .beat(
            f"Term n is {spoken(formula.split('=')[1])}.",
            ShowEquation(id="general", latex=formula, region="bottom_right", color="yellow"),
            *(
                [
                    ShowSegment(
                        id="trend", start=(1, float(terms[0])), end=(n_terms, float(terms[-1])), dashed=True, axes="ax"
                    )
                ]
                if arithmetic
                else []
            ),
        )
    )
    if params.show_sum:
        draft.beat(
            f"The first {n_terms} terms add to {said(total)}"
            + (
                f": {n_terms} over 2, times first plus last."
                if arithmetic
                else f": first term times ratio to the {n_terms} minus 1, over ratio minus 1."
            ),
            ShowEquation(
                id="sum",
                latex=(
                    f"S_{{{n_terms}}} = \\frac{{{n_terms}}}{{2}}({first} + {terms[-1]}) = {total}"
                    if arithmetic
                    else f"S_{{{n_terms}}} = {first} \\cdot \\frac{{{step}^{{{n_terms}}} - 1}}{{{step} - 1}} = {total}"
                ).replace("+ -", "- "),
                region="bottom_left",
            ),
        )
    return [draft.build()]
