"""Quadratics: a product of brackets as the area of a rectangle, a parabola with its roots and vertex, and a
quadratic equation solved step by step (factoring, completing the square, the formula)."""

from __future__ import annotations

import math
from typing import Literal

import sympy
from pydantic import Field, model_validator

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Indicate,
    PlotFunction,
    Scene,
    ShowAxes,
    ShowEquation,
    ShowPoint,
    ShowPolygon,
    ShowSegment,
    ShowTable,
    TransformEquation,
    WriteStep,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations.arithmetic_numbers import said
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import format_number as num
from mathreel_script.latex import spoken

X = sympy.Symbol("x")


MINUS = "\u2212"  # the minus sign, in a note's plain text


def tex(expr: sympy.Expr) -> str:
    return sympy.latex(expr)  # type: ignore[no-any-return]


def poly_tex(expr: sympy.Expr) -> str:
    """A polynomial in x written from the highest power down."""
    return sympy.latex(sympy.Poly(expr, X).as_expr())  # type: ignore[no-any-return]


def axis(values: list[float], pad: bool = True, ticks: int = 8) -> tuple[float, float, float]:
    """An axis range ``(low, high, step)`` covering ``values`` and 0, on multiples of a round step, with at most
    ``ticks`` ticks so that the renderer numbers every one of them (and the narration can point at any)."""
    low, high = min([*values, 0.0]), max([*values, 0.0])
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        lo = math.floor(low / step) * step - (step if pad and low < 0 else 0)
        hi = math.ceil(high / step) * step + (step if pad else 0)
        if (hi - lo) / step + 1 <= ticks:
            return (float(lo), float(hi), float(step))
    raise ValueError("values too far apart for one axis")


# --- area model -----------------------------------------------------------------------------------------------
class AreaModelParams(Params):
    p: int = Field(default=3, ge=1, le=6)
    q: int = Field(default=2, ge=1, le=6)
    factor: bool = Field(default=False, description="Start from the trinomial and find the brackets")


_SIDE = 5.0  # how long x is drawn


@demonstration("area_model_expand", AreaModelParams)
def area_model_expand(params: AreaModelParams, facts: ContextFacts) -> list[Scene]:
    """(x + p)(x + q) as a rectangle cut into four pieces, x squared, p x, q x and p q; the pieces add up to the
    expanded trinomial (or, read backwards, the trinomial factors into the brackets)."""
    p, q = params.p, params.q
    found = facts.integers(1, 6)
    if len(found) >= 2:
        p, q = found[0], found[1]
    product = sympy.expand((X + p) * (X + q))
    if product != X**2 + (p + q) * X + p * q:
        raise ValueError("expansion check failed")
    s = _SIDE
    w, h = s + p, s + q
    left = f"(x + {p})(x + {q})"
    right = poly_tex(product)
    pieces: list[Action] = [
        ShowPolygon(id="xx", vertices=[(0, 0), (s, 0), (s, s), (0, s)], color="blue", fill_opacity=0.5),
        ShowPolygon(id="px", vertices=[(s, 0), (w, 0), (w, s), (s, s)], color="green", fill_opacity=0.5),
        ShowPolygon(id="qx", vertices=[(0, s), (s, s), (s, h), (0, h)], color="green", fill_opacity=0.5),
        ShowPolygon(id="pq", vertices=[(s, s), (w, s), (w, h), (s, h)], color="orange", fill_opacity=0.5),
    ]
    sides: list[Action] = [
        ShowSegment(id="sx", start=(s, -0.4), end=(0, -0.4), label="x"),
        ShowSegment(id="sp", start=(w, -0.4), end=(s, -0.4), label=str(p)),
        ShowSegment(id="sy", start=(-0.4, 0), end=(-0.4, s), label="x"),
        ShowSegment(id="sq", start=(-0.4, s), end=(-0.4, h), label=str(q)),
    ]
    table = ShowTable(
        id="grid",
        header=["×", "x", str(p)],
        rows=[["x", "$x^2$", f"${p}x$"], [str(q), f"${q}x$", str(p * q)]],
        region="right",
    )
    draft = SceneDraft("area", "explanation", "A product as an area")
    if params.factor:
        draft.beat(
            f"To factor {spoken(right)}, look for two numbers that multiply to {p * q} and add to {p + q}.",
            ShowEquation(id="eq", latex=f"{right} = (x + ?)(x + ?)", region="top"),
        )
        draft.beat(f"They are {p} and {q}: {p} times {q} is {p * q}, and {p} plus {q} is {p + q}.", *sides)
        draft.beat(
            f"They are the sides of a rectangle: its corner pieces are x squared and {p * q}.", pieces[0], pieces[3]
        )
        draft.beat(f"And its two strips are {p} x and {q} x, together {p + q} x.", pieces[1], pieces[2], table)
        draft.beat(
            f"So {spoken(right)} equals x plus {p}, times x plus {q}.",
            TransformEquation(target="eq", latex=f"{right} = {left}", highlight=[f"(x + {p})", f"(x + {q})"]),
        )
        return [draft.build()]
    draft.beat(
        f"Multiply x plus {p} by x plus {q}: draw a rectangle with those sides.",
        ShowEquation(id="eq", latex=left, region="top"),
        *sides,
    )
    draft.beat("Cut it into four pieces, one for each pair of terms.", *pieces)
    draft.beat(
        f"x times x is x squared, x times {p} and {q} times x are {p} x and {q} x, and {p} times {q} is {p * q}.",
        table,
    )
    draft.beat(
        f"Add the pieces: the two middle terms make {p + q} x, so the product is {spoken(right)}.",
        TransformEquation(target="eq", latex=f"{left} = {right}", highlight=[f"{p + q}x", str(p * q)]),
        Circumscribe(target="eq"),
    )
    return [draft.build()]


