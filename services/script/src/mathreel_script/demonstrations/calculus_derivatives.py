"""Derivatives: secants turning into a tangent, rules applied step by step, extrema read from the derivative's sign."""

from __future__ import annotations

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
    ShowPolygon,
    ShowSegment,
    ShowTable,
    ShowTangent,
    Sweep,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._calculus_common import (
    DOMAINS,
    FUNCTIONS,
    FunctionName,
    X,
    changed,
    fit_range,
    num,
    plot_expr,
    tex,
    voiced,
    y_range_of,
)
from mathreel_script.demonstrations._request import interval, polynomial_in
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import spoken


class SecantParams(Params):
    function: FunctionName = "square"
    at: float = Field(default=1, ge=-3, le=5)


def _point_in_domain(name: str, wanted: float, facts: ContextFacts) -> float:
    low, high = DOMAINS[name]
    for candidate in facts.integers(-3, 5):
        if low + 0.5 <= candidate <= high - 1:
            return float(candidate)
    if not low + 0.2 <= wanted <= high - 1:
        raise ValueError(f"x = {wanted} is outside the drawable part of {name}")
    return wanted


@demonstration("secant_to_tangent", SecantParams)
@voiced
def secant_to_tangent(params: SecantParams, facts: ContextFacts) -> list[Scene]:
    """Secant lines through a fixed point and a second point closing in on it turn into the tangent line."""
    f = FUNCTIONS[params.function]
    a = _point_in_domain(params.function, params.at, facts)
    a_s = sympy.nsimplify(a)
    fa = f.subs(X, a_s)
    slope = sympy.diff(f, X).subs(X, a_s)
    low, high = DOMAINS[params.function]
    axes_y = y_range_of(f, low, high)
    draft = SceneDraft("secant", "explanation", "From secants to the tangent").beat(
        f"Here is the graph of f of x equals {spoken(tex(f))}; we want its slope where x equals {num(a)}.",
        ShowEquation(id="quot", latex=f"f(x) = {tex(f)}", region="top"),
        ShowAxes(id="ax", x_range=fit_range(low, high), y_range=axes_y, region="center"),
        PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(low, high), color="blue"),
    )
    previous: str | None = None
    for index, h in enumerate((1, sympy.Rational(1, 2), sympy.Rational(1, 10))):
        q = (f.subs(X, a_s + h) - fa) / h
        line = fa + q * (X - a_s)
        gone = [Remove(targets=[previous])] if previous else []
        previous = f"secant{index}"
        lead = "Join it to a second point" if index == 0 else "Move the second point closer"
        draft.beat(
            f"{lead}, h equals {num(h)} further on: the secant has slope {num(q)}.",
            *gone,
            PlotFunction(id=previous, axes="ax", expression=plot_expr(line), x_range=(low, high), color="orange"),
            changed("quot", f"\\frac{{f({num(a_s + h)}) - f({num(a)})}}{{{num(h)}}} = {num(q)}", num(q)),
        )
    draft.beat(
        "Now slide the second point all the way in: the secant turns about the fixed point.",
        Remove(targets=[previous or "graph"]),
        Sweep(id="slide", graph="graph", start=a + 1, end=a + 0.01, show=["dot", "secant"], anchor=a, color="orange"),
    )
    draft.beat(
        f"As h shrinks to zero the secants become the tangent, with slope {num(slope)}: the derivative at {num(a)}.",
        Remove(targets=["slide"]),
        ShowTangent(id="tangent", graph="graph", x=a, color="red"),
        changed("quot", f"f'({num(a)}) = {num(slope)}", num(slope)),
    )
    rows = []
    for k in (1, 2, 3):
        h = sympy.Rational(1, 10**k)
        rows.append([num(h), f"{float((f.subs(X, a_s + h) - fa) / h):.7g}"])  # enough digits to see it settle
    table = (
        SceneDraft("quotients", "explanation", "The difference quotient as h shrinks")
        .beat(
            "Compute the difference quotient for smaller and smaller h.",
            ShowEquation(id="def", latex="f'(a) = \\lim_{h \\to 0} \\frac{f(a+h) - f(a)}{h}", region="top"),
            ShowAxes(id="ax", x_range=fit_range(low, high), y_range=axes_y, region="left"),
            PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(low, high), color="blue"),
            ShowTable(id="tab", header=["h", "quotient"], rows=rows[:1], region="right"),
        )
        .beat(
            f"With h equal to {rows[1][0]} and then {rows[2][0]}, the quotient is {rows[1][1]}, then {rows[2][1]}.",
            Remove(targets=["tab"]),
            ShowTable(id="tab2", header=["h", "quotient"], rows=rows, region="right"),
        )
        .beat(
            f"The values settle on {num(slope)}, the slope of the tangent.",
            ShowEquation(id="lim", latex=f"f'({num(a)}) = {num(slope)}", region="bottom"),
            ShowTangent(id="tangent", graph="graph", x=a, color="red"),
        )
    )
    return [draft.build(), table.build()]


