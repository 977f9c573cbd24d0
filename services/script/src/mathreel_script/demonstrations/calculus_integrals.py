"""Integrals: Riemann sums refining to the area, the area function whose slope is the integrand, rules step by step."""

from __future__ import annotations

from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Indicate,
    PlotFunction,
    Remove,
    Scene,
    ShadeArea,
    ShowAxes,
    ShowEquation,
    ShowTable,
    Sweep,
    SweepTo,
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

Integrand = Literal["square", "cube", "sine", "exp", "linear", "sqrt", "reciprocal"]
INTEGRANDS: dict[str, sympy.Expr] = {
    "square": X**2,
    "cube": X**3,
    "sine": sympy.sin(X),
    "exp": sympy.exp(X),
    "linear": X + 1,
    "sqrt": sympy.sqrt(X),
    "reciprocal": 1 / X,
}


def _grouped(expr: sympy.Expr) -> str:
    """An integrand's LaTeX, in parentheses when it is a sum (the integral of the whole sum, not its first term)."""
    return f"\\left({tex(expr)}\\right)" if isinstance(expr, sympy.Add) else tex(expr)


class RiemannParams(Params):
    function: Integrand = "square"
    a: int = Field(default=0, ge=0, le=4)
    b: int = Field(default=2, ge=1, le=6)


def _bounds(params: RiemannParams, facts: ContextFacts) -> tuple[int, int]:
    a, b = params.a, params.b
    given = dict(facts.assignments)
    if "a" in given and "b" in given and 0 <= given["a"] < given["b"] <= 6:
        a, b = int(given["a"]), int(given["b"])
    if params.function == "reciprocal" and a == 0:
        a = 1
    if a >= b:
        raise ValueError("the interval must run left to right")
    return a, b


def midpoint_sum(f: sympy.Expr, a: int, b: int, n: int) -> sympy.Expr:
    """The midpoint Riemann sum of ``f`` on ``[a, b]`` with ``n`` equal strips (exact where SymPy can)."""
    width = sympy.Rational(b - a, n)
    return sympy.nsimplify(sum(f.subs(X, a + (i + sympy.Rational(1, 2)) * width) for i in range(n)) * width)


@demonstration("riemann_sum_refine", RiemannParams)
@voiced
def riemann_sum_refine(params: RiemannParams, facts: ContextFacts) -> list[Scene]:
    """Rectangles under a curve, doubled and doubled again: their total area converges to the integral."""
    f = INTEGRANDS[params.function]
    a, b = _bounds(params, facts)
    exact = sympy.integrate(f, (X, a, b))
    counts = (4, 8, 32)
    sums = [midpoint_sum(f, a, b, n) for n in counts]
    errors = [abs(float(s - exact)) for s in sums]
    if not errors[0] >= errors[1] >= errors[2]:
        raise ValueError("the sums should close in on the integral")
    integral = f"\\int_{{{a}}}^{{{b}}} {_grouped(f)} \\, dx"
    draft = SceneDraft("riemann", "explanation", "Rectangles under the curve").beat(
        f"How much area lies under f of x equals {spoken(tex(f))}, between x equals {a} and x equals {b}?",
        ShowEquation(id="sum", latex=integral, region="top"),
        ShowAxes(id="ax", x_range=fit_range(0, b), y_range=y_range_of(f, max(a, 0.1), b), region="center"),
        PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(max(a, 0.05), b), color="blue"),
    )
    previous: str | None = None
    for n, total in zip(counts, sums, strict=True):
        gone = [Remove(targets=[previous])] if previous else []
        previous = f"strips{n}"
        lead = "Fill it with" if n == counts[0] else "Use"
        draft.beat(
            f"{lead} {n} rectangles, each as high as the curve at its middle: together they hold {num(total)}.",
            *gone,
            ShadeArea(id=previous, graph="graph", x_range=(a, b), rectangles=n, color="orange"),
            changed("sum", f"M_{{{n}}} = {num(total)}", num(total)),
        )
    draft.beat(
        f"In the limit the rectangles fill the region exactly: the integral is {num(exact)}.",
        Remove(targets=[previous or "graph"]),
        ShadeArea(id="exact", graph="graph", x_range=(a, b), color="green"),
        TransformEquation(target="sum", latex=f"{integral} = {tex(exact)} \\approx {num(exact)}"),
    )
    table = (
        SceneDraft("sums", "explanation", "The sums settle")
        .beat(
            f"Side by side: {counts[0]}, {counts[1]} and {counts[2]} rectangles, and the exact value.",
            ShowAxes(id="ax", x_range=fit_range(0, b), y_range=y_range_of(f, max(a, 0.1), b), region="left"),
            PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(max(a, 0.05), b), color="blue"),
            ShadeArea(id="fine", graph="graph", x_range=(a, b), rectangles=counts[-1], color="orange"),
            ShowTable(
                id="tab",
                header=["rectangles", "sum", "error"],
                rows=[[str(n), num(s), num(e)] for n, s, e in zip(counts, sums, errors, strict=True)]
                + [["exact", num(exact), "0"]],
                region="right",
            ),
        )
        .beat(
            f"Each doubling shrinks the error, from {num(errors[0])} down to {num(errors[2])}.",
            Indicate(target="tab"),
        )
    )
    return [draft.build(), table.build()]