# --- the parabola ----------------------------------------------------------------------------------------------
class ParabolaParams(Params):
    a: int = Field(default=1, ge=-3, le=3)
    b: int = Field(default=-2, ge=-10, le=10)
    c: int = Field(default=-3, ge=-20, le=20)

    @model_validator(mode="after")
    def _quadratic(self) -> ParabolaParams:
        if self.a == 0:
            raise ValueError("a is not 0")
        return self


def _coefficients(params: ParabolaParams | QuadraticParams, facts: ContextFacts) -> tuple[int, int, int]:
    given = dict(facts.assignments)
    if all(k in given for k in "abc") and given["a"] != 0:
        values = (given["a"], given["b"], given["c"])
        if all(v == int(v) and abs(v) <= 20 for v in values) and abs(values[0]) <= 3:
            return int(values[0]), int(values[1]), int(values[2])
    return params.a, params.b, params.c


@demonstration("parabola_roots_vertex", ParabolaParams)
def parabola_roots_vertex(params: ParabolaParams, facts: ContextFacts) -> list[Scene]:
    """The graph of a x squared plus b x plus c: where it crosses the y axis, its vertex on the axis of symmetry,
    and its roots where it meets the x axis (or none, when the discriminant is negative)."""
    a, b, c = _coefficients(params, facts)
    f = a * X**2 + b * X + c
    h = sympy.Rational(-b, 2 * a)
    k = f.subs(X, h)
    roots = sorted(r for r in sympy.solve(sympy.Eq(f, 0), X) if r.is_real)
    disc = b * b - 4 * a * c
    if any(sympy.simplify(f.subs(X, r)) != 0 for r in roots) or (disc >= 0) != bool(roots):
        raise ValueError("parabola check failed")
    xs = [float(h) - 3, float(h) + 3, *(float(r) for r in roots)]
    x_low, x_high, x_step = axis(xs, pad=False)
    ys = [float(f.subs(X, v)) for v in (x_low, x_high, float(h))] + [float(c)]
    y_low, y_high, y_step = axis([max(-30.0, min(30.0, y)) for y in ys], pad=False)
    rule = poly_tex(f)
    vertex = f"({tex(h)}, {tex(k)})"
    draft = (
        SceneDraft("parabola", "explanation", "The shape of a quadratic")
        .beat(
            f"Here is y equals {spoken(rule)}.",
            ShowEquation(id="rule", latex=f"y = {rule}", region="top"),
            ShowAxes(id="ax", x_range=(x_low, x_high, x_step), y_range=(y_low, y_high, y_step), region="center"),
            PlotFunction(id="g", axes="ax", expression=str(f), color="yellow"),
        )
        .beat(
            f"At x equals 0 it crosses the y axis at c, which is {said(c)}.",
            ShowPoint(id="yint", at=(0, c), label=f"(0, {c})", axes="ax", color="green"),
        )
        .beat(
            f"It turns at the vertex, x equals minus b over 2 a, which is {spoken(tex(h))}: the vertex is "
            f"{spoken(vertex)}.",
            ShowSegment(id="sym", start=(float(h), y_low), end=(float(h), y_high), dashed=True, axes="ax"),
            ShowPoint(id="vtx", at=(float(h), float(k)), label="V", axes="ax", color="red"),
            ShowEquation(id="vxy", latex=f"V = {vertex}", region="bottom_left", color="red"),
        )
    )
    if roots:
        exact = all(r.is_rational for r in roots)
        labels = [tex(r) if exact else num(float(r)) for r in roots]
        draft.beat(
            f"The discriminant b squared minus 4 a c is {said(disc)}, "
            + ("positive, so it crosses the x axis twice" if disc > 0 else "zero, so it touches the x axis once")
            + f", at x equals {'' if exact else 'about '}{' and '.join(spoken(t) for t in labels)}.",
            ShowEquation(id="disc", latex=f"b^2 - 4ac = {disc}", region="bottom"),
            *[
                ShowPoint(id=f"root{i}", at=(float(r), 0), label=labels[i], axes="ax", color="blue")
                for i, r in enumerate(roots)
            ],
        )
    else:
        draft.beat(
            f"The discriminant b squared minus 4 a c is {said(disc)}, negative, so the curve never meets the x axis.",
            ShowEquation(id="disc", latex=f"b^2 - 4ac = {disc} < 0", region="bottom"),
            Indicate(target="g"),
        )
    return [draft.build()]


