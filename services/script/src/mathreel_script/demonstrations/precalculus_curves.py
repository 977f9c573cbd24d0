"""Curves beyond functions: the conic sections drawn from their equations and their defining distances (to a centre,
to two foci, to a focus and a directrix), and curves traced point by point by a parameter or a polar angle."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Action,
    Indicate,
    PlotFunction,
    Remove,
    Scene,
    ShowAxes,
    ShowEquation,
    ShowPoint,
    ShowSegment,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import axis_range, check, context_ints, num, pt
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


class ConicParams(Params):
    kind: Literal["circle", "ellipse", "parabola", "hyperbola"] = "ellipse"
    a: int = Field(default=5, ge=1, le=8, description="Radius, or the semi-axis along x")
    b: int = Field(default=3, ge=1, le=8, description="The semi-axis along y")
    h: int = Field(default=0, ge=-4, le=4, description="Centre x (circle)")
    k: int = Field(default=0, ge=-4, le=4, description="Centre y (circle)")


def _shifted(name: str, value: int) -> str:
    return name if value == 0 else f"({name} {'-' if value > 0 else '+'} {abs(value)})"


@demonstration("conic_from_equation", ConicParams)
def conic_from_equation(params: ConicParams, facts: ContextFacts) -> list[Scene]:
    """A conic drawn from its equation, then the distance property that defines it checked at two points: equal
    distance from the centre, a constant sum (ellipse) or difference (hyperbola) of distances to the foci, or equal
    distance to the focus and the directrix (parabola)."""
    kind, a, b = params.kind, params.a, params.b
    found = context_ints(facts, 2 if kind in ("ellipse", "hyperbola") else 1, 1, 8)
    if found:
        a, b = (found[0], found[1]) if len(found) == 2 else (found[0], b)
    draft = SceneDraft(kind, "explanation", f"The {kind}")
    if kind == "circle":
        h, k, r = params.h, params.k, a
        x = sympy.Symbol("x")
        upper = k + sympy.sqrt(r**2 - (x - h) ** 2)
        lower = k - sympy.sqrt(r**2 - (x - h) ** 2)
        px, py = (h + sympy.Rational(3 * r, 5), k + sympy.Rational(4 * r, 5))
        check((px - h) ** 2 + (py - k) ** 2 == r**2, "point on the circle")
        xs, ys = [h - r, h + r], [k - r, k + r]
        eq = f"{_shifted('x', h)}^2 + {_shifted('y', k)}^2 = {r * r}"
        p = (float(px), float(py))
        draft.beat(
            f"A circle is every point at the same distance, {r}, from its centre at {h}, {k}.",
            ShowAxes(id="ax", x_range=axis_range(xs), y_range=axis_range(ys), region="left"),
            ShowPoint(id="centre", axes="ax", at=(float(h), float(k)), label=f"({h}, {k})", color="yellow"),
            PlotFunction(id="top", axes="ax", expression=str(upper), color="blue"),
            PlotFunction(id="bottom", axes="ax", expression=str(lower), color="blue"),
            ShowEquation(id="r", latex=f"r = {r}", region="bottom_right"),
        ).beat(
            f"Take a point P on it: across {num(float(px - h))} and up {num(float(py - k))} from the centre.",
            ShowPoint(id="p", axes="ax", at=p, label="P", color="red"),
            ShowSegment(
                id="across",
                axes="ax",
                start=(float(h), float(k)),
                end=(p[0], float(k)),
                label=num(float(px - h)),
                dashed=True,
                color="green",
            ),
            ShowSegment(
                id="up", axes="ax", start=(p[0], float(k)), end=p, label=num(float(py - k)), dashed=True, color="green"
            ),
        ).beat(
            f"By Pythagoras, across squared plus up squared is the radius squared, {r * r}.",
            ShowSegment(id="radius", axes="ax", start=(float(h), float(k)), end=p, label=str(r), color="red"),
            ShowEquation(
                id="eq", latex=f"{num(float(px - h))}^2 + {num(float(py - k))}^2 = {r}^2 = {r * r}", region="top_right"
            ),
        ).beat(
            "The same holds for every point x, y on the circle: that is its equation.",
            TransformEquation(target="eq", latex=eq, highlight=[str(r * r)]),
        )
        return [draft.build()]
    if kind == "parabola":
        p_ = a  # focal distance
        x = sympy.Symbol("x")
        curve = x**2 / (4 * p_)
        reach = 4 * p_
        points = [(sympy.Integer(2 * p_), curve.subs(x, 2 * p_)), (sympy.Integer(-4 * p_), curve.subs(x, -4 * p_))]
        for qx, qy in points:
            check(sympy.sqrt(qx**2 + (qy - p_) ** 2) == qy + p_, "focus and directrix distances")
        draft.beat(
            f"A parabola is every point as far from a focus, here at 0, {p_}, as from a line, the directrix y "
            f"equals minus {p_}.",
            ShowAxes(
                id="ax",
                x_range=axis_range([-reach, reach]),
                y_range=axis_range([-p_, float(curve.subs(x, reach))]),
                region="left",
            ),
            ShowPoint(id="focus", axes="ax", at=(0.0, float(p_)), label=f"F(0, {p_})", color="yellow"),
            PlotFunction(id="directrix", axes="ax", expression=str(-p_), color="grey", label=f"y = -{p_}"),
            PlotFunction(id="curve", axes="ax", expression=str(curve), x_range=(-reach, reach), color="blue"),
        )
        for n, (qx, qy) in enumerate(points):
            q = (float(qx), float(qy))
            dist = qy + p_
            actions: list[Action] = [
                ShowPoint(id=f"p{n}", axes="ax", at=q, label=f"P({qx}, {qy})", color="red"),
                ShowSegment(id=f"to_f{n}", axes="ax", start=q, end=(0.0, float(p_)), label=str(dist), color="yellow"),
                ShowSegment(
                    id=f"to_d{n}",
                    axes="ax",
                    start=q,
                    end=(q[0], float(-p_)),
                    label=str(dist),
                    dashed=True,
                    color="green",
                ),
            ]
            if n:
                actions.insert(0, Remove(targets=["p0", "to_f0", "to_d0"]))
            draft.beat(
                f"The point {qx}, {qy} is {dist} from the focus and {dist} from the directrix."
                if n == 0
                else f"Another point, {qx}, {qy}: both distances are {dist}.",
                *actions,
            )
        draft.beat(
            f"Every such point satisfies x squared equals 4 times {p_} times y.",
            ShowEquation(id="eq", latex=f"x^2 = 4 \\cdot {p_} \\, y = {4 * p_}y", region="top_right"),
        )
        return [draft.build()]
    ellipse = kind == "ellipse"
    if ellipse and a <= b:
        a, b = max(a, b) + (1 if a == b else 0), min(a, b)
    c = sympy.sqrt(a * a - b * b) if ellipse else sympy.sqrt(a * a + b * b)
    x = sympy.Symbol("x")
    sign = "+" if ellipse else "-"
    eq = f"\\frac{{x^2}}{{{a * a}}} {sign} \\frac{{y^2}}{{{b * b}}} = 1"
    if ellipse:
        half = b * sympy.sqrt(1 - x**2 / a**2)
        span = [-a, a]
        samples = [
            (sympy.Rational(3, 5) * a, sympy.Rational(4, 5) * b),
            (-sympy.Rational(4, 5) * a, sympy.Rational(-3, 5) * b),
        ]
    else:
        half = b * sympy.sqrt(x**2 / a**2 - 1)
        span = [-3 * a, 3 * a]
        samples = [
            (sympy.Rational(5, 3) * a, sympy.Rational(4, 3) * b),
            (sympy.Rational(5, 4) * a, -sympy.Rational(3, 4) * b),
        ]
    xr, yr = (
        axis_range(span),
        axis_range(
            [-float(half.subs(x, span[1])) if not ellipse else -b, float(half.subs(x, span[1])) if not ellipse else b]
        ),
    )
    c_text = str(c) if c.is_Integer else num(float(c))
    draft.beat(
        f"This {kind}: x squared over {a * a}, {'plus' if ellipse else 'minus'} y squared over {b * b}, equals 1.",
        ShowAxes(id="ax", x_range=xr, y_range=yr, region="left"),
        ShowEquation(id="eq", latex=eq, region="top_right"),
        *(
            PlotFunction(id=f"half{n}", axes="ax", expression=str(s * half), x_range=rng, color="blue")
            for n, (s, rng) in enumerate(
                [(1, (-a, a)), (-1, (-a, a))]
                if ellipse
                else [(1, (a, 3 * a)), (-1, (a, 3 * a)), (1, (-3 * a, -a)), (-1, (-3 * a, -a))]
            )
        ),
    ).beat(
        f"Its foci sit on the x axis at plus and minus {c_text}, where c squared is {a * a} "
        f"{'minus' if ellipse else 'plus'} {b * b}.",
        ShowPoint(id="f1", axes="ax", at=(-float(c), 0.0), label="F_1", color="yellow"),
        ShowPoint(id="f2", axes="ax", at=(float(c), 0.0), label="F_2", color="yellow"),
        ShowEquation(
            id="c",
            latex=f"c^2 = {a * a} {'-' if ellipse else '+'} {b * b}, \\; c \\approx {c_text}"
            if not c.is_Integer
            else f"c^2 = {a * a} {'-' if ellipse else '+'} {b * b}, \\; c = {c_text}",
            region="bottom_right",
        ),
    )
    for n, (qx, qy) in enumerate(samples):
        check(sympy.simplify(qx**2 / a**2 + (1 if ellipse else -1) * qy**2 / b**2 - 1) == 0, "point on the conic")
        d1 = sympy.sqrt((qx + c) ** 2 + qy**2)
        d2 = sympy.sqrt((qx - c) ** 2 + qy**2)
        total = d1 + d2 if ellipse else abs(d1 - d2)
        check(abs(float(total) - 2 * a) < 1e-9, "focal distances")
        q = (float(qx), float(qy))
        actions = [
            ShowPoint(id=f"p{n}", axes="ax", at=pt(*q), label="P", color="red"),
            ShowSegment(
                id=f"d1_{n}", axes="ax", start=pt(*q), end=(-float(c), 0.0), label=num(float(d1)), color="green"
            ),
            ShowSegment(
                id=f"d2_{n}", axes="ax", start=pt(*q), end=(float(c), 0.0), label=num(float(d2)), color="orange"
            ),
        ]
        if n:
            actions.insert(0, Remove(targets=["p0", "d1_0", "d2_0"]))
        else:
            # The sum of two distances needs no bars; a difference is taken without its sign.
            rule = "d_1 + d_2" if ellipse else "|d_1 - d_2|"
            actions.append(ShowEquation(id="rule", latex=f"{rule} = 2 \\cdot {a} = {2 * a}", region="right"))
        rel = "add to" if ellipse else "differ by"
        draft.beat(
            f"From a point on the curve, the distances to the foci, {num(float(d1))} and {num(float(d2))}, "
            f"{rel} {2 * a}."
            if n == 0
            else f"Move the point: now {num(float(d1))} and {num(float(d2))}, which still {rel} {2 * a}, twice {a}.",
            *actions,
        )
    if not ellipse:
        draft.beat(
            f"Far out, the branches hug the asymptotes y equals plus or minus {b} over {a} times x.",
            PlotFunction(id="asym1", axes="ax", expression=f"{b}/{a}*x", color="grey"),
            PlotFunction(
                id="asym2", axes="ax", expression=f"-{b}/{a}*x", color="grey", label=f"y = \\pm \\frac{{{b}}}{{{a}}}x"
            ),
        )
    return [draft.build()]


Curve = Literal["circle", "ellipse", "projectile", "cycloid", "cardioid", "rose", "spiral", "polar_point"]

# name: (x(t), y(t), t range, latex for x, latex for y, spoken description, is polar)
_CURVES: dict[str, tuple[Callable[[float], float], Callable[[float], float], tuple[float, float], str, str, bool]] = {
    "circle": (
        lambda t: 3 * math.cos(t),
        lambda t: 3 * math.sin(t),
        (0.0, 2 * math.pi),
        "x = 3\\cos t",
        "y = 3\\sin t",
        False,
    ),
    "ellipse": (
        lambda t: 4 * math.cos(t),
        lambda t: 2 * math.sin(t),
        (0.0, 2 * math.pi),
        "x = 4\\cos t",
        "y = 2\\sin t",
        False,
    ),
    "projectile": (lambda t: 2 * t, lambda t: 4 * t - t * t, (0.0, 4.0), "x = 2t", "y = 4t - t^2", False),
    "cycloid": (
        lambda t: t - math.sin(t),
        lambda t: 1 - math.cos(t),
        (0.0, 2 * math.pi),
        "x = t - \\sin t",
        "y = 1 - \\cos t",
        False,
    ),
    "cardioid": (
        lambda t: 2 * (1 + math.cos(t)),
        lambda t: 0.0,
        (0.0, 2 * math.pi),
        "r = 2(1 + \\cos\\theta)",
        "",
        True,
    ),
    "rose": (lambda t: 3 * math.cos(2 * t), lambda t: 0.0, (0.0, 2 * math.pi), "r = 3\\cos 2\\theta", "", True),
    "spiral": (lambda t: t / 2, lambda t: 0.0, (0.0, 4 * math.pi), "r = \\frac{\\theta}{2}", "", True),
}


class TraceParams(Params):
    curve: Curve = "projectile"
    radius: int = Field(default=4, ge=1, le=9, description="r of a polar point")
    angle: int = Field(default=60, ge=0, le=350, description="Angle in degrees of a polar point")


def _point(curve: str, t: float) -> tuple[float, float]:
    fx, fy, _, _, _, is_polar = _CURVES[curve]
    if is_polar:
        r = fx(t)
        return pt(r * math.cos(t), r * math.sin(t))
    return pt(fx(t), fy(t))


@demonstration("parametric_polar_trace", TraceParams)
def parametric_polar_trace(params: TraceParams, facts: ContextFacts) -> list[Scene]:
    """A curve traced as its parameter (or polar angle) runs: the point at the start, then the path drawn piece by
    piece with the point's position computed at each step; a polar point converted to x and y."""
    if params.curve == "polar_point":
        return [_polar_point(params, facts)]
    name = params.curve
    _, _, (t0, t1), lx, ly, is_polar = _CURVES[name]
    steps = 24
    ts = [t0 + (t1 - t0) * n / steps for n in range(steps + 1)]
    pts = [_point(name, t) for t in ts]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    if name == "projectile":
        check(max(ys) == 4.0 and pts[-1] == (8.0, 0.0), "projectile")
    param = "\\theta" if is_polar else "t"
    in_degrees = is_polar or name in ("circle", "ellipse")

    def unit(t: float) -> str:
        return f"{num(math.degrees(t), 0)}^\\circ" if in_degrees else num(t)

    def spoken_unit(t: float) -> str:
        return f"{num(math.degrees(t), 0)} degrees" if in_degrees else num(t)

    formula = lx if is_polar else f"{lx}, \\; {ly}"
    draft = SceneDraft("trace", "explanation", "Polar curve" if is_polar else "A parametric curve").beat(
        (
            "Each angle theta gives a distance r; the point is r along the ray at that angle."
            if is_polar
            else "Each value of t gives a point: x and y both depend on t."
        ),
        ShowAxes(id="ax", x_range=axis_range(xs), y_range=axis_range(ys), region="left"),
        ShowEquation(id="rule", latex=formula, region="top_right"),
    )
    draft.beat(
        f"At {param if not is_polar else 'theta'} equals {spoken_unit(ts[0])}, the point is at "
        f"{num(pts[0][0])}, {num(pts[0][1])}.",
        ShowPoint(id="at0", axes="ax", at=pts[0], label=f"({num(pts[0][0])}, {num(pts[0][1])})", color="yellow"),
        ShowEquation(id="now", latex=f"{param} = {unit(ts[0])}", region="bottom_right"),
    )
    for chunk in range(4):
        first, end = chunk * 6, chunk * 6 + 6
        p_end = pts[end]
        segments = [
            ShowSegment(id=f"s{n}", axes="ax", start=pts[n], end=pts[n + 1], color="blue")
            for n in range(first, end)
            if pts[n] != pts[n + 1]
        ]
        draft.beat(
            f"As {'theta' if is_polar else 't'} runs on to {spoken_unit(ts[end])}, the point moves to "
            f"{num(p_end[0])}, {num(p_end[1])}.",
            *segments,
            ShowPoint(
                id=f"at{chunk + 1}", axes="ax", at=p_end, label=f"({num(p_end[0])}, {num(p_end[1])})", color="yellow"
            ),
            TransformEquation(target="now", latex=f"{param} = {unit(ts[end])}"),
        )
    return [draft.build()]