Rule = Literal["power", "product", "quotient", "chain", "exponential", "logarithm", "trig"]


class DiffStepsParams(Params):
    rule: Rule = "power"
    a: int = Field(default=3, ge=1, le=6)
    n: int = Field(default=2, ge=2, le=5)
    at: int = Field(default=1, ge=-2, le=2)


def _power(base: str, exponent: int) -> str:
    """``base`` to the power ``exponent`` as a course writes it (no exponent 1)."""
    return base if exponent == 1 else f"{base}^{{{exponent}}}"


def _rule_result(rule: Rule, a: int, n: int) -> sympy.Expr:
    """The derivative as the rule builds it, term by term (checked against SymPy's own derivative)."""
    x = X
    results: dict[str, sympy.Expr] = {
        "power": a * n * x ** (n - 1) + 1,
        "product": n * x ** (n - 1) * sympy.sin(x) + x**n * sympy.cos(x),
        "quotient": ((x**2 + 1) * a - a * x * 2 * x) / (x**2 + 1) ** 2,
        "chain": n * (a * x + 1) ** (n - 1) * a,
        "exponential": a * sympy.exp(a * x),
        "logarithm": 2 * x / (x**2 + a),
        "trig": a * sympy.cos(a * x),
    }
    return results[rule]


def _steps(rule: Rule, a: int, n: int) -> tuple[sympy.Expr, list[tuple[str, str]]]:
    """The function for ``rule`` and the steps that differentiate it: (what the step says, LaTeX after it)."""
    x = X
    if rule == "power":
        f = a * x**n + x
        return f, [
            ("Bring each power down in front and lower it by one.", f"f'(x) = {a} \\cdot {n} {_power('x', n - 1)} + 1"),
            ("Multiply out the numbers.", f"f'(x) = {tex(sympy.diff(f, x))}"),
        ]
    if rule == "product":
        u, v = x**n, sympy.sin(x)
        f = u * v
        return f, [
            (
                "The product rule: the first's derivative times the second, plus the first times the second's.",
                f"f'(x) = ({tex(u)})' \\sin{{x}} + {tex(u)} (\\sin{{x}})'",
            ),
            ("Differentiate each part.", f"f'(x) = {tex(sympy.diff(u, x))} \\sin{{x}} + {tex(u)} \\cos{{x}}"),
        ]
    if rule == "quotient":
        u, v = a * x, x**2 + 1
        f = u / v
        return f, [
            (
                "The quotient rule: bottom times top's derivative, minus top times bottom's, over bottom squared.",
                f"f'(x) = \\frac{{({tex(v)}) \\cdot {a} - {tex(u)} \\cdot 2 x}}{{({tex(v)})^{{2}}}}",
            ),
            ("Simplify the top.", f"f'(x) = {tex(sympy.factor(sympy.diff(f, x)))}"),
        ]
    if rule == "chain":
        inner = a * x + 1
        f = inner**n
        return f, [
            (
                "The chain rule: differentiate the outside, keep the inside, then multiply by the inside's derivative.",
                f"f'(x) = {n} {_power(f'({tex(inner)})', n - 1)} \\cdot {a}",
            ),
            ("Multiply the numbers in front.", f"f'(x) = {n * a} {_power(f'({tex(inner)})', n - 1)}"),
        ]
    if rule == "exponential":
        f = sympy.exp(a * x)
        return f, [
            (
                "The exponential is its own derivative; the chain rule brings down the inner factor.",
                f"f'(x) = e^{{{a} x}} \\cdot {a}",
            ),
            ("Write the factor in front.", f"f'(x) = {a} e^{{{a} x}}"),
        ]
    if rule == "logarithm":
        inner = x**2 + a
        f = sympy.log(inner)
        return f, [
            (
                "The logarithm's derivative is one over its inside, times the inside's derivative.",
                f"f'(x) = \\frac{{1}}{{{tex(inner)}}} \\cdot 2 x",
            ),
            ("Put it over one fraction.", f"f'(x) = {tex(sympy.diff(f, x))}"),
        ]
    f = sympy.sin(a * x)
    return f, [
        (
            "The derivative of sine is cosine, times the inside's derivative.",
            f"f'(x) = \\cos{{\\left({a} x \\right)}} \\cdot {a}",
        ),
        ("Write the factor in front.", f"f'(x) = {a} \\cos{{\\left({a} x \\right)}}"),
    ]