# --- solving a quadratic equation --------------------------------------------------------------------------------
class QuadraticParams(Params):
    a: int = Field(default=1, ge=-5, le=5)
    b: int = Field(default=-5, ge=-20, le=20)
    c: int = Field(default=6, ge=-50, le=50)
    method: Literal["factor", "complete_square", "formula"] = "factor"

    @model_validator(mode="after")
    def _solvable(self) -> QuadraticParams:
        if self.a == 0 or self.b * self.b - 4 * self.a * self.c < 0:
            raise ValueError("a quadratic (a not 0) with real roots")
        roots = sympy.solve(self.a * X**2 + self.b * X + self.c, X)
        if self.method == "factor" and not all(r.is_rational for r in roots):
            raise ValueError("factoring needs rational roots")
        if self.method == "complete_square" and self.a != 1:
            raise ValueError("completing the square is shown for a equal to 1")
        return self


@demonstration("quadratic_solve_steps", QuadraticParams)
def quadratic_solve_steps(params: QuadraticParams, facts: ContextFacts) -> list[Scene]:
    """A quadratic equation solved step by step by factoring, completing the square, or the quadratic formula, each
    step a transformation of the line before, then both roots checked."""
    a, b, c = _coefficients(params, facts)
    try:
        QuadraticParams(a=a, b=b, c=c, method=params.method)
    except ValueError:
        a, b, c = params.a, params.b, params.c
    f = a * X**2 + b * X + c
    roots = sorted(sympy.solve(f, X), key=float)
    if any(sympy.simplify(f.subs(X, r)) != 0 for r in roots):
        raise ValueError("quadratic roots check failed")
    rule = poly_tex(f)
    draft = SceneDraft("solve", "example", "Solve it step by step").beat(
        f"Solve {spoken(rule)} equals 0.", ShowEquation(id="eq", latex=f"{rule} = 0", region="top")
    )
    answer = ", \\; ".join(f"x = {tex(r)}" for r in roots)
    if params.method == "factor":
        factored = sympy.factor(f)
        draft.beat(
            f"Factor the left side: {spoken(tex(factored))}.",
            WriteStep(target="eq", latex=f"{tex(factored)} = 0", note="factorise"),
        )
        brackets = [tex(factor) for factor in sympy.Mul.make_args(factored) if factor.has(X)]
        draft.beat(
            "A product is 0 only when one of its factors is 0, so set each bracket to 0.",
            WriteStep(target="eq", latex=" \\;\\text{or}\\; ".join(f"{t} = 0" for t in brackets), note="a factor is 0"),
        )
        draft.beat(
            f"So x is {' or '.join(said(r) for r in roots)}.",
            WriteStep(target="eq", latex=answer, highlight=[tex(r) for r in roots][:4], box=True),
        )
    elif params.method == "complete_square":
        half = sympy.Rational(b, 2)
        shift = half**2 - c
        square = tex((X + half) ** 2)
        draft.beat(
            f"Move the constant across: x squared {'plus' if b >= 0 else 'minus'} {abs(b)} x equals {said(-c)}.",
            WriteStep(
                target="eq",
                latex=f"{poly_tex(X**2 + b * X)} = {tex(sympy.Integer(-c))}",
                note=f"{MINUS if c > 0 else '+'} {abs(c)} on both sides",
            ),
        )
        draft.beat(
            f"Add half of {said(b)}, squared, which is {spoken(tex(half**2))}, to both sides.",
            WriteStep(
                target="eq",
                latex=f"{poly_tex(X**2 + b * X)} + {tex(half**2)} = {tex(sympy.Integer(-c))} + {tex(half**2)}",
                highlight=[f"+ {tex(half**2)}"],
                note=f"+ {half**2} on both sides",
            ),
        )
        draft.beat(
            f"The left side is now a perfect square, and the right side is {spoken(tex(shift))}.",
            WriteStep(target="eq", latex=f"{square} = {tex(shift)}", highlight=[square], note="a perfect square"),
        )
        draft.beat(
            f"Take square roots, keeping both signs: x equals {spoken(tex(-half))} plus or minus the root of "
            f"{spoken(tex(shift))}.",
            WriteStep(target="eq", latex=f"x = {tex(-half)} \\pm \\sqrt{{{tex(shift)}}}", note="square roots"),
        )
        root_value = sympy.sqrt(shift)
        if root_value.is_rational:
            roots_said = " or ".join(said(r) for r in roots)
            draft.beat(
                f"That is {spoken(tex(-half))} plus or minus {spoken(tex(root_value))}, so x is {roots_said}.",
                WriteStep(
                    target="eq",
                    latex=f"x = {tex(-half)} \\pm {tex(root_value)} \\;\\Rightarrow\\; {answer}",
                    highlight=[answer],
                    box=True,
                ),
            )
        else:
            decimals = [num(float(r)) for r in roots]
            draft.beat(
                f"So x is about {' or '.join(d.replace('-', 'minus ') for d in decimals)}.",
                WriteStep(target="eq", latex=", \\; ".join(f"x \\approx {d}" for d in decimals), box=True),
            )
    else:
        disc = b * b - 4 * a * c
        draft.beat(
            f"Here a is {said(a)}, b is {said(b)} and c is {said(c)}.",
            ShowEquation(id="abc", latex=f"a = {a},\\; b = {b},\\; c = {c}", region="bottom"),
        )
        draft.beat(
            f"The discriminant is b squared minus 4 a c, which is {disc}.",
            ShowEquation(
                id="d", latex=f"b^2 - 4ac = {b * b} - {4 * a * c} = {disc}".replace("- -", "+ "), region="bottom"
            ),
        )
        draft.beat(
            "Put them into the formula.",
            WriteStep(target="eq", latex=f"x = \\frac{{{-b} \\pm \\sqrt{{{disc}}}}}{{{2 * a}}}", note="the formula"),
        )
        if all(r.is_rational for r in roots):
            draft.beat(
                f"So x is {' or '.join(said(r) for r in roots)}.", WriteStep(target="eq", latex=answer, box=True)
            )
        else:
            decimals = [num(float(r)) for r in roots]
            draft.beat(
                f"So x is about {' or '.join(d.replace('-', 'minus ') for d in decimals)}.",
                WriteStep(target="eq", latex=", \\; ".join(f"x \\approx {d}" for d in decimals), box=True),
            )
    total, product = sum(roots), sympy.Mul(*roots) if len(roots) == 2 else roots[0] ** 2
    if sympy.simplify(total + sympy.Rational(b, a)) != 0 or sympy.simplify(product - sympy.Rational(c, a)) != 0:
        raise ValueError("root sum and product check failed")
    total, product = sympy.nsimplify(sympy.simplify(total)), sympy.nsimplify(sympy.simplify(product))
    draft.beat(
        f"Check: the roots add to minus b over a, {spoken(tex(total))}, and multiply to c over a, "
        f"{spoken(tex(product))}.",
        ShowEquation(
            id="check",
            latex=f"x_1 + x_2 = {tex(total)} = -\\frac{{b}}{{a}},\\quad x_1 x_2 = {tex(product)} = \\frac{{c}}{{a}}",
            region="bottom",
        ),
    )
    return [draft.build()]


__all__ = ["X", "num", "poly_tex", "tex"]
