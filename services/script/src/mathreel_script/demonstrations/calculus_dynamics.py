"""Change step by step: Euler's method following a slope field, Newton's tangents, a surface sliced for partials."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Indicate,
    PlotFunction,
    Remove,
    Scene,
    ShowAxes,
    ShowEquation,
    ShowTable,
    ShowTangent,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._calculus_common import (
    X,
    changed,
    fit_range,
    num,
    plot_expr,
    tex,
    voiced,
    y_range_of,
)
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import spoken

OdeKind = Literal["growth", "decay", "linear", "logistic"]


class EulerParams(Params):
    kind: OdeKind = "growth"
    rate_tenths: int = Field(default=10, ge=1, le=20, description="The rate k, in tenths")
    y0: int = Field(default=1, ge=1, le=10)
    step_tenths: int = Field(default=5, ge=1, le=10, description="The step h, in tenths")


def _ode(kind: OdeKind, k: sympy.Rational) -> sympy.Expr:
    """The right-hand side of y' = F(x, y)."""
    y = sympy.Symbol("y")
    if kind == "growth":
        return k * y
    if kind == "decay":
        return -k * y
    if kind == "linear":
        return X - y
    return k * y * (1 - y / 10)


@lru_cache(maxsize=128)
def _exact_solution(kind: OdeKind, k: sympy.Rational, y0: int) -> sympy.Expr:
    """The exact solution of y' = f(x, y) with y(0) = y0, checked by putting it back. Solving the logistic equation
    takes SymPy seconds, and the parameters are few (a kind, k in tenths, a small y0): each is solved once per
    process."""
    y = sympy.Symbol("y")
    rhs = _ode(kind, k)
    fn = sympy.Function("y")
    solution: sympy.Expr = sympy.dsolve(sympy.Eq(fn(X).diff(X), rhs.subs(y, fn(X))), fn(X), ics={fn(0): y0}).rhs
    if sympy.simplify(solution.diff(X) - rhs.subs(y, solution)) != 0 or solution.subs(X, 0) != y0:
        raise ValueError("exact solution check failed")
    return solution


@demonstration("euler_method_steps", EulerParams)
@voiced
def euler_method_steps(params: EulerParams, facts: ContextFacts) -> list[Scene]:
    """A differential equation followed in straight steps along its slope (Euler), against the exact solution."""
    y = sympy.Symbol("y")
    k = sympy.Rational(params.rate_tenths, 10)
    y0 = params.y0
    given = dict(facts.assignments)
    if 1 <= given.get("k", 0) * 10 <= 20 and given["k"] * 10 == int(given["k"] * 10):
        k = sympy.Rational(int(given["k"] * 10), 10)
    h = sympy.Rational(params.step_tenths, 10)
    rhs = _ode(params.kind, k)
    solution = _exact_solution(params.kind, k, y0)
    steps = 4
    points = [(sympy.Integer(0), sympy.Integer(y0))]
    for _ in range(steps):
        xs, ys = points[-1]
        points.append((xs + h, ys + h * rhs.subs({X: xs, y: ys})))
    end = float(points[-1][0])
    exact_end = solution.subs(X, points[-1][0])
    low_y = min(min(float(p[1]) for p in points), float(y_range_of(solution, 0, end)[0]))
    high_y = max(max(float(p[1]) for p in points), float(y_range_of(solution, 0, end)[1]))
    equation = f"y' = {tex(rhs)}"
    draft = SceneDraft("euler", "explanation", "Following the slope in steps").beat(
        f"The equation y prime equals {spoken(tex(rhs))} gives the slope at every point. Start at y equals {y0}.",
        ShowEquation(id="ode", latex=f"{equation}, \\quad y(0) = {y0}", region="top"),
        ShowAxes(id="ax", x_range=fit_range(0, end), y_range=fit_range(min(low_y, 0), high_y), region="left"),
        ShowTable(
            id="tab0", header=["x", "y", "slope"], rows=[["0", str(y0), num(rhs.subs({X: 0, y: y0}))]], region="right"
        ),
    )
    rows = [["0", str(y0), num(rhs.subs({X: 0, y: y0}))]]
    for index in range(steps):
        (xa, ya), (xb, yb) = points[index], points[index + 1]
        slope = rhs.subs({X: xa, y: ya})
        segment = ya + slope * (X - xa)
        rows.append([num(xb), num(yb), num(rhs.subs({X: xb, y: yb}))])
        if index in (0, steps - 1):
            words = (
                f"Walk a step of {num(h)} along slope {num(slope)}: y becomes {num(yb)}."
                if index == 0
                else f"After the last step, at x equals {num(xb)}, Euler's method gives {num(yb)}."
            )
        else:
            words = f"Take the new slope, {num(slope)}, and step again, to {num(yb)}."
        draft.beat(
            words,
            PlotFunction(
                id=f"seg{index}",
                axes="ax",
                expression=plot_expr(segment),
                x_range=(float(xa), float(xb)),
                color="orange",
            ),
            Remove(targets=[f"tab{index}"]),
            ShowTable(id=f"tab{index + 1}", header=["x", "y", "slope"], rows=list(rows), region="right"),
        )
    draft.beat(
        f"The exact solution, {spoken(tex(solution))}, gives {num(exact_end)} there: smaller steps close the gap.",
        PlotFunction(id="exact", axes="ax", expression=plot_expr(solution), x_range=(0, end), color="blue"),
        TransformEquation(target="ode", latex=f"y = {tex(solution)}, \\quad y({num(end)}) \\approx {num(exact_end)}"),
    )
    return [draft.build()]