@demonstration("differentiate_steps", DiffStepsParams)
@voiced
def differentiate_steps(params: DiffStepsParams, facts: ContextFacts) -> list[Scene]:
    """A derivative worked rule by rule, then checked on the graph: the tangent's slope at a point is f' there."""
    given = dict(facts.assignments).get("a")
    a = int(given) if given is not None and given == int(given) and 1 <= given <= 6 else params.a
    f, steps = _steps(params.rule, a, params.n)
    derivative = sympy.diff(f, X)
    final = steps[-1][1].removeprefix("f'(x) = ")
    if sympy.simplify(_rule_result(params.rule, a, params.n) - derivative) != 0:
        raise ValueError("derivative check failed")
    x0 = params.at
    value = derivative.subs(X, x0)
    low, high = x0 - 2.0, x0 + 2.0
    if params.rule == "logarithm" or params.rule == "quotient":
        low, high = -3.0, 3.0
    elif params.rule == "exponential":
        low, high = x0 - 1.5, x0 + 0.5  # e to the a x outgrows any wider window
    # The rule works on the left while the graph it describes stays in view on the right.
    draft = SceneDraft("rules", "example", "Differentiate step by step").beat(
        f"Differentiate f of x equals {spoken(tex(f))}, graphed here.",
        ShowEquation(id="f", latex=f"f(x) = {tex(f)}", region="top"),
        ShowAxes(id="ax", x_range=fit_range(low, high), y_range=y_range_of(f, low, high), region="right"),
        PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(low, high), color="blue"),
    )
    draft.beat(steps[0][0], ShowEquation(id="d", latex=steps[0][1], region="left"))
    for words, latex in steps[1:]:
        draft.beat(f"{words} That gives {spoken(latex)}.", changed("d", latex, final))
    draft.beat(
        f"Check it on the graph: at x equals {x0} the formula gives a slope of {num(value)}.",
        ShowEquation(id="fx", latex=f"f'({x0}) = {num(value)}", region="bottom_left"),
        ShowTangent(id="tan", graph="graph", x=x0, color="red"),
    )
    draft.beat(
        f"The tangent at {x0} rises exactly {num(value)} for each step of 1 to the right.",
        Indicate(target="tan"),
    )
    draft.beat(
        f"The graph of f prime, in green, passes through height {num(value)} above x equals {x0}.",
        PlotFunction(id="slope", axes="ax", expression=plot_expr(derivative), x_range=(low, high), color="green"),
    )
    return [draft.build()]


class ExtremaParams(Params):
    p: int = Field(default=-1, ge=-3, le=2)
    q: int = Field(default=1, ge=-2, le=3)