class AccumulationParams(Params):
    function: Literal["linear", "square", "sine"] = "linear"


@demonstration("accumulation_ftc", AccumulationParams)
@voiced
def accumulation_ftc(params: AccumulationParams, facts: ContextFacts) -> list[Scene]:
    """The area from 0 to x, tabulated as x grows, graphed beside f: its slope at every x is f(x)."""
    f = INTEGRANDS[params.function]
    t = sympy.Symbol("t")
    area = sympy.integrate(f.subs(X, t), (t, 0, X))
    if sympy.simplify(sympy.diff(area, X) - f) != 0:
        raise ValueError("fundamental theorem check failed")
    stops = [1, 2, 3]
    values = [area.subs(X, s) for s in stops]
    high = 3.2
    rows = [[str(s), num(v)] for s, v in zip(stops, values, strict=True)]
    draft = SceneDraft("accumulate", "explanation", "Area as a function").beat(
        f"Shade the area under f of t equals {spoken(tex(f.subs(X, t)))} from 0 up to a moving right end x.",
        ShowEquation(id="a", latex=f"A(x) = \\int_{{0}}^{{x}} {_grouped(f.subs(X, t))} \\, dt", region="top"),
        ShowAxes(id="ax", x_range=fit_range(0, high), y_range=y_range_of(f, 0, high), region="left"),
        PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(0, high), color="blue"),
    )
    for index, (stop, value) in enumerate(zip(stops, values, strict=True)):
        moving = (
            Sweep(id="edge", graph="graph", start=0, end=stop, show=["dot", "vertical", "area"], anchor=0)
            if index == 0
            else SweepTo(target="edge", end=stop)
        )
        gone = [Remove(targets=[f"tab{index - 1}"])] if index else []
        draft.beat(
            f"Slide the right end to x equals {stop}: the area is now {num(value)}.",
            *gone,
            ShowTable(id=f"tab{index}", header=["x", "A(x)"], rows=rows[: index + 1], region="right"),
            moving,
        )
    scene2 = (
        SceneDraft("ftc", "explanation", "The slope of the area is the height")
        .beat(
            f"Graph the area function itself: A of x equals {spoken(tex(area))}.",
            ShowEquation(id="big_a", latex=f"A(x) = {tex(area)}", region="top"),
            ShowAxes(id="ax2", x_range=fit_range(0, high), y_range=y_range_of(area, 0, high), region="center"),
            PlotFunction(id="area_graph", axes="ax2", expression=plot_expr(area), x_range=(0, high), color="orange"),
        )
        .beat(
            f"Slide a tangent along it: at x equals 2 its slope is {num(f.subs(X, 2))}, exactly the height of f at 2.",
            Sweep(id="tan", graph="area_graph", start=0.5, end=2, show=["dot", "tangent", "slope"], color="red"),
            TransformEquation(target="big_a", latex=f"A'(2) = f(2) = {num(f.subs(X, 2))}"),
        )
        .beat(
            "That is the fundamental theorem: the rate at which area accumulates is the height of the curve.",
            TransformEquation(target="big_a", latex="\\frac{d}{dx} \\int_{0}^{x} f(t) \\, dt = f(x)"),
            Indicate(target="area_graph"),
        )
    )
    return [draft.build(), scene2.build()]


Technique = Literal["power", "substitution", "parts", "exponential"]


class IntegrateParams(Params):
    technique: Technique = "power"
    a: int = Field(default=0, ge=0, le=3)
    b: int = Field(default=2, ge=1, le=4)
    k: int = Field(default=2, ge=1, le=4)