def _polar_point(params: TraceParams, facts: ContextFacts) -> Scene:
    found = context_ints(facts, 2, 0, 350)
    r, theta = (found[0], found[1]) if found and 1 <= found[0] <= 9 else (params.radius, params.angle)
    rad = sympy.Integer(theta) * sympy.pi / 180
    x, y = r * sympy.cos(rad), r * sympy.sin(rad)
    check(abs(float(x) ** 2 + float(y) ** 2 - r * r) < 1e-9, "polar to cartesian")
    xf, yf = float(x), float(y)
    p = pt(xf, yf)
    return (
        SceneDraft("polar_point", "explanation", "Polar coordinates")
        .beat(
            f"Polar coordinates give a point by its distance r, here {r}, and its angle theta, here {theta} degrees.",
            ShowAxes(id="ax", x_range=axis_range([-r, r]), y_range=axis_range([-r, r]), region="left"),
            ShowSegment(id="ray", axes="ax", start=(0.0, 0.0), end=p, label=str(r), color="yellow"),
            ShowPoint(id="p", axes="ax", at=p, label=f"({r}, {theta}^\\circ)", color="red"),
        )
        .beat(
            f"Its x coordinate is r times the cosine of theta: about {num(xf)}.",
            ShowSegment(
                id="xs", axes="ax", start=(0.0, 0.0), end=(p[0], 0.0), label=num(xf), dashed=True, color="blue"
            ),
            ShowEquation(id="x", latex=f"x = {r}\\cos {theta}^\\circ \\approx {num(xf)}", region="top_right"),
        )
        .beat(
            f"Its y coordinate is r times the sine of theta: about {num(yf)}.",
            ShowSegment(id="ys", axes="ax", start=(p[0], 0.0), end=p, label=num(yf), dashed=True, color="green"),
            ShowEquation(id="y", latex=f"y = {r}\\sin {theta}^\\circ \\approx {num(yf)}", region="right"),
        )
        .beat(
            f"Back again: r squared is x squared plus y squared, {r * r}.",
            ShowEquation(id="back", latex=f"r^2 = x^2 + y^2 = {r * r}", region="bottom_right"),
            Indicate(target="p"),
        )
        .build()
    )