@demonstration("extrema_sign_chart", ExtremaParams)
@voiced
def extrema_sign_chart(params: ExtremaParams, facts: ContextFacts) -> list[Scene]:
    """A cubic's derivative changes sign at its critical points: a maximum where it goes from plus to minus."""
    p, q = sorted((params.p, params.q))
    if p == q:
        raise ValueError("the two critical points must differ")
    f = sympy.expand(X**3 - sympy.Rational(3, 2) * (p + q) * X**2 + 3 * p * q * X)
    d1 = sympy.diff(f, X)
    d2 = sympy.diff(f, X, 2)
    critical = sorted(sympy.solve(d1, X))
    if critical != [p, q]:
        raise ValueError("critical points check failed")
    low, high = p - 1.5, q + 1.5
    probes = [p - 1, sympy.Rational(p + q, 2), q + 1]
    signs = ["+" if d1.subs(X, t) > 0 else "-" for t in probes]
    if signs != ["+", "-", "+"]:
        raise ValueError("sign chart check failed")
    fmax, fmin = f.subs(X, p), f.subs(X, q)
    (inflection,) = sympy.solve(d2, X)
    if inflection != sympy.Rational(p + q, 2):
        raise ValueError("inflection check failed")
    draft = (
        SceneDraft("extrema", "explanation", "Where the derivative is zero")
        .beat(
            f"Take f of x equals {spoken(tex(f))}.",
            ShowEquation(id="f", latex=f"f(x) = {tex(f)}", region="top"),
            ShowAxes(id="ax", x_range=fit_range(low, high), y_range=y_range_of(f, low, high), region="left"),
            PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(low, high), color="blue"),
        )
        .beat(
            f"Its derivative is {spoken(tex(d1))}, which is zero at x equals {p} and at x equals {q}.",
            ShowEquation(id="d", latex=f"f'(x) = {tex(d1)} = {tex(sympy.factor(d1))}", region="right"),
            ShowTangent(id="t1", graph="graph", x=p, color="red"),
            ShowTangent(id="t2", graph="graph", x=q, color="red"),
        )
        .beat(
            f"Before {p} the derivative is positive and the graph climbs; between {p} and {q} it is negative.",
            ShowTable(
                id="signs",
                header=["x", f"< {p}", f"{p} to {q}", f"> {q}"],
                rows=[["f'", *signs], ["f", "rises", "falls", "rises"]],
                region="right",
            ),
        )
        .beat(
            f"So x equals {p} is a local maximum, with value {num(fmax)}, and x equals {q} a local minimum, "
            f"with value {num(fmin)}.",
            ShowEquation(id="vals", latex=f"f({p}) = {num(fmax)}, \\quad f({q}) = {num(fmin)}", region="bottom"),
        )
        .beat(
            f"The second derivative agrees: it is {num(d2.subs(X, p))} at {p}, curving down, "
            f"and {num(d2.subs(X, q))} at {q}, curving up.",
            Remove(targets=["signs"]),
            ShowEquation(
                id="second",
                latex=f"f''({p}) = {num(d2.subs(X, p))}, \\quad f''({q}) = {num(d2.subs(X, q))}",
                region="right",
            ),
        )
        .beat(
            f"Between them, at x equals {num(inflection)}, the second derivative is zero and changes sign: "
            "the curve switches from bending down to bending up, an inflection point.",
            Remove(targets=["t1", "t2"]),
            ShowTangent(id="t3", graph="graph", x=float(inflection), color="green"),
            TransformEquation(target="second", latex=f"f''(x) = {tex(d2)} = 0 \\iff x = {num(inflection)}"),
        )
    )
    return [draft.build()]


_MAX_END = 10


class MeanValueParams(Params):
    function: FunctionName = "cube"
    a: float = Field(default=0, ge=-3, le=5)
    b: float = Field(default=2, ge=-2, le=6)


@demonstration("mean_value_secant", MeanValueParams)
@voiced
def mean_value_secant(params: MeanValueParams, facts: ContextFacts) -> list[Scene]:
    """The chord across an interval, and a point inside where the tangent runs parallel to it (the mean value)."""
    f = FUNCTIONS[params.function]
    a, b = sympy.nsimplify(params.a), sympy.nsimplify(params.b)
    low, high = DOMAINS[params.function]
    own = polynomial_in(facts)
    ends = interval(facts)
    if own is not None and ends is not None and -_MAX_END <= ends[0] < ends[1] <= _MAX_END:
        # The request's own polynomial on its own interval: defined and smooth everywhere, so the theorem applies.
        f = own
        a, b = sympy.Rational(ends[0]), sympy.Rational(ends[1])
        low, high = -_MAX_END, _MAX_END
    if not (low <= a < b <= high):
        raise ValueError("the interval must lie in the function's domain")
    chord = (f.subs(X, b) - f.subs(X, a)) / (b - a)
    candidates = [c for c in sympy.solve(sympy.diff(f, X) - chord, X) if c.is_real and a < c < b]
    if not candidates:
        candidates = [sympy.nsolve(sympy.diff(f, X) - chord, X, (a + b) / 2)]
    c = candidates[-1]
    if abs(float(sympy.diff(f, X).subs(X, c) - chord)) > 1e-9:
        raise ValueError("mean value check failed")
    line = f.subs(X, a) + chord * (X - a)
    pad = (b - a) / 4
    x_lo, x_hi = max(low, float(a - pad)), min(high, float(b + pad))
    draft = (
        SceneDraft("mvt", "explanation", "The mean value theorem")
        .beat(
            f"Take f of x equals {spoken(tex(f))} between x equals {num(a)} and x equals {num(b)}.",
            ShowEquation(id="eq", latex=f"f(x) = {tex(f)}", region="top"),
            ShowAxes(id="ax", x_range=fit_range(x_lo, x_hi), y_range=y_range_of(f, x_lo, x_hi), region="center"),
            PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(x_lo, x_hi), color="blue"),
        )
        .beat(
            f"The chord joining the two ends has slope {num(chord)}, the average rate of change.",
            PlotFunction(
                id="chord", axes="ax", expression=plot_expr(line), x_range=(float(a), float(b)), color="orange"
            ),
            changed("eq", f"\\frac{{f({num(b)}) - f({num(a)})}}{{{num(b)} - {num(a)}}} = {num(chord)}", num(chord)),
        )
        .beat(
            f"Slide a tangent along the curve: at x equals {num(c)} it has exactly that slope, parallel to the chord.",
            Sweep(
                id="tan",
                graph="graph",
                start=float(a),
                end=round(float(c), 4),
                show=["dot", "tangent", "slope"],
                color="red",
            ),
            ShowEquation(id="c", latex=f"f'({num(c)}) = {num(chord)}", region="bottom"),
        )
        .beat("The instant rate equals the average rate at least once.", Indicate(target="tan"))
    )
    return [draft.build()]