def _technique(kind: Technique, k: int) -> tuple[sympy.Expr, list[tuple[str, str]]]:
    """An integrand and the steps to its antiderivative: (what the step says, LaTeX after it)."""
    x = X
    if kind == "power":
        f = 3 * x**2 + 2 * k * x
        return f, [
            (
                "Raise each power by one and divide by the new power.",
                f"\\frac{{3 x^{{3}}}}{{3}} + \\frac{{{2 * k} x^{{2}}}}{{2}}",
            ),
            ("Simplify.", tex(sympy.integrate(f, x))),
        ]
    if kind == "substitution":
        f = 2 * x * (x**2 + 1) ** k
        return f, [
            ("Let u be x squared plus 1, so d u is 2 x d x.", f"\\int u^{{{k}}} \\, du"),
            ("Integrate the power of u.", f"\\frac{{u^{{{k + 1}}}}}{{{k + 1}}}"),
            ("Put x back in place of u.", f"\\frac{{(x^{{2}} + 1)^{{{k + 1}}}}}{{{k + 1}}}"),
        ]
    if kind == "parts":
        f = x * sympy.exp(k * x)
        v = sympy.exp(k * x) / k
        return f, [
            ("Take u equal to x and d v the exponential; then d u is d x.", f"{tex(x * v)} - \\int {tex(v)} \\, dx"),
            ("The integral left over is easy.", tex(sympy.expand(sympy.integrate(f, x)))),
        ]
    f = sympy.exp(k * x)
    return f, [
        ("The exponential integrates to itself, divided by the inner factor.", tex(sympy.integrate(f, x))),
    ]


@demonstration("integrate_steps", IntegrateParams)
@voiced
def integrate_steps(params: IntegrateParams, facts: ContextFacts) -> list[Scene]:
    """An antiderivative found step by step, checked by differentiating, then used for a definite integral's area."""
    f, steps = _technique(params.technique, params.k)
    if params.technique == "substitution":
        antiderivative = (X**2 + 1) ** (params.k + 1) / (params.k + 1)
    else:  # written out term by term, so that it reads aloud without a spoken bracket
        antiderivative = sympy.expand(sympy.integrate(f, X))
    if sympy.simplify(sympy.diff(antiderivative, X) - f) != 0:
        raise ValueError("antiderivative check failed")
    a, b = params.a, params.b
    if a >= b:
        raise ValueError("the interval must run left to right")
    value = sympy.integrate(f, (X, a, b))
    if sympy.simplify(antiderivative.subs(X, b) - antiderivative.subs(X, a) - value) != 0:
        raise ValueError("definite integral check failed")
    high = b + 0.25
    # The steps are worked on the left while the integrand's graph stays in view on the right.
    draft = SceneDraft("antiderivative", "example", "Integrate step by step").beat(
        f"Find the integral of {spoken(tex(f))}, graphed here.",
        ShowEquation(id="f", latex=f"\\int {_grouped(f)} \\, dx", region="top"),
        ShowAxes(id="ax0", x_range=fit_range(0, high), y_range=y_range_of(f, 0, high), region="right"),
        PlotFunction(id="graph0", axes="ax0", expression=plot_expr(f), x_range=(0, high), color="blue"),
    )
    draft.beat(steps[0][0], ShowEquation(id="s", latex=steps[0][1], region="left"))
    for words, latex in steps[1:]:
        draft.beat(f"{words} That gives {spoken(latex)}.", TransformEquation(target="s", latex=latex))
    draft.beat(
        "Check by differentiating: we get the integrand back. Add a constant C for all antiderivatives.",
        TransformEquation(target="s", latex=f"\\frac{{d}}{{dx}} \\left( {tex(antiderivative)} \\right) = {tex(f)}"),
        ShowEquation(id="c", latex=f"\\int {_grouped(f)} \\, dx = {tex(antiderivative)} + C", region="bottom"),
    )
    area = (
        SceneDraft("definite", "example", "The area it gives")
        .beat(
            f"Now the area under it from {a} to {b}.",
            ShowEquation(id="d", latex=f"\\int_{{{a}}}^{{{b}}} {_grouped(f)} \\, dx", region="top"),
            ShowAxes(id="ax", x_range=fit_range(0, high), y_range=y_range_of(f, 0, high), region="center"),
            PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(0, high), color="blue"),
        )
        .beat(
            f"Evaluate the antiderivative at {b} and subtract its value at {a}: the area is {num(value)}.",
            ShadeArea(id="area", graph="graph", x_range=(a, b), color="orange"),
            TransformEquation(
                target="d",
                latex=f"F({b}) - F({a}) = {tex(value)}" + ("" if value.is_Integer else f" \\approx {num(value)}"),
            ),
        )
        .beat(
            f"16 thin rectangles agree: they hold {num(_strips(f, a, b))}.",
            Remove(targets=["area"]),
            ShadeArea(id="strips", graph="graph", x_range=(a, b), rectangles=16, color="green"),
            ShowEquation(id="m", latex=f"M_{{16}} = {num(_strips(f, a, b))}", region="bottom"),
        )
    )
    return [draft.build(), area.build()]


def _strips(f: sympy.Expr, a: int, b: int) -> float:
    width = sympy.Rational(b - a, 16)
    return float(sum(f.subs(X, a + (i + sympy.Rational(1, 2)) * width) for i in range(16)) * width)