NewtonKind = Literal["square_root", "cubic", "cosine"]


class NewtonParams(Params):
    kind: NewtonKind = "square_root"
    n: int = Field(default=2, ge=2, le=30, description="The number whose square root is sought")
    start: float = Field(default=2, ge=0.5, le=5)


@demonstration("newton_iteration", NewtonParams)
@voiced
def newton_iteration(params: NewtonParams, facts: ContextFacts) -> list[Scene]:
    """Newton's method: follow the tangent down to the axis, again and again; the guesses close in on a root."""
    n = next(iter(facts.integers(2, 30)), params.n)
    functions = {"square_root": X**2 - n, "cubic": X**3 - 2 * X - 5, "cosine": sympy.cos(X) - X}
    f = functions[params.kind]
    d = sympy.diff(f, X)
    x_k = sympy.Float(params.start, 30)
    guesses = [x_k]
    for _ in range(4):
        x_k = x_k - f.subs(X, x_k) / d.subs(X, x_k)
        guesses.append(x_k)
    root = sympy.nsolve(f, X, float(guesses[-1]))
    if abs(float(guesses[-1] - root)) > 1e-8:
        raise ValueError("Newton iterates did not converge")
    low = min(0.0, float(min(guesses)) - 0.5)
    high = float(max(guesses)) + 0.5
    draft = SceneDraft("newton", "explanation", "Slide down the tangent").beat(
        f"To solve {spoken(tex(f))} equals 0, start with a guess, x equals {num(guesses[0])}.",
        ShowEquation(
            id="rule", latex=f"x_{{k+1}} = x_k - \\frac{{f(x_k)}}{{f'(x_k)}}, \\quad f(x) = {tex(f)}", region="top"
        ),
        ShowAxes(id="ax", x_range=fit_range(low, high), y_range=y_range_of(f, low, high), region="left"),
        PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(low, high), color="blue"),
        ShowTable(id="tab0", header=["k", "guess"], rows=[["0", num(guesses[0])]], region="right"),
    )
    for index in range(3):
        current, nxt = guesses[index], guesses[index + 1]
        gone = [Remove(targets=[f"tan{index - 1}"])] if index else []
        draft.beat(
            f"The tangent at {num(current)} meets the axis at {num(nxt)}: the next guess.",
            *gone,
            ShowTangent(id=f"tan{index}", graph="graph", x=float(current), color="red"),
            Remove(targets=[f"tab{index}"]),
            ShowTable(
                id=f"tab{index + 1}",
                header=["k", "guess"],
                rows=[[str(i), num(g)] for i, g in enumerate(guesses[: index + 2])],
                region="right",
            ),
        )
    draft.beat(
        f"The guesses settle on {num(root)}: each step roughly doubles the correct digits.",
        changed("rule", f"x \\approx {num(root)}", num(root)),
    )
    return [draft.build()]


Surface = Literal["paraboloid", "saddle", "product"]