def _square(corner_x: int, corner_y: int, side: sympy.Expr, sheet: int) -> list[tuple[float, float]]:
    """The square of ``side`` cut from one corner of a ``sheet`` by ``sheet`` square (corner given as 0 or 1)."""
    x0 = 0.0 if corner_x == 0 else float(sheet - side)
    y0 = 0.0 if corner_y == 0 else float(sheet - side)
    w = float(side)
    return [(x0, y0), (x0 + w, y0), (x0 + w, y0 + w), (x0, y0 + w)]


class BoxParams(Params):
    side: int = Field(default=12, ge=6, le=60)


@demonstration("optimize_box_volume", BoxParams)
@voiced
def optimize_box_volume(params: BoxParams, facts: ContextFacts) -> list[Scene]:
    """Cut squares from the corners of a sheet and fold a box: the volume's derivative finds the best cut."""
    s = next((v for v in facts.integers(6, 60) if v % 6 == 0), params.side)
    volume = X * (s - 2 * X) ** 2
    d = sympy.diff(volume, X)
    roots = [r for r in sympy.solve(d, X) if 0 < r < sympy.Rational(s, 2)]
    if len(roots) != 1 or roots[0] != sympy.Rational(s, 6):
        raise ValueError("box optimum check failed")
    best = roots[0]
    vmax = volume.subs(X, best)
    samples = [sympy.Rational(s, 12), best, sympy.Rational(s, 3)]
    rows = [[num(t), num(volume.subs(X, t))] for t in samples]
    half = s / 2
    cut = best  # the picture shows a cut of a sixth: large enough to see
    draft = (
        SceneDraft("box", "example", "The biggest box")
        .beat(
            f"From a square sheet of side {s}, cut a square of side x from each corner and fold up the sides.",
            ShowEquation(id="v", latex=f"V(x) = x ({s} - 2x)^{{2}}", region="top"),
            ShowPolygon(
                id="sheet", vertices=[(0, 0), (s, 0), (s, s), (0, s)], fill_opacity=0.15, color="blue", region="center"
            ),
            *[
                ShowPolygon(id=f"cut{i}", vertices=_square(cx, cy, cut, s), fill_opacity=0.6, color="orange")
                for i, (cx, cy) in enumerate(((0, 0), (1, 0), (1, 1), (0, 1)))
            ],
            ShowSegment(id="cut_side", start=(0, -0.06 * s), end=(float(cut), -0.06 * s), label="x", color="orange"),
            ShowSegment(id="side", start=(-0.06 * s, 0), end=(-0.06 * s, s), label=str(s), color="blue"),
        )
        .beat(
            f"A cut of {rows[0][0]} gives volume {rows[0][1]}; a cut of {rows[2][0]} gives only {rows[2][1]}.",
            Remove(targets=["sheet", "cut0", "cut1", "cut2", "cut3", "cut_side", "side"]),
            ShowTable(id="tab2", header=["x", "V"], rows=[rows[0], rows[2]], region="right"),
            ShowAxes(
                id="ax",
                x_range=fit_range(0, half),
                y_range=fit_range(0, float(vmax) * 1.1, 6),
                y_label="V",
                region="left",
            ),
            PlotFunction(id="graph", axes="ax", expression=plot_expr(volume), x_range=(0, half), color="blue"),
        )
        .beat(
            f"The best cut is where the derivative, {spoken(tex(sympy.factor(d)))}, is zero: x equals {num(best)}. "
            f"The other zero, {num(half)}, leaves no box at all.",
            changed("v", f"V'(x) = {tex(sympy.factor(d))} = 0", "0"),
            ShowTangent(id="tan", graph="graph", x=float(best), color="red"),
        )
        .beat(
            f"There the tangent is flat and the volume is largest, {num(vmax)}.",
            Remove(targets=["tab2"]),
            ShowTable(id="tab3", header=["x", "V"], rows=rows, region="right"),
            ShowEquation(id="best", latex=f"V({num(best)}) = {num(vmax)}", region="bottom"),
        )
    )
    return [draft.build()]
