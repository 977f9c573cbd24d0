"""Integrals: Riemann sums refining to the area, the area function whose slope is the integrand, rules step by step."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
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
    ShowPolygon,
    ShowSegment,
    ShowTable,
    Sweep,
    SweepTo,
    TransformEquation,
    WriteStep,
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
from mathreel_script.demonstrations._request import integrand_in, interval
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import parse_plain, spoken
from mathreel_script.safe_math import UnsafeExpression, check_size

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
    counts = (4, 8, 32)
    own, ends = integrand_in(facts), interval(facts)
    if own is not None and ends is not None and all(e.denominator == 1 and 0 <= e <= 10 for e in ends):
        # The request's own polynomial and interval ("integral of x^2 from 1 to 3"), when the sums close in on it.
        low, high = int(ends[0]), int(ends[1])
        value = sympy.integrate(own, (X, low, high))
        own_errors = [abs(float(midpoint_sum(own, low, high, n) - value)) for n in counts]
        if own_errors[0] >= own_errors[1] >= own_errors[2]:
            f, a, b = own, low, high
    exact = sympy.integrate(f, (X, a, b))
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


# --- the area between two curves -----------------------------------------------------------------------------------
class BetweenParams(Params):
    first: str = Field(default="x", min_length=1, max_length=40, description="One curve, y in x")
    second: str = Field(default="x**2", min_length=1, max_length=40, description="The other curve, y in x")
    a: float | None = Field(default=None, ge=-20, le=20, description="Left end; None: where the curves meet")
    b: float | None = Field(default=None, ge=-20, le=20, description="Right end; None: where the curves meet")


# Curves a request gives that the demonstration works: polynomials of small degree, and sums of them with sines,
# cosines and exponentials of x (all integrated exactly in closed form).
_MAX_DEGREE = 4
_MAX_SPAN = 20
_ELEMENTARY = (sympy.sin(X), sympy.cos(X), sympy.exp(X))
# Vertices one shaded piece of the region may have (a polygon on the axes holds at most 12).
_REGION_VERTICES = 12
_Y = sympy.Symbol("y")
_X_AXIS = re.compile(r"\bx[- ]?axis\b", re.I)


def _workable(expr: sympy.Expr) -> bool:
    if expr.free_symbols - {X}:
        return False
    try:
        check_size(expr)
    except UnsafeExpression:
        return False
    for term in sympy.Add.make_args(sympy.expand(expr)):
        rest = term.as_independent(X)[1]
        if rest == 1 or rest in _ELEMENTARY:
            continue
        if rest.is_polynomial(X) and sympy.degree(rest, X) <= _MAX_DEGREE:
            continue
        return False
    return True


def curves_in(facts: ContextFacts) -> tuple[sympy.Expr, sympy.Expr] | None:
    """The first two curves the request writes as "y = ..." (or "f(x) = ..."), when they are different and this
    demonstration can work them; one curve and the x axis are two curves too."""
    found: list[sympy.Expr] = []
    for text in facts.plain_formulas:
        sides = parse_plain(text)
        if not sides or len(sides) != 2:
            continue
        left, right = sides
        if left != _Y and not (left.free_symbols and left.free_symbols - {X} and X in left.free_symbols):
            continue
        if _workable(right) and all(sympy.simplify(right - other) != 0 for other in found):
            found.append(right)
    if len(found) == 1 and _X_AXIS.search(" ".join(facts.sentences)):
        found.append(sympy.Integer(0))  # "between y = 4 - x^2 and the x axis": the axis is the curve y = 0
    return (found[0], found[1]) if len(found) >= 2 else None


def _crossings(difference: sympy.Expr, low: float, high: float) -> list[sympy.Expr]:
    """Where the two curves meet between ``low`` and ``high`` (exact for polynomials, else to 6 places)."""
    if difference.is_polynomial(X):
        if sympy.degree(difference, X) < 1:
            return []
        roots = [r for r in sympy.Poly(difference, X).real_roots() if low <= float(r) <= high]
        return sorted(set(roots), key=float)
    step = (high - low) / 400
    f = sympy.lambdify(X, difference, "math")
    found: list[sympy.Expr] = []
    left = low
    for index in range(1, 401):
        right = low + index * step
        if f(left) == 0:
            found.append(sympy.Float(left, 6))
        elif f(left) * f(right) < 0:
            found.append(sympy.Float(sympy.nsolve(difference, X, (left, right), solver="bisect"), 6))
        left = right
    return found


def _region(top: sympy.Expr, bottom: sympy.Expr, low: float, high: float) -> list[list[tuple[float, float]]]:
    """The region between ``top`` and ``bottom`` over ``[low, high]`` as polygons of at most 12 corners each, side
    by side: a straight curve needs its two ends, a bent one as many points along it as the polygon can hold."""
    straight = [sympy.degree(curve, X) <= 1 if curve.is_polynomial(X) else False for curve in (top, bottom)]
    if all(straight):
        pieces, along = 1, (2, 2)
    elif any(straight):
        pieces, along = 1, (2 if straight[0] else _REGION_VERTICES - 2, 2 if straight[1] else _REGION_VERTICES - 2)
    else:
        pieces, along = 3, (_REGION_VERTICES // 2, _REGION_VERTICES // 2)
    f, g = sympy.lambdify(X, top, "math"), sympy.lambdify(X, bottom, "math")
    polygons: list[list[tuple[float, float]]] = []
    width = (high - low) / pieces
    for index in range(pieces):
        left, right = low + index * width, low + (index + 1) * width
        upper = [left + (right - left) * k / (along[0] - 1) for k in range(along[0])]
        lower = [left + (right - left) * k / (along[1] - 1) for k in range(along[1])]
        corners = [(round(x, 3), round(float(f(x)), 3)) for x in upper]
        corners += [(round(x, 3), round(float(g(x)), 3)) for x in reversed(lower)]
        polygons.append(corners)
    return polygons


def _value(value: sympy.Expr) -> str:
    """An exact value and its decimal ("\\frac{1}{6} \\approx 0.167"), or the decimal alone."""
    if value.is_Rational:
        return tex(value) if value.is_Integer else f"{tex(value)} \\approx {num(value)}"
    return f"\\approx {num(value)}" if value.is_Float else f"{tex(value)} \\approx {num(value)}"


def _minus(top: sympy.Expr, bottom: sympy.Expr) -> str:
    """Top minus bottom as written from the two curves, "x - x^{2}", with the bottom in brackets when it is a sum."""
    return f"{tex(top)} - {_grouped(bottom)}"


@demonstration("area_between_curves", BetweenParams)
@voiced
def area_between_curves(params: BetweenParams, facts: ContextFacts) -> list[Scene]:
    """The area between two curves: both graphed, the region between them shaded, a thin strip as tall as top minus
    bottom, the integral of top minus bottom set up and evaluated (split where the curves cross), the area stated."""
    given = curves_in(facts)
    if given is not None:
        first, second = given
        named_ends = interval(facts)
        a, b = (float(named_ends[0]), float(named_ends[1])) if named_ends else (None, None)
    else:
        first = sympy.sympify(params.first, locals={"x": X})
        second = sympy.sympify(params.second, locals={"x": X})
        a, b = params.a, params.b
    difference = sympy.expand(first - second)
    if difference == 0:
        raise ValueError("the two curves must differ")
    if a is None or b is None:
        meets = _crossings(difference, -_MAX_SPAN, _MAX_SPAN)
        if len(meets) < 2:
            raise ValueError("the curves do not enclose a region: give the interval")
        low, high = meets[0], meets[-1]
        named = False
    else:
        low, high = (
            sympy.Rational(Fraction(a).limit_denominator(1000)),
            sympy.Rational(Fraction(b).limit_denominator(1000)),
        )
        named = True
    if not 0 < float(high - low) <= _MAX_SPAN:
        raise ValueError("the interval must run left to right, within 20")
    cuts = [c for c in _crossings(difference, float(low), float(high)) if float(low) < float(c) < float(high)]
    ends = [low, *cuts, high]
    pieces: list[tuple[sympy.Expr, sympy.Expr, sympy.Expr, sympy.Expr]] = []
    for left, right in itertools.pairwise(ends):
        middle = (left + right) / 2
        above = float(difference.subs(X, middle)) > 0
        top, bottom = (first, second) if above else (second, first)
        pieces.append((left, right, top, bottom))
    antiderivatives = [sympy.integrate(sympy.expand(top - bottom), X) for _, _, top, bottom in pieces]
    # Exact where the ends are rational; else (a crossing at a root or a sine's zero) to six places.
    exact = all(end.is_Rational for end in ends)
    areas = [
        sympy.nsimplify(F.subs(X, right) - F.subs(X, left))
        if exact
        else sympy.Float(F.subs(X, right) - F.subs(X, left), 6)
        for F, (left, right, _, _) in zip(antiderivatives, pieces, strict=True)
    ]
    total = sum(areas, sympy.Integer(0))
    # The working is checked two ways: each piece's antiderivative differentiates back to top minus bottom, and
    # the total matches a numerical integral of the distance between the curves.
    for F, (_, _, top, bottom) in zip(antiderivatives, pieces, strict=True):
        if sympy.simplify(sympy.diff(F, X) - (top - bottom)) != 0:
            raise ValueError("antiderivative check failed")
    distance = sympy.lambdify(X, sympy.Abs(difference), "math")
    count = 2000
    width = float(high - low) / count
    riemann = sum(distance(float(low) + (i + 0.5) * width) for i in range(count)) * width
    if abs(riemann - float(total)) > 1e-3 * max(1.0, abs(float(total))):
        raise ValueError("area check failed")
    lo, hi = float(low), float(high)
    pad = (hi - lo) / 8
    x_axis = fit_range(lo - pad, hi + pad)
    ys = [y_range_of(curve, lo - pad, hi + pad) for curve in (first, second)]
    y_axis = fit_range(min(r[0] for r in ys), max(r[1] for r in ys))
    draft = SceneDraft("between", "example", "The area between two curves")
    # Each curve's equation in its graph's colour: the legend, and the formulas of the request shown as written.
    draft.beat(
        f"Here are y equals {spoken(tex(first))}, in blue, and y equals {spoken(tex(second))}, in green.",
        ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, region="left"),
        PlotFunction(id="f1", axes="ax", expression=plot_expr(first), color="blue"),
        PlotFunction(id="f2", axes="ax", expression=plot_expr(second), color="green"),
        ShowEquation(id="eq1", latex=f"y = {tex(first)}", region="top_left", color="blue"),
        ShowEquation(id="eq2", latex=f"y = {tex(second)}", region="top_right", color="green"),
    )
    marks = [
        ShowSegment(
            id=f"end_{index}",
            axes="ax",
            start=(round(float(x), 3), y_axis[0]),
            end=(round(float(x), 3), y_axis[1]),
            label=f"x = {num(x)}",
            dashed=True,
            color="grey",
        )
        for index, x in enumerate((low, high))
    ]
    where = (
        f"We want the area from x equals {num(low)} to x equals {num(high)}."
        if named
        else f"They meet where x equals {num(low)} and where x equals {num(high)}: the region lies between."
    )
    draft.beat(where, *marks)
    left0, right0, top0, bottom0 = pieces[0]
    middle = (float(left0) + float(right0)) / 2
    strip_top, strip_bottom = float(top0.subs(X, middle)), float(bottom0.subs(X, middle))
    draft.beat(
        f"Between them y equals {spoken(tex(top0))} is on top. A thin strip across the region is as tall as the top "
        "curve minus the bottom one.",
        ShowSegment(
            id="strip",
            axes="ax",
            start=(round(middle, 3), round(strip_bottom, 3)),
            end=(round(middle, 3), round(strip_top, 3)),
            color="red",
        ),
        ShowEquation(id="work", latex=f"h = {_minus(top0, bottom0)}", region="right"),
    )
    shaded = [
        ShowPolygon(id=f"region_{p}_{k}", axes="ax", vertices=corners, color="orange", fill_opacity=0.45)
        for p, (left, right, top, bottom) in enumerate(pieces)
        for k, corners in enumerate(_region(top, bottom, float(left), float(right)))
    ][:8]
    integrals = " + ".join(
        f"\\int_{{{num(left)}}}^{{{num(right)}}} \\left({_minus(top, bottom)}\\right) dx"
        for left, right, top, bottom in pieces
    )
    split = (
        f" The curves cross at x equals {', '.join(num(c) for c in cuts)}, so the integral is split there."
        if cuts
        else ""
    )
    draft.beat(
        "Adding up all the strips is an integral of top minus bottom." + split,
        *shaded,
        Remove(targets=["strip"]),
        WriteStep(target="work", latex=f"A = {integrals}"),
    )
    if len(pieces) == 1:
        F = antiderivatives[0]
        draft.beat(
            f"An antiderivative is {spoken(tex(F))}; evaluate it at {num(high)} and subtract its value at {num(low)}.",
            WriteStep(target="work", latex=f"A = \\left[{tex(F)}\\right]_{{{num(low)}}}^{{{num(high)}}}"),
        )
    else:
        draft.beat(
            "Each piece is worked the same way: "
            + "; ".join(
                f"the piece from {num(start)} to {num(stop)} holds {num(v)}"
                for (start, stop, _, _), v in zip(pieces, areas, strict=True)
            )
            + ".",
            WriteStep(target="work", latex="A = " + " + ".join(num(v) for v in areas)),
        )
    draft.beat(
        f"So the area between the curves is {spoken(tex(total)) if total.is_Rational else num(total)}"
        + ("" if total.is_Integer or not total.is_Rational else f", about {num(total)}")
        + ".",
        WriteStep(target="work", latex=f"A = {_value(total)}", box=True),
    )
    return [draft.build()]