class PartialParams(Params):
    surface: Surface = "paraboloid"
    a: int = Field(default=1, ge=-2, le=2)
    b: int = Field(default=2, ge=-2, le=2)


@demonstration("partial_derivative_slices", PartialParams)
@voiced
def partial_derivative_slices(params: PartialParams, facts: ContextFacts) -> list[Scene]:
    """Slices of a surface f(x, y): hold y fixed and the slope in x is one partial; hold x fixed for the other."""
    yv = sympy.Symbol("y")
    surfaces = {"paraboloid": X**2 + yv**2, "saddle": X**2 - yv**2, "product": X**2 * yv + yv}
    f = surfaces[params.surface]
    given = dict(facts.assignments)
    a = int(given["x"]) if "x" in given and -2 <= given["x"] <= 2 and given["x"] == int(given["x"]) else params.a
    b = int(given["y"]) if "y" in given and -2 <= given["y"] <= 2 and given["y"] == int(given["y"]) else params.b
    fx, fy = sympy.diff(f, X), sympy.diff(f, yv)
    fx_ab, fy_ab, f_ab = fx.subs({X: a, yv: b}), fy.subs({X: a, yv: b}), f.subs({X: a, yv: b})
    slice_x = f.subs(yv, b)
    slice_y = f.subs(X, a).subs(yv, X)  # drawn against the horizontal axis, which now stands for y
    if sympy.diff(slice_x, X).subs(X, a) != fx_ab or sympy.diff(slice_y, X).subs(X, b) != fy_ab:
        raise ValueError("partial derivative check failed")
    lo, hi = -3, 3
    draft = (
        SceneDraft("slices", "explanation", "One variable at a time")
        .beat(
            f"Take f of x and y equals {spoken(tex(f))}, and the point x equals {a}, y equals {b}, where f is "
            f"{num(f_ab)}.",
            ShowEquation(id="f", latex=f"f(x, y) = {tex(f)}, \\quad f({a}, {b}) = {num(f_ab)}", region="top"),
        )
        .beat(
            f"Hold y at {b}: what is left is a curve in x, {spoken(tex(slice_x))}.",
            ShowAxes(id="axx", x_range=(lo, hi, 1), y_range=y_range_of(slice_x, lo, hi), region="left"),
            PlotFunction(
                id="cx",
                axes="axx",
                expression=plot_expr(slice_x),
                x_range=(lo, hi),
                color="blue",
                label=_short(f"f(x, {b}) = {tex(slice_x)}", f"y = {b}"),
            ),
        )
        .beat(
            f"Its slope at x equals {a} is the partial derivative in x: {num(fx_ab)}.",
            ShowTangent(id="tx", graph="cx", x=a, color="red"),
            ShowEquation(id="px", latex=f"f_x = {tex(fx)}, \\quad f_x({a}, {b}) = {num(fx_ab)}", region="bottom_left"),
        )
        .beat(
            f"Now hold x at {a} instead: a curve in y, {spoken(tex(f.subs(X, a)))}.",
            ShowAxes(
                id="axy",
                x_range=(lo, hi, 1),
                y_range=y_range_of(slice_y, lo, hi),
                x_label="y",
                y_label="f",
                region="right",
            ),
            PlotFunction(
                id="cy",
                axes="axy",
                expression=plot_expr(slice_y),
                x_range=(lo, hi),
                color="green",
                label=_short(f"f({a}, y) = {tex(f.subs(X, a))}", f"x = {a}"),
            ),
        )
        .beat(
            f"Its slope at y equals {b} is the partial derivative in y: {num(fy_ab)}.",
            ShowTangent(id="ty", graph="cy", x=b, color="red"),
            ShowEquation(id="py", latex=f"f_y = {tex(fy)}, \\quad f_y({a}, {b}) = {num(fy_ab)}", region="bottom_right"),
        )
        .beat(
            f"Together they make the gradient, the vector {num(fx_ab)}, {num(fy_ab)}: the direction of steepest climb.",
            TransformEquation(target="f", latex=f"\\nabla f({a}, {b}) = ({num(fx_ab)}, {num(fy_ab)})"),
            Indicate(target="f"),
        )
    )
    return [draft.build()]


def _short(label: str, fallback: str) -> str:
    return label if len(label) <= 40 else fallback
